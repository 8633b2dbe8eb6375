import Database from 'better-sqlite3';
import { chmodSync, copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { BanksyncError, badInput, toBanksyncError } from '../../domain/errors.js';
import { SecretStore, type KeySource } from '../../secrets/index.js';
import { backupStamp, copyBeside } from './backup.js';
import { isCorruption, isSqliteError } from './faults.js';
import { corruptionMarker } from './integrity.js';
import { LATEST_VERSION } from './migrations/index.js';
import { pidAlive } from './pid.js';

/**
 * The SQLite file work of `banksync restore` (core/restore.ts orders it): the files are opened
 * directly, never through the store, since the database being replaced may be the corrupt one.
 */

const APPLICATION_ID = 0x42534e43; // 'BSNC', as db.ts stamps it

/** A backup opened read-only and checked: what it holds, and the copy of it. */
export interface BackupFile {
  schemaVersion: number;
  accounts: number;
  transactions: number;
  /** Copies it, whole and consistent, into `dest` (a file that exists, empty). */
  copyTo(dest: string): Promise<void>;
  close(): void;
}

/** Whether the stored credentials open with this machine's key: why not, and what to do. */
export interface SecretsCheck {
  state: 'ok' | 'none' | 'unreadable';
  message: string | null;
}

/**
 * Puts the checked copy `tmp` in the database's place. A -wal beside the database belongs to the
 * file being replaced: applied to the restored one it would corrupt it, so it goes first.
 */
export function replaceWith(dbPath: string, tmp: string): void {
  for (const f of [`${dbPath}-wal`, `${dbPath}-shm`, `${dbPath}-journal`, corruptionMarker(dbPath)]) rmSync(f, { force: true });
  renameSync(tmp, dbPath);
}

/** Opens the backup read-only and checks it is a whole banksync database this banksync can use. */
export function openBackupFile(file: string): BackupFile {
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
    const opened = db;
    return {
      schemaVersion: version,
      accounts: count('SELECT count(*) AS n FROM accounts'),
      transactions: count('SELECT count(*) AS n FROM transactions WHERE removed_at IS NULL'),
      copyTo: async (dest) => {
        await opened.backup(dest, { progress: () => 0x7fffffff });
      },
      close: () => opened.close(),
    };
  } catch (err) {
    db?.close();
    if (err instanceof BanksyncError) throw err;
    if (isCorruption(err)) throw notOurs((err as Error).message);
    if (isSqliteError(err)) throw badInput(`cannot read ${file}: ${err.message}; nothing was changed`);
    throw toBanksyncError(err);
  }
}

/** The database being replaced: healthy (locks readable), corrupt or unreadable, or absent. Busy when a live sync holds a lock. */
export function currentState(dbPath: string): 'healthy' | 'corrupt' | 'absent' {
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
export async function keepAside(dbPath: string, state: 'healthy' | 'corrupt'): Promise<string> {
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
export function checkSecrets(dbPath: string, keySource: KeySource): SecretsCheck {
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
