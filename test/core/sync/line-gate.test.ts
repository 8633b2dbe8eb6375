import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetchAccount } from '../../../src/core/sync/account-sync.js';
import { planWindow } from '../../../src/core/sync/window.js';
import type { Provider, ProviderTransaction, TransactionPage } from '../../../src/providers/types.js';
import { Store, sqlitePort } from '../../../src/store/index.js';
import { rng } from '../../helpers/rng.js';

const NOW = '2026-11-22T07:00:00.000Z';
const TODAY = '2026-11-22';

function setup(stableIds = true) {
  const dir = mkdtempSync(join(tmpdir(), 'banksync-gate-'));
  const store = Store.open(join(dir, 'b.db'), { keyFile: join(dir, 'k') });
  const c = store.connections.create({ providerId: 'fake', institutionId: 'i', institutionName: 'I', now: NOW });
  const id = store.accounts.create({ connectionId: c, providerId: 'fake', institutionId: 'i', externalId: 'acc', name: 'A', currency: 'EUR', kind: 'checking', stableIds, now: NOW });
  return { store, id };
}

function provider(pages: TransactionPage[]): Provider {
  return {
    id: 'fake',
    displayName: 'Fake',
    capabilities: { regions: [], credentialFields: [], pending: true, scaEveryFetch: false, stableTransactionIds: true },
    getInstitution: async () => undefined,
    beginConsent: async () => ({ state: {} }),
    completeConsent: async () => ({ session: {} }),
    listAccounts: async () => [],
    async *fetchTransactions() {
      yield* pages;
    },
  } as unknown as Provider;
}

const t = (externalId: string | undefined, bookingDate: string, amountMinor: number, extra: Partial<ProviderTransaction> = {}): ProviderTransaction => ({
  externalId,
  bookingDate,
  amountMinor,
  currency: 'EUR',
  payee: 'Shop',
  ...extra,
});
const run = (s: ReturnType<typeof setup>, pages: TransactionPage[], now = NOW) =>
  fetchAccount({
    db: sqlitePort(s.store),
    provider: provider(pages),
    session: { data: {}, save: async () => undefined },
    account: s.store.accounts.get(s.id)!,
    window: { from: '2026-11-01', to: now.slice(0, 10), limitedBy: null },
    now,
  });
const amounts = (s: ReturnType<typeof setup>) => [...s.store.transactions.iterate({ accountIds: [s.id] })].map((x) => x.amountMinor).sort((a, b) => a - b);

describe('the boundary between a provider answer and the books', () => {
  it('quarantines a far-future line (the watermark stays at the real lines) and says so once', async () => {
    const s = setup();
    const r = await run(s, [{ booked: [t('p1', '2026-11-20', -100), t('p2', '9999-12-31', -200)] }]);
    expect(amounts(s)).toEqual([-100]);
    expect(s.store.accounts.get(s.id)!.watermarkDate).toBe('2026-11-20');
    expect(r.warnings).toEqual([expect.stringMatching(/a1 A: line p2 not imported: its date 9999-12-31 is more than 5 days after today/)]);
    const again = await run(s, [{ booked: [t('p1', '2026-11-20', -100), t('p2', '9999-12-31', -200)] }]);
    expect(again.warnings).toEqual([]); // stored, counted, not repeated in every cron run
    const [issue] = s.store.inputIssues.list({ accountId: s.id });
    expect(issue).toMatchObject({ kind: 'quarantined', times: 2, detail: { booked: { externalId: 'p2', bookingDate: '9999-12-31' } } });
  });

  it('takes a line booked a few days ahead but never moves the watermark past today', async () => {
    const s = setup();
    await run(s, [{ booked: [t('p1', '2026-11-24', -100)] }]);
    expect(amounts(s)).toEqual([-100]);
    expect(s.store.accounts.get(s.id)!.watermarkDate).toBe(TODAY);
  });

  it('quarantines impossible and missing dates, dates before 1970, and another currency', async () => {
    const s = setup();
    const r = await run(s, [
      {
        booked: [t('a', '2026-02-30', -1), t('b', '', -2), t('c', '1900-01-01', -3), t('d', '2026-11-10', -4, { currency: 'USD' }), t('e', '2026-11-10', -5)],
        rejected: [{ externalId: 'f', reason: 'the provider sent a booked line without a date', amount: '-0.06', currency: 'EUR' }],
      },
    ]);
    expect(amounts(s)).toEqual([-5]);
    expect(r.warnings.map((w) => w.replace(/^a1 A: /, ''))).toEqual([
      'line f not imported: the provider sent a booked line without a date',
      'line a not imported: its date "2026-02-30" is not a calendar date',
      'line b not imported: it has no booking date',
      'line c not imported: its date 1900-01-01 is before 1970-01-01',
      'line d not imported: it is in USD, but the account is in EUR',
    ]);
  });

  it('drops an impossible value date with a warning and keeps the line', async () => {
    const s = setup();
    const r = await run(s, [{ booked: [t('p1', '2026-11-10', -100, { valueDate: '2026-13-01' })] }]);
    expect([...s.store.transactions.iterate({ accountIds: [s.id] })][0]).toMatchObject({ amountMinor: -100, valueDate: null });
    expect(r.warnings[0]).toMatch(/value date "2026-13-01" is not a calendar date; stored without a value date/);
  });

  it('keeps both lines when one provider id carries two different lines, whatever order they come in later', async () => {
    const s = setup();
    const one = t('dup', '2026-11-10', -4000, { payee: 'Twin One' });
    const two = t('dup', '2026-11-10', -4500, { payee: 'Twin Two' });
    const r = await run(s, [{ booked: [one] }, { booked: [two] }]);
    expect(amounts(s)).toEqual([-4500, -4000]);
    expect(r.warnings[0]).toMatch(/provider id dup came with two different lines.*both are kept/);
    expect((await run(s, [{ booked: [one, two] }])).newCount).toBe(0);
    expect((await run(s, [{ booked: [two, one] }])).newCount).toBe(0);
    expect(amounts(s)).toEqual([-4500, -4000]);
    // The same line twice in one answer (overlapping pages) is one line, without a warning.
    const again = await run(s, [{ booked: [one] }, { booked: [one] }]);
    expect([again.newCount, again.warnings]).toEqual([0, []]);
    expect(amounts(s)).toEqual([-4500, -4000]);
  });

  it('a second line under a reused id that later changes is said again, never added silently', async () => {
    const s = setup();
    const one = t('dup', '2026-11-10', -4000, { payee: 'Twin One' });
    await run(s, [{ booked: [one, t('dup', '2026-11-10', -4500, { payee: 'Twin Two' })] }]);
    const r = await run(s, [{ booked: [one, t('dup', '2026-11-10', -4600, { payee: 'Twin Two' })] }]);
    expect(r.warnings).toEqual([expect.stringMatching(/provider id dup came with two different lines/)]);
  });

  it('a correction in a later answer (one line under the id) still updates the line', async () => {
    const s = setup();
    await run(s, [{ booked: [t('p1', '2026-11-10', -1000)] }]);
    const r = await run(s, [{ booked: [t('p1', '2026-11-10', -1050)] }]);
    expect([r.updatedCount, r.warnings]).toEqual([1, []]);
    expect(amounts(s)).toEqual([-1050]);
  });

  it('quarantines pending lines with impossible dates or another currency', async () => {
    const s = setup();
    const r = await run(s, [
      {
        booked: [],
        pending: [
          { externalId: 'q1', date: '2026-11-31', amountMinor: -5, currency: 'EUR' },
          { externalId: 'q2', date: '2026-11-21', amountMinor: -6, currency: 'GBP' },
          { externalId: 'q3', date: '2026-11-21', amountMinor: -7, currency: 'EUR' },
        ],
      },
    ]);
    expect(r.pendingCount).toBe(1);
    expect(r.warnings).toHaveLength(2);
  });
});

describe('property: no accepted provider answer moves a watermark past now', () => {
  const DATES = [
    '9999-12-31',
    '2026-11-22',
    '2026-11-23',
    '2026-11-27',
    '2026-11-28',
    '2027-01-01',
    '2026-02-29',
    '2026-02-30',
    '1969-12-31',
    '0001-01-01',
    '20261122',
    '2026-11-22T23:59:59Z',
    '',
    '2026-1-2',
    '2100-06-15',
  ];
  it.each(Array.from({ length: 25 }, (_, i) => i))('seed %i', async (seed) => {
    const r = rng(`watermark-${seed}`);
    const s = setup(r() < 0.5);
    for (let day = 0; day < 3; day++) {
      const now = new Date(Date.parse(NOW) + day * 86_400_000).toISOString();
      const today = now.slice(0, 10);
      const lines = Array.from({ length: 1 + Math.floor(r() * 8) }, (_, k) => {
        const date = r() < 0.5 ? DATES[Math.floor(r() * DATES.length)]! : `2026-11-${String(1 + Math.floor(r() * 30)).padStart(2, '0')}`;
        return t(r() < 0.7 ? `id${Math.floor(r() * 6)}` : undefined, date, -1 - Math.floor(r() * 900), { payee: `P${k % 3}` });
      });
      await run(s, [{ booked: lines }], now);
      const wm = s.store.accounts.get(s.id)!.watermarkDate;
      if (wm !== null) expect(wm <= today).toBe(true);
      expect(planWindow({ today, watermark: wm, lockDate: null, historyDays: 90, overlapDays: 7 }).from <= today).toBe(true);
      for (const x of s.store.transactions.iterate({ accountIds: [s.id] })) expect(x.bookingDate <= '2026-11-29').toBe(true);
    }
  });

  it('a watermark stored past today (before dates were checked) does not hide the days before it', () => {
    expect(planWindow({ today: TODAY, watermark: '9999-12-31', lockDate: null, historyDays: 90, overlapDays: 7 })).toMatchObject({ from: '2026-11-16', to: TODAY });
  });
});
