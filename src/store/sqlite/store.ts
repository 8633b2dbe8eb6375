import { randomBytes } from 'node:crypto';
import { SecretStore, type KeySource } from '../../secrets/index.js';
import { AccountRepo } from './accounts.js';
import { ArchiveRepo } from './archive.js';
import { ClaimRepo } from './claims.js';
import { AccountMoves } from './account-moves.js';
import { ConnectionRepo } from './connections.js';
import { ExportRepo } from './exports.js';
import { InputIssueRepo } from './input-issues.js';
import { InstitutionCacheRepo } from './institution-cache.js';
import { openDatabase, type Db } from './db.js';
import { CHECK_BEFORE_WRITE_UP_TO_BYTES, ensureIntact } from './integrity.js';
import { LineOriginRepo } from './line-origins.js';
import { LockRepo } from './locks.js';
import { PendingRepo } from './pending.js';
import { SettingsRepo } from './settings.js';
import { SyncStateRepo } from './sync-state.js';
import { TransactionRepo } from './transactions.js';
import { TransferRepo } from './transfers.js';

/** The repositories over one open database; `tx` runs a function as one SQLite transaction. */
export class Store {
  readonly connections: ConnectionRepo;
  readonly accounts: AccountRepo;
  readonly accountMoves: AccountMoves;
  readonly transactions: TransactionRepo;
  readonly pending: PendingRepo;
  readonly syncState: SyncStateRepo;
  readonly locks: LockRepo;
  readonly exports: ExportRepo;
  readonly institutionCache: InstitutionCacheRepo;
  readonly inputIssues: InputIssueRepo;
  readonly lineOrigins: LineOriginRepo;
  readonly settings: SettingsRepo;
  readonly archive: ArchiveRepo;
  readonly transfers: TransferRepo;
  readonly secrets: SecretStore;
  readonly claims = new ClaimRepo();

  constructor(
    readonly db: Db,
    /** Where the secret key comes from: a copy of this database (replay) opens with the same. */
    readonly keySource: KeySource,
  ) {
    this.connections = new ConnectionRepo(db);
    this.accounts = new AccountRepo(db);
    this.accountMoves = new AccountMoves(db);
    this.transactions = new TransactionRepo(db);
    this.pending = new PendingRepo(db);
    this.syncState = new SyncStateRepo(db);
    this.locks = new LockRepo(db, `${process.pid}-${randomBytes(4).toString('hex')}`);
    this.exports = new ExportRepo(db);
    this.institutionCache = new InstitutionCacheRepo(db);
    this.inputIssues = new InputIssueRepo(db);
    this.lineOrigins = new LineOriginRepo(db);
    this.settings = new SettingsRepo(db);
    this.archive = new ArchiveRepo(db);
    this.transfers = new TransferRepo(db);
    this.secrets = new SecretStore(db, keySource);
  }

  static open(path: string, keySource: KeySource, opts: { createDirs?: boolean } = {}): Store {
    return new Store(openDatabase(path, opts), keySource);
  }

  /** The database file (':memory:' in tests). */
  get path(): string {
    return this.db.name;
  }

  /** Refuses a file SQLite reports corrupt; looks at files up to `maxBytes`, or flagged ones (integrity.ts). */
  ensureIntact(maxBytes = CHECK_BEFORE_WRITE_UP_TO_BYTES): void {
    ensureIntact(this.db, this.path, maxBytes);
  }

  /** IMMEDIATE so a writer never fails half-way on a lock upgrade; waits up to the busy timeout. */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /**
   * `tx` for work that awaits between its writes (a file streamed in batches): one transaction
   * from BEGIN IMMEDIATE to COMMIT, rolled back when `fn` throws or when `keep` is false (a dry
   * run). Inside another transaction it is a savepoint. Nothing else may use this connection
   * meanwhile; a Ctrl-C in an await rolls it back (Runtime.abandon).
   */
  async txAsync<T>(fn: () => Promise<T>, keep = true): Promise<T> {
    const nested = this.db.inTransaction;
    const name = `async_tx_${++savepoints}`;
    this.db.exec(nested ? `SAVEPOINT ${name}` : 'BEGIN IMMEDIATE');
    const undo = () => {
      if (!this.db.open || !this.db.inTransaction) return;
      this.db.exec(nested ? `ROLLBACK TO ${name}; RELEASE ${name}` : 'ROLLBACK');
    };
    let result: T;
    try {
      result = await fn();
    } catch (e) {
      undo();
      throw e;
    }
    if (!keep) undo();
    else this.db.exec(nested ? `RELEASE ${name}` : 'COMMIT');
    return result;
  }

  /**
   * A consistent read (an export, the report): every query in `fn` sees the database as it was
   * when the first one ran, whatever a sync commits meanwhile. WAL readers never block writers.
   */
  snapshot<T>(fn: () => T): T {
    this.db.exec('BEGIN');
    try {
      return fn();
    } finally {
      if (this.db.inTransaction) this.db.exec('COMMIT');
    }
  }

  /** `snapshot` for a read that awaits (an export writing to a slow pipe). Nothing else may use this connection meanwhile. */
  async snapshotAsync<T>(fn: () => Promise<T>): Promise<T> {
    this.db.exec('BEGIN');
    try {
      return await fn();
    } finally {
      if (this.db.inTransaction) this.db.exec('COMMIT');
    }
  }

  /** After a Ctrl-C: whatever transaction is still open is rolled back, so nothing half-done is kept. */
  rollbackOpen(): void {
    if (this.db.open && this.db.inTransaction) this.db.exec('ROLLBACK');
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

let savepoints = 0;

export const connectionSecretOwner = (connectionId: number) => `connection:${connectionId}`;
export const providerSecretOwner = (providerId: string) => `provider:${providerId}`;
/** A provider's own state that outlives a connection (ProviderContext.state). */
export const providerStateOwner = (providerId: string) => `provider-state:${providerId}`;
