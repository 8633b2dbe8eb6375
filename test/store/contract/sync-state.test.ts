import { describe, expect, it } from 'vitest';
import type { StorePort } from '../../../src/store/port.js';
import { STORE_KINDS, useStore } from '../../helpers/stores.js';

const T1 = '2026-11-20T09:00:00.000Z';

async function connectionWithAccounts(db: StorePort, n: number): Promise<{ connection: number; accounts: number[] }> {
  const connection = await db.connections.create({ providerId: 'fake', institutionId: 'BANK', institutionName: 'Bank', now: T1 });
  const accounts: number[] = [];
  for (let i = 0; i < n; i++) {
    accounts.push(
      await db.accounts.create({
        connectionId: connection,
        providerId: 'fake',
        institutionId: 'BANK',
        externalId: `e${i}`,
        name: `A${i}`,
        currency: 'EUR',
        kind: 'checking',
        stableIds: true,
        now: T1,
      }),
    );
  }
  return { connection, accounts };
}

describe.each(STORE_KINDS)('sync state on %s', (kind) => {
  const store = useStore(kind);

  it('keeps one balance a day (the last fetched), by date, and the latest of every account at once', async () => {
    const { db } = store();
    const [a, b, none] = (await connectionWithAccounts(db, 3)).accounts as [number, number, number];
    await db.syncState.recordBalance(a, '2026-11-02', 1_000, T1);
    await db.syncState.recordBalance(a, '2026-11-10', 3_000, T1);
    await db.syncState.recordBalance(a, '2026-11-05', 2_000, T1);
    await db.syncState.recordBalance(a, '2026-11-10', 3_500, '2026-11-20T10:00:00.000Z'); // refetched: replaces
    await db.syncState.recordBalance(b, '2026-10-31', -12_345_678_901, T1);
    expect(await db.syncState.balances(a)).toEqual([
      { date: '2026-11-02', amountMinor: 1_000 },
      { date: '2026-11-05', amountMinor: 2_000 },
      { date: '2026-11-10', amountMinor: 3_500 },
    ]);
    expect(await db.syncState.latestBalance(a)).toEqual({ date: '2026-11-10', amountMinor: 3_500 });
    expect(await db.syncState.latestBalance(none)).toBeUndefined();
    expect(await db.syncState.balances(none)).toEqual([]);
    expect(await db.syncState.latestBalances()).toEqual(
      new Map([
        [a, { date: '2026-11-10', amountMinor: 3_500 }],
        [b, { date: '2026-10-31', amountMinor: -12_345_678_901 }],
      ]),
    );
  });

  it('merges a fetched range with the ranges it overlaps or touches, and keeps apart the others', async () => {
    const { db } = store();
    const [a, b] = (await connectionWithAccounts(db, 2)).accounts as [number, number];
    await db.syncState.addCoverage(a, { from: '2026-03-01', to: '2026-03-10' });
    await db.syncState.addCoverage(a, { from: '2026-01-01', to: '2026-01-31' });
    await db.syncState.addCoverage(a, { from: '2026-05-01', to: '2026-05-31' });
    expect(await db.syncState.coverage(a)).toEqual([
      { from: '2026-01-01', to: '2026-01-31' },
      { from: '2026-03-01', to: '2026-03-10' },
      { from: '2026-05-01', to: '2026-05-31' },
    ]);
    await db.syncState.addCoverage(a, { from: '2026-02-01', to: '2026-02-27' }); // touches January only (Feb 28 is a gap)
    await db.syncState.addCoverage(a, { from: '2026-03-05', to: '2026-03-07' }); // inside March
    await db.syncState.addCoverage(a, { from: '2026-05-01', to: '2026-05-15' }); // same start as May
    expect(await db.syncState.coverage(a)).toEqual([
      { from: '2026-01-01', to: '2026-02-27' },
      { from: '2026-03-01', to: '2026-03-10' },
      { from: '2026-05-01', to: '2026-05-31' },
    ]);
    await db.syncState.addCoverage(a, { from: '2026-02-28', to: '2026-04-30' }); // bridges all three: adjacent both ends
    expect(await db.syncState.coverage(a)).toEqual([{ from: '2026-01-01', to: '2026-05-31' }]);
    await db.syncState.addCoverage(b, { from: '2026-06-02', to: '2026-06-02' });
    await db.syncState.addCoverage(b, { from: '2025-12-01', to: '2025-12-31' });
    expect(await db.syncState.coverage(b)).toEqual([
      { from: '2025-12-01', to: '2025-12-31' },
      { from: '2026-06-02', to: '2026-06-02' },
    ]);
    await db.syncState.addCoverage(b, { from: '2025-11-01', to: '2026-12-31' }); // swallows both
    expect(await db.syncState.coverage(b)).toEqual([{ from: '2025-11-01', to: '2026-12-31' }]);
    expect(await db.syncState.coverage(a)).toEqual([{ from: '2026-01-01', to: '2026-05-31' }]);
  });

  it('reads the coverage of every account at once, by account and start; an account with none is absent', async () => {
    const { db } = store();
    const [a, b, none] = (await connectionWithAccounts(db, 3)).accounts as [number, number, number];
    await db.syncState.addCoverage(b, { from: '2026-03-01', to: '2026-03-10' });
    await db.syncState.addCoverage(a, { from: '2026-02-01', to: '2026-02-10' });
    await db.syncState.addCoverage(b, { from: '2026-01-01', to: '2026-01-10' });
    const all = await db.syncState.coverageByAccount();
    expect([...all.keys()]).toEqual([a, b]);
    expect(all.get(b)).toEqual(await db.syncState.coverage(b));
    expect(all.get(b)?.map((r) => r.from)).toEqual(['2026-01-01', '2026-03-01']);
    expect(all.get(a)).toEqual([{ from: '2026-02-01', to: '2026-02-10' }]);
    expect(all.has(none)).toBe(false);
  });

  it('counts refreshes and connection requests since a time, the boundary included', async () => {
    const { db } = store();
    const { connection, accounts } = await connectionWithAccounts(db, 2);
    const [a, b] = accounts as [number, number];
    const quiet = await db.connections.create({ providerId: 'fake', institutionId: 'Q', institutionName: 'Quiet', now: T1 });
    for (const at of ['2026-11-20T10:00:00.000Z', '2026-11-19T23:59:59.999Z', '2026-11-20T00:00:00.000Z', '2026-11-20T10:00:00.000Z']) await db.syncState.recordRefresh(a, at);
    await db.syncState.recordRefresh(b, '2026-11-20T05:00:00.000Z');
    expect(await db.syncState.refreshesSince(a, '2026-11-20T00:00:00.000Z')).toEqual(['2026-11-20T00:00:00.000Z', '2026-11-20T10:00:00.000Z', '2026-11-20T10:00:00.000Z']);
    expect(await db.syncState.refreshesSince(b, '2026-11-21T00:00:00.000Z')).toEqual([]);
    for (const at of ['2026-11-19T23:00:00.000Z', '2026-11-20T00:00:00.000Z', '2026-11-20T01:00:00.000Z', '2026-11-20T01:00:00.000Z']) await db.syncState.recordConnectionRequest(connection, at);
    expect(await db.syncState.connectionRequestsSince(connection, '2026-11-20T00:00:00.000Z')).toBe(3);
    expect(await db.syncState.connectionRequestsSince(quiet, '2026-11-20T00:00:00.000Z')).toBe(0);
    expect(await db.syncState.connectionRequestsSinceByConnection('2026-11-20T00:00:00.000Z')).toEqual(
      new Map([
        [connection, 3],
        [quiet, 0],
      ]),
    );
  });

  it("keeps error records by ref (a ref written again is replaced) and reads the message of each account's last error", async () => {
    const { db } = store();
    const { connection, accounts } = await connectionWithAccounts(db, 3);
    const [a, b] = accounts as [number, number];
    await db.syncState.recordError({ ref: 'E-1', at: T1, connectionId: connection, accountId: a, code: 'RATE_LIMITED', message: 'first' });
    await db.syncState.recordError({ ref: 'E-1', at: T1, connectionId: connection, accountId: a, code: 'RATE_LIMITED', message: 'slow down' });
    await db.syncState.recordError({ ref: 'E-2', at: T1, connectionId: null, accountId: b, code: 'PROVIDER_DOWN', message: 'down' });
    await db.syncState.recordError({ ref: 'E-old', at: T1, connectionId: connection, accountId: null, code: 'AUTH', message: 'no longer any account’s last' });
    expect(await db.syncState.errorMessage('E-1')).toBe('slow down');
    expect(await db.syncState.errorMessage('E-none')).toBeUndefined();
    expect(await db.syncState.accountErrorMessages()).toEqual(new Map());
    await db.accounts.recordOutcome(a, { state: 'failed', detail: 'rate limited', errorCode: 'RATE_LIMITED', errorRef: 'E-1', attemptAt: T1 });
    await db.accounts.recordOutcome(b, { state: 'failed', detail: 'down', errorCode: 'PROVIDER_DOWN', errorRef: 'E-2', attemptAt: T1 });
    await db.accounts.recordOutcome(b, { state: 'failed', detail: 'down', errorCode: 'PROVIDER_DOWN', errorRef: 'E-gone', attemptAt: T1 }); // no record under that ref
    expect(await db.syncState.accountErrorMessages()).toEqual(new Map([['E-1', 'slow down']]));
  });
});
