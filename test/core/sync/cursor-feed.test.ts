import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetchAccount } from '../../../src/core/sync/account-sync.js';
import type { FetchRequest, Provider, ProviderPending, ProviderTransaction, TransactionPage } from '../../../src/providers/types.js';
import { Store, sqlitePort } from '../../../src/store/index.js';

const NOW = '2026-11-22T07:00:00.000Z';

function setup(stableIds = true) {
  const dir = mkdtempSync(join(tmpdir(), 'banksync-cursor-'));
  const path = join(dir, 'b.db');
  const store = Store.open(path, { keyFile: join(dir, 'k') });
  const c = store.connections.create({ providerId: 'fake', institutionId: 'i', institutionName: 'I', now: NOW });
  const id = store.accounts.create({ connectionId: c, providerId: 'fake', institutionId: 'i', externalId: 'acc', name: 'A', currency: 'EUR', kind: 'checking', stableIds, now: NOW });
  return { store, id, path, dir };
}
type Setup = ReturnType<typeof setup>;

const t = (externalId: string, bookingDate: string, amountMinor: number, extra: Partial<ProviderTransaction> = {}): ProviderTransaction => ({
  externalId,
  bookingDate,
  amountMinor,
  currency: 'EUR',
  payee: `Shop ${externalId}`,
  ...extra,
});
const pend = (externalId: string, amountMinor: number, payee = 'Cafe', date = '2026-11-20'): ProviderPending => ({ externalId, date, amountMinor, currency: 'EUR', payee });

/** A cursor feed: `pages` is the provider's change log; a cursor is the index of the next page. */
function changesFeed(pages: TransactionPage[], o: { failAt?: number; onPage?: (index: number) => void } = {}) {
  const asked: (string | undefined)[] = [];
  const provider = {
    id: 'fake',
    displayName: 'Fake',
    capabilities: { feed: 'cursor' },
    async *fetchTransactions(_s: unknown, req: FetchRequest) {
      asked.push(req.cursor);
      for (let i = req.cursor === undefined ? 0 : Number(req.cursor); i < pages.length; i++) {
        if (i === o.failAt) throw new Error('connection reset');
        o.onPage?.(i);
        yield { ...pages[i]!, pendingMode: 'delta' as const, nextCursor: String(i + 1) };
      }
    },
  } as unknown as Provider;
  return { provider, asked };
}

const run = (s: Setup, p: Provider, batchLines?: number) =>
  fetchAccount({
    db: sqlitePort(s.store),
    provider: p,
    session: { data: {}, save: async () => undefined },
    account: s.store.accounts.get(s.id)!,
    window: { from: '2026-11-01', to: '2026-11-22', limitedBy: null },
    now: NOW,
    batchLines,
  });
const stored = (s: Setup) => [...s.store.transactions.iterate({ accountIds: [s.id] })].map((x) => `${x.externalId}:${x.amountMinor}`).sort();
const revisions = (s: Setup) => s.store.db.prepare('SELECT external_id AS id, revision FROM transactions WHERE account_id = ? ORDER BY external_id').all(s.id);

/** Ten lines in five pages of two. */
const log = Array.from({ length: 5 }, (_, p) => ({ booked: [t(`p${2 * p}`, '2026-11-10', -(2 * p + 1)), t(`p${2 * p + 1}`, '2026-11-11', -(2 * p + 2))] }));

describe('cursor feeds: the cursor is stored with the rows of its page', () => {
  it('a fetch that fails after page 2 keeps pages 1-2 and their cursor; the re-run starts there, nothing repeated or skipped', async () => {
    const s = setup();
    const first = changesFeed(log, { failAt: 2 });
    await expect(run(s, first.provider)).rejects.toThrow(/reset/);
    expect(s.store.accounts.feedCursor(s.id)).toBe('2');
    expect(stored(s)).toEqual(['p0:-1', 'p1:-2', 'p2:-3', 'p3:-4']);

    const second = changesFeed(log);
    const r = await run(s, second.provider);
    expect(second.asked).toEqual(['2']);
    expect([r.newCount, r.updatedCount]).toEqual([6, 0]);
    expect(stored(s)).toHaveLength(10);
    expect(revisions(s).every((x) => (x as { revision: number }).revision === 0)).toBe(true); // no line written twice
    expect(s.store.accounts.feedCursor(s.id)).toBe('5');

    const third = changesFeed(log);
    expect((await run(s, third.provider)).newCount).toBe(0);
    expect(third.asked).toEqual(['5']);
  });

  it.each([1, 3, undefined])('the stored cursor is never ahead of its rows, whatever the batch (batch of %s lines)', async (batchLines) => {
    const s = setup();
    // A second connection to the file sees only what is committed: what a kill -9 would leave.
    const other = Store.open(s.path, { keyFile: join(s.dir, 'k') });
    const seen: string[] = [];
    const check = () => {
      const cursor = Number(other.accounts.feedCursor(s.id) ?? 0);
      const rows = new Set([...other.transactions.iterate({ accountIds: [s.id] })].map((x) => x.externalId));
      for (let i = 0; i < cursor; i++) for (const l of log[i]!.booked) expect(rows.has(l.externalId!)).toBe(true);
      seen.push(`${cursor}/${rows.size}`);
    };
    await run(s, changesFeed(log, { onPage: check }).provider, batchLines);
    check();
    expect(seen.at(-1)).toBe('5/10');
    // With a batch of one page's lines, every page commits before the next is asked for.
    if (batchLines === 1) expect(seen).toEqual(['0/0', '1/2', '2/4', '3/6', '4/8', '5/10']);
    if (batchLines === undefined) expect(seen.slice(0, -1).every((x) => x === '0/0')).toBe(true);
    other.close();
  });

  it('a page without a nextCursor leaves the stored cursor where it was (Plaid: the cursor moves only at the end of the loop)', async () => {
    const s = setup();
    const p = {
      id: 'fake',
      capabilities: { feed: 'cursor' },
      async *fetchTransactions() {
        yield { booked: [t('a', '2026-11-10', -1)] };
        yield { booked: [t('b', '2026-11-10', -2)], nextCursor: 'end-of-loop' };
      },
    } as unknown as Provider;
    await run(s, p, 1);
    expect(s.store.accounts.feedCursor(s.id)).toBe('end-of-loop');
  });

  it('modified lines are corrections (revision + 1, the old version kept for exports); removed lines are removed', async () => {
    const s = setup();
    await run(s, changesFeed([{ booked: [t('a', '2026-11-10', -100), t('b', '2026-11-11', -200)] }]).provider);
    const r = await run(s, changesFeed([{ booked: [] }, { booked: [], modified: [t('a', '2026-11-10', -150, { payee: 'Shop a (tip)' })], removedExternalIds: ['b'] }]).provider);
    expect([r.newCount, r.updatedCount, r.removedCount]).toEqual([0, 1, 1]);
    expect(stored(s)).toEqual(['a:-150']);
    expect(revisions(s)).toEqual([
      { id: 'a', revision: 1 },
      { id: 'b', revision: 1 },
    ]);
    const history = s.store.db.prepare('SELECT amount_minor AS amount FROM transaction_history').all();
    expect(history).toEqual(expect.arrayContaining([{ amount: -100 }, { amount: -200 }]));
  });

  it('modified lines pass the gate: a bad date is quarantined, the stored line stays as it was', async () => {
    const s = setup();
    await run(s, changesFeed([{ booked: [t('a', '2026-11-10', -100)] }]).provider);
    const r = await run(s, changesFeed([{ booked: [] }, { booked: [], modified: [t('a', '2026-02-30', -150)] }]).provider);
    expect(stored(s)).toEqual(['a:-100']);
    expect(r.warnings).toEqual([expect.stringMatching(/line a not imported: its date "2026-02-30" is not a calendar date/)]);
    expect(s.store.inputIssues.list({ accountId: s.id })[0]).toMatchObject({ kind: 'quarantined', detail: { modified: { externalId: 'a' } } });
  });

  it('without stable ids a modified line cannot find its line: quarantined, never added as a new line', async () => {
    const s = setup(false);
    const r = await run(s, changesFeed([{ booked: [t('a', '2026-11-10', -100)], modified: [t('a', '2026-11-10', -150)] }]).provider);
    expect(stored(s)).toEqual(['null:-100']);
    expect(r.warnings[0]).toMatch(/line a not imported: the provider sent it as a change to a line, but this account's provider ids are not stable/);
  });

  it('the same id twice in one changes fetch is the newer version (a restarted pagination), not a second line', async () => {
    const s = setup();
    const r = await run(s, changesFeed([{ booked: [t('a', '2026-11-10', -100)] }, { booked: [t('a', '2026-11-10', -120)] }]).provider);
    expect(stored(s)).toEqual(['a:-120']);
    expect(r.warnings).toEqual([]);
    expect(s.store.inputIssues.list({ accountId: s.id, kind: 'id-conflict' })).toEqual([]);
  });
});

describe('pending lines of a changes feed (pendingMode delta)', () => {
  const pendingStatus = (s: Setup) => Object.fromEntries(s.store.pending.list({ accountIds: [s.id] }).map((p) => [p.externalId, p.status]));

  it('a delta never marks unseen pending lines as vanished; a snapshot does', async () => {
    const s = setup();
    await run(s, changesFeed([{ booked: [], pending: [pend('q1', -500), pend('q2', -700)] }]).provider);
    const r = await run(s, changesFeed([{ booked: [] }, { booked: [t('x', '2026-11-21', -1)] }]).provider);
    expect(r.pendingCount).toBe(2);
    expect(pendingStatus(s)).toEqual({ q1: 'pending', q2: 'pending' });
    // The same answer as a snapshot (a window feed) would have given both up.
    const snapshot = {
      id: 'fake',
      async *fetchTransactions() {
        yield { booked: [] };
      },
    } as unknown as Provider;
    await run(s, snapshot);
    expect(pendingStatus(s)).toEqual({ q1: 'vanished', q2: 'vanished' });
  });

  it('a changes fetch that yields no page at all leaves pending lines open', async () => {
    const s = setup();
    await run(s, changesFeed([{ booked: [], pending: [pend('q1', -500)] }]).provider);
    await run(s, changesFeed([{ booked: [] }]).provider); // cursor '1': nothing new, no page
    expect(pendingStatus(s)).toEqual({ q1: 'pending' });
  });

  it('removed pending ids: booked when a booked line names them (or matches them), vanished otherwise', async () => {
    const s = setup();
    await run(s, changesFeed([{ booked: [], pending: [pend('q1', -500, 'Sushi'), pend('q2', -700, 'Trattoria'), pend('q3', -900, 'Gone'), pend('q4', -50, 'Still')] }]).provider);
    const r = await run(
      s,
      changesFeed([
        { booked: [] },
        {
          booked: [t('b1', '2026-11-21', -550, { pendingRef: 'q1', payee: 'Sushi' }), t('b2', '2026-11-21', -700, { payee: 'Trattoria' })],
          removedPendingIds: ['q1', 'q2', 'q3'],
        },
      ]).provider,
    );
    expect(pendingStatus(s)).toEqual({ q1: 'booked', q2: 'booked', q3: 'vanished', q4: 'pending' });
    expect(r.pendingCount).toBe(1);
    const links = Object.fromEntries(s.store.pending.list({ accountIds: [s.id] }).map((p) => [p.externalId, p.transactionId]));
    const ids = Object.fromEntries([...s.store.transactions.iterate({ accountIds: [s.id] })].map((x) => [x.externalId, x.id]));
    expect([links.q1, links.q2]).toEqual([ids.b1, ids.b2]);
  });

  it("an id the adapter cannot place (Plaid's removed[] mixes pending and booked ids) may go in both lists: each acts where the id is known", async () => {
    const s = setup();
    await run(s, changesFeed([{ booked: [t('b9', '2026-11-10', -10)], pending: [pend('q1', -500, 'Gone')] }]).provider);
    const r = await run(s, changesFeed([{ booked: [] }, { booked: [], removedExternalIds: ['q1', 'b9'], removedPendingIds: ['q1', 'b9'] }]).provider);
    expect(r.removedCount).toBe(1);
    expect(stored(s)).toEqual([]);
    expect(pendingStatus(s)).toEqual({ q1: 'vanished' });
  });

  it('a pending line removed in one batch is linked when its booked line names it in a later one', async () => {
    const s = setup();
    await run(s, changesFeed([{ booked: [], pending: [pend('q1', -500, 'Sushi')] }]).provider);
    await run(s, changesFeed([{ booked: [] }, { booked: [], removedPendingIds: ['q1'] }, { booked: [t('b1', '2026-11-22', -9999, { pendingRef: 'q1', payee: 'Other' })] }]).provider, 1);
    expect(pendingStatus(s)).toEqual({ q1: 'booked' });
  });

  it('delta pending lines commit with their page: a crash after it keeps them with the cursor', async () => {
    const s = setup();
    const pages = [{ booked: [], pending: [pend('q1', -500)] }, { booked: [t('a', '2026-11-10', -1)] }, { booked: [t('b', '2026-11-10', -2)] }];
    await expect(run(s, changesFeed(pages, { failAt: 2 }).provider, 1)).rejects.toThrow(/reset/);
    expect(s.store.accounts.feedCursor(s.id)).toBe('2');
    expect(pendingStatus(s)).toEqual({ q1: 'pending' });
  });
});

describe('warnings inside a successful answer', () => {
  it('are stored per account as provider warnings, said once, counted in status', async () => {
    const s = setup();
    const p = (warnings: string[]) =>
      ({
        id: 'fake',
        displayName: 'Fake Bridge',
        async *fetchTransactions() {
          yield { booked: [t('a', '2026-11-10', -1)], warnings };
        },
      }) as unknown as Provider;
    const r1 = await run(s, p(['Connection to My Bank may need attention', 'Connection to My Bank may need attention']));
    expect(r1.warnings).toEqual(['a1 A: Fake Bridge reported: Connection to My Bank may need attention']);
    const r2 = await run(s, p(['Connection to My Bank may need attention', 'a new one\u001b[31m']));
    expect(r2.warnings).toEqual(['a1 A: Fake Bridge reported: a new one [31m']);
    const issues = s.store.inputIssues.list({ accountId: s.id, kind: 'provider-warning' });
    expect(issues.map((i) => [i.key, i.times])).toEqual([
      ['a new one [31m', 1],
      ['Connection to My Bank may need attention', 3],
    ]);
    expect(s.store.inputIssues.counts(s.id).warnings).toBe(2);
  });
});
