/**
 * Claims on connections, so several workers sharing one store never sync a connection at once
 * (its accounts share a session and rotating tokens). One SQLite file has one host: its per-account
 * sync locks (locks.ts) already keep two processes apart, and a second `sync --all` reports the
 * accounts it found locked as busy, as it always did. So on SQLite every connection asked for is
 * given, and nothing is kept: the PostgreSQL store (postgres/claims.ts) is where claims are real.
 */
export class ClaimRepo {
  /** The connections among `connectionIds` this process may sync now, at most `limit`, in id order. */
  take(connectionIds: number[], _now: string, _leaseMs: number, limit: number): number[] {
    return [...new Set(connectionIds)].sort((a, b) => a - b).slice(0, limit);
  }

  /** Extends this process's claims while it works; how many it holds. */
  renew(_now: string, _leaseMs: number): number {
    return 0;
  }

  release(_connectionId: number): void {}

  /** Drops every claim of this process; how many there were. */
  releaseAll(): number {
    return 0;
  }

  /** Connections another process holds now, with who holds them (for a worker's and status's messages). */
  heldByOthers(_now: string): Map<number, string> {
    return new Map();
  }

  /**
   * One of a provider's `limit` slots for a request in flight, or null while every one is held:
   * on SQLite always slot 0, since the provider's own HTTP client keeps one process within the
   * limit and the engine asks for slots on a shared store only.
   */
  takeSlot(_providerId: string, _limit: number, _now: string, _leaseMs: number): number | null {
    return 0;
  }

  releaseSlot(_providerId: string, _slot: number): void {}
}
