import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { recordingConnection } from '../../../src/core/archive/retention.js';
import { fetchAccount } from '../../../src/core/sync/account-sync.js';
import type { Provider, TransactionPage } from '../../../src/providers/types.js';
import { Store, sqlitePort } from '../../../src/store/index.js';

function setup(stableIds = true) {
  const dir = mkdtempSync(join(tmpdir(), 'banksync-as-'));
  const store = Store.open(join(dir, 'b.db'), { keyFile: join(dir, 'k') });
  const now = '2026-11-22T07:00:00.000Z';
  const c = store.connections.create({ providerId: 'fake', institutionId: 'i', institutionName: 'I', now });
  const id = store.accounts.create({ connectionId: c, providerId: 'fake', institutionId: 'i', externalId: 'acc', name: 'A', currency: 'EUR', kind: 'checking', stableIds, now });
  return { store, account: store.accounts.get(id)!, now };
}

function provider(pages: TransactionPage[], failAfter?: number): Provider {
  return {
    id: 'fake',
    displayName: 'Fake',
    capabilities: {
      regions: [],
      remote: false,
      consent: 'confirm',
      institutionChoice: 'app',
      feed: 'window',
      betaInstitutions: false,
      credentialFields: [],
      pending: true,
      scaEveryFetch: false,
      stableTransactionIds: true,
      maxConcurrentRequests: 4,
    },
    listInstitutions: async () => [],
    searchInstitutions: async () => [],
    getInstitution: async () => undefined,
    beginConsent: async () => ({ state: {} }),
    completeConsent: async () => ({ session: {} }),
    listAccounts: async () => [],
    async *fetchTransactions() {
      for (let i = 0; i < pages.length; i++) {
        if (failAfter !== undefined && i === failAfter) throw new Error('connection reset');
        yield pages[i]!;
      }
    },
  };
}

const window = { from: '2026-11-01', to: '2026-11-22', limitedBy: null };
const t = (externalId: string | undefined, bookingDate: string, amountMinor: number, payee = 'Shop') => ({ externalId, bookingDate, amountMinor, currency: 'EUR', payee });
const run = (s: ReturnType<typeof setup>, p: Provider) =>
  fetchAccount({ db: sqlitePort(s.store), provider: p, session: { data: {}, save: async () => undefined }, account: s.store.accounts.get(s.account.id)!, window, now: s.now });

describe('fetchAccount', () => {
  it('re-fetching adds nothing; identical id-less lines both stay, across pages', async () => {
    const s = setup(false);
    const pages = [{ booked: [t(undefined, '2026-11-02', -380, 'Coffee')] }, { booked: [t(undefined, '2026-11-02', -380, 'Coffee'), t(undefined, '2026-11-03', -100)] }];
    expect((await run(s, provider(pages))).newCount).toBe(3);
    expect((await run(s, provider(pages))).newCount).toBe(0);
    expect(s.store.transactions.count(s.account.id)).toBe(3);
  });

  it('the same account reached through another aggregator: its lines are taken as those already stored, each once', async () => {
    const s = setup();
    const other = { ...provider([{ booked: [t('o1', '2026-11-02', -380, 'Coffee'), t('o2', '2026-11-03', -1000, 'Garage Muller')] }]), id: 'other' };
    expect((await run(s, other)).newCount).toBe(2);
    // Two coffees at the bank, one seen before; the garage's text worded another way (2 of 2 words shared).
    const pages = [{ booked: [t('p1', '2026-11-02', -380, 'Coffee'), t('p2', '2026-11-02', -380, 'Coffee'), t('p3', '2026-11-03', -1000, 'GARAGE MULLER card 77')] }];
    expect(await run(s, provider(pages))).toMatchObject({ newCount: 1, matchedCount: 2 });
    expect(await run(s, provider(pages))).toMatchObject({ newCount: 0, matchedCount: 0 });
    expect(s.store.transactions.count(s.account.id)).toBe(3);
    expect(s.store.inputIssues.list({ kind: 'fuzzy-merge' }).map((i) => i.message)).toEqual([expect.stringMatching(/taken as t[0-9a-f]{24} from provider:other \("Garage Muller"\)/)]);
  });

  it('a correction under the same provider id updates the line instead of adding one', async () => {
    const s = setup();
    await run(s, provider([{ booked: [t('p1', '2026-11-02', -1000)] }]));
    const r = await run(s, provider([{ booked: [t('p1', '2026-11-02', -1050)] }]));
    expect([r.newCount, r.updatedCount]).toEqual([0, 1]);
    expect([...s.store.transactions.iterate({ accountIds: [s.account.id] })].map((x) => x.amountMinor)).toEqual([-1050]);
  });

  it('commits the archive entry with the last lines: one written means both are, one refused means neither', async () => {
    const s = setup();
    const recorded = (p: Provider) => recordingConnection(s.account.connectionId!, 400, () => run(s, p));
    await recorded(provider([{ booked: [t('p1', '2026-11-02', -1000)] }]));
    expect(s.store.archive.list({ accountIds: [s.account.id] })).toHaveLength(1);
    expect(s.store.transactions.count(s.account.id)).toBe(1);
    // The entry cannot be stored (a full disk, say): the fetch's last lines and watermark are not either.
    const insert = vi.spyOn(s.store.archive, 'insert').mockImplementation(() => {
      throw new Error('disk full');
    });
    try {
      await expect(recorded(provider([{ booked: [t('p2', '2026-11-03', -5)] }]))).rejects.toThrow(/disk full/);
    } finally {
      insert.mockRestore();
    }
    expect(s.store.transactions.count(s.account.id)).toBe(1);
    expect(s.store.accounts.get(s.account.id)!.watermarkDate).toBe('2026-11-02');
    expect(s.store.archive.list({ accountIds: [s.account.id] })).toHaveLength(1);
  });

  it('keeps committed pages after a failure but advances neither watermark nor coverage', async () => {
    const s = setup();
    await expect(run(s, provider([{ booked: [t('p1', '2026-11-02', -1000)] }, { booked: [t('p2', '2026-11-03', -5)] }], 1))).rejects.toThrow(/reset/);
    expect(s.store.transactions.count(s.account.id)).toBe(1);
    expect(s.store.accounts.get(s.account.id)!.watermarkDate).toBeNull();
    expect(s.store.syncState.coverage(s.account.id)).toEqual([]);
  });

  it('links pending lines by reference or by payee and amount, and marks the rest vanished', async () => {
    const s = setup();
    const pend = (externalId: string, amountMinor: number, payee: string) => ({ externalId, date: '2026-11-10', amountMinor, currency: 'EUR', payee });
    await run(s, provider([{ booked: [], pending: [pend('q1', -2000, 'Sushi'), pend('q2', -4000, 'Trattoria'), pend('q3', -999, 'Gone'), pend('q4', -50, 'Still')] }]));
    const r = await run(s, provider([{ booked: [{ ...t('b1', '2026-11-12', -2300, 'Sushi'), pendingRef: 'q1' }, t('b2', '2026-11-12', -4600, 'Trattoria')], pending: [pend('q4', -50, 'Still')] }]));
    expect(r.pendingCount).toBe(1);
    const byId = Object.fromEntries(s.store.pending.list({}).map((p) => [p.externalId, p.status]));
    expect(byId).toEqual({ q1: 'booked', q2: 'booked', q3: 'vanished', q4: 'pending' });
  });

  it('anchors the opening balance and reports drift when a line is missing', async () => {
    const s = setup();
    const r1 = await run(s, provider([{ booked: [t('p1', '2026-11-02', -1000)], balance: { amountMinor: 9000, date: '2026-11-22' } }]));
    expect(r1.driftMinor).toBe(0);
    const r2 = await run(s, provider([{ booked: [t('p1', '2026-11-02', -1000)], balance: { amountMinor: 8500, date: '2026-11-22' } }]));
    expect(r2.driftMinor).toBe(-500);
  });
});
