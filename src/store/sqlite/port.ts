import { AsyncLocalStorage } from 'node:async_hooks';
import type { KeySource } from '../../secrets/index.js';
import type { Repositories, StorePort } from '../port.js';
import { READS, STREAMS } from '../port-methods.js';
import { Store } from './store.js';
import { UnitLock } from './unit-lock.js';

/**
 * Rows in a page of a stream on SQLite. Few: here a page costs no round trip, only a promise, and
 * its rows live until the page is used up. At 1,000 a CSV export's rows outlived the young
 * generation and its peak RSS grew with the lines (86 MB at 50k lines, 109 MB at 200k); at 128 it
 * stays flat as with the synchronous cursor (86 → 89 MB). A networked store pages by its round trips.
 */
export const PAGE_ROWS = 128;

/** The unit of work the running code is in (see StorePort: units are ambient). */
interface Unit {
  readonly port: SqlitePort;
  /** False once the unit has ended: work it started and left running must not act inside it any more. */
  open: boolean;
}
const units = new AsyncLocalStorage<Unit>();

const ports = new WeakMap<Store, SqlitePort>();

/** The port over an open SQLite store; one per store, so every caller shares its one unit lock. */
export function sqlitePort(store: Store): SqlitePort {
  let port = ports.get(store);
  if (!port) ports.set(store, (port = new SqlitePort(store)));
  return port;
}

export function openSqliteStore(path: string, keySource: KeySource, opts: { createDirs?: boolean } = {}): SqlitePort {
  return sqlitePort(Store.open(path, keySource, opts));
}

let savepoints = 0;

export class SqlitePort implements StorePort {
  readonly kind = 'sqlite' as const;
  private readonly lock = new UnitLock();
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

  /** `sqlite` is the synchronous store underneath, for SQLite-only work (backup, integrity, migrations). */
  constructor(readonly sqlite: Store) {
    for (const name of Object.keys(READS) as (keyof Repositories)[]) {
      Object.defineProperty(this, name, { value: this.wrap(name), enumerable: true });
    }
  }

  get location(): string {
    return this.sqlite.path;
  }

  get inUnit(): boolean {
    const unit = units.getStore();
    return unit?.port === this && unit.open;
  }

  /** Runs `fn` as the unit; whatever it started and left running is outside the unit once it ends. */
  private async asUnit<T>(fn: () => Promise<T>): Promise<T> {
    const unit: Unit = { port: this, open: true };
    try {
      return await units.run(unit, fn);
    } finally {
      unit.open = false;
    }
  }

  async write<T>(fn: () => Promise<T>, opts: { keep?: boolean } = {}): Promise<T> {
    const db = this.sqlite.db;
    const nested = this.inUnit;
    if (!nested) await this.lock.take();
    // A savepoint inside our own unit, or inside a transaction the synchronous store opened.
    const savepoint = nested || db.inTransaction ? `unit_${++savepoints}` : undefined;
    try {
      db.exec(savepoint ? `SAVEPOINT ${savepoint}` : 'BEGIN IMMEDIATE');
      let result: T;
      try {
        result = nested ? await fn() : await this.asUnit(fn);
      } catch (e) {
        this.undo(savepoint);
        throw e;
      }
      if (opts.keep === false) this.undo(savepoint);
      else db.exec(savepoint ? `RELEASE ${savepoint}` : 'COMMIT');
      return result;
    } finally {
      if (!nested) this.lock.release();
    }
  }

  async snapshot<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inUnit) return fn();
    await this.lock.take();
    const db = this.sqlite.db;
    const own = !db.inTransaction;
    try {
      if (own) db.exec('BEGIN');
      return await this.asUnit(fn);
    } finally {
      if (own && db.open && db.inTransaction) db.exec('COMMIT');
      this.lock.release();
    }
  }

  async ensureIntact(maxBytes?: number): Promise<void> {
    this.sqlite.ensureIntact(maxBytes);
  }

  rollbackOpen(): void {
    this.sqlite.rollbackOpen();
  }

  async close(): Promise<void> {
    this.sqlite.close();
  }

  private undo(savepoint: string | undefined): void {
    const db = this.sqlite.db;
    if (!db.open || !db.inTransaction) return;
    db.exec(savepoint ? `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}` : 'ROLLBACK');
  }

  /** The asynchronous face of one synchronous repository. */
  private wrap(name: keyof Repositories): unknown {
    const repo = this.sqlite[name] as unknown as Record<string, (...args: unknown[]) => unknown>;
    const reads = new Set(READS[name]);
    const face: Record<string, unknown> = {};
    for (const method of methodsOf(repo)) {
      const call = (args: unknown[]) => repo[method]!.apply(repo, args);
      if (STREAMS.has(`${name}.${method}`)) face[method] = (...args: unknown[]) => this.pages(() => call(args) as Iterator<unknown>);
      else if (reads.has(method)) face[method] = (...args: unknown[]) => this.run(() => call(args), false);
      else face[method] = (...args: unknown[]) => this.run(() => call(args), true);
    }
    return face;
  }

  /** One call: at once inside a unit or when no unit is open (a write in a transaction of its own), else after the open unit. */
  private run(fn: () => unknown, writes: boolean): Promise<unknown> {
    if (this.inUnit) return settle(fn);
    if (this.lock.tryTake()) return this.alone(fn, writes);
    return this.lock.take().then(() => this.alone(fn, writes));
  }

  private alone(fn: () => unknown, writes: boolean): Promise<unknown> {
    try {
      return settle(writes ? () => this.sqlite.tx(fn) : fn);
    } finally {
      this.lock.release();
    }
  }

  /**
   * Rows in pages, read inside a unit of work (`snapshot` or `write`). better-sqlite3 runs no other
   * statement that writes while one is being iterated, and a stream that held the unit lock
   * between pages would leave the code reading it waiting for ever on its own next call; so a
   * stream outside a unit is a programming error, refused at once.
   */
  private async *pages(open: () => Iterator<unknown>): AsyncGenerator<unknown[]> {
    if (!this.inUnit) throw new Error('a stream of rows is read inside db.snapshot() or db.write()');
    const rows = open();
    try {
      for (;;) {
        const page: unknown[] = [];
        let step = rows.next();
        while (!step.done) {
          page.push(step.value);
          if (page.length === PAGE_ROWS) break;
          step = rows.next();
        }
        if (page.length) yield page;
        if (step.done) return;
      }
    } finally {
      rows.return?.();
    }
  }
}

function settle(fn: () => unknown): Promise<unknown> {
  try {
    return Promise.resolve(fn());
  } catch (e) {
    return Promise.reject(e);
  }
}

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
