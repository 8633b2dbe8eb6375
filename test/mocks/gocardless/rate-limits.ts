// Company-level API limits (fixed windows) and per-account, per-scope daily
// bank limits (facts §2.8), all driven by the mock clock.
import { epochDay, secondsToUtcMidnight } from './time.js';

export interface LimitState {
  ok: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  reset: number;
}

export interface WindowRule {
  limit: number;
  periodMs: number;
  /** As written in the 429 detail: "The rate limit for this resource is <label>." */
  label: string;
}

const MINUTE = 60_000;
const perMinute = (limit: number): WindowRule => ({ limit, periodMs: MINUTE, label: `${limit}/minute` });

/** One window per resource group, as listed in the facts. */
export const RULES = {
  tokenNew: { limit: 100, periodMs: 60 * MINUTE, label: '100/hour' },
  tokenRefresh: perMinute(100),
  institutions: perMinute(300),
  agreementCreate: perMinute(100),
  agreementRead: perMinute(300),
  agreementAccept: perMinute(100),
  requisitionCreate: perMinute(100),
  requisitionRead: perMinute(300),
  delete: perMinute(100),
  accounts: perMinute(100),
} satisfies Record<string, WindowRule>;

export type RuleName = keyof typeof RULES;

export class FixedWindows {
  private windows = new Map<RuleName, { start: number; count: number }>();

  /** Counts the call if it fits; a rejected call is not counted (like DRF throttles). */
  take(name: RuleName, now: Date): LimitState {
    const rule = RULES[name];
    const t = now.getTime();
    let w = this.windows.get(name);
    if (!w || t - w.start >= rule.periodMs) {
      w = { start: t, count: 0 };
      this.windows.set(name, w);
    }
    const reset = Math.max(1, Math.ceil((w.start + rule.periodMs - t) / 1000));
    if (w.count >= rule.limit) return { ok: false, limit: rule.limit, remaining: 0, reset };
    w.count++;
    return { ok: true, limit: rule.limit, remaining: rule.limit - w.count, reset };
  }
}

/** Successful calls per account, scope and UTC day; reset at the next UTC midnight. */
export class DailyAccountLimits {
  private used = new Map<string, number>();

  constructor(private readonly limit: number) {}

  private key(accountId: string, scope: string, now: Date) {
    return `${accountId}|${scope}|${epochDay(now)}`;
  }

  peek(accountId: string, scope: string, now: Date): LimitState {
    const used = this.used.get(this.key(accountId, scope, now)) ?? 0;
    return {
      ok: used < this.limit,
      limit: this.limit,
      remaining: Math.max(0, this.limit - used),
      reset: secondsToUtcMidnight(now),
    };
  }

  recordSuccess(accountId: string, scope: string, now: Date): LimitState {
    const key = this.key(accountId, scope, now);
    this.used.set(key, (this.used.get(key) ?? 0) + 1);
    return this.peek(accountId, scope, now);
  }
}

export function generalHeaders(s: LimitState): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(s.limit),
    'X-RateLimit-Remaining': String(s.remaining),
    'X-RateLimit-Reset': String(s.reset),
  };
}

export function accountHeaders(s: LimitState): Record<string, string> {
  return {
    'X-RateLimit-Account-Success-Limit': String(s.limit),
    'X-RateLimit-Account-Success-Remaining': String(s.remaining),
    'X-RateLimit-Account-Success-Reset': String(s.reset),
  };
}
