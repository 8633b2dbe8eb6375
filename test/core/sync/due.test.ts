import { describe, expect, it } from 'vitest';
import type { Services } from '../../../src/core/context.js';
import { dueAt, stillDue } from '../../../src/core/sync/select.js';
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

describe("a worker's due time after a deferral", () => {
  it('a provider that said when to come back (a 429 with Retry-After) is asked again then, not after retryAfterMs', () => {
    const deferred = account({
      state: 'synced',
      lastSuccessAt: '2026-11-19T08:00:00.000Z',
      lastAttemptAt: '2026-11-20T10:00:00.000Z',
      nextRefreshAt: '2026-11-20T10:00:01.000Z',
      syncIntervalHours: 1,
    });
    expect(dueAt(deferred, RETRY)).toBe(at('2026-11-20T10:00:01.000Z'));
    const skipped = account({ state: 'skipped', lastAttemptAt: '2026-11-20T10:00:00.000Z' });
    expect(dueAt(skipped, RETRY)).toBe(at('2026-11-20T10:30:00.000Z'));
  });
});

describe('stillDue: the accounts of a claimed connection, read again', () => {
  const now = new Date('2026-11-20T10:00:05.000Z');
  const services = (stored: Account[]) => ({ clock: () => now, db: { accounts: { byConnection: async () => stored } } }) as unknown as Services;
  const selected = [account({ id: 1 }), account({ id: 2 })];

  it("drops one another worker synced between this round's selection and its claim", async () => {
    const stored = [account({ id: 1, enabled: true, state: 'synced', lastSuccessAt: '2026-11-20T10:00:01.000Z' }), account({ id: 2, enabled: true })];
    expect((await stillDue(services(stored), 1, selected, { kind: 'all', due: true, retryAfterMs: RETRY })).map((a) => a.id)).toEqual([2]);
  });

  it('keeps every selected one when the run is not due-only', async () => {
    const stored = [account({ id: 1, enabled: true, lastSuccessAt: '2026-11-20T10:00:01.000Z' })];
    expect(await stillDue(services(stored), 1, selected, { kind: 'connection', connectionId: 1 })).toBe(selected);
  });
});
