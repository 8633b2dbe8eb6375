import { sqlitePort } from '../../src/store/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Prompts, Services } from '../../src/core/context.js';
import { stableTransactionId } from '../../src/core/dedupe.js';
import { detectTransfers } from '../../src/core/transfers/detect.js';
import { transferLegs } from '../../src/core/transfers/index.js';
import { linkTransfer, listTransfers, unlinkTransfer } from '../../src/core/transfers/manage.js';
import { Store } from '../../src/store/index.js';

const NOW = '2026-11-22T07:00:00.000Z';

interface Line {
  ext: string;
  date: string;
  amount: number;
  payee: string;
  memo?: string;
  iban?: string;
  currency?: string;
}

/** Pairing rules on a real database: what detection pairs, what it leaves as candidates, and why. */
describe('transfer detection', () => {
  let dir: string;
  let store: Store;
  let s: Services;
  const accounts: Record<string, number> = {};
  const ids: Record<string, string> = {};

  const account = (name: string, iban: string | null, currency = 'EUR') => {
    accounts[name] = store.accounts.create({
      connectionId: null,
      providerId: 'sandbox',
      institutionId: 'bank',
      externalId: name,
      name,
      iban: iban ?? undefined,
      currency,
      kind: 'checking',
      stableIds: true,
      now: NOW,
    });
    return accounts[name]!;
  };
  const add = (name: string, lines: Line[]) =>
    store.tx(() => {
      const accountId = accounts[name]!;
      for (const l of lines) {
        const id = stableTransactionId(accountId, `ext:${l.ext}`);
        ids[l.ext] = id;
        store.transactions.write(
          {
            id,
            accountId,
            externalId: l.ext,
            fingerprint: l.ext,
            ordinal: 0,
            bookingDate: l.date,
            valueDate: null,
            amountMinor: l.amount,
            currency: l.currency ?? 'EUR',
            payee: l.payee,
            memo: l.memo ?? null,
            type: 'transfer',
            counterpartyIban: l.iban ?? null,
            source: 'provider:sandbox',
          },
          NOW,
        );
      }
    });
  /** Pairs as "ext-out>ext-in:how", sorted. */
  const pairs = () => {
    const byId = new Map(Object.entries(ids).map(([ext, id]) => [id, ext]));
    return store.transfers
      .pairs()
      .map((p) => `${byId.get(p.outId)}>${byId.get(p.inId)}:${p.how}`)
      .sort();
  };
  const candidates = () => {
    const byId = new Map(Object.entries(ids).map(([ext, id]) => [id, ext]));
    return store.transfers
      .candidates()
      .map((c) => `${byId.get(c.id)}:${c.reason}`)
      .sort();
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'banksync-transfers-'));
    store = Store.open(join(dir, 'b.db'), { keyFile: join(dir, 'key') });
    const refuse = () => Promise.reject(new Error('unexpected prompt'));
    s = {
      db: sqlitePort(store),
      clock: () => new Date(NOW),
      env: {},
      prompts: { interactive: false, confirm: refuse, select: refuse, checkbox: refuse, input: refuse } as Prompts,
      notify: { info: () => undefined, warn: () => undefined, always: () => undefined, progress: () => ({ update: () => undefined, stop: () => undefined }) },
      openBrowser: async () => false,
    };
    account('checking', 'NL66SBOX0417164300');
    account('savings', 'NL74SBOX0123456789');
    account('goals', 'NL26SBOX0987654321');
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pairs two legs whose texts both read like a transfer, and says so on both lines', async () => {
    add('checking', [{ ext: 'c1', date: '2026-02-02', amount: -20_000, payee: 'Own transfer', memo: 'to savings' }]);
    add('savings', [{ ext: 's1', date: '2026-02-02', amount: 20_000, payee: 'Overboeking', memo: 'from checking' }]);
    expect(await detectTransfers(s)).toMatchObject({ scanned: 2, paired: 1 });
    expect(pairs()).toEqual(['c1>s1:pattern']);
    const legs = await transferLegs(s, [accounts.checking!, accounts.savings!]);
    expect(legs.get(ids.c1!)).toMatchObject({ otherLineId: ids.s1, otherAccountId: accounts.savings, direction: 'out', how: 'pattern' });
    expect(legs.get(ids.s1!)?.transferId).toBe(legs.get(ids.c1!)?.transferId);
    // Only the accounts asked for: the savings leg is not listed for an export of checking alone.
    expect([...(await transferLegs(s, [accounts.checking!])).keys()]).toEqual([ids.c1]);
  });

  it('does not pair ordinary lines with opposite amounts (no IBAN named, texts not a transfer)', async () => {
    add('checking', [{ ext: 'c1', date: '2026-02-02', amount: -4_599, payee: 'Books & Co', memo: 'Card payment' }]);
    add('savings', [{ ext: 's1', date: '2026-02-02', amount: 4_599, payee: 'Refund Books & Co' }]);
    await detectTransfers(s);
    expect(pairs()).toEqual([]);
    expect(candidates()).toEqual([]);
  });

  it('three accounts, equal amounts, one day: texts alone pair nothing and leave all three as candidates', async () => {
    add('checking', [{ ext: 'c1', date: '2026-02-02', amount: -20_000, payee: 'Own transfer' }]);
    add('savings', [{ ext: 's1', date: '2026-02-02', amount: 20_000, payee: 'Own transfer' }]);
    add('goals', [{ ext: 'g1', date: '2026-02-02', amount: 20_000, payee: 'Own transfer' }]);
    await detectTransfers(s);
    expect(pairs()).toEqual([]);
    expect(candidates()).toEqual(['c1:ambiguous', 'g1:ambiguous', 's1:ambiguous']);
    const listed = (await listTransfers(s)).candidates.find((c) => c.id === ids.c1)!;
    expect(listed.partners.sort()).toEqual([ids.g1, ids.s1].sort());
  });

  it('the same three lines arriving over two syncs: the pair the first sync made is undone when an equal claim arrives', async () => {
    add('checking', [{ ext: 'c1', date: '2026-02-02', amount: -20_000, payee: 'Own transfer' }]);
    add('savings', [{ ext: 's1', date: '2026-02-02', amount: 20_000, payee: 'Own transfer' }]);
    await detectTransfers(s);
    expect(pairs()).toEqual(['c1>s1:pattern']);
    add('goals', [{ ext: 'g1', date: '2026-02-02', amount: 20_000, payee: 'Own transfer' }]);
    expect(await detectTransfers(s)).toMatchObject({ scanned: 1, dissolved: 1, paired: 0 });
    expect(pairs()).toEqual([]);
    expect(candidates()).toEqual(['c1:ambiguous', 'g1:ambiguous', 's1:ambiguous']);
  });

  it('three accounts, equal amounts, one day: the IBAN each bank names decides, whatever the order lines arrive in', async () => {
    add('checking', [
      { ext: 'c1', date: '2026-02-02', amount: -20_000, payee: 'Own transfer', iban: 'NL74SBOX0123456789' },
      { ext: 'c2', date: '2026-02-02', amount: -20_000, payee: 'Own transfer', memo: 'to NL26 SBOX 0987 6543 21' },
    ]);
    add('goals', [{ ext: 'g1', date: '2026-02-02', amount: 20_000, payee: 'Own transfer', iban: 'NL66SBOX0417164300' }]);
    await detectTransfers(s);
    // g1 names checking, c2 names goals: one pair. c1 names savings, which has no line yet.
    expect(pairs()).toEqual(['c2>g1:iban']);
    expect(candidates()).toEqual(['c1:no-partner']);
    add('savings', [{ ext: 's1', date: '2026-02-03', amount: 20_000, payee: 'Own transfer', iban: 'NL66SBOX0417164300' }]);
    await detectTransfers(s);
    expect(pairs()).toEqual(['c1>s1:iban', 'c2>g1:iban']);
    expect(candidates()).toEqual([]);
  });

  it('IBAN evidence wins over a pattern pair made earlier', async () => {
    add('checking', [{ ext: 'c1', date: '2026-02-02', amount: -20_000, payee: 'Own transfer', memo: 'NL26SBOX0987654321' }]);
    add('savings', [{ ext: 's1', date: '2026-02-02', amount: 20_000, payee: 'Own transfer' }]);
    await detectTransfers(s);
    // c1 names goals: savings is ruled out even though both texts say transfer.
    expect(pairs()).toEqual([]);
    add('goals', [{ ext: 'g1', date: '2026-02-03', amount: 20_000, payee: 'Deposit' }]);
    await detectTransfers(s);
    expect(pairs()).toEqual(['c1>g1:iban']);
    expect(candidates()).toEqual(['s1:no-partner']);
  });

  it("a line naming a stranger's IBAN is not one leg of an own transfer", async () => {
    add('checking', [{ ext: 'c1', date: '2026-02-02', amount: -20_000, payee: 'Transfer', iban: 'DE89370400440532013000' }]);
    add('savings', [{ ext: 's1', date: '2026-02-02', amount: 20_000, payee: 'Transfer' }]);
    await detectTransfers(s);
    expect(pairs()).toEqual([]);
  });

  it('partial transfers and fees are not pairs', async () => {
    add('checking', [
      { ext: 'c1', date: '2026-02-02', amount: -20_000, payee: 'Own transfer', iban: 'NL74SBOX0123456789' },
      { ext: 'fee', date: '2026-02-02', amount: -250, payee: 'Transfer fee', iban: 'NL74SBOX0123456789' },
    ]);
    add('savings', [
      { ext: 's1', date: '2026-02-02', amount: 15_000, payee: 'Own transfer', iban: 'NL66SBOX0417164300' },
      { ext: 's2', date: '2026-02-03', amount: 5_000, payee: 'Own transfer', iban: 'NL66SBOX0417164300' },
    ]);
    await detectTransfers(s);
    expect(pairs()).toEqual([]);
    expect(candidates()).toEqual(['c1:no-partner', 'fee:no-partner', 's1:no-partner', 's2:no-partner']);
  });

  it('the window: 3 days apart pairs, 4 days apart does not; transfer-days widens it', async () => {
    add('checking', [
      { ext: 'c1', date: '2026-02-02', amount: -20_000, payee: 'Own transfer' },
      { ext: 'c2', date: '2026-03-02', amount: -30_000, payee: 'Own transfer' },
    ]);
    add('savings', [
      { ext: 's1', date: '2026-02-05', amount: 20_000, payee: 'Own transfer' },
      { ext: 's2', date: '2026-03-06', amount: 30_000, payee: 'Own transfer' },
    ]);
    await detectTransfers(s);
    expect(pairs()).toEqual(['c1>s1:pattern']);
    store.settings.set('transfer-days', '4', NOW);
    await detectTransfers(s, { full: true });
    expect(pairs()).toEqual(['c1>s1:pattern', 'c2>s2:pattern']);
  });

  it('two currencies pair only with an IBAN named and within transfer-fx-tolerance', async () => {
    account('dollars', 'US00SBOX0000012345', 'USD');
    add('checking', [{ ext: 'c1', date: '2026-02-02', amount: -10_000, payee: 'Own transfer', iban: 'US00SBOX0000012345' }]);
    add('dollars', [{ ext: 'd1', date: '2026-02-03', amount: 10_850, payee: 'Own transfer', currency: 'USD' }]);
    await detectTransfers(s);
    expect(pairs()).toEqual([]);
    store.settings.set('transfer-fx-tolerance', '10', NOW);
    await detectTransfers(s, { full: true });
    expect(pairs()).toEqual(['c1>d1:iban']);
    store.settings.set('transfer-fx-tolerance', '5', NOW);
    await detectTransfers(s, { full: true });
    expect(pairs()).toEqual([]);
  });

  it('never pairs a line twice: two matching lines on one side leave the pair undecided', async () => {
    add('checking', [
      { ext: 'c1', date: '2026-02-02', amount: -20_000, payee: 'Own transfer', iban: 'NL74SBOX0123456789' },
      { ext: 'c2', date: '2026-02-02', amount: -20_000, payee: 'Own transfer', iban: 'NL74SBOX0123456789' },
    ]);
    add('savings', [{ ext: 's1', date: '2026-02-02', amount: 20_000, payee: 'Own transfer' }]);
    await detectTransfers(s);
    expect(pairs()).toEqual([]);
    expect(candidates()).toEqual(['c1:ambiguous', 'c2:ambiguous', 's1:ambiguous']);
  });

  it('the nearer date decides between two otherwise equal partners', async () => {
    add('checking', [{ ext: 'c1', date: '2026-02-02', amount: -20_000, payee: 'Own transfer' }]);
    add('savings', [
      { ext: 's1', date: '2026-02-02', amount: 20_000, payee: 'Own transfer' },
      { ext: 's2', date: '2026-02-04', amount: 20_000, payee: 'Own transfer' },
    ]);
    await detectTransfers(s);
    expect(pairs()).toEqual(['c1>s1:pattern']);
    expect(candidates()).toEqual(['s2:no-partner']);
  });

  it('is idempotent: a second run reads nothing and changes nothing; a full run gives the same pairs', async () => {
    add('checking', [{ ext: 'c1', date: '2026-02-02', amount: -20_000, payee: 'Own transfer' }]);
    add('savings', [{ ext: 's1', date: '2026-02-02', amount: 20_000, payee: 'Own transfer' }]);
    await detectTransfers(s);
    const before = store.transfers.pairs();
    expect(await detectTransfers(s)).toEqual({ scanned: 0, paired: 0, dissolved: 0 });
    await detectTransfers(s, { full: true });
    expect(store.transfers.pairs().map((p) => p.id)).toEqual(before.map((p) => p.id));
  });

  it('a leg the bank removes or corrects undoes the pair', async () => {
    add('checking', [{ ext: 'c1', date: '2026-02-02', amount: -20_000, payee: 'Own transfer' }]);
    add('savings', [{ ext: 's1', date: '2026-02-02', amount: 20_000, payee: 'Own transfer' }]);
    await detectTransfers(s);
    add('savings', [{ ext: 's1', date: '2026-02-02', amount: 19_000, payee: 'Own transfer' }]);
    expect(await detectTransfers(s)).toMatchObject({ dissolved: 1 });
    expect(pairs()).toEqual([]);
    add('savings', [{ ext: 's1', date: '2026-02-02', amount: 20_000, payee: 'Own transfer' }]);
    await detectTransfers(s);
    expect(pairs()).toEqual(['c1>s1:pattern']);
    store.transactions.markRemoved(accounts.savings!, ['s1'], NOW);
    await detectTransfers(s);
    expect(pairs()).toEqual([]);
    expect((await transferLegs(s, [accounts.checking!])).size).toBe(0);
  });

  it('link and unlink are remembered: re-detection, even from scratch, respects them', async () => {
    add('checking', [{ ext: 'c1', date: '2026-02-02', amount: -20_000, payee: 'Own transfer' }]);
    add('savings', [{ ext: 's1', date: '2026-02-02', amount: 20_000, payee: 'Own transfer' }]);
    add('goals', [{ ext: 'g1', date: '2026-02-02', amount: 20_000, payee: 'Own transfer' }]);
    await detectTransfers(s);
    expect(pairs()).toEqual([]);
    expect(await linkTransfer(s, ids.g1!, ids.c1!)).toMatchObject({ from: ids.c1, to: ids.g1, replaced: [] });
    expect(pairs()).toEqual(['c1>g1:manual']);
    expect(candidates()).toEqual(['s1:no-partner']);
    await detectTransfers(s, { full: true });
    expect(pairs()).toEqual(['c1>g1:manual']);

    // The detector's pair c2>s2 is wrong: unlinked, it stays apart even after a full re-detection.
    add('checking', [{ ext: 'c2', date: '2026-03-02', amount: -5_000, payee: 'Own transfer' }]);
    add('savings', [{ ext: 's2', date: '2026-03-02', amount: 5_000, payee: 'Own transfer' }]);
    await detectTransfers(s);
    expect(pairs()).toContain('c2>s2:pattern');
    expect((await unlinkTransfer(s, ids.c2!, ids.s2!)).transfer).not.toBeNull();
    await detectTransfers(s, { full: true });
    expect(pairs()).toEqual(['c1>g1:manual']);
    expect(candidates()).toEqual(['c2:no-partner', 's1:no-partner', 's2:no-partner']);

    // Unlinking a manual pair forgets the link too.
    await unlinkTransfer(s, ids.c1!, ids.g1!);
    await detectTransfers(s, { full: true });
    expect(pairs()).toEqual(['c1>s1:pattern']);
  });

  it('link refuses two lines of one account and lines going the same way', async () => {
    add('checking', [
      { ext: 'c1', date: '2026-02-02', amount: -20_000, payee: 'x' },
      { ext: 'c2', date: '2026-02-02', amount: 20_000, payee: 'y' },
    ]);
    add('savings', [{ ext: 's1', date: '2026-02-02', amount: -20_000, payee: 'z' }]);
    await expect(linkTransfer(s, ids.c1!, ids.c2!)).rejects.toThrow(/both lines of a1/);
    await expect(linkTransfer(s, ids.c1!, ids.s1!)).rejects.toThrow(/do not go opposite ways/);
    await expect(linkTransfer(s, ids.c1!, 'tnope')).rejects.toThrow(/no transaction tnope/);
  });

  it('link and unlink refuse one line named twice, remembering nothing', async () => {
    add('checking', [{ ext: 'c1', date: '2026-02-02', amount: -20_000, payee: 'x' }]);
    await expect(linkTransfer(s, ids.c1!, ids.c1!)).rejects.toThrow(/are the same line/);
    await expect(unlinkTransfer(s, ids.c1!, ids.c1!)).rejects.toThrow(/are the same line/);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM transfer_decisions').get()).toEqual({ n: 0 });
  });

  it('finds partners through the amount index (the query plan), not by reading every line', async () => {
    const plan = store.db
      .prepare("EXPLAIN QUERY PLAN SELECT id FROM transactions WHERE amount_minor BETWEEN 1 AND 1 AND booking_date BETWEEN '2026-01-01' AND '2026-01-07' AND removed_at IS NULL AND account_id <> 1")
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX transactions_by_amount/);
  });
});
