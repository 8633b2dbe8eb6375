import { closeSync, existsSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { counted } from './account-edit.js';
import type { Prompts } from './context.js';
import { BanksyncError, badInput, notFound } from '../domain/errors.js';
import { fileFault } from '../domain/file-faults.js';
import type { KeySource } from '../secrets/index.js';
import { checkSecrets, currentState, keepAside, openBackupFile, replaceWith, type SecretsCheck } from '../store/sqlite/restore.js';

export interface RestoreOptions {
  file: string;
  dbPath: string;
  keySource: KeySource;
  yes: boolean;
  /** Only for the default location: its directory is made when missing. */
  createDirs: boolean;
}

export interface RestoreResult {
  restored: string;
  database: string;
  schemaVersion: number;
  accounts: number;
  transactions: number;
  /** Where the database that was replaced is kept; null when there was none. */
  previous: string | null;
  /** The stored credentials cannot be opened with this machine's key: why, and what to do. */
  secrets: SecretsCheck;
}

/**
 * Replaces the database with a backup: the file is checked first (a banksync database, intact,
 * not newer than this banksync), the current database is kept aside (also when it is corrupt:
 * that is when people restore), then the checked copy is renamed into place. Never while a sync
 * holds a lock (exit 6). The database is not opened through the store: it may be the corrupt one
 * (an SQLite file's work, all in store/sqlite/restore.ts).
 */
export async function restoreDatabase(prompts: Prompts, o: RestoreOptions): Promise<RestoreResult> {
  if (o.file === '-') throw badInput('restore reads a file, not standard input', 'give the path of the backup file');
  const file = resolve(o.file);
  const dbPath = resolve(o.dbPath);
  if (!existsSync(file)) throw notFound(`${o.file} does not exist`, 'give the path of a file written by banksync backup');
  if (file === dbPath) throw badInput(`${o.file} is the database itself`, 'give the path of a backup copy');
  const source = openBackupFile(file);
  try {
    const current = currentState(dbPath);
    if (!o.yes) {
      const what = current === 'absent' ? `Restore ${dbPath} from ${o.file}` : `Replace ${dbPath}${current === 'corrupt' ? ' (corrupt)' : ''} with ${o.file}; the current file is kept aside`;
      const ok = await prompts.confirm(`${what} (${counted(source.accounts, 'account')}, ${counted(source.transactions, 'transaction')})?`, '--yes', { defaultAnswer: false });
      if (!ok) throw new BanksyncError('BAD_INPUT', 'cancelled; nothing was changed');
    }
    if (o.createDirs) mkdirSync(dirname(dbPath), { recursive: true, mode: 0o700 });
    const tmp = `${dbPath}.restore-tmp-${process.pid}`;
    try {
      closeSync(openSync(tmp, 'wx', 0o600));
      await source.copyTo(tmp);
      const previous = current === 'absent' ? null : await keepAside(dbPath, current);
      replaceWith(dbPath, tmp);
      return {
        restored: file,
        database: dbPath,
        schemaVersion: source.schemaVersion,
        accounts: source.accounts,
        transactions: source.transactions,
        previous,
        secrets: checkSecrets(dbPath, o.keySource),
      };
    } catch (err) {
      rmSync(tmp, { force: true });
      throw fileFault(err, `beside the database ${dbPath}`, 'free some space or make that directory writable') ?? err;
    }
  } finally {
    source.close();
  }
}
