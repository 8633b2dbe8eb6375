import Database from 'better-sqlite3';
import { APPLICATION_ID } from './db.js';
import { ensureIntact } from './integrity.js';
import { LATEST_VERSION } from './migrations/index.js';

export interface Inspection {
  /** PRAGMA user_version: the schema the file is at. */
  version: number;
  latest: number;
  /** Written by banksync (application id), or a new empty file. */
  ours: boolean;
}

/**
 * Looks at a database file without changing it (doctor): read-only, no migration, then SQLite's
 * check of every page. Throws CorruptDatabaseError when SQLite finds it damaged, a SqliteError
 * when it cannot be opened at all.
 */
export function inspectDatabase(path: string, pragma: 'quick_check' | 'integrity_check'): Inspection {
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5_000 });
  try {
    ensureIntact(db, path, Number.POSITIVE_INFINITY, pragma);
    const version = db.pragma('user_version', { simple: true }) as number;
    const appId = db.pragma('application_id', { simple: true }) as number;
    const tables = (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n;
    return { version, latest: LATEST_VERSION, ours: appId === APPLICATION_ID || (version === 0 && tables === 0) };
  } finally {
    db.close();
  }
}
