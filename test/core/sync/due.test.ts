import { describe, expect, it } from 'vitest';
import { dueAt } from '../../../src/core/sync/select.js';
import type { Account } from '../../../src/domain/model.js';

const RETRY = 30 * 60_000;
/** The fields dueAt reads; the rest do not matter here. */
const account = (o: Partial<Account>): Account => ({ syncIntervalHours: 12, lastAttemptAt: null, lastSuccessAt: null, nextRefreshAt: null, state: 'not_synced', ...o }) as Account;
const at = (iso: string) => Date.parse(iso);

describe("a worker's due time", () => {
  it('an attempt that failed waits retryAfterMs', () => {
    const a = account({ state: 'failed', lastAttemptAt: '2026-11-20T10:00:00.000Z' });
    expect(dueAt(a, RETRY)).toBe(at('2026-11-20T10:30:00.000Z'));
    expect(dueAt(a)).toBe(0);
  });

  it("an attempt cut short (a worker killed mid-sync left it 'syncing') does not wait: another worker finishes it", () => {
    const never = account({ state: 'syncing', lastAttemptAt: '2026-11-20T10:00:00.000Z' });
    expect(dueAt(never, RETRY)).toBe(0);
    const before = account({ state: 'syncing', lastSuccessAt: '2026-11-19T08:00:00.000Z', lastAttemptAt: '2026-11-20T10:00:00.000Z' });
    expect(dueAt(before, RETRY)).toBe(at('2026-11-19T20:00:00.000Z')); // its interval since the last success
  });
});
