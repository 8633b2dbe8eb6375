import Database from 'better-sqlite3';
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pidAlive } from '../store/sqlite/pid.js';
import { counted } from './account-edit.js';
import { backupStamp, copyBeside } from '../store/sqlite/backup.js';
import type { Prompts } from './context.js';
import { BanksyncError, badInput, notFound, toBanksyncError } from '../domain/errors.js';
import { fileFault } from '../domain/file-faults.js';
import { isCorruption, isSqliteError } from '../store/sqlite/faults.js';
import { corruptionMarker } from '../store/sqlite/integrity.js';
import { LATEST_VERSION } from '../store/sqlite/migrations/index.js';
import { SecretStore, type KeySource } from '../secrets/index.js';

const APPLICATION_ID = 0x42534e43; // 'BSNC', as store/db.ts stamps it

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
  secrets: { state: 'ok' | 'none' | 'unreadable'; message: string | null };
}

interface Inspected {
  db: Database.Database;
  schemaVersion: number;
  accounts: number;
  transactions: number;
}

/**
 * Replaces the database with a backup: the file is checked first (a banksync database, intact,
 * not newer than this banksync), the current database is kept aside (also when it is corrupt:
 * that is when people restore), then the checked copy is renamed into place. Never while a sync
 * holds a lock (exit 6). The database is not opened through the store: it may be the corrupt one.
 */
export async function restoreDatabase(prompts: Prompts, o: RestoreOptions): Promise<RestoreResult> {
  if (o.file === '-') throw badInput('restore reads a file, not standard input', 'give the path of the backup file');
  const file = resolve(o.file);
  const dbPath = resolve(o.dbPath);
  if (!existsSync(file)) throw notFound(`${o.file} does not exist`, 'give the path of a file written by banksync backup');
  if (file === dbPath) throw badInput(`${o.file} is the database itself`, 'give the path of a backup copy');
  const source = inspect(file);
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
      await source.db.backup(tmp, { progress: () => 0x7fffffff });
      const previous = current === 'absent' ? null : await keepAside(dbPath, current);
      // A -wal beside the database belongs to the file being replaced: applied to the restored one it would corrupt it.
      for (const f of [`${dbPath}-wal`, `${dbPath}-shm`, `${dbPath}-journal`, corruptionMarker(dbPath)]) rmSync(f, { force: true });
      renameSync(tmp, dbPath);
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
    source.db.close();
  }
}

/** Opens the backup read-only and checks it is a whole banksync database this banksync can use. */
function inspect(file: string): Inspected {
  let db: Database.Database | undefined;
  const notOurs = (why: string) =>
    badInput(`${file} is not a banksync database (${why}); nothing was changed`, 'give a file written by banksync backup, or one of the copies banksync keeps beside the database');
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const appId = db.pragma('application_id', { simple: true }) as number;
    const version = db.pragma('user_version', { simple: true }) as number;
    if (appId !== APPLICATION_ID || version === 0) throw notOurs('no banksync schema in it');
    if (version > LATEST_VERSION) {
      throw badInput(
        `${file} was written by a newer banksync (schema ${version}, this one knows ${LATEST_VERSION}); nothing was changed`,
        'upgrade banksync (npm install -g banksync@latest), then restore',
      );
    }
    const check = (db.pragma('integrity_check(10)') as { integrity_check: string }[]).map((r) => r.integrity_check);
    if (check.length !== 1 || check[0] !== 'ok') throw badInput(`${file} is damaged (integrity_check: ${check[0]}); nothing was changed`, 'restore another backup copy');
    const count = (sql: string) => (db!.prepare(sql).get() as { n: number }).n;
    return { db, schemaVersion: version, accounts: count('SELECT count(*) AS n FROM accounts'), transactions: count('SELECT count(*) AS n FROM transactions WHERE removed_at IS NULL') };
  } catch (err) {
    db?.close();
    if (err instanceof BanksyncError) throw err;
    if (isCorruption(err)) throw notOurs((err as Error).message);
    if (isSqliteError(err)) throw badInput(`cannot read ${file}: ${err.message}; nothing was changed`);
    throw toBanksyncError(err);
  }
}

/** The database being replaced: healthy (locks readable), corrupt or unreadable, or absent. Busy when a live sync holds a lock. */
function currentState(dbPath: string): 'healthy' | 'corrupt' | 'absent' {
  if (!existsSync(dbPath)) return 'absent';
  let db: Database.Database | undefined;
  try {
    db = new Database(dbPath, { fileMustExist: true, timeout: 5_000 });
    const now = new Date().toISOString();
    const held = (db.prepare('SELECT account_id, pid, expires_at FROM sync_locks').all() as { account_id: number; pid: number; expires_at: string }[]).filter(
      (l) => l.expires_at > now && pidAlive(l.pid),
    );
    if (held.length) {
      throw new BanksyncError('BUSY', `a sync is running on ${dbPath} (process ${held[0]!.pid}); nothing was changed`, { hint: 'wait for it to finish (and pause cron), then restore' });
    }
    const ok = (db.pragma('quick_check(1)') as { quick_check: string }[])[0]?.quick_check === 'ok';
    return ok ? 'healthy' : 'corrupt';
  } catch (err) {
    if (err instanceof BanksyncError) throw err;
    return 'corrupt'; // not readable as a database: kept aside as it is
  } finally {
    db?.close();
  }
}

/**
 * Keeps the database being replaced beside it as `<db>.backup-<UTC time>-before-restore`. A
 * healthy one through SQLite's online backup (whole, its WAL included); a corrupt one as it is, with
 * its -wal beside the copy (SQLite reads `<copy>-wal` with it), for `.recover` later.
 */
async function keepAside(dbPath: string, state: 'healthy' | 'corrupt'): Promise<string> {
  if (state === 'healthy') {
    const db = new Database(dbPath, { fileMustExist: true, timeout: 5_000 });
    try {
      return (await copyBeside(db, 'before-restore')).path;
    } finally {
      db.close();
    }
  }
  const aside = `${dbPath}.backup-${backupStamp(new Date())}-before-restore`;
  copyFileSync(dbPath, aside, 1 /* COPYFILE_EXCL */);
  chmodSync(aside, 0o600);
  if (existsSync(`${dbPath}-wal`)) {
    copyFileSync(`${dbPath}-wal`, `${aside}-wal`);
    chmodSync(`${aside}-wal`, 0o600);
  }
  return aside;
}

/** A backup made on another machine needs that machine's key for its stored credentials. */
function checkSecrets(dbPath: string, keySource: KeySource): RestoreResult['secrets'] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const owners = (db.prepare('SELECT owner FROM secrets').all() as { owner: string }[]).map((r) => r.owner);
    if (owners.length === 0) return { state: 'none', message: null };
    const store = new SecretStore(db, keySource);
    for (const owner of owners) store.get(owner);
    return { state: 'ok', message: null };
  } catch (err) {
    const e = toBanksyncError(err);
    return {
      state: 'unreadable',
      message: `${e.message}: a backup made on another machine needs that machine's key: set BANKSYNC_SECRET_KEY to it, or copy its secret.key to ${keySource.keyFile}`,
    };
  } finally {
    db.close();
  }
}
