import { BanksyncError } from '../../domain/errors.js';
import type { StorePort } from '../port.js';
import { SqlitePort } from './port.js';
import type { Store } from './store.js';

/**
 * The SQLite store under a port, for the work that only means something on an SQLite file: a copy
 * of the file (backup, the copies kept before deleting, replay's rebuild in a copy merged back by
 * ATTACH), and the synchronous last steps after a
 * Ctrl-C (Runtime.abandon), which must finish before the process dies. The one door from core and
 * the CLI past the port; another store answers such requests its own way, never through here.
 */
export function sqliteOf(db: StorePort): Store {
  if (!(db instanceof SqlitePort)) throw new BanksyncError('INTERNAL', `internal error: the ${db.kind} store is not an SQLite file`);
  return db.sqlite;
}
