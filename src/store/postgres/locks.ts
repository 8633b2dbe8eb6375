import { AsyncLocalStorage } from 'node:async_hooks';
import type { Async } from '../port.js';
import type { LockHolder, LockRepo } from '../sqlite/locks.js';
import { deadLocalOwner } from './lock-owner.js';
import type { Sql } from './port.js';

/**
 * How long a lock lasts without its holder renewing it, and how often the holder renews it.
 * Short, since no pid can tell a dead holder apart on another host: a worker killed outright
 * holds its accounts for at most a lease. Four beats per lease: three may fail (a network blip)
 * before anyone else may take the account.
 */
export interface LeaseTiming {
  leaseMs: number;
  beatMs: number;
}
export const PG_LEASE: Readonly<LeaseTiming> = { leaseMs: 2 * 60_000, beatMs: 30_000 };

/**
 * Runs a function in the context this module was loaded in, outside any unit of work: a timer
 * keeps the context it was started in, and a heartbeat started by an acquire inside a unit must
 * not run its beats on that unit's connection (uncommitted until the unit ends, if at all).
 */
const outsideAnyUnit = AsyncLocalStorage.snapshot();

/**
 * Per-account sync locks shared by every worker on every host: a lock is a lease, held while
 * `expires_at` is ahead of the reader's clock, and renewed by a heartbeat while this process
 * holds any. A pid means nothing across hosts, so only a holder in this process's own pid scope
 * (same host, same pid namespace) is judged by its pid, as the SQLite store judges every holder.
 *
 * Times are on the caller's clock (core passes `now`; a test's clock may be years from the real
 * one): the heartbeat keeps to it by the offset between the `now` of the last acquire and the
 * real time then.
 */
export class PgLockRepo implements Async<LockRepo> {
  /** The accounts this process took and has not released: the heartbeat runs while there are any. */
  private readonly held = new Set<number>();
  private readonly heartbeat: Heartbeat;

  constructor(
    private readonly sql: Sql,
    private readonly owner: string,
    private readonly timing: LeaseTiming = PG_LEASE,
  ) {
    this.heartbeat = new Heartbeat(sql, owner, timing);
  }

  /**
   * Takes the lock (free, ours already, or its lease run out) or returns who holds it. The
   * upsert decides atomically even without the writer lock: its WHERE is checked on the row as
   * the conflict left it.
   */
  async acquire(accountId: number, now: Date): Promise<LockHolder | null> {
    const expires = new Date(now.getTime() + this.timing.leaseMs).toISOString();
    const taken = await this.sql.rows(
      `INSERT INTO sync_locks (account_id, owner, pid, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (account_id) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, expires_at = excluded.expires_at
         WHERE sync_locks.owner = excluded.owner OR sync_locks.expires_at <= $5
       RETURNING account_id`,
      [accountId, this.owner, process.pid, expires, now.toISOString()],
    );
    if (taken.length > 0) {
      this.held.add(accountId);
      this.heartbeat.start(now);
      return null;
    }
    const holder = await this.sql.one<LockHolder>('SELECT pid, owner FROM sync_locks WHERE account_id = $1', [accountId]);
    // Gone between the two statements: only a writer that skipped the writer lock could do that.
    if (!holder) return { pid: 0, owner: 'unknown' };
    if (deadLocalOwner(holder.owner) && (await this.takeFrom(accountId, holder.owner, expires))) {
      this.held.add(accountId);
      this.heartbeat.start(now);
      return null;
    }
    return holder;
  }

  /** Takes a dead holder's lock, unless someone else took it first (compare-and-set on its owner). */
  private async takeFrom(accountId: number, deadOwner: string, expires: string): Promise<boolean> {
    const n = await this.sql.run('UPDATE sync_locks SET owner = $3, pid = $4, expires_at = $5 WHERE account_id = $1 AND owner = $2', [accountId, deadOwner, this.owner, process.pid, expires]);
    return n > 0;
  }

  async release(accountId: number): Promise<void> {
    await this.sql.run('DELETE FROM sync_locks WHERE account_id = $1 AND owner = $2', [accountId, this.owner]);
    this.held.delete(accountId);
    if (this.held.size === 0) this.heartbeat.stop();
  }

  /** Drops every lock this process holds (a signal stops the run before each sync's own release). */
  async releaseAll(): Promise<number> {
    const n = await this.sql.run('DELETE FROM sync_locks WHERE owner = $1', [this.owner]);
    this.held.clear();
    this.heartbeat.stop();
    return n;
  }

  /** True while someone's lease runs (used by status to tell stale "syncing" apart). */
  async isHeld(accountId: number, now: Date): Promise<boolean> {
    const row = await this.sql.one<{ owner: string }>('SELECT owner FROM sync_locks WHERE account_id = $1 AND expires_at > $2', [accountId, now.toISOString()]);
    return !!row && !deadLocalOwner(row.owner);
  }

  /** The accounts `isHeld` is true of (status): every lock read at once. */
  async heldAccounts(now: Date): Promise<Set<number>> {
    const rows = await this.sql.rows<{ account_id: number; owner: string }>('SELECT account_id, owner FROM sync_locks WHERE expires_at > $1', [now.toISOString()]);
    return new Set(rows.filter((r) => !deadLocalOwner(r.owner)).map((r) => r.account_id));
  }
}

/**
 * Renews the lease of every lock one owner holds, every `beatMs`, while started. Its own class,
 * not methods of PgLockRepo: the port hands out every method of a repository.
 */
class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private beating = false;
  /** The caller's clock minus the real one, as of the last start. */
  private offsetMs = 0;

  constructor(
    private readonly sql: Sql,
    private readonly owner: string,
    private readonly timing: LeaseTiming,
  ) {}

  /** `now` is the caller's clock: the beats keep to it. */
  start(now: Date): void {
    this.offsetMs = now.getTime() - Date.now();
    if (this.timer) return;
    this.timer = outsideAnyUnit(() => setInterval(() => void this.beat(), this.timing.beatMs));
    this.timer.unref(); // a lock never keeps the process alive
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Pushes every lease of the owner one lease ahead, on the pool, outside any unit of work (a
   * sync's long unit must not hold its renewal back). It never waits: a lock row another
   * transaction has locked is skipped (our own unit taking or dropping it right now, which sets
   * its own expiry), so a beat cannot deadlock with a unit. GREATEST: a beat never shortens a
   * lease. A failed beat is left for the next one.
   */
  private async beat(): Promise<void> {
    if (this.beating) return; // the last one is still on its way
    this.beating = true;
    try {
      const expires = new Date(Date.now() + this.offsetMs + this.timing.leaseMs).toISOString();
      await this.sql.run(
        `UPDATE sync_locks SET expires_at = GREATEST(expires_at, $2)
         WHERE account_id IN (SELECT account_id FROM sync_locks WHERE owner = $1 FOR UPDATE SKIP LOCKED) AND owner = $1`,
        [this.owner, expires],
      );
    } catch {
      // the next beat tries again: the lease covers three missed ones
    } finally {
      this.beating = false;
    }
  }
}
