import type { Async } from '../port.js';
import type { ClaimRepo } from '../sqlite/claims.js';
import { deadLocalOwner } from './lock-owner.js';
import type { Sql } from './port.js';

const leaseEnd = (now: string, leaseMs: number) => new Date(Date.parse(now) + leaseMs).toISOString();

/**
 * Claims on connections shared by every worker of one PostgreSQL store: free, ours, or another's
 * until its lease ends. `take` is the UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP
 * LOCKED LIMIT n) RETURNING: workers asking at once each get different connections, none waits
 * for another's row. Times are the caller's clock, as every other lease in the store.
 */
export class PgClaimRepo implements Async<ClaimRepo> {
  /** Providers (and limits) whose slot rows this process has made sure of. */
  private readonly slotRows = new Set<string>();

  constructor(
    private readonly sql: Sql,
    private readonly owner: string,
  ) {}

  async take(connectionIds: number[], now: string, leaseMs: number, limit: number): Promise<number[]> {
    if (connectionIds.length === 0 || limit <= 0) return [];
    await this.sql.run(
      `INSERT INTO connection_claims (connection_id) SELECT c.id FROM connections c WHERE c.id = ANY($1::bigint[])
       ON CONFLICT (connection_id) DO NOTHING`,
      [connectionIds],
    );
    const dead = await this.deadHolders(connectionIds, now);
    const rows = await this.sql.rows<{ connection_id: number }>(
      `UPDATE connection_claims SET owner = $2, expires_at = $3
       WHERE connection_id IN (
         SELECT connection_id FROM connection_claims
         WHERE connection_id = ANY($1::bigint[]) AND (owner IS NULL OR owner = $2 OR expires_at <= $4 OR owner = ANY($6::text[]))
         ORDER BY connection_id LIMIT $5 FOR UPDATE SKIP LOCKED)
       RETURNING connection_id`,
      [connectionIds, this.owner, leaseEnd(now, leaseMs), now, limit, dead],
    );
    return rows.map((r) => r.connection_id).sort((a, b) => a - b);
  }

  /**
   * Holders of these claims that ran on this machine and are gone (killed outright): their claims
   * are free now, as their account locks are (lock-owner.ts), not only when their lease ends.
   */
  private async deadHolders(connectionIds: number[], now: string): Promise<string[]> {
    const rows = await this.sql.rows<{ owner: string }>(
      'SELECT DISTINCT owner FROM connection_claims WHERE connection_id = ANY($1::bigint[]) AND owner IS NOT NULL AND owner <> $2 AND expires_at > $3',
      [connectionIds, this.owner, now],
    );
    return rows.map((r) => r.owner).filter(deadLocalOwner);
  }

  async renew(now: string, leaseMs: number): Promise<number> {
    return this.sql.run('UPDATE connection_claims SET expires_at = $2 WHERE owner = $1', [this.owner, leaseEnd(now, leaseMs)]);
  }

  async release(connectionId: number): Promise<void> {
    await this.sql.run('UPDATE connection_claims SET owner = NULL, expires_at = NULL WHERE connection_id = $1 AND owner = $2', [connectionId, this.owner]);
  }

  async releaseAll(): Promise<number> {
    return this.sql.run('UPDATE connection_claims SET owner = NULL, expires_at = NULL WHERE owner = $1', [this.owner]);
  }

  /**
   * A free slot of the provider's first `limit` (or one whose lease ran out, or whose holder on
   * this machine is gone), taken for this process; null when all are held. One statement, no
   * wait: a slot another worker is taking right now is skipped, not queued for.
   */
  async takeSlot(providerId: string, limit: number, now: string, leaseMs: number): Promise<number | null> {
    const rows = `${providerId}/${limit}`;
    if (!this.slotRows.has(rows)) {
      await this.sql.run('INSERT INTO provider_slots (provider_id, slot) SELECT $1, g FROM generate_series(1, $2) g ON CONFLICT DO NOTHING', [providerId, limit]);
      this.slotRows.add(rows);
    }
    const take = (dead: string[]) =>
      this.sql.one<{ slot: number }>(
        `UPDATE provider_slots SET owner = $2, expires_at = $3
         WHERE provider_id = $1 AND slot = (
           SELECT slot FROM provider_slots
           WHERE provider_id = $1 AND slot <= $4 AND (owner IS NULL OR expires_at <= $5 OR owner = ANY($6::text[]))
           ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING slot`,
        [providerId, this.owner, leaseEnd(now, leaseMs), limit, now, dead],
      );
    let got = await take([]);
    if (!got) {
      const dead = await this.deadSlotHolders(providerId, limit, now);
      if (dead.length) got = await take(dead);
    }
    return got?.slot ?? null;
  }

  /** Holders of the provider's slots that ran on this machine and are gone (only asked when none is free). */
  private async deadSlotHolders(providerId: string, limit: number, now: string): Promise<string[]> {
    const rows = await this.sql.rows<{ owner: string }>('SELECT DISTINCT owner FROM provider_slots WHERE provider_id = $1 AND slot <= $2 AND owner IS NOT NULL AND owner <> $3 AND expires_at > $4', [
      providerId,
      limit,
      this.owner,
      now,
    ]);
    return rows.map((r) => r.owner).filter(deadLocalOwner);
  }

  async releaseSlot(providerId: string, slot: number): Promise<void> {
    await this.sql.run('UPDATE provider_slots SET owner = NULL, expires_at = NULL WHERE provider_id = $1 AND slot = $2 AND owner = $3', [providerId, slot, this.owner]);
  }

  async heldByOthers(now: string): Promise<Map<number, string>> {
    const rows = await this.sql.rows<{ connection_id: number; owner: string }>(
      'SELECT connection_id, owner FROM connection_claims WHERE owner IS NOT NULL AND owner <> $1 AND expires_at > $2 ORDER BY connection_id',
      [this.owner, now],
    );
    return new Map(rows.filter((r) => !deadLocalOwner(r.owner)).map((r) => [r.connection_id, r.owner]));
  }
}
