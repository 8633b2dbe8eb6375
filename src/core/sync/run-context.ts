import { setTimeout as sleep } from 'node:timers/promises';
import type { LimitFunction } from 'p-limit';
import type { Provider } from '../../providers/types.js';
import { isoDate } from '../../domain/clock.js';
import type { Services } from '../context.js';
import type { BanksyncError } from '../../domain/errors.js';
import type { Account, Connection } from '../../domain/model.js';
import type { effectiveLimits } from '../providers.js';
import type { ConnectionBudget } from './budget.js';
import { deferAccount, type AccountResult } from './outcomes.js';
import { checkRefreshBudget, type SyncTarget } from './select.js';
import { DEFAULT_OVERLAP_DAYS, planWindow, type FetchWindow } from './window.js';

export interface SyncOptions {
  target: SyncTarget;
  /** cron/systemd: never prompt, skip what needs a person. */
  unattended: boolean;
  scaCode?: string;
  overlapDays?: number;
  /** Global lock date (config lock-date): nothing before it is fetched, whatever the account says. */
  globalLockDate?: string;
  /** How long to wait for an account another process is syncing. */
  lockWaitMs?: number;
  /** Requests in flight per provider (config `concurrency`); default: each provider's own limit. */
  concurrency?: number;
  /**
   * How long a connection refresh that stays 'pending' is waited for (real time) before what the
   * provider already holds is fetched; default REFRESH_WAIT_MS.
   */
  refreshWaitMs?: number;
  /** Consents ending within this many days are reported (config consent-warn-days; 0: never). */
  consentWarnDays?: number;
  /** Days the raw archive keeps provider answers (config archive-days; 0: off); default DEFAULT_ARCHIVE_DAYS. */
  archiveDays?: number;
  /** At most this many connections are claimed and synced by this run (a worker's round); default all. */
  claimLimit?: number;
  /**
   * Providers kept from one run to the next (a worker's rounds): one app access token per worker,
   * not one per round (GoCardless allows 100 token requests an hour to all of a user's processes).
   */
  providerCache?: ProviderCache;
}

export interface ProviderCache {
  get(id: string): Provider | undefined;
  set(id: string, provider: Provider): void;
}

export /** What the connections of one run share. */
interface RunState {
  /** One instance per provider: one app token, one limit on requests in flight. */
  providers: Map<string, Promise<{ provider?: Provider; error?: BanksyncError }>>;
  /** How many connections of a provider sync at once. */
  pools: Map<string, LimitFunction>;
  /** Prompts (SCA codes) are asked one at a time, with the spinner stopped. */
  askOneAtATime: LimitFunction;
  progress: ReturnType<Services['notify']['progress']>;
  done: number;
  total: number;
}

/**
 * Asks a person something during a run: one question at a time across connections, with the
 * spinner stopped while they answer (it would draw over the question).
 */
export async function askPerson(s: Services, run: RunState, ask: () => Promise<string>): Promise<string> {
  return run.askOneAtATime(async () => {
    run.progress.stop();
    try {
      return await ask();
    } finally {
      run.progress = s.notify.progress(`synced ${run.done}/${run.total} account(s)`);
    }
  });
}

/** Counts one provider call (and its retries) against the connection's daily budget, if it has one. */
export async function withBudget<T>(budget: ConnectionBudget | undefined, call: () => Promise<T>): Promise<T> {
  budget?.begin();
  try {
    return await call();
  } finally {
    await budget?.end();
  }
}

/** `items.map(fn)` for an asynchronous fn, one after the other: the outcomes are written in the accounts' order. */
export async function eachOf<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await fn(item));
  return out;
}

export function planAccountWindow(a: Account, now: Date, limits: ReturnType<typeof effectiveLimits>, opts: SyncOptions): FetchWindow {
  return planWindow({
    today: isoDate(now),
    watermark: a.watermarkDate,
    lockDate: effectiveLockDate(a, opts),
    historyDays: limits.historyDays,
    overlapDays: opts.overlapDays ?? DEFAULT_OVERLAP_DAYS,
  });
}

/** The later of the account's and the global lock date: nothing before it is fetched. */
export const effectiveLockDate = (a: Account, opts: SyncOptions): string | null =>
  [a.lockDate, opts.globalLockDate]
    .filter((d): d is string => !!d)
    .sort()
    .pop() ?? null;

export async function acquireLock(s: Services, accountId: number, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if ((await s.db.locks.acquire(accountId, s.clock())) === null) return true;
    if (Date.now() >= deadline) return false;
    await sleep(200);
  }
}

/** Deferred, not failed, when the account's bank allows a few refreshes a day and today's are spent. */
export async function dailyLimitDeferral(s: Services, a: Account, c: Connection, limits: ReturnType<typeof effectiveLimits>, now: Date): Promise<AccountResult | undefined> {
  const next = await checkRefreshBudget(s, a, limits.refreshesPerDay, now);
  return next ? deferAccount(s, a, c, next, `${c.institutionName} allows ${limits.refreshesPerDay} refresh(es) a day; next refresh possible at ${next}`) : undefined;
}
