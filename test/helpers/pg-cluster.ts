import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway PostgreSQL server for the tests: a new cluster in a temp dir, reached over a unix
 * socket in that dir only (no TCP port to clash with anything), fsync off. Started once per test
 * project (vitest globalSetup), stopped and deleted at the end. A machine without PostgreSQL fails
 * the run with one line saying what to install: these tests are never skipped.
 */
export interface Cluster {
  /** The socket directory: the host of every URL. */
  socketDir: string;
  stop(): void;
}

/** initdb and pg_ctl: on PATH, else Debian's /usr/lib/postgresql/<newest>/bin. */
function binDir(): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const v of versions) {
    if (existsSync(join(root, v, 'bin', 'initdb'))) return join(root, v, 'bin');
  }
  throw new Error('PostgreSQL is not installed (no initdb on PATH or under /usr/lib/postgresql): install the postgresql package (apt-get install postgresql) to run the tests');
}

/** As root, the server runs as the `postgres` user: initdb refuses root. */
function asServerUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error('the tests run as root and there is no postgres user to run PostgreSQL as: install the postgresql package, or run the tests as another user');
  }
}

export function startCluster(): Cluster {
  const bin = binDir();
  const user = asServerUser();
  const dir = mkdtempSync(join(tmpdir(), 'banksync-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const run = (tool: string, args: string[]) => execFileSync(join(bin, tool), args, { stdio: ['ignore', 'pipe', 'pipe'], uid: user?.uid, gid: user?.gid, env: { ...process.env, LC_ALL: 'C' } });
  const data = join(dir, 'data');
  try {
    run('initdb', ['-D', data, '-A', 'trust', '-U', 'banksync', '--no-sync', '-E', 'UTF8', '--locale=C']);
    run('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-o',
      `-k ${dir} -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
      '-w',
      'start',
    ]);
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start a throwaway PostgreSQL in ${dir}: ${stderr || (err as Error).message}`);
  }
  return {
    socketDir: dir,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
