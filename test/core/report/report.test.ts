import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TransferLeg } from '../../../src/core/annotate.js';
import type { Services } from '../../../src/core/context.js';
import { buildReport } from '../../../src/core/report/index.js';
import { monthsBetween } from '../../../src/core/report/months.js';
import type { RuleHit } from '../../../src/core/rules/index.js';
import { fingerprint, lineId } from '../../../src/core/dedupe.js';
import { Store } from '../../../src/store/index.js';
import { testServices } from '../../helpers/services.js';

// What the rules and the transfer detector say about lines (the real ones arrive with their helpers'
// branches): set per test, read through the same createAnnotator the export uses.
const stubs = vi.hoisted(() => ({ rules: new Map<string, RuleHit>(), legs: new Map<string, TransferLeg>() }));
vi.mock('../../../src/core/rules/index.js', () => ({
  loadRuleSet: () => ({ size: stubs.rules.size, match: (line: { payee: string | null }) => stubs.rules.get(line.payee ?? '') ?? null }),
}));
vi.mock('../../../src/core/transfers/index.js', () => ({ transferLegs: () => stubs.legs }));

const NOW = '2026-11-30T09:00:00.000Z';

const services = (store: Store): Services => testServices(store, { now: NOW });

let dir: string;
let store: Store;
let s: Services;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'banksync-report-'));
  store = Store.open(join(dir, 'b.db'), { keyFile: join(dir, 'secret.key') });
  s = services(store);
  stubs.rules.clear();
  stubs.legs.clear();
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function account(name: string, currency: string, opening: number | null): number {
  const id = store.accounts.create({ connectionId: null, providerId: 'file', institutionId: 'bank', externalId: name, name, currency, kind: 'checking', stableIds: true, now: NOW });
  store.accounts.setBalanceCheck(id, opening, 0);
  return id;
}

/** Adds lines; returns their ids in order. */
function lines(accountId: number, rows: [date: string, amount: number, payee: string, currency?: string][]): string[] {
  return store.tx(() =>
    rows.map(([date, amount, payee, currency = store.accounts.get(accountId)!.currency]) => {
      const fp = fingerprint({ date, amountMinor: amount, currency, payee });
      const ordinal = store.transactions.fingerprintCount(accountId, fp);
      const id = lineId(accountId, null, fp, ordinal);
      store.transactions.write(
        {
          id,
          accountId,
          externalId: null,
          fingerprint: fp,
          ordinal,
          bookingDate: date,
          valueDate: null,
          amountMinor: amount,
          currency,
          payee,
          memo: null,
          type: amount < 0 ? 'debit' : 'credit',
          counterpartyIban: null,
          source: 'file:test',
        },
        NOW,
      );
      return id;
    }),
  );
}

describe('months', () => {
  it('counts across a year end and gives nothing for an empty range', () => {
    expect(monthsBetween('2025-11', '2026-02')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
    expect(monthsBetween('2026-03', '2026-03')).toEqual(['2026-03']);
    expect(monthsBetween('2026-03', '2026-02')).toEqual([]);
  });
});

describe('buildReport', () => {
  it('sums income and spending per month and currency, never across currencies, filling empty months', async () => {
    const eur = account('Checking', 'EUR', 100_00);
    const usd = account('Dollars', 'USD', 50_00);
    lines(eur, [
      ['2026-01-01', 3000_00, 'ACME Payroll'],
      ['2026-01-05', -120_50, 'Grocer'],
      ['2026-01-20', -30_00, 'Grocer'],
      ['2026-03-02', -10_00, 'Cafe'],
      ['2026-03-03', 0, 'Zero line'],
    ]);
    lines(usd, [['2026-01-10', -7_25, 'Diner']]);
    const r = await buildReport(s, {});
    expect(r).toMatchObject({ from: '2026-01-01', to: '2026-03-03', months: ['2026-01', '2026-02', '2026-03'], lines: 6 });
    expect(r.currencies.map((c) => c.currency)).toEqual(['EUR', 'USD']);
    const [e, u] = r.currencies;
    expect(e).toMatchObject({ income: 3000_00, spending: 160_50, net: 3000_00 - 160_50, transfersIn: 0, transfersOut: 0 });
    expect(e!.months.map((m) => [m.month, m.income, m.spending, m.net])).toEqual([
      ['2026-01', 3000_00, 150_50, 3000_00 - 150_50],
      ['2026-02', 0, 0, 0],
      ['2026-03', 0, 10_00, -10_00],
    ]);
    expect(u).toMatchObject({ income: 0, spending: 7_25 });
    expect(u!.months.map((m) => m.spending)).toEqual([7_25, 0, 0]);
    // Lines without a rule fall under the default categories (the journal's expense/income accounts).
    expect(e!.categories).toEqual([
      { category: 'Expenses:Unknown', spending: 160_50, income: 0 },
      { category: 'Income:Unknown', spending: 0, income: 3000_00 },
    ]);
    expect(e!.topPayees).toEqual([
      { payee: 'Grocer', spending: 150_50, lines: 2 },
      { payee: 'Cafe', spending: 10_00, lines: 1 },
    ]);
  });

  it('balances month by month from the opening balance; unknown without one, what moved still known', async () => {
    const known = account('Known', 'EUR', 1000_00);
    const unknown = account('Unknown', 'EUR', null);
    lines(known, [
      ['2026-01-15', -100_00, 'A'],
      ['2026-02-15', 50_00, 'B'],
      ['2026-02-16', -5_00, 'Foreign', 'USD'],
    ]);
    lines(unknown, [['2026-01-10', -20_00, 'C']]);
    const r = await buildReport(s, {});
    const [k, u] = r.accounts;
    expect(k).toEqual({
      account: `a${known}`,
      name: 'Known',
      currency: 'EUR',
      opening: 1000_00,
      closing: 950_00,
      months: [
        { month: '2026-01', closing: 900_00, change: -100_00 },
        { month: '2026-02', closing: 950_00, change: 50_00 },
      ],
      // The USD line is spending in USD, not a change of this EUR balance.
      otherCurrencyLines: 1,
    });
    expect(u).toMatchObject({
      opening: null,
      closing: null,
      months: [
        { closing: null, change: -20_00 },
        { closing: null, change: 0 },
      ],
    });
    expect(r.currencies.find((c) => c.currency === 'USD')!.spending).toBe(5_00);
  });

  it('--from/--to/--account: the range bounds the months, the opening carries the lines before it', async () => {
    const a = account('A', 'EUR', 1000_00);
    const b = account('B', 'EUR', 0);
    lines(a, [
      ['2025-12-31', -100_00, 'Before'],
      ['2026-01-31', -10_00, 'In'],
      ['2026-02-01', -1_00, 'After'],
    ]);
    lines(b, [['2026-01-15', -99_00, 'Other account']]);
    const r = await buildReport(s, { from: '2026-01-01', to: '2026-01-31', accountIds: [a] });
    expect(r).toMatchObject({ from: '2026-01-01', to: '2026-01-31', months: ['2026-01'], lines: 1 });
    expect(r.accounts).toHaveLength(1);
    expect(r.accounts[0]).toMatchObject({ opening: 900_00, closing: 890_00 });
    expect(r.currencies[0]!.spending).toBe(10_00);
    await expect(buildReport(s, { from: '2026-02-01', to: '2026-01-01' })).rejects.toThrow(/after/);
  });

  it('leaves transfers between own accounts out of income and spending, and in the balances', async () => {
    const checking = account('Checking', 'EUR', 0);
    const savings = account('Savings', 'EUR', 0);
    const [, out] = lines(checking, [
      ['2026-01-01', 3000_00, 'Payroll'],
      ['2026-01-02', -200_00, 'To savings'],
      ['2026-01-03', -50_00, 'Shop'],
    ]) as [string, string, string];
    const [into] = lines(savings, [['2026-01-02', 200_00, 'From checking']]) as [string];
    stubs.legs.set(out, { transferId: 't1', otherLineId: into, otherAccountId: savings, direction: 'out', how: 'iban' });
    stubs.legs.set(into, { transferId: 't1', otherLineId: out, otherAccountId: checking, direction: 'in', how: 'iban' });
    const r = await buildReport(s, {});
    const eur = r.currencies[0]!;
    expect(eur).toMatchObject({ income: 3000_00, spending: 50_00, transfersIn: 200_00, transfersOut: 200_00 });
    expect(eur.months[0]).toMatchObject({ income: 3000_00, spending: 50_00, transfersIn: 200_00, transfersOut: 200_00 });
    expect(eur.topPayees.map((p) => p.payee)).toEqual(['Shop']);
    expect(eur.categories.map((c) => c.category)).toEqual(['Expenses:Unknown', 'Income:Unknown']);
    expect(r.accounts.map((a) => a.closing)).toEqual([2750_00, 200_00]);
  });

  it('categories and payees come from the rules; the defaults are the configured journal accounts', async () => {
    const a = account('A', 'EUR', 0);
    lines(a, [
      ['2026-01-03', -40_00, 'ALBERT HEIJN 1234'],
      ['2026-01-09', -60_00, 'ALBERT HEIJN 5678'],
      ['2026-02-01', -5_00, 'Kiosk'],
      ['2026-02-01', 10_00, 'Refund'],
    ]);
    const hit = { index: 1, category: 'Expenses:Groceries', payee: 'Albert Heijn', tags: [] };
    stubs.rules.set('ALBERT HEIJN 1234', hit).set('ALBERT HEIJN 5678', hit);
    const r = await buildReport(s, { expenseAccount: 'Expenses:Misc', incomeAccount: 'Income:Misc', topPayees: 1 });
    const eur = r.currencies[0]!;
    expect(r.defaultCategories).toEqual({ spending: 'Expenses:Misc', income: 'Income:Misc' });
    expect(eur.months.map((m) => m.categories)).toEqual([
      [{ category: 'Expenses:Groceries', spending: 100_00, income: 0 }],
      [
        { category: 'Expenses:Misc', spending: 5_00, income: 0 },
        { category: 'Income:Misc', spending: 0, income: 10_00 },
      ],
    ]);
    expect(eur.topPayees).toEqual([{ payee: 'Albert Heijn', spending: 100_00, lines: 2 }]);
  });

  it('an empty database gives an empty report', async () => {
    expect(await buildReport(s, {})).toEqual({
      from: null,
      to: null,
      months: [],
      lines: 0,
      defaultCategories: { spending: 'Expenses:Unknown', income: 'Income:Unknown' },
      currencies: [],
      accounts: [],
    });
  });
});
