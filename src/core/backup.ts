import { badInput } from '../domain/errors.js';
import type { StorePort } from '../store/port.js';
import { type BackupResult, copyBeside, copyDatabase } from '../store/sqlite/backup.js';
import { sqliteOf } from '../store/sqlite/file.js';

export { type BackupResult, backupStamp } from '../store/sqlite/backup.js';

/**
 * `banksync backup FILE`: a consistent copy of the database while a sync may write
 * (store/sqlite/backup.ts). A copy of the SQLite file, so it reaches past the port (sqliteOf).
 */
export function backupDatabase(store: StorePort, dest: string, o: { overwrite?: boolean } = {}): Promise<BackupResult> {
  sqliteOnly(store, 'backup copies the SQLite file', "on PostgreSQL, back up with the server's own tools: pg_dump DATABASE > FILE");
  return copyDatabase(sqliteOf(store).db, dest, o);
}

/** A command that works on the SQLite file itself: on another store, one clear line (exit 2). */
export function sqliteOnly(store: StorePort, what: string, hint: string): void {
  if (store.kind !== 'sqlite') throw badInput(`${what}; this database is on PostgreSQL (${store.location})`, hint);
}

/** What a destructive command's prompt promises about a copy: only SQLite gets one from banksync. */
export const copyPromise = (store: StorePort): string => (store.kind === 'sqlite' ? 'a backup copy is kept first' : "banksync keeps no copy on PostgreSQL: the server's backups are the way back");

/**
 * The copy kept before a destructive command (delete, merge, disconnect --delete-history):
 * beside the database as `<db>.backup-<UTC time>-<reason>`, where `status` lists it when the
 * database is ever found corrupt. None on PostgreSQL (null).
 */
export async function backupBeside(store: StorePort, reason: string, now = new Date()): Promise<BackupResult | null> {
  // PostgreSQL: no file to copy; the server's backups (pg_dump, PITR) are the way back, and the prompt said so (copyPromise).
  if (store.kind !== 'sqlite') return null;
  return copyBeside(sqliteOf(store).db, reason, now);
}
