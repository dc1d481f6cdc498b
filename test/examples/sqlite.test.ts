import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExampleServers, callTool } from './example-server.js';
import { NATIVE_EXAMPLES } from '../helpers/native-examples.js';

const TOP_CUSTOMERS = `
  SELECT c.name, c.city, COUNT(o.id) AS order_count, ROUND(SUM(o.quantity * o.unit_price), 2) AS total_spend
  FROM customers c JOIN orders o ON o.customer_id = c.id
  GROUP BY c.id
  ORDER BY total_spend DESC
  LIMIT 3`;

interface OrderRow {
  customer_id: number;
  quantity: number;
  unit_price: number;
}

async function rows<T>(client: Client, query: string): Promise<T[]> {
  const outcome = await callTool(client, 'read_query', { query });
  expect(outcome.isError, outcome.text).toBe(false);
  return (outcome.structured as { rows: T[] }).rows;
}

async function count(client: Client, table: string): Promise<number> {
  const [row] = await rows<{ n: number }>(client, `SELECT COUNT(*) AS n FROM ${table}`);
  return row!.n;
}

describe.skipIf(!NATIVE_EXAMPLES)('sqlite server: seeding and reading', () => {
  const servers = new ExampleServers();
  let tempDir: string;
  let dbPath: string;
  let client: Client;

  beforeAll(async () => {
    tempDir = await mkdtemp(path.join(os.tmpdir(), 'example-sqlite-'));
    dbPath = path.join(tempDir, 'nested', 'folder', 'sample.db');
    client = await servers.start('sqlite', ['--db-path', dbPath]);
  });
  afterAll(async () => {
    await servers.closeAll();
    await rm(tempDir, { recursive: true, force: true });
  });

  it('creates the missing folder and database file, without WAL side files', async () => {
    expect(existsSync(dbPath)).toBe(true);
    expect(await readdir(path.dirname(dbPath))).toEqual(['sample.db']);
  });

  it('lists the seeded tables', async () => {
    const outcome = await callTool(client, 'list_tables');
    expect(outcome).toEqual({
      isError: false,
      text: 'customers\norders',
      structured: { tables: ['customers', 'orders'] },
    });
  });

  it('describes a table with types, NOT NULL, primary key and foreign keys', async () => {
    const customers = await callTool(client, 'describe_table', { table_name: 'customers' });
    expect(customers.isError).toBe(false);
    expect(customers.text).toBe(
      [
        'Table customers (12 rows)',
        'Columns:',
        '- id INTEGER PRIMARY KEY',
        '- name TEXT NOT NULL',
        '- email TEXT NOT NULL',
        '- city TEXT NOT NULL',
        '- created_at TEXT NOT NULL',
      ].join('\n'),
    );

    // Table names are case-insensitive in SQLite, and so is describe_table.
    const orders = await callTool(client, 'describe_table', { table_name: 'ORDERS' });
    expect(orders.structured).toMatchObject({
      table: 'orders',
      rowCount: 40,
      foreignKeys: [{ column: 'customer_id', referencesTable: 'customers', referencesColumn: 'id' }],
    });
    const columns = (
      orders.structured as {
        columns: { name: string; type: string; notNull: boolean; primaryKey: boolean }[];
      }
    ).columns;
    expect(columns.map((column) => column.name)).toEqual([
      'id',
      'customer_id',
      'product',
      'quantity',
      'unit_price',
      'ordered_at',
    ]);
    expect(columns.find((column) => column.name === 'unit_price')).toEqual({
      name: 'unit_price',
      type: 'REAL',
      notNull: true,
      primaryKey: false,
      defaultValue: null,
    });
    expect(orders.text).toContain('Foreign keys:\n- customer_id -> customers(id)');
  });

  it('refuses an unknown table, listing the existing ones', async () => {
    const outcome = await callTool(client, 'describe_table', { table_name: 'products' });
    expect(outcome).toEqual({
      isError: true,
      text: "Table 'products' does not exist. Available tables: customers, orders",
      structured: undefined,
    });
  });

  it('seeds 12 customers in several cities and 40 orders of 2024', async () => {
    expect(await count(client, 'customers')).toBe(12);
    expect(await count(client, 'orders')).toBe(40);
    const cities = await rows<{ city: string; n: number }>(
      client,
      'SELECT city, COUNT(*) AS n FROM customers GROUP BY city ORDER BY n DESC, city',
    );
    expect(cities[0]).toEqual({ city: 'Paris', n: 3 });
    const [range] = await rows<{ first: string; last: string }>(
      client,
      'SELECT MIN(ordered_at) AS first, MAX(ordered_at) AS last FROM orders',
    );
    expect(range!.first.startsWith('2024-')).toBe(true);
    expect(range!.last.startsWith('2024-')).toBe(true);
  });

  it('answers a top-customers join that matches the raw rows', async () => {
    const outcome = await callTool(client, 'read_query', { query: TOP_CUSTOMERS });
    expect(outcome.isError).toBe(false);
    const structured = outcome.structured as {
      columns: string[];
      rows: unknown[];
      rowCount: number;
      truncated: boolean;
    };
    expect(structured.columns).toEqual(['name', 'city', 'order_count', 'total_spend']);
    expect(structured.rowCount).toBe(3);
    expect(structured.truncated).toBe(false);
    // The text is the same rows, as parseable JSON.
    expect(JSON.parse(outcome.text)).toEqual(structured.rows);
    expect(structured.rows[0]).toEqual({
      name: 'Grace Kim',
      city: 'Toronto',
      order_count: 3,
      total_spend: 2190,
    });

    // Recompute the ranking from the raw rows: the join must agree with plain arithmetic.
    const orders = await rows<OrderRow>(client, 'SELECT customer_id, quantity, unit_price FROM orders');
    const customers = await rows<{ id: number; name: string }>(client, 'SELECT id, name FROM customers');
    const spend = new Map<number, number>();
    for (const order of orders) {
      spend.set(order.customer_id, (spend.get(order.customer_id) ?? 0) + order.quantity * order.unit_price);
    }
    const expected = [...spend.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([id, total]) => [
        customers.find((customer) => customer.id === id)!.name,
        Math.round(total * 100) / 100,
      ]);
    const actual = (structured.rows as { name: string; total_spend: number }[]).map((row) => [
      row.name,
      row.total_spend,
    ]);
    expect(actual).toEqual(expected);
  });

  it('stops at 500 rows and says so', async () => {
    const outcome = await callTool(client, 'read_query', {
      query: 'WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000) SELECT x FROM n',
    });
    expect(outcome.isError).toBe(false);
    expect(outcome.structured).toMatchObject({ rowCount: 500, truncated: true });
    expect(outcome.text.endsWith('(truncated to the first 500 rows)')).toBe(true);
  });

  it.each([
    [
      "INSERT INTO customers (name, email, city, created_at) VALUES ('Eve', 'e@x', 'Oslo', '2024-01-01')",
      'use write_query',
    ],
    ['UPDATE orders SET quantity = 100', 'not UPDATE'],
    ['DELETE FROM orders', 'not DELETE'],
    ['DROP TABLE orders', 'not DROP'],
    ['CREATE TABLE t (x)', 'not CREATE'],
    ['PRAGMA writable_schema', 'not PRAGMA'],
    ['PRAGMA writable_schema = ON', 'not PRAGMA'],
    ["ATTACH DATABASE ':memory:' AS other", 'not ATTACH'],
    [
      "INSERT INTO customers (name, email, city, created_at) VALUES ('Eve', 'e@x', 'Oslo', '2024-01-01') RETURNING id",
      'use write_query',
    ],
    ['SELECT 1; DROP TABLE orders', 'more than one'],
    ['SELECT 1; SELECT 2', 'more than one'],
    ['/* looks harmless */ -- really\n DELETE FROM orders', 'not DELETE'],
    ['   ', 'empty'],
  ])('read_query refuses %j', async (query, message) => {
    const outcome = await callTool(client, 'read_query', { query });
    expect(outcome.isError).toBe(true);
    expect(outcome.text).toContain(message);
  });

  it('left the data untouched after the refused statements', async () => {
    expect(await count(client, 'orders')).toBe(40);
    expect(await count(client, 'customers')).toBe(12);
    expect((await callTool(client, 'list_tables')).structured).toEqual({ tables: ['customers', 'orders'] });
  });

  it('reports SQL errors as error results', async () => {
    const outcome = await callTool(client, 'read_query', { query: 'SELECT nope FROM customers' });
    expect(outcome).toMatchObject({ isError: true, text: 'SQL error: no such column: nope' });
  });
});

describe.skipIf(!NATIVE_EXAMPLES)('sqlite server: writing', () => {
  const servers = new ExampleServers();
  let tempDir: string;
  let dbPath: string;
  let client: Client;

  beforeAll(async () => {
    tempDir = await mkdtemp(path.join(os.tmpdir(), 'example-sqlite-'));
    dbPath = path.join(tempDir, 'shop.db');
    client = await servers.start('sqlite', ['--db-path', dbPath]);
  });
  afterAll(async () => {
    await servers.closeAll();
    await rm(tempDir, { recursive: true, force: true });
  });

  it('inserts a row and reports it', async () => {
    const outcome = await callTool(client, 'write_query', {
      query:
        "INSERT INTO customers (name, email, city, created_at) VALUES ('Mia Lund', 'mia.lund@example.com', 'Oslo', '2024-06-01')",
    });
    expect(outcome).toEqual({
      isError: false,
      text: 'Query OK: 1 row affected',
      structured: { changes: 1, lastInsertRowid: 13 },
    });
    expect(await rows(client, 'SELECT name, city FROM customers WHERE id = 13')).toEqual([
      { name: 'Mia Lund', city: 'Oslo' },
    ]);
  });

  it('updates and deletes, returning the affected row counts', async () => {
    const [{ n: graceOrders }] = (await rows<{ n: number }>(
      client,
      'SELECT COUNT(*) AS n FROM orders WHERE customer_id = 7',
    )) as [{ n: number }];
    const updated = await callTool(client, 'write_query', {
      query: 'UPDATE orders SET quantity = quantity + 1 WHERE customer_id = 7',
    });
    expect(updated.structured).toMatchObject({ changes: graceOrders });
    expect(updated.text).toBe(`Query OK: ${graceOrders} rows affected`);

    const deleted = await callTool(client, 'write_query', {
      query: "DELETE FROM orders WHERE product = 'Webcam'",
    });
    expect(deleted.isError).toBe(false);
    const remaining = await count(client, 'orders');
    expect(remaining).toBe(40 - (deleted.structured as { changes: number }).changes);
    expect(await rows(client, "SELECT id FROM orders WHERE product = 'Webcam'")).toEqual([]);
  });

  it('creates a table that the other tools see at once', async () => {
    const created = await callTool(client, 'write_query', {
      query: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)',
    });
    expect(created.isError).toBe(false);
    expect(created.structured).toMatchObject({ changes: 0 });
    await callTool(client, 'write_query', { query: "INSERT INTO notes (body) VALUES ('call Grace')" });
    expect((await callTool(client, 'list_tables')).structured).toEqual({
      tables: ['customers', 'notes', 'orders'],
    });
    expect(await rows(client, 'SELECT body FROM notes')).toEqual([{ body: 'call Grace' }]);
  });

  it('enforces foreign keys', async () => {
    const outcome = await callTool(client, 'write_query', {
      query:
        "INSERT INTO orders (customer_id, product, quantity, unit_price, ordered_at) VALUES (999, 'Desk Lamp', 1, 27.3, '2024-12-31')",
    });
    expect(outcome).toMatchObject({ isError: true, text: 'SQL error: FOREIGN KEY constraint failed' });
  });

  it.each([
    ['DROP TABLE orders', 'not DROP TABLE'],
    ['ALTER TABLE orders ADD COLUMN note TEXT', 'not ALTER TABLE'],
    ["ATTACH DATABASE ':memory:' AS other", 'not ATTACH DATABASE'],
    ['PRAGMA foreign_keys = OFF', 'not PRAGMA'],
    ['CREATE INDEX orders_product ON orders(product)', 'not CREATE INDEX'],
    ['CREATE TRIGGER wipe AFTER INSERT ON customers BEGIN DELETE FROM orders; END', 'not CREATE TRIGGER'],
    ['SELECT * FROM customers', 'use read_query'],
    ["UPDATE customers SET city = 'Oslo'; DROP TABLE orders", 'more than one'],
    ["INSERT INTO notes (body) VALUES ('x') RETURNING id", 'RETURNING'],
  ])('write_query refuses %j', async (query, message) => {
    const outcome = await callTool(client, 'write_query', { query });
    expect(outcome.isError).toBe(true);
    expect(outcome.text).toContain(message);
  });

  it('left the schema intact after the refused statements', async () => {
    const orders = await callTool(client, 'describe_table', { table_name: 'orders' });
    expect((orders.structured as { columns: unknown[] }).columns).toHaveLength(6);
    expect(await rows(client, "SELECT city FROM customers WHERE city = 'Oslo'")).toHaveLength(1);
    expect(
      await rows(
        client,
        "SELECT name FROM sqlite_schema WHERE type IN ('index', 'trigger') AND sql IS NOT NULL",
      ),
    ).toEqual([{ name: 'orders_customer_id' }]);
  });

  it('keeps the changes in the file and does not seed it again', async () => {
    await servers.closeAll();
    client = await servers.start('sqlite', ['--db-path', dbPath]);
    expect(await count(client, 'customers')).toBe(13);
    expect(await rows(client, 'SELECT body FROM notes')).toEqual([{ body: 'call Grace' }]);
  });
});

describe.skipIf(!NATIVE_EXAMPLES)('sqlite server: default database path', () => {
  const servers = new ExampleServers();
  let tempDir: string;

  beforeAll(async () => {
    tempDir = await mkdtemp(path.join(os.tmpdir(), 'example-sqlite-'));
  });
  afterAll(async () => {
    await servers.closeAll();
    await rm(tempDir, { recursive: true, force: true });
  });

  it('creates data/sample.db under the working directory', async () => {
    const client = await servers.start('sqlite', [], { cwd: tempDir });
    expect(existsSync(path.join(tempDir, 'data', 'sample.db'))).toBe(true);
    expect(await count(client, 'orders')).toBe(40);
  });
});
