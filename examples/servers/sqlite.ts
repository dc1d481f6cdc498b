/**
 * Example backend: a stdio MCP server over a SQLite database (better-sqlite3), with `list_tables`,
 * `describe_table`, `read_query` and `write_query`. A missing database file is created and seeded with
 * sample `customers` and `orders`.
 */
import path from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { exitWithUsageError, parseCli } from './shared/parse-cli.js';
import { runStdioServer } from './shared/run-stdio-server.js';
import { errorResult, guardTool, textResult } from './shared/tool-result.js';
import { toJsonRow } from './sqlite/json-value.js';
import { openDatabase, type SqliteConnections } from './sqlite/open-database.js';
import { prepareReadQuery, prepareWriteQuery } from './sqlite/sql-statement.js';
import {
  describeTable,
  formatTableDescription,
  listTables,
  tableDescriptionShape,
} from './sqlite/table-info.js';

const NAME = 'sqlite';
const USAGE = `Usage: node sqlite.js [options]

  --db-path <file>   SQLite database file (default: data/sample.db, relative to the working directory).
                     A missing file is created, with its folder, and seeded with sample data.
  --max-rows <n>     Most rows read_query returns (default: 500)
  --help             Show this help`;

const args = parseCli(NAME, USAGE, {
  'db-path': { type: 'string', default: 'data/sample.db' },
  'max-rows': { type: 'string', default: '500' },
});

const maxRows = Number(args['max-rows']);
if (!Number.isInteger(maxRows) || maxRows <= 0)
  exitWithUsageError(NAME, USAGE, '--max-rows must be a positive integer');
const dbPath = path.resolve(args['db-path']);

let connections: SqliteConnections;
try {
  connections = openDatabase(dbPath);
} catch (error) {
  console.error(
    `${NAME}: cannot open database ${dbPath}: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
}
const { reader, writer } = connections;

const server = new McpServer({ name: 'example-sqlite', version: '0.1.0' });

const queryParameter = (what: string) => z.string().min(1, 'query must not be empty').describe(what);

server.registerTool(
  'list_tables',
  {
    title: 'List tables',
    description: 'Lists the tables of the SQLite database, one name per line.',
    outputSchema: { tables: z.array(z.string()).describe('Table names, sorted') },
    annotations: { readOnlyHint: true },
  },
  () =>
    guardTool(() => {
      const tables = listTables(reader);
      return textResult(tables.length > 0 ? tables.join('\n') : '(no tables)', { tables });
    }),
);

server.registerTool(
  'describe_table',
  {
    title: 'Describe table',
    description:
      'Shows the columns (type, NOT NULL, primary key, default), foreign keys and row count of a table.',
    inputSchema: {
      table_name: z
        .string()
        .min(1, 'table_name must not be empty')
        .describe('Name of the table (case-insensitive)'),
    },
    outputSchema: tableDescriptionShape,
    annotations: { readOnlyHint: true },
  },
  ({ table_name }) =>
    guardTool(() => {
      const description = describeTable(reader, table_name);
      if (description === undefined) {
        const tables = listTables(reader);
        return errorResult(
          `Table '${table_name}' does not exist. Available tables: ${tables.length > 0 ? tables.join(', ') : '(none)'}`,
        );
      }
      return textResult(formatTableDescription(description), description);
    }),
);

server.registerTool(
  'read_query',
  {
    title: 'Read query',
    description:
      'Runs ONE read-only SQL statement (SELECT, WITH ... SELECT, VALUES or EXPLAIN) and returns the rows as JSON. ' +
      `Statements that write, PRAGMAs and multiple statements are refused. At most ${maxRows} rows are returned.`,
    inputSchema: {
      query: queryParameter('A single SELECT statement, e.g. "SELECT * FROM customers LIMIT 5"'),
    },
    outputSchema: {
      columns: z.array(z.string()).describe('Result column names, in order'),
      rows: z
        .array(z.record(z.string(), z.unknown()))
        .describe('Result rows as objects keyed by column name'),
      rowCount: z.number().int().describe('Number of rows returned'),
      truncated: z.boolean().describe(`Whether rows beyond the first ${maxRows} were left out`),
    },
    annotations: { readOnlyHint: true },
  },
  ({ query }) =>
    guardTool((): CallToolResult => {
      const statement = prepareReadQuery(reader, query);
      const columns = statement.columns().map((column) => column.name);
      const rows: Record<string, unknown>[] = [];
      let truncated = false;
      try {
        for (const row of statement.iterate()) {
          if (rows.length === maxRows) {
            truncated = true;
            break;
          }
          rows.push(toJsonRow(row));
        }
      } catch (error) {
        return errorResult(`SQL error: ${error instanceof Error ? error.message : String(error)}`);
      }
      const result = textResult(JSON.stringify(rows, undefined, 2), {
        columns,
        rows,
        rowCount: rows.length,
        truncated,
      });
      // The JSON text stays parseable; the truncation notice is a separate content block.
      if (truncated) result.content.push({ type: 'text', text: `(truncated to the first ${maxRows} rows)` });
      return result;
    }),
);

server.registerTool(
  'write_query',
  {
    title: 'Write query',
    description:
      'Runs ONE INSERT, UPDATE, DELETE, REPLACE or CREATE TABLE statement and returns the number of affected rows. ' +
      'DROP, ALTER, ATTACH, PRAGMA and other statements are refused; use read_query to read.',
    inputSchema: {
      query: queryParameter('A single INSERT, UPDATE, DELETE, REPLACE or CREATE TABLE statement'),
    },
    outputSchema: {
      changes: z.number().int().describe('Rows inserted, updated or deleted'),
      lastInsertRowid: z
        .number()
        .describe('Rowid of the last inserted row (0 when nothing was inserted yet)'),
    },
    annotations: { readOnlyHint: false, destructiveHint: true },
  },
  ({ query }) =>
    guardTool((): CallToolResult => {
      const statement = prepareWriteQuery(writer, query);
      let info;
      try {
        info = statement.run();
      } catch (error) {
        return errorResult(`SQL error: ${error instanceof Error ? error.message : String(error)}`);
      }
      const changes = info.changes;
      const lastInsertRowid = Number(info.lastInsertRowid);
      return textResult(`Query OK: ${changes} row${changes === 1 ? '' : 's'} affected`, {
        changes,
        lastInsertRowid,
      });
    }),
);

await runStdioServer(server, {
  name: NAME,
  detail: `${connections.created ? 'created and seeded' : 'opened'} ${dbPath}`,
  onShutdown: () => connections.close(),
});
