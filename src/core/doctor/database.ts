import { existsSync, statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { BanksyncError } from '../../domain/errors.js';
import { CorruptDatabaseError, isCorruption, isSqliteError, notAFile, notAFileError, storageFault } from '../../store/sqlite/faults.js';
import { inspectDatabase } from '../../store/sqlite/inspect.js';
import { fail, ok, warn, type Check, type DoctorFormat } from './types.js';

export interface FileVerdict {
  checks: Check[];
  /** The file exists and passed: the store may be opened. */
  usable: boolean;
  /** The file is there but cannot be used (exit 7). */
  unusable: boolean;
  /** Schema the file was at before this run opened it (a migration may follow). */
  version: number | null;
}

const RECOVER = (path: string) => `banksync --db ${path} status shows how to recover it`;

/**
 * The database file before anything opens it the usual way (which migrates and writes): it must
 * be a file, readable, intact page by page, and banksync's at a schema this banksync knows.
 */
export function checkDatabaseFile(path: string, thorough: boolean): FileVerdict {
  const none = (checks: Check[], unusable: boolean): FileVerdict => ({ checks, usable: false, unusable, version: null });
  const kind = notAFile(path);
  if (kind) {
    const e = notAFileError(path, kind);
    return none([fail('database', e.message.replace(/; nothing was written$/, ''), e.hint ?? null)], true);
  }
  if (!existsSync(path)) {
    return none([warn('database', `no database at ${path} yet`, 'banksync demo tries the sandbox bank; banksync connect adds your bank (or point --db / BANKSYNC_DB at your file)')], false);
  }
  const pragma = thorough ? 'integrity_check' : 'quick_check';
  let found;
  try {
    found = inspectDatabase(path, pragma);
  } catch (err) {
    const e = err instanceof CorruptDatabaseError ? err : isCorruption(err) ? new CorruptDatabaseError(path, (err as Error).message, err) : undefined;
    if (e) return none([fail('database', `${path} is corrupt (SQLite: ${e.problem})`, e.hint ?? RECOVER(path))], true);
    const fault = isSqliteError(err) ? storageFault(err, path) : undefined;
    const message = fault?.message ?? (err instanceof BanksyncError ? err.message : `cannot open ${path}: ${(err as Error).message}`);
    return none([fail('database', message, fault?.hint ?? "check the file's permissions and the disk it is on")], true);
  }
  const size = sizeOf(path) + sizeOf(`${path}-wal`);
  const intact = ok('database', `${path}: SQLite's ${pragma.replace('_', ' ')} found every page intact (${mib(size)})`);
  if (!found.ours) {
    return { checks: [intact, fail('schema', `${path} is not a banksync database`, 'point --db (or BANKSYNC_DB) at your banksync database')], usable: false, unusable: true, version: found.version };
  }
  if (found.version > found.latest) {
    const schema = fail(
      'schema',
      `written by a newer banksync (schema ${found.version}; this one knows up to ${found.latest})`,
      'upgrade banksync (npm install -g banksync@latest) before using this database',
    );
    return { checks: [intact, schema], usable: false, unusable: true, version: found.version };
  }
  return { checks: [intact], usable: true, unusable: false, version: found.version };
}

/** After the store opened (and migrated) the file: which schema it is at now. */
export function schemaCheck(before: number, latest: number): Check {
  if (before === latest) return ok('schema', `schema ${latest}, the latest this banksync knows`);
  if (before === 0) return ok('schema', `schema ${latest}: the empty file was set up just now`);
  return ok('schema', `schema ${before} upgraded to ${latest} just now; the file as it was is kept beside it (.bak-v${before}-…)`);
}

/** Space left where the database lives: a schema upgrade copies the whole file first. */
export function diskCheck(path: string, fmt: DoctorFormat): Check | undefined {
  let free: number;
  try {
    const st = statfsSync(dirname(path));
    free = Number(st.bavail) * Number(st.bsize);
  } catch {
    return undefined;
  }
  const size = sizeOf(path) + sizeOf(`${path}-wal`);
  const want = Math.max(2 * size, 100 * 2 ** 20);
  const where = `${mib(free)} free on the disk holding ${dirname(path)}`;
  if (free < 2 ** 20) return fail('disk', `${where}: a sync cannot write`, 'free some space on that disk (or move the database with --db PATH)');
  if (free < want)
    return warn(
      'disk',
      `${where}, the database takes ${mib(size)}`,
      `free some space: a schema upgrade or backup needs room for a copy of the database (${fmt.plural(Math.ceil(want / 2 ** 20), 'MiB', 'MiB')})`,
    );
  return ok('disk', where);
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

const mib = (n: number) => (n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GiB` : `${(n / 2 ** 20).toFixed(1)} MiB`);
