import { AsyncLocalStorage } from 'node:async_hooks';
import type { Repositories, StorePort } from '../port.js';
import { READS, STREAMS } from '../port-methods.js';
import type { PgPool, PgSession, ReservedSession } from './session.js';

/**
 * Every unit that writes takes this transaction-level advisory lock first, so writers run one at
 * a time across every process and host, as on SQLite (BEGIN IMMEDIATE); reads never wait. Two
 * things rest on it: a unit's read-then-write decisions (the dedupe ladder) see no other writer's
 * half-done work, and sequence order is commit order, so an export's watermark (`seq <= n` sent)
 * can never pass a line a slower writer commits later with a smaller seq.
 */
export const WRITER_LOCK = 0x42534e43_01;
/** Rows per FETCH of a stream: one round trip per page. */
export const PG_PAGE_ROWS = 1000;

/** The unit of work the running code is in (see StorePort: units are ambient). */
interface Unit {
  readonly port: PgPort;
  readonly session: ReservedSession;
  /** False once the unit has ended: work it started and left running must not act inside it any more. */
  open: boolean;
  /** A snapshot that writes takes the writer lock at its first write. */
  writer: boolean;
}
const units = new AsyncLocalStorage<Unit>();

let names = 0;

/**
 * What a PostgreSQL repository runs its statements through: the session of the unit of work the
 * caller is in, or the pool (one statement on any connection) outside one.
 */
export interface Sql extends PgSession {
  /** The first row, or undefined. */
  one<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** Rows in pages through a cursor: only inside a unit (a cursor lives in a transaction). */
  pages<T = Record<string, unknown>>(sql: string, params?: readonly unknown[], size?: number): AsyncIterable<T[]>;
}

/** The repositories of a PostgreSQL store, each built over the port's `Sql`. */
export type PgRepositories = { [K in keyof Repositories]: Repositories[K] };

export class PgPort implements StorePort {
  readonly kind = 'postgres' as const;
  /** Connects and migrates once; every call waits for it (a store opens without an await). */
  private readonly ready: Promise<void>;
  readonly sql: Sql;
  declare readonly connections: StorePort['connections'];
  declare readonly accounts: StorePort['accounts'];
  declare readonly accountMoves: StorePort['accountMoves'];
  declare readonly transactions: StorePort['transactions'];
  declare readonly pending: StorePort['pending'];
  declare readonly syncState: StorePort['syncState'];
  declare readonly locks: StorePort['locks'];
  declare readonly exports: StorePort['exports'];
  declare readonly institutionCache: StorePort['institutionCache'];
  declare readonly inputIssues: StorePort['inputIssues'];
  declare readonly lineOrigins: StorePort['lineOrigins'];
  declare readonly settings: StorePort['settings'];
  declare readonly archive: StorePort['archive'];
  declare readonly transfers: StorePort['transfers'];
  declare readonly secrets: StorePort['secrets'];
  declare readonly claims: StorePort['claims'];
  private readonly reserved = new Set<ReservedSession>();

  constructor(
    private readonly pool: PgPool,
    /** Where the data lives, safe to print: the URL without its password. */
    readonly location: string,
    repositories: (sql: Sql) => PgRepositories,
    prepare: (pool: PgPool) => Promise<void>,
  ) {
    this.sql = this.executor();
    this.ready = prepare(pool);
    this.ready.catch(() => undefined); // reported by the first call that waits for it
    const repos = repositories(this.sql);
    for (const name of Object.keys(READS) as (keyof Repositories)[]) {
      Object.defineProperty(this, name, { value: this.wrap(name, repos[name]), enumerable: true });
    }
  }

  get inUnit(): boolean {
    const unit = units.getStore();
    return unit?.port === this && unit.open;
  }

  private get unit(): Unit | undefined {
    const unit = units.getStore();
    return unit?.port === this && unit.open ? unit : undefined;
  }

  async write<T>(fn: () => Promise<T>, opts: { keep?: boolean } = {}): Promise<T> {
    const outer = this.unit;
    if (outer) {
      if (!outer.writer) {
        await outer.session.run('SELECT pg_advisory_xact_lock($1)', [WRITER_LOCK]);
        outer.writer = true;
      }
      return this.savepoint(outer.session, fn, opts.keep !== false);
    }
    return this.transaction('BEGIN', true, fn, opts.keep !== false);
  }

  async snapshot<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inUnit) return fn();
    return this.transaction('BEGIN ISOLATION LEVEL REPEATABLE READ', false, fn, true);
  }

  private async transaction<T>(begin: string, writer: boolean, fn: () => Promise<T>, keep: boolean): Promise<T> {
    await this.ready;
    const session = await this.pool.reserve();
    this.reserved.add(session);
    const unit: Unit = { port: this, session, open: true, writer };
    let done = false;
    try {
      await session.run(begin);
      if (writer) await session.run('SELECT pg_advisory_xact_lock($1)', [WRITER_LOCK]);
      let result: T;
      try {
        result = await units.run(unit, fn);
      } finally {
        unit.open = false;
      }
      await session.run(keep ? 'COMMIT' : 'ROLLBACK');
      done = true;
      return result;
    } finally {
      if (!done) await session.run('ROLLBACK').catch(() => undefined);
      this.reserved.delete(session);
      session.release();
    }
  }

  private async savepoint<T>(session: PgSession, fn: () => Promise<T>, keep: boolean): Promise<T> {
    const name = `unit_${++names}`;
    await session.run(`SAVEPOINT ${name}`);
    let result: T;
    try {
      result = await fn();
    } catch (e) {
      await session.run(`ROLLBACK TO SAVEPOINT ${name}`);
      throw e;
    }
    await session.run(keep ? `RELEASE SAVEPOINT ${name}` : `ROLLBACK TO SAVEPOINT ${name}`);
    return result;
  }

  /** The server keeps its own data whole; this only proves it answers. */
  async ensureIntact(): Promise<void> {
    await this.ready;
  }

  /** After a Ctrl-C: the connections of open units are closed, and the server rolls their transactions back. */
  rollbackOpen(): void {
    for (const session of this.reserved) session.destroy();
    this.reserved.clear();
  }

  async close(): Promise<void> {
    await this.ready.catch(() => undefined);
    await this.pool.end();
  }

  /** The `Sql` repositories run on: the caller's unit's session when it is in one, else the pool. */
  private executor(): Sql {
    const session = (): PgSession => this.unit?.session ?? this.pool;
    const port = this;
    return {
      rows: (sql, params) => session().rows(sql, params),
      run: (sql, params) => session().run(sql, params),
      one: async <T>(sql: string, params?: readonly unknown[]) => (await session().rows<T>(sql, params))[0],
      pages<T>(sql: string, params: readonly unknown[] = [], size = PG_PAGE_ROWS): AsyncIterable<T[]> {
        return {
          async *[Symbol.asyncIterator]() {
            const unit = port.unit;
            if (!unit) throw new Error('a stream of rows is read inside db.snapshot() or db.write()');
            const cursor = `rows_${++names}`;
            await unit.session.run(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${sql}`, params);
            let closed = false;
            try {
              for (;;) {
                const page = await unit.session.rows<T>(`FETCH ${size} FROM ${cursor}`);
                if (page.length) yield page;
                if (page.length < size) break;
              }
              await unit.session.run(`CLOSE ${cursor}`);
              closed = true;
            } finally {
              // A reader that stopped early: the cursor goes, unless the unit already ended.
              if (!closed && unit.open) await unit.session.run(`CLOSE ${cursor}`).catch(() => undefined);
            }
          },
        };
      },
    };
  }

  /** One repository's calls: at once inside a unit; outside, a read on the pool, a write in a unit of its own. */
  private wrap(name: keyof Repositories, repo: unknown): unknown {
    const methods = repo as Record<string, (...args: unknown[]) => unknown>;
    const reads = new Set(READS[name]);
    const face: Record<string, unknown> = {};
    for (const method of methodsOf(repo as object)) {
      const call = (args: unknown[]) => methods[method]!.apply(repo, args);
      if (STREAMS.has(`${name}.${method}`)) {
        face[method] = (...args: unknown[]) => {
          if (!this.inUnit) throw new Error('a stream of rows is read inside db.snapshot() or db.write()');
          return call(args);
        };
      } else if (reads.has(method) || (UNLOCKED_WRITES[name]?.includes(method) ?? false)) {
        face[method] = async (...args: unknown[]) => {
          if (!this.inUnit) await this.ready;
          return call(args);
        };
      } else {
        face[method] = (...args: unknown[]) => (this.inUnit ? call(args) : this.write(async () => call(args)));
      }
    }
    return face;
  }
}

/**
 * Writes that need neither a transaction of their own nor the writer lock: each of their
 * statements stands alone and touches no ledger row (the workers' claims and request slots).
 * Outside a unit they run on the pool, so a worker's next request never queues behind another
 * worker's page write. (On SQLite every write outside a unit keeps its own transaction: a lone
 * statement there would run inside whatever unit holds the one connection.)
 */
const UNLOCKED_WRITES: Partial<Record<keyof Repositories, string[]>> = {
  claims: ['take', 'renew', 'release', 'releaseAll', 'takeSlot', 'releaseSlot'],
};

/** A class instance's own methods, up its prototype chain (not Object's). */
function methodsOf(obj: object): string[] {
  const names = new Set<string>();
  for (let p = Object.getPrototypeOf(obj); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const n of Object.getOwnPropertyNames(p)) {
      if (n !== 'constructor' && typeof (p as Record<string, unknown>)[n] === 'function') names.add(n);
    }
  }
  return [...names];
}
