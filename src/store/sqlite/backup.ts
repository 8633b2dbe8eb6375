import { closeSync, linkSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { BanksyncError, badInput } from '../../domain/errors.js';
import { fileFault } from '../../domain/file-faults.js';
import type { Db } from './db.js';
import { isSqliteError } from './faults.js';

export interface BackupResult {
  path: string;
  bytes: number;
  schemaVersion: number;
}

/**
 * Copies the open database to `dest` with SQLite's online backup API: the copy is one consistent
 * snapshot even while a sync in another process writes (WAL readers never block writers). It is
 * written under a temp name and renamed when complete, so a crash or a full disk never leaves half
 * a file under the final name; mode 0600, since the database holds the sealed credentials.
 */
export async function copyDatabase(db: Db, dest: string, o: { overwrite?: boolean } = {}): Promise<BackupResult> {
  const path = resolve(dest);
  if (db.name !== ':memory:' && path === resolve(db.name)) throw badInput(`${dest} is the database itself`, 'name another file for the copy');
  if (!o.overwrite && exists(path)) throw badInput(`${dest} already exists`, 'name a new file, or add --force to replace it');
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  const shownAs = `the backup ${path}`;
  try {
    // SQLite fills the empty private file we create (it would create its own under the umask, 0644).
    closeSync(openSync(tmp, 'wx', 0o600));
    // One step of every page: the whole copy reads one snapshot, so a write in between cannot restart it for ever.
    await db.backup(tmp, { progress: () => 0x7fffffff });
    if (o.overwrite) renameSync(tmp, path);
    else {
      linkSync(tmp, path); // fails with EEXIST if the file appeared meanwhile: never overwritten unasked
      rmSync(tmp, { force: true });
    }
  } catch (err) {
    rmSync(tmp, { force: true });
    throw backupFault(err, path, shownAs);
  }
  return { path, bytes: statSync(path).size, schemaVersion: db.pragma('user_version', { simple: true }) as number };
}

/**
 * The copy kept before a destructive command (delete, merge, disconnect --delete-history,
 * restore): beside the database as `<db>.backup-<UTC time>-<reason>`, where `status` lists it
 * when the database is ever found corrupt (store/faults.ts backupsOf).
 */
export async function copyBeside(db: Db, reason: string, now = new Date()): Promise<BackupResult> {
  const base = `${db.name}.backup-${backupStamp(now)}-${reason.replace(/[^a-z0-9-]+/gi, '-').toLowerCase()}`;
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (exists(candidate)) continue;
    try {
      return await copyDatabase(db, candidate);
    } catch (err) {
      // Another process took the same name in the same second: try the next.
      if (err instanceof BanksyncError && err.code === 'BAD_INPUT' && exists(candidate) && n < 20) continue;
      throw err;
    }
  }
}

/** 2026-11-30T06:40:12.345Z → 20261130T064012Z: sortable, and fine in every file system. */
export const backupStamp = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** A full or read-only disk is the environment's fault (exit 7), named with the file. */
function backupFault(err: unknown, path: string, shownAs: string): unknown {
  if (err instanceof BanksyncError) return err;
  const elsewhere = 'write the backup to another disk';
  const refused = fileFault(err, shownAs, elsewhere);
  if (refused) return refused;
  if ((err as NodeJS.ErrnoException).code === 'EEXIST') return badInput(`${path} already exists`, 'name a new file, or add --force to replace it');
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') return badInput(`cannot write ${path}: its directory does not exist`, 'create the directory first or name another file');
  if (isSqliteError(err)) {
    const code = err.code;
    if (code === 'SQLITE_FULL') return fileFault(Object.assign(new Error(err.message), { code: 'ENOSPC' }), shownAs, elsewhere)!;
    if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN')) return fileFault(Object.assign(new Error(err.message), { code: 'EACCES' }), shownAs, elsewhere)!;
    if (code.startsWith('SQLITE_IOERR')) return fileFault(Object.assign(new Error(err.message), { code: 'EIO' }), shownAs, elsewhere)!;
  }
  return err;
}
