import type { SecretStore } from '../secrets/index.js';
import type { AccountMoves } from './sqlite/account-moves.js';
import type { AccountRepo } from './sqlite/accounts.js';
import type { ArchiveRepo } from './sqlite/archive.js';
import type { ClaimRepo } from './sqlite/claims.js';
import type { ConnectionRepo } from './sqlite/connections.js';
import type { ExportRepo } from './sqlite/exports.js';
import type { InputIssueRepo } from './sqlite/input-issues.js';
import type { InstitutionCacheRepo } from './sqlite/institution-cache.js';
import type { LineOriginRepo } from './sqlite/line-origins.js';
import type { LockRepo } from './sqlite/locks.js';
import type { PendingRepo } from './sqlite/pending.js';
import type { SettingsRepo } from './sqlite/settings.js';
import type { SyncStateRepo } from './sqlite/sync-state.js';
import type { TransactionRepo } from './sqlite/transactions.js';
import type { TransferRepo } from './sqlite/transfers.js';

/**
 * The persistence port: what core may ask of storage. Every method answers with a promise, so a
 * store across a network (PostgreSQL) fits behind it as well as the embedded SQLite file.
 *
 * A method that streams rows answers with pages (`AsyncIterable<T[]>`), never one promise per row.
 *
 * The repositories' shapes are today's SQLite repositories made asynchronous (`Async<…>`): one
 * definition of each method's arguments and results, checked against the SQLite code by the
 * compiler. A second store implements the same `Async<…>` shapes.
 */
export type Async<T> = {
  [K in keyof T as T[K] extends (...args: never[]) => unknown ? K : never]: T[K] extends (...args: infer A) => infer R
    ? (...args: A) => [R] extends [IterableIterator<infer Row>] ? AsyncIterable<Row[]> : Promise<Awaited<R>>
    : never;
};

export interface Repositories {
  readonly connections: Async<ConnectionRepo>;
  readonly accounts: Async<AccountRepo>;
  readonly accountMoves: Async<AccountMoves>;
  readonly transactions: Async<TransactionRepo>;
  readonly pending: Async<PendingRepo>;
  readonly syncState: Async<SyncStateRepo>;
  readonly locks: Async<LockRepo>;
  readonly exports: Async<ExportRepo>;
  readonly institutionCache: Async<InstitutionCacheRepo>;
  readonly inputIssues: Async<InputIssueRepo>;
  readonly lineOrigins: Async<LineOriginRepo>;
  readonly settings: Async<SettingsRepo>;
  readonly archive: Async<ArchiveRepo>;
  readonly transfers: Async<TransferRepo>;
  readonly secrets: Async<SecretStore>;
  readonly claims: Async<ClaimRepo>;
}

/**
 * A store: the repositories plus units of work.
 *
 * Units of work are ambient: inside `write(fn)` every repository call made while `fn` runs (in
 * any function it calls, through any reference to this store) belongs to that unit, so a helper
 * that takes `Services` joins its caller's transaction instead of waiting for it. A call outside
 * any unit is a unit of its own (one statement, or one transaction for a method that writes
 * several rows), and waits while another unit is open.
 */
export interface StorePort extends Repositories {
  /** For messages, doctor and the few SQLite-only commands (backup, restore, replay); never for control flow in core's logic. */
  readonly kind: 'sqlite' | 'postgres';
  /** Where the data lives, safe to print: a file path (':memory:' in tests). */
  readonly location: string;
  /**
   * Runs `fn` as one transaction: all its writes land together or none do (a throw, or `keep:
   * false` for a dry run, rolls back). Inside another unit it is a nested one (a savepoint).
   */
  write<T>(fn: () => Promise<T>, opts?: { keep?: boolean }): Promise<T>;
  /**
   * A consistent read (an export, the report): every query in `fn` sees the data as it was when
   * the first one ran, whatever another writer commits meanwhile.
   */
  snapshot<T>(fn: () => Promise<T>): Promise<T>;
  /** True while the calling code runs inside a unit of work of this store. */
  readonly inUnit: boolean;
  /** Refuses a store that reports itself corrupt before anything is written into it. */
  ensureIntact(maxBytes?: number): Promise<void>;
  /** After a Ctrl-C: whatever unit is still open is rolled back, so nothing half-done is kept. */
  rollbackOpen(): void;
  close(): Promise<void>;
}
