import type { Services } from './context.js';
import { sync, type SyncOptions, type SyncReport } from './sync/engine.js';
import type { Provider } from '../providers/types.js';
import type { ProviderCache } from './sync/run-context.js';
import { dueAt } from './sync/select.js';

/**
 * How long a worker keeps a provider (its app token, its limiter) between rounds: long enough that
 * token requests stay far under the providers' hourly limits, short enough that credentials
 * changed with update-credentials reach a running worker within the hour.
 */
const PROVIDER_KEEP_MS = 60 * 60_000;

class ExpiringProviders implements ProviderCache {
  private readonly kept = new Map<string, { provider: Provider; until: number }>();
  constructor(
    private readonly clock: () => Date,
    private readonly keepMs: number,
  ) {}
  get(id: string): Provider | undefined {
    const k = this.kept.get(id);
    return k && k.until > this.clock().getTime() ? k.provider : undefined;
  }
  set(id: string, provider: Provider): void {
    if (this.kept.get(id)?.provider !== provider) this.kept.set(id, { provider, until: this.clock().getTime() + this.keepMs });
  }
}

export interface WorkerOptions extends Omit<SyncOptions, 'target' | 'unattended' | 'claimLimit'> {
  /** Connections one round claims and syncs at once (`--concurrency`). */
  connectionsAtOnce: number;
  /** An account whose last attempt failed waits this long before a worker tries it again. */
  retryAfterMs: number;
  /** The longest sleep between rounds, so new connections and freed claims are seen soon. */
  maxIdleMs: number;
  /** One round, then stop (`--once`: for cron, and for tests). */
  once?: boolean;
}

export interface WorkerHooks {
  /** True once SIGTERM (or Ctrl-C) asked the worker to stop: the round under way finishes first. */
  stopping(): boolean;
  /** Sleeps `ms`, or less when asked to stop meanwhile. */
  sleep(ms: number): Promise<void>;
  /** After each round that did something (for the log). */
  round(report: SyncReport): void;
}

export interface WorkerSummary {
  rounds: number;
  /** Accounts synced, and failed, over every round. */
  synced: number;
  failed: number;
  /** The connections this worker synced (tried), each once however many rounds: c1, c4, … */
  connections: string[];
}

/**
 * `banksync worker`: claims due connections (at most `connectionsAtOnce` a round), syncs them,
 * and sleeps until the next one is due. Several workers on several hosts share one PostgreSQL
 * store this way: each connection is synced by one of them at a time (claims, see sync/engine.ts),
 * and a dead worker's connections are taken over once its claims' lease has passed.
 */
export async function runWorker(s: Services, o: WorkerOptions, hooks: WorkerHooks): Promise<WorkerSummary> {
  const summary: WorkerSummary = { rounds: 0, synced: 0, failed: 0, connections: [] };
  const seen = new Set<string>();
  const { connectionsAtOnce, retryAfterMs, maxIdleMs, once, ...syncOptions } = o;
  const providerCache = new ExpiringProviders(s.clock, PROVIDER_KEEP_MS);
  while (!hooks.stopping()) {
    const report = await sync(s, {
      ...syncOptions,
      providerCache,
      target: { kind: 'all', due: true, retryAfterMs },
      unattended: true,
      claimLimit: connectionsAtOnce,
    });
    summary.rounds++;
    const worked = report.accounts.filter((r) => r.result !== 'skipped');
    summary.synced += worked.filter((r) => r.result === 'synced').length;
    summary.failed += worked.filter((r) => r.result === 'failed').length;
    for (const r of worked) {
      if (!r.connection || seen.has(r.connection)) continue;
      seen.add(r.connection);
      summary.connections.push(r.connection);
    }
    if (worked.length) hooks.round(report);
    if (once) break;
    // More may be due than one round takes: go on at once after a round that synced something
    // (a synced account is not due again for its interval); else sleep until one is due, so a
    // round of failures or busy accounts (another process holds their locks) never spins.
    if (!worked.some((r) => r.result === 'synced')) await hooks.sleep(await idleFor(s, retryAfterMs, maxIdleMs));
  }
  return summary;
}

/** How long until the next account is due, between 5 s (due ones another worker holds) and `maxIdleMs`. */
async function idleFor(s: Services, retryAfterMs: number, maxIdleMs: number): Promise<number> {
  const now = s.clock().getTime();
  const connections = new Map((await s.db.connections.list()).map((c) => [c.id, c]));
  let next = now + maxIdleMs;
  for (const a of await s.db.accounts.list()) {
    const c = a.connectionId === null ? undefined : connections.get(a.connectionId);
    if (!a.enabled || !c || c.status === 'disconnected') continue;
    next = Math.min(next, dueAt(a, retryAfterMs));
  }
  return Math.min(maxIdleMs, Math.max(5_000, next - now));
}
