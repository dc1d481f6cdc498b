import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { seedSampleData } from './sample-data.js';

/** The two connections the server keeps to one database file. */
export interface SqliteConnections {
  /** Read-write connection, for `write_query`. */
  writer: Database.Database;
  /** Read-only connection: even a statement that slips past the checks cannot write through it. */
  reader: Database.Database;
  /** Whether the file was just created and seeded with the sample data. */
  created: boolean;
  /** Closes both connections. */
  close(): void;
}

/**
 * Opens (or creates and seeds) the database at `dbPath`. A missing file gets its folder, the file and
 * the sample `customers`/`orders` data; an existing file is used as it is.
 */
export function openDatabase(dbPath: string): SqliteConnections {
  const created = !existsSync(dbPath);
  if (created) mkdirSync(path.dirname(dbPath), { recursive: true });
  const writer = new Database(dbPath);
  try {
    // Rollback journal instead of WAL: no -wal/-shm files left beside the database, and a read-only
    // connection needs no write access to a shared-memory file.
    writer.pragma('journal_mode = DELETE');
    writer.pragma('foreign_keys = ON');
    if (created) seedSampleData(writer);
    const reader = new Database(dbPath, { readonly: true, fileMustExist: true });
    return {
      writer,
      reader,
      created,
      close() {
        reader.close();
        writer.close();
      },
    };
  } catch (error) {
    writer.close();
    // Seeding happens only when the file is new: leave no empty file behind that would never be seeded.
    if (created) rmSync(dbPath, { force: true });
    throw error;
  }
}
