import Database from 'better-sqlite3';
import { closeSync, existsSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { BanksyncError } from '../../domain/errors.js';
import { fileFault } from '../../domain/file-faults.js';
import { notAFile, notAFileError, storageFault } from './faults.js';
import { LATEST_VERSION, MIGRATIONS } from './migrations/index.js';

export type Db = Database.Database;

/** 'BSNC': marks a SQLite file as ours, so we never migrate someone else's database. */
export const APPLICATION_ID = 0x42534e43;
const BUSY_TIMEOUT_MS = 5_000;

/** Opens (creating if needed, mode 0600) and migrates the banksync database. */
export function openDatabase(path: string, opts: { createDirs?: boolean } = {}): Db {
  ensureFile(path, opts.createDirs ?? false);
  let db: Db | undefined;
  try {
    db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    cacheStatements(db);
    migrate(db, path);
  } catch (err) {
    db?.close();
    throw dbError(err, path);
  }
  return db;
}

/**
 * Repositories prepare their SQL where they use it; compiling it again on every call was a
 * tenth of a large sync's CPU. The same text gets the same compiled statement back, unless that
 * one is still being iterated (then a fresh one). Modes a caller set (raw) are reset.
 */
function cacheStatements(db: Db): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    const hit = cache.get(sql);
    if (hit && !hit.busy) return hit.reader ? hit.raw(false) : hit;
    const stmt = prepare(sql);
    if (!hit) {
      if (cache.size >= 500) cache.clear(); // SQL built per call (IN lists) must not grow it forever
      cache.set(sql, stmt);
    }
    return stmt;
  }) as Db['prepare'];
}

function ensureFile(path: string, createDirs: boolean): void {
  if (path === ':memory:') return;
  // SQLite would read a FIFO until a writer comes, and says only "unable to open" for a directory.
  const kind = notAFile(path);
  if (kind) throw notAFileError(path, kind);
  if (existsSync(path)) return;
  const dir = dirname(path);
  if (!createDirs && !existsSync(dir)) {
    throw new BanksyncError('BAD_INPUT', `cannot create the database at ${path}: directory ${dir} does not exist`, {
      hint: 'create the directory first or choose another --db PATH',
    });
  }
  try {
    // Only the default location is created for the user; an explicit --db must point into an existing directory.
    if (createDirs) mkdirSync(dir, { recursive: true, mode: 0o700 });
    closeSync(openSync(path, 'wx', 0o600));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    const refused = fileFault(err, `the database ${path}`, 'choose another place with --db PATH or BANKSYNC_DB');
    if (refused) throw refused;
    throw new BanksyncError('BAD_INPUT', `cannot create the database at ${path}: ${code ?? String(err)}`, {
      hint: 'choose a writable location with --db PATH or BANKSYNC_DB',
    });
  }
}

function migrate(db: Db, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  const appId = db.pragma('application_id', { simple: true }) as number;
  if (version > LATEST_VERSION) {
    throw new BanksyncError('BAD_INPUT', `the database ${path} was written by a newer banksync (schema ${version}, this one knows ${LATEST_VERSION})`, {
      hint: 'upgrade banksync (npm install -g banksync@latest) before using this database',
    });
  }
  if (version === LATEST_VERSION) return;
  const hasTables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
  if ((version === 0 && hasTables.n > 0) || (version > 0 && appId !== APPLICATION_ID)) {
    throw new BanksyncError('BAD_INPUT', `${path} is not a banksync database`, {
      hint: 'point --db (or BANKSYNC_DB) at a banksync database or a new file',
    });
  }
  // M18: keep a copy of the data as it was before touching it; private like the database
  // (VACUUM INTO would create it under the umask, 0644): SQLite fills the empty file we create.
  if (version > 0 && path !== ':memory:') {
    const backup = `${path}.bak-v${version}-${Date.now()}`;
    closeSync(openSync(backup, 'wx', 0o600));
    try {
      db.prepare('VACUUM INTO ?').run(backup);
    } catch (err) {
      rmSync(backup, { force: true }); // half a copy (disk full) must never pass for a backup
      throw err;
    }
  }
  const pending = MIGRATIONS.filter((m) => m.version > version);
  db.transaction(() => {
    for (const m of pending) m.up(db);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${LATEST_VERSION}`);
  }).immediate();
}

/** Maps SQLite failures on open to one clear line. */
function dbError(err: unknown, path: string): BanksyncError {
  if (err instanceof BanksyncError) return err;
  // The backup copy is made with fs calls: their errno failures (full, read-only) are the disk's too.
  const fault = storageFault(err, path) ?? fileFault(err, `beside the database ${path}`, 'move the database with --db PATH');
  if (fault) return fault;
  const code = (err as { code?: string }).code ?? '';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new BanksyncError('BUSY', `the database ${path} is locked by another process`, {
      hint: 'wait for the other banksync to finish, then run again',
      cause: err,
    });
  }
  return new BanksyncError('DB_ERROR', `database error on ${path}: ${(err as Error).message}`, { cause: err });
}

export { dbError };
