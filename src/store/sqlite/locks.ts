import { pidAlive } from './pid.js';
import type { Db } from './db.js';

/** Lease length; a lock whose owner died (kill -9) is also reclaimed at once when its pid is gone. */
const LEASE_MS = 10 * 60_000;

export interface LockHolder {
  pid: number;
  owner: string;
}

/** Per-account sync locks in the database, so two processes never sync one account at once. */
export class LockRepo {
  constructor(
    private readonly db: Db,
    private readonly owner: string,
  ) {}

  /** Takes the lock or returns who holds it. Runs as one IMMEDIATE transaction. */
  acquire(accountId: number, now: Date): LockHolder | null {
    return this.db
      .transaction((): LockHolder | null => {
        const row = this.db.prepare('SELECT owner, pid, expires_at FROM sync_locks WHERE account_id = ?').get(accountId) as { owner: string; pid: number; expires_at: string } | undefined;
        if (row && row.owner !== this.owner && row.expires_at > now.toISOString() && pidAlive(row.pid)) {
          return { pid: row.pid, owner: row.owner };
        }
        this.db
          .prepare('INSERT OR REPLACE INTO sync_locks (account_id, owner, pid, expires_at) VALUES (?, ?, ?, ?)')
          .run(accountId, this.owner, process.pid, new Date(now.getTime() + LEASE_MS).toISOString());
        return null;
      })
      .immediate();
  }

  release(accountId: number): void {
    this.db.prepare('DELETE FROM sync_locks WHERE account_id = ? AND owner = ?').run(accountId, this.owner);
  }

  /** Drops every lock this process holds (a signal stops the run before each sync's own release). */
  releaseAll(): number {
    return this.db.prepare('DELETE FROM sync_locks WHERE owner = ?').run(this.owner).changes;
  }

  /** True when someone alive holds the account (used by status to tell stale "syncing" apart). */
  isHeld(accountId: number, now: Date): boolean {
    const row = this.db.prepare('SELECT pid, expires_at FROM sync_locks WHERE account_id = ?').get(accountId) as { pid: number; expires_at: string } | undefined;
    return !!row && row.expires_at > now.toISOString() && pidAlive(row.pid);
  }

  /** The accounts `isHeld` is true of (status): every lock read at once. */
  heldAccounts(now: Date): Set<number> {
    const rows = this.db.prepare('SELECT account_id, pid FROM sync_locks WHERE expires_at > ?').all(now.toISOString()) as { account_id: number; pid: number }[];
    return new Set(rows.filter((r) => pidAlive(r.pid)).map((r) => r.account_id));
  }
}
