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
}
