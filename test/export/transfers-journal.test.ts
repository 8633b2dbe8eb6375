import { sqlitePort } from '../../src/store/index.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/core/context.js';
import type { ExportOptions } from '../../src/core/export.js';
import { stableTransactionId } from '../../src/core/dedupe.js';
import { detectTransfers } from '../../src/core/transfers/detect.js';
import { Store } from '../../src/store/index.js';
import { exportToString } from '../helpers/export-fixture.js';
import { requireTools, toolAsync as tool } from '../helpers/tools.js';

const NOW = '2026-03-10T08:00:00.000Z';
const CHECKING_IBAN = 'NL66SBOX0417164300';
const SAVINGS_IBAN = 'NL74SBOX0123456789';
const CARD_IBAN = 'NL08SBOX0000000451';

/**
 * Journals of transfers between own accounts, read by hledger, ledger and bean-check with every
 * balance assertion: a pair on one day, a pair a few days apart in one month (one transaction),
 * a pair across a month end (statement boundary: both legs through the in-transit account), and
 * exports that hold only one of the two accounts or one of the two dates.
 */
describe('journal exports of transfers between own accounts', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'banksync-transfer-journal-'));
  const store = Store.open(join(dir, 'b.db'), { keyFile: join(dir, 'key') });
  const s = { db: sqlitePort(store), store, clock: () => new Date(NOW), env: {}, prompts: {}, notify: { warn: () => undefined } } as unknown as Services;
  const ids: Record<string, string> = {};
  const acc: Record<string, number> = {};

  beforeAll(async () => {
    requireTools('hledger', 'ledger', 'bean-check');
    const conn = store.connections.create({ providerId: 'sandbox', institutionId: 'sandbox-bank', institutionName: 'Sandbox Bank', now: NOW });
    const account = (name: string, kind: 'checking' | 'savings' | 'credit_card', iban: string, opening: number, lines: [string, string, number, string, string | null][]) => {
      const id = store.accounts.create({ connectionId: conn, providerId: 'sandbox', institutionId: 'sandbox-bank', externalId: name, name, iban, currency: 'EUR', kind, stableIds: true, now: NOW });
      store.accounts.setBalanceCheck(id, opening, 0);
      acc[name] = id;
      store.tx(() => {
        for (const [ext, date, amount, payee, cp] of lines) {
          ids[ext] = stableTransactionId(id, `ext:${ext}`);
          store.transactions.write(
            {
              id: ids[ext]!,
              accountId: id,
              externalId: ext,
              fingerprint: ext,
              ordinal: 0,
              bookingDate: date,
              valueDate: null,
              amountMinor: amount,
              currency: 'EUR',
              payee,
              memo: null,
              type: 'transfer',
              counterpartyIban: cp,
              source: 'provider:sandbox',
            },
            NOW,
          );
        }
      });
    };
    account('Checking', 'checking', CHECKING_IBAN, 100_000, [
      ['c0', '2026-01-10', 300_000, 'ACME Payroll', null],
      ['c1', '2026-01-31', -10_000, 'Own transfer', SAVINGS_IBAN],
      ['c2', '2026-02-10', -25_000, 'Own transfer', SAVINGS_IBAN],
      ['c3', '2026-02-15', -4_000, 'Albert Heijn', null],
      ['c4', '2026-02-20', -50_000, 'Credit card repayment', CARD_IBAN],
      ['c5', '2026-03-01', -6_000, 'Albert Heijn', null],
    ]);
    account('Savings', 'savings', SAVINGS_IBAN, 500_000, [
      ['s0', '2026-01-15', 1_000, 'Interest', null],
      ['s0b', '2026-01-31', 200, 'Interest', null],
      ['s1', '2026-02-02', 10_000, 'Own transfer', CHECKING_IBAN],
      ['s2', '2026-02-12', 25_000, 'Own transfer', CHECKING_IBAN],
      ['s3', '2026-03-05', 500, 'Interest', null],
    ]);
    account('Card', 'credit_card', CARD_IBAN, -80_000, [
      ['v1', '2026-02-05', -3_000, 'Books & Co', null],
      ['v2', '2026-02-20', 50_000, 'Payment received', CHECKING_IBAN],
      ['v3', '2026-02-25', -2_000, 'Annual fee', null],
    ]);
    expect(await detectTransfers(s)).toMatchObject({ paired: 3 });
  });
  afterAll(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const exportAs = async (name: string, o: ExportOptions) => {
    const { text, result } = await exportToString(s, o);
    const path = join(dir, name);
    writeFileSync(path, text);
    return { text, path, count: result.count };
  };
  const readersAccept = async (base: string, o: Omit<ExportOptions, 'format'>) => {
    const h = await exportAs(`${base}.hledger`, { ...o, format: 'hledger' });
    const l = await exportAs(`${base}.ledger`, { ...o, format: 'ledger' });
    const b = await exportAs(`${base}.beancount`, { ...o, format: 'beancount' });
    const [hc, lc, bc] = await Promise.all([tool('hledger', ['-f', h.path, 'check']), tool('ledger', ['-f', l.path, 'bal']), tool('bean-check', [b.path])]);
    expect(hc.code, hc.out).toBe(0);
    expect(lc.code, lc.out).toBe(0);
    expect(bc.code, bc.out).toBe(0);
    return { hledger: h, ledger: l, beancount: b };
  };
  /** The hledger transaction (blank-line separated) holding a line id. */
  const txnOf = (text: string, ext: string) => text.split('\n\n').filter((t) => t.includes(`; id: ${ids[ext]}`));

  it('every account: one transaction per pair that can be one, in-transit legs across a statement end, every assertion passing', async () => {
    const { hledger, ledger, beancount } = await readersAccept('all', {});
    const t = hledger.text;
    // Each line once (both legs of a pair carry their ids on their postings), counted as exported.
    expect(t.match(/; id: t[0-9a-f]{24}/g)).toHaveLength(hledger.count);
    expect(hledger.count).toBe(14);

    // Same day: checking → card in one transaction, tagged with the pair id.
    const [card] = txnOf(t, 'c4');
    expect(txnOf(t, 'v2')).toEqual([card]);
    expect(card).toMatch(/; transfer: x[0-9a-f]{15}\n/);
    expect(card).toMatch(/Assets:SandboxBank:Checking {2}-500\.00 EUR = 3110\.00 EUR\n {8}; id: t\w+\n {4}Liabilities:SandboxBank:Card {2}500\.00 EUR\n/);
    expect(card).not.toMatch(/Unknown/);

    // Two days apart in February: one transaction; hledger gets the savings leg's own date.
    const [feb] = txnOf(t, 'c2');
    expect(txnOf(t, 's2')).toEqual([feb]);
    expect(feb).toMatch(/^2026-02-10 \* Own transfer/);
    expect(feb).toContain('        ; date: 2026-02-12');
    expect(txnOf(ledger.text, 's2')[0]).not.toContain('date: 2026-02-12');
    // s2 closed savings' February: its assertion stands where s2 was.
    expect(t).toMatch(/2026-02-12 \* Balance after the transfer\n {4}; transfer: x[0-9a-f]{15}\n {4}Assets:SandboxBank:Savings {2}0\.00 EUR = 5362\.00 EUR/);

    // 31 January → 2 February: savings asserts 5012.00 on 31 January, before the money arrives,
    // so each leg posts on its own date through the in-transit account.
    const [out] = txnOf(t, 'c1');
    const [into] = txnOf(t, 's1');
    expect(out).not.toBe(into);
    expect(out).toMatch(/Assets:SandboxBank:Checking {2}-100\.00 EUR.*\n {4}Assets:Transfers$/);
    expect(into).toMatch(/Assets:SandboxBank:Savings {2}100\.00 EUR\n {4}Assets:Transfers$/);
    expect(out!.match(/; transfer: (x\w+)/)![1]).toBe(into!.match(/; transfer: (x\w+)/)![1]);
    expect(t).toContain('Assets:SandboxBank:Savings  2.00 EUR = 5012.00 EUR');
    // The in-transit account holds the 100.00 for two days, then nothing.
    const transit = await tool('hledger', ['-f', hledger.path, 'reg', 'Assets:Transfers', '-O', 'csv']);
    expect(
      transit.out
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',').slice(1, 2).concat(l.split(',').slice(-2)).join(' ')),
    ).toEqual(['"2026-01-31" "100.00 EUR" "100.00 EUR"', '"2026-02-02" "-100.00 EUR" "0"']);

    // beancount: metadata on the transaction and on each posting; the in-transit account opened.
    expect(beancount.text).toMatch(/2026-02-20 \* "Credit card repayment" ""\n {2}transfer: "x[0-9a-f]{15}"\n {2}Assets:SandboxBank:Checking {2}-500\.00 EUR\n {4}id: "t/);
    expect(beancount.text).toMatch(/^2026-01-10 open Assets:Transfers$/m);
  });

  it("one account alone: its legs post to the other accounts' ledger names", async () => {
    const { hledger, beancount } = await readersAccept('checking', { accountIds: [acc.Checking!] });
    const t = hledger.text;
    expect(txnOf(t, 'c1')[0]).toMatch(/; transfer: x\w+\n {4}Assets:SandboxBank:Checking {2}-100\.00 EUR = 3900\.00 EUR\n {4}Assets:SandboxBank:Savings$/);
    expect(txnOf(t, 'c4')[0]).toMatch(/Assets:SandboxBank:Checking {2}-500\.00 EUR( = [\d.]+ EUR)?\n {4}Liabilities:SandboxBank:Card$/);
    expect(t).not.toContain('Assets:Transfers');
    expect(beancount.text).toMatch(/^\d{4}-\d\d-\d\d open Liabilities:SandboxBank:Card$/m);
  });

  it('a date range that holds one leg only: that leg goes through the in-transit account, assertions intact', async () => {
    const { hledger } = await readersAccept('february', { from: '2026-02-01', to: '2026-02-28' });
    const t = hledger.text;
    expect(txnOf(t, 'c1')).toEqual([]);
    expect(txnOf(t, 's1')[0]).toMatch(/Assets:SandboxBank:Savings {2}100\.00 EUR\n {4}Assets:Transfers$/);
    expect(txnOf(t, 's2')).toEqual(txnOf(t, 'c2'));
  });

  it('CSV marks both rows of a pair with the same transfer_id (a column chosen with --columns)', async () => {
    const { text } = await exportAs('all.csv', { format: 'csv', columns: ['id', 'amount', 'transfer_id'] });
    const byId = new Map(
      text
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(','))
        .map(([id, , transfer]) => [id!, transfer!]),
    );
    expect(byId.get(ids.c4!)).toMatch(/^x[0-9a-f]{15}$/);
    expect(byId.get(ids.v2!)).toBe(byId.get(ids.c4!));
    expect(byId.get(ids.c1!)).toBe(byId.get(ids.s1!));
    expect(byId.get(ids.c3!)).toBe('');
  });
});
