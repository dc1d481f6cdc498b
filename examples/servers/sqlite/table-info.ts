import type { Database } from 'better-sqlite3';
import { z } from 'zod';

/** Structured output of `describe_table` (an SDK output-schema shape). */
export const tableDescriptionShape = {
  table: z.string().describe('Table name as stored in the schema'),
  rowCount: z.number().int().describe('Number of rows in the table'),
  columns: z
    .array(
      z.object({
        name: z.string().describe('Column name'),
        type: z.string().describe('Declared type, e.g. INTEGER or TEXT (empty when undeclared)'),
        notNull: z.boolean().describe('Whether the column has a NOT NULL constraint'),
        primaryKey: z.boolean().describe('Whether the column is part of the primary key'),
        defaultValue: z.string().nullable().describe('Default value expression, if any'),
      }),
    )
    .describe('Columns in declaration order'),
  foreignKeys: z
    .array(
      z.object({
        column: z.string().describe('Column of this table'),
        referencesTable: z.string().describe('Referenced table'),
        referencesColumn: z.string().nullable().describe('Referenced column (null: its primary key)'),
      }),
    )
    .describe('Foreign keys declared on the table'),
};

export type TableDescription = z.infer<z.ZodObject<typeof tableDescriptionShape>>;

/** Names of the user tables, sorted; SQLite's internal `sqlite_*` tables are left out. */
export function listTables(db: Database): string[] {
  return db
    .prepare<[], string>(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )
    .pluck()
    .all();
}

interface ColumnRow {
  name: string;
  type: string;
  notnull: number;
  pk: number;
  dflt_value: string | null;
}

interface ForeignKeyRow {
  from: string;
  table: string;
  to: string | null;
}

/**
 * Columns, foreign keys and row count of `tableName` (matched case-insensitively, as SQLite does), or
 * `undefined` when there is no such table.
 */
export function describeTable(db: Database, tableName: string): TableDescription | undefined {
  const table = listTables(db).find((name) => name.toLowerCase() === tableName.toLowerCase());
  if (table === undefined) return undefined;
  const columns = db
    .prepare<[string], ColumnRow>('SELECT name, type, "notnull", pk, dflt_value FROM pragma_table_info(?)')
    .all(table);
  const foreignKeys = db
    .prepare<[string], ForeignKeyRow>('SELECT "from", "table", "to" FROM pragma_foreign_key_list(?)')
    .all(table);
  // The name comes from sqlite_schema, not from the caller; quoting still guards odd characters.
  const quoted = `"${table.replaceAll('"', '""')}"`;
  const rowCount = db.prepare<[], number>(`SELECT COUNT(*) FROM ${quoted}`).pluck().get() ?? 0;
  return {
    table,
    rowCount,
    columns: columns.map((column) => ({
      name: column.name,
      type: column.type,
      notNull: column.notnull === 1,
      primaryKey: column.pk > 0,
      defaultValue: column.dflt_value,
    })),
    foreignKeys: foreignKeys.map((key) => ({
      column: key.from,
      referencesTable: key.table,
      referencesColumn: key.to,
    })),
  };
}

/** A table description as readable text. */
export function formatTableDescription(description: TableDescription): string {
  const columns = description.columns.map((column) => {
    const traits = [
      column.type || 'ANY',
      column.primaryKey ? 'PRIMARY KEY' : '',
      column.notNull ? 'NOT NULL' : '',
      column.defaultValue === null ? '' : `DEFAULT ${column.defaultValue}`,
    ].filter(Boolean);
    return `- ${column.name} ${traits.join(' ')}`;
  });
  const keys = description.foreignKeys.map(
    (key) => `- ${key.column} -> ${key.referencesTable}(${key.referencesColumn ?? 'primary key'})`,
  );
  return [
    `Table ${description.table} (${description.rowCount} rows)`,
    'Columns:',
    ...columns,
    ...(keys.length > 0 ? ['Foreign keys:', ...keys] : []),
  ].join('\n');
}
