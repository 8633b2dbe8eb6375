import pg from 'pg';
import { BanksyncError } from '../../domain/errors.js';
import type { PgPool, ReservedSession } from './session.js';

/** Connections per process: a unit of work keeps one, and `sync --all` runs a few units side by side. */
const POOL_SIZE = 8;

/**
 * bigint and numeric (count, sum) as JavaScript numbers, as SQLite gives them. Every integer we
 * store (minor units, ids, counts) fits 2^53 by far; one that does not is refused, never rounded.
 */
function safeNumber(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new BanksyncError('DB_ERROR', `the database returned ${text}, which is not a whole number banksync can hold exactly`);
  return n;
}

/** A URL's text without its password: for messages, `status` and doctor. */
export function printableUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

/** The statement name for a text with parameters: parsed and planned once per connection, not per call. */
const names = new Map<string, string>();
function nameOf(text: string): string | undefined {
  let name = names.get(text);
  // SQL built per call (never ours, but cheap to guard): beyond this, sent unnamed.
  if (!name && names.size < 2_000) names.set(text, (name = `b${names.size + 1}`));
  return name;
}

const integers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC ? safeNumber : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * The pool over the `pg` driver, chosen over `postgres` by measurement (BENCHMARKS.md, seventh
 * session): a unit of work (BEGIN, the writer lock, three statements, COMMIT) in 0.65 ms against
 * 0.72 ms, a 100,000-row cursor read in 190 ms against 255 ms, a quarter less CPU for both.
 * libpq's `?host=/run/postgresql` (a unix socket directory) works as in psql.
 */
export function openPool(url: string): PgPool {
  const location = printableUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, types: integers, application_name: 'banksync', connectionTimeoutMillis: 10_000 });
  // An idle connection the server dropped (a restart) must not crash the process: the next query reconnects.
  pool.on('error', () => undefined);
  // The same for a checked-out connection; once per connection, not per checkout (listeners would pile up).
  pool.on('connect', (client) => client.on('error', () => undefined));
  const session = (run: (q: pg.QueryConfig) => Promise<pg.QueryResult>) => ({
    async rows<T>(text: string, params: readonly unknown[] = []): Promise<T[]> {
      try {
        return (await run({ text, values: params as unknown[], name: params.length ? nameOf(text) : undefined })).rows as T[];
      } catch (err) {
        throw pgError(err, location);
      }
    },
    async run(text: string, params: readonly unknown[] = []): Promise<number> {
      try {
        return (await run({ text, values: params as unknown[], name: params.length ? nameOf(text) : undefined })).rowCount ?? 0;
      } catch (err) {
        throw pgError(err, location);
      }
    },
  });
  return {
    ...session((q) => pool.query(q)),
    async reserve(): Promise<ReservedSession> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw pgError(err, location);
      }
      let released = false;
      // One statement at a time on a connection: a unit's statements issued side by side
      // (Promise.all in core) are queued here, not in the driver, which is dropping that queue.
      let tail: Promise<unknown> = Promise.resolve();
      const inTurn = (q: pg.QueryConfig) => {
        const done = tail.then(() => client.query(q));
        tail = done.catch(() => undefined);
        return done;
      };
      return {
        ...session(inTurn),
        release: () => {
          if (!released) client.release();
          released = true;
        },
        destroy: () => {
          if (!released) client.release(true);
          released = true;
        },
      };
    },
    end: () => pool.end(),
  };
}

/** The driver's failures as one clear line; the URL's password never appears. */
export function pgError(err: unknown, location: string): Error {
  if (err instanceof BanksyncError) return err;
  const e = err as { code?: string; message?: string; errno?: string };
  const code = e.code ?? '';
  const hint = 'check --db (or BANKSYNC_DB): postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE';
  if (['ECONNREFUSED', 'ENOENT', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED'].includes(code)) {
    return new BanksyncError('ENVIRONMENT', `cannot reach the PostgreSQL server of ${location} (${code})`, { hint, cause: err });
  }
  if (code === '28P01' || code === '28000') return new BanksyncError('ENVIRONMENT', `PostgreSQL refused the login for ${location}: ${e.message}`, { hint, cause: err });
  if (code === '3D000')
    return new BanksyncError('ENVIRONMENT', `the database of ${location} does not exist: ${e.message}`, { hint: 'create it first (createdb), or point --db at one that exists', cause: err });
  if (code === '42501')
    return new BanksyncError('ENVIRONMENT', `PostgreSQL refused a statement on ${location} for lack of privileges: ${e.message}`, {
      hint: 'grant the role the privileges README lists under "Running on PostgreSQL"',
      cause: err,
    });
  if (code === '57P01' || code === '57P02' || code === '57P03')
    return new BanksyncError('ENVIRONMENT', `the PostgreSQL server of ${location} is shutting down or starting: ${e.message}`, { hint: 'run again once it is up', cause: err });
  if (code === '53100' || code === '53200' || code === '53300') return new BanksyncError('ENVIRONMENT', `the PostgreSQL server of ${location} is out of resources: ${e.message}`, { cause: err });
  return new BanksyncError('DB_ERROR', `database error on ${location}: ${e.message ?? String(err)}${code ? ` (${code})` : ''}`, { cause: err });
}
