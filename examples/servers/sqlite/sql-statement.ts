import type { Database, Statement } from 'better-sqlite3';

/**
 * The first `count` keywords of `sql`, upper-cased, skipping whitespace and comments: enough to tell
 * `CREATE TABLE` from `CREATE TRIGGER` or a `SELECT` from a `PRAGMA` without a full SQL parser.
 */
export function leadingKeywords(sql: string, count: number): string[] {
  const keywords: string[] = [];
  let rest = sql;
  while (keywords.length < count) {
    rest = rest.trimStart();
    if (rest.startsWith('--')) {
      const end = rest.indexOf('\n');
      rest = end === -1 ? '' : rest.slice(end + 1);
    } else if (rest.startsWith('/*')) {
      const end = rest.indexOf('*/', 2);
      rest = end === -1 ? '' : rest.slice(end + 2);
    } else {
      const word = /^[A-Za-z_]+/.exec(rest)?.[0];
      if (!word) break;
      keywords.push(word.toUpperCase());
      rest = rest.slice(word.length);
    }
  }
  return keywords;
}

/** Prepares exactly one statement, with clear messages for empty input and statement lists. */
function prepareOne(db: Database, sql: string, tool: string): Statement {
  try {
    return db.prepare(sql);
  } catch (error) {
    // better-sqlite3 reports both cases as RangeErrors before SQLite ever runs anything.
    if (error instanceof RangeError && /more than one statement/.test(error.message)) {
      throw new Error(`${tool} runs a single statement; this query contains more than one`, { cause: error });
    }
    if (error instanceof RangeError && /no statements/.test(error.message)) {
      throw new Error(`${tool}: the query is empty`, { cause: error });
    }
    throw new Error(`SQL error: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

const READ_KEYWORDS = new Set(['SELECT', 'WITH', 'VALUES', 'EXPLAIN']);
const WRITE_KEYWORDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'REPLACE']);

/**
 * Prepares `sql` for `read_query`, refusing anything but one read statement. Two independent checks:
 * the leading keyword (PRAGMA statements report themselves as read-only readers) and SQLite's own
 * verdict (`reader`: returns rows, `readonly`: writes nothing).
 */
export function prepareReadQuery(db: Database, sql: string): Statement {
  const statement = prepareOne(db, sql, 'read_query');
  const [first = ''] = leadingKeywords(sql, 1);
  if (!READ_KEYWORDS.has(first)) {
    throw new Error(
      `read_query only runs read statements (SELECT, WITH, VALUES, EXPLAIN), not ${first || 'this statement'}` +
        (WRITE_KEYWORDS.has(first) ? '; use write_query to change data' : ''),
    );
  }
  if (!statement.reader || !statement.readonly) {
    throw new Error('read_query refuses statements that modify the database; use write_query to change data');
  }
  return statement;
}

/**
 * Prepares `sql` for `write_query`: one INSERT, UPDATE, DELETE, REPLACE or CREATE TABLE statement.
 * Schema changes that destroy or redirect data (DROP, ALTER, ATTACH, PRAGMA, triggers...) are refused.
 */
export function prepareWriteQuery(db: Database, sql: string): Statement {
  const statement = prepareOne(db, sql, 'write_query');
  const [first = '', second = '', third = ''] = leadingKeywords(sql, 3);
  const createsTable =
    first === 'CREATE' &&
    (second === 'TABLE' || ((second === 'TEMP' || second === 'TEMPORARY') && third === 'TABLE'));
  // A WITH prefix can only lead into SELECT, INSERT, UPDATE or DELETE; SQLite tells which.
  const isDml = WRITE_KEYWORDS.has(first) || (first === 'WITH' && !statement.readonly);
  if (READ_KEYWORDS.has(first) && statement.readonly) {
    throw new Error('write_query does not run read statements; use read_query');
  }
  if (!isDml && !createsTable) {
    const what = [first, second].filter(Boolean).join(' ') || 'this statement';
    throw new Error(`write_query only runs INSERT, UPDATE, DELETE, REPLACE or CREATE TABLE, not ${what}`);
  }
  if (statement.reader) {
    throw new Error('write_query does not support RETURNING; run read_query afterwards to see the rows');
  }
  return statement;
}
