import type { StorePort } from '../store/port.js';
import { type BackupResult, copyBeside, copyDatabase } from '../store/sqlite/backup.js';
import { sqliteOf } from '../store/sqlite/file.js';

export { type BackupResult, backupStamp } from '../store/sqlite/backup.js';

/**
 * `banksync backup FILE`: a consistent copy of the database while a sync may write
 * (store/sqlite/backup.ts). A copy of the SQLite file, so it reaches past the port (sqliteOf).
 */
export function backupDatabase(store: StorePort, dest: string, o: { overwrite?: boolean } = {}): Promise<BackupResult> {
  return copyDatabase(sqliteOf(store).db, dest, o);
}

/**
 * The copy kept before a destructive command (delete, merge, disconnect --delete-history):
 * beside the database as `<db>.backup-<UTC time>-<reason>`, where `status` lists it when the
 * database is ever found corrupt.
 */
export function backupBeside(store: StorePort, reason: string, now = new Date()): Promise<BackupResult> {
  return copyBeside(sqliteOf(store).db, reason, now);
}
