import { BanksyncError } from '../../domain/errors.js';
import type { SessionHandle } from '../types.js';

import { REQUESTS_PER_DAY } from './meta.js';
import { plural } from '../../domain/plural.js';
const DAY_MS = 86_400_000;

/**
 * Every request to the Access URL, retries included, is logged in the connection's session (as
 * epoch milliseconds, the last 24 hours only) before it is sent, so a crash cannot lose one.
 * The window rolls, as the Bridge's quotas do: at most 24 in any 24 hours, hence in any UTC day.
 */
export class RequestBudget {
  constructor(
    private readonly h: SessionHandle,
    private readonly now: () => Date,
    private readonly limit = REQUESTS_PER_DAY,
  ) {}

  private log(): number[] {
    const since = this.now().getTime() - DAY_MS;
    const raw = this.h.data.requestLog;
    return (Array.isArray(raw) ? raw : []).filter((t): t is number => typeof t === 'number' && t > since).sort((a, b) => a - b);
  }

  remaining(): number {
    return Math.max(0, this.limit - this.log().length);
  }

  /** Defers (RATE_LIMITED with the instant enough requests have aged out) instead of spending more than allowed. */
  reserve(count: number, what: string): void {
    const log = this.log();
    const free = this.limit - log.length;
    if (count <= free) return;
    const needAged = Math.min(count - free, log.length);
    const retryAt = needAged > 0 ? new Date(log[needAged - 1]! + DAY_MS).toISOString() : new Date(this.now().getTime() + DAY_MS).toISOString();
    throw new BanksyncError(
      'RATE_LIMITED',
      `SimpleFIN: ${what} needs ${plural(count, 'request')} and this connection has ${Math.max(0, free)} of its ${this.limit} a day left; deferred to keep the Access URL from being disabled`,
      { retryAt },
    );
  }

  /** Records one request about to be sent, and saves the session at once. */
  async spend(): Promise<void> {
    this.reserve(1, 'the next request');
    this.h.data.requestLog = [...this.log(), this.now().getTime()];
    await this.h.save();
  }
}
