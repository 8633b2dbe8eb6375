import { accessSync, closeSync, constants, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BanksyncError } from '../../domain/errors.js';

/**
 * SQLite failures that come from the file or the disk, not from banksync: each becomes one line
 * naming the file and the fix, exit 7. Kept free of better-sqlite3 so main can load it cheaply.
 */

type SqliteError = Error & { code: string };

export const isSqliteError = (err: unknown): err is SqliteError => err instanceof Error && err.name === 'SqliteError' && typeof (err as { code?: unknown }).code === 'string';

export const isCorruption = (err: unknown): boolean => isSqliteError(err) && (err.code.startsWith('SQLITE_CORRUPT') || err.code === 'SQLITE_NOTADB');

/** Faults no retry and no other account gets past: the command stops at the first one. */
export const isStorageFault = (err: unknown): boolean => isSqliteError(err) && /^SQLITE_(FULL|IOERR|READONLY|CORRUPT|NOTADB|CANTOPEN|PERM)/.test(err.code);

export interface Backup {
  path: string;
  schemaVersion: number;
  createdAt: string;
}

/**
 * The copies kept beside the database, newest first: by migrations (`<db>.bak-v<N>-<ms>`) and
 * before destructive commands (`<db>.backup-<UTC time>-<reason>`, core/backup.ts), whose schema
 * version is read from the SQLite header (user_version, bytes 60-63).
 */
export function backupsOf(path: string): Backup[] {
  const prefix = `${basename(path)}.bak-v`;
  const named = `${basename(path)}.backup-`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return [];
  }
  const backups: Backup[] = [];
  for (const name of names) {
    const m = name.startsWith(prefix) ? /^(\d+)-(\d{10,})$/.exec(name.slice(prefix.length)) : null;
    if (m) backups.push({ path: join(dirname(path), name), schemaVersion: Number(m[1]), createdAt: new Date(Number(m[2])).toISOString() });
    const b = name.startsWith(named) ? /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z-[a-z0-9-]+$/.exec(name.slice(named.length)) : null;
    if (b) {
      const file = join(dirname(path), name);
      backups.push({ path: file, schemaVersion: headerVersion(file), createdAt: `${b[1]}-${b[2]}-${b[3]}T${b[4]}:${b[5]}:${b[6]}.000Z` });
    }
  }
  return backups.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** PRAGMA user_version without opening the file as a database: 0 when unreadable. */
function headerVersion(file: string): number {
  try {
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(4);
      return readSync(fd, buf, 0, 4, 60) === 4 ? buf.readUInt32BE(0) : 0;
    } finally {
      closeSync(fd);
    }
  } catch {
    return 0;
  }
}

/** A database SQLite reports as damaged; `status` turns it into a recovery report. */
export class CorruptDatabaseError extends BanksyncError {
  constructor(
    readonly path: string,
    /** SQLite's own words, e.g. "database disk image is malformed". */
    readonly problem: string,
    cause?: unknown,
  ) {
    const header = problem === 'file is not a database';
    super(
      'ENVIRONMENT',
      header ? `${path} is not a database, or its first page is damaged (SQLite: ${problem}); nothing was written` : `the database ${path} is corrupt (SQLite: ${problem}); nothing was written`,
      { hint: recoveryHint(path, header), cause },
    );
  }
}

function recoveryHint(path: string, header: boolean): string {
  const n = backupsOf(path).length;
  if (n > 0) return `banksync --db ${path} status shows how to recover it (${n} backup ${n === 1 ? 'copy' : 'copies'} found)`;
  return header
    ? `point --db (or BANKSYNC_DB) at your banksync database; if this was it, banksync --db ${path} status shows how to recover it`
    : `banksync --db ${path} status shows how to recover it`;
}

/** Maps a SQLite failure on the database at `path` to one line and exit 7; undefined for anything else. */
export function storageFault(err: unknown, path: string): BanksyncError | undefined {
  if (!isSqliteError(err)) return undefined;
  const code = err.code;
  if (isCorruption(err)) return new CorruptDatabaseError(path, err.message, err);
  // SHMSIZE: the shared-memory file beside the database could not grow, i.e. no space for it.
  if (code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_SHMSIZE') {
    return new BanksyncError('ENVIRONMENT', `the disk holding the database ${path} is full (${code}); the write under way was undone`, {
      hint: 'free some space on that disk, then run the command again (what was saved before stays)',
      cause: err,
    });
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new BanksyncError('ENVIRONMENT', `the database ${path} is read-only (${code}); nothing was written`, {
      // SQLite gives -wal and -shm the database's mode: a 0400 file leaves 0400 companions behind.
      hint: `make it writable (chmod u+w ${[path, `${path}-wal`, `${path}-shm`].filter((f) => existsSync(f)).join(' ')}) and its directory, or point --db at a writable copy`,
      cause: err,
    });
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM') return cannotOpen(path, code, err);
  if (code.startsWith('SQLITE_IOERR')) {
    return new BanksyncError('ENVIRONMENT', `input/output error on the database ${path} (${code}: ${err.message})`, {
      hint: 'check the disk (dmesg) and that the path is a regular file on a local disk',
      cause: err,
    });
  }
  return undefined;
}

/** SQLite only says "unable to open": the file system says why. */
function cannotOpen(path: string, code: string, cause: unknown): BanksyncError {
  const kind = notAFile(path);
  if (kind) return notAFileError(path, kind);
  const dir = dirname(path);
  let reason = `${code}`;
  let hint = 'check the permissions of the file and its directory, or point --db at another file';
  try {
    accessSync(dir, constants.W_OK);
    accessSync(path, constants.R_OK);
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).code ?? code;
    const where = (err as NodeJS.ErrnoException).path === dir ? `its directory ${dir}` : 'the file';
    reason = `${where} is ${errno === 'EROFS' ? 'on a read-only file system' : 'not accessible'} (${errno})`;
    if ((err as NodeJS.ErrnoException).path === dir) {
      hint = `SQLite keeps ${basename(path)}-wal and ${basename(path)}-shm beside the database: make ${dir} writable, or move the database to a writable place and point --db at it`;
    }
  }
  return new BanksyncError('ENVIRONMENT', `cannot open the database ${path}: ${reason}; nothing was written`, { hint, cause });
}

/** 'a directory', 'a FIFO'… when `path` exists and is not a regular file. */
export function notAFile(path: string): string | undefined {
  let st;
  try {
    st = statSync(path);
  } catch {
    return undefined;
  }
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  return 'a device';
}

export function notAFileError(path: string, kind: string): BanksyncError {
  return new BanksyncError('ENVIRONMENT', `the database path ${path} is ${kind}, not a database file; nothing was written`, {
    hint: kind === 'a directory' ? `point --db (or BANKSYNC_DB) at a file, e.g. ${join(path, 'banksync.db')}` : 'point --db (or BANKSYNC_DB) at a regular file',
  });
}
