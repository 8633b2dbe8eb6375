import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { expect } from 'vitest';
import { parseDecimalToMinor } from '../../src/domain/money.js';
import type { Report } from '../../src/core/report/types.js';
import { CONNECT_SANDBOX, type CliSandbox } from './cli.js';

export const NOW = { BANKSYNC_NOW: '2026-11-20T09:00:00Z' };
// A payee a hostile bank could send: markup, quotes, a right-to-left override (no C0 control: CSV keeps it as it is).
export const HOSTILE_PAYEE = `<img src=http://127.0.0.1:9/x.png><script>alert(1)</script>" onmouseover="x'\u202eevil`;

/** The sandbox bank (EUR) and its US sister (USD), synced, and a file account with hostile text and no known balance. */
export async function reportSandbox(cli: CliSandbox): Promise<void> {
  for (const args of [CONNECT_SANDBOX, ['connect', '--provider', 'sandbox', '--institution', 'sandbox-beta', '--accounts', 'all', '--yes'], ['sync', '--all']]) {
    const r = await cli.runAsync(args, NOW);
    expect(r.code, r.stderr).toBe(0);
  }
  const file = join(cli.dir, 'cash.csv');
  writeFileSync(file, `Date,Amount,Payee,Memo\n2026-10-02,-12.50,"${HOSTILE_PAYEE.replace(/"/g, '""')}",x\n2026-11-03,40.00,Refund,y\n`);
  const imported = await cli.runAsync(['import', file, '--new-account', `Cash ${HOSTILE_PAYEE}`, '--currency', 'EUR', '--date-format', 'iso'], NOW);
  expect(imported.code, imported.stderr).toBe(0);
}

/** The CSV export a report is checked against: every column the report's figures come from. */
export const REPORT_CHECK_COLUMNS = ['account', 'date', 'amount', 'currency', 'clean_payee', 'category', 'transfer_id', 'balance'];

interface Row {
  account: string;
  date: string;
  amount: string;
  currency: string;
  clean_payee: string;
  category: string;
  transfer_id: string;
  balance: string;
}

/**
 * Recomputes, from an export of the same lines, every figure of `report --json` and compares:
 * income and spending per currency and month, spending and income per category and month, what
 * each payee was paid, and each account's balance at every month end. Written apart from the
 * report's code on purpose: plain loops over the CSV's rows.
 */
export function expectReportMatchesCsv(report: Report, csv: string, defaults = { spending: 'Expenses:Unknown', income: 'Income:Unknown' }): void {
  const rows = parse(csv, { columns: true }) as Row[];
  expect(rows.length, 'lines').toBe(report.lines);
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  const flows = new Map<string, number>(); // currency|month|income|spending|transfersIn|transfersOut
  const categories = new Map<string, number>(); // currency|month|category|spending/income
  const payees = new Map<string, number>(); // currency|payee
  const lastBalance = new Map<string, string>(); // account|month -> balance text after its last line
  const firstLine = new Map<string, Row>();
  for (const r of rows) {
    const v = parseDecimalToMinor(r.amount, r.currency);
    const month = r.date.slice(0, 7);
    lastBalance.set(`${r.account}|${month}`, r.balance);
    if (!firstLine.has(r.account)) firstLine.set(r.account, r);
    if (v === 0) continue;
    if (r.transfer_id) {
      add(flows, `${r.currency}|${month}|${v < 0 ? 'transfersOut' : 'transfersIn'}`, Math.abs(v));
      continue;
    }
    const kind = v < 0 ? 'spending' : 'income';
    add(flows, `${r.currency}|${month}|${kind}`, Math.abs(v));
    add(categories, `${r.currency}|${month}|${r.category || defaults[kind]}|${kind}`, Math.abs(v));
    if (v < 0) add(payees, `${r.currency}|${r.clean_payee}`, -v);
  }

  const dates = rows.map((r) => r.date).sort();
  if (dates.length) expect([report.months[0], report.months.at(-1)]).toEqual([dates[0]!.slice(0, 7), dates.at(-1)!.slice(0, 7)]);
  const currencies = [...new Set(rows.map((r) => r.currency))].sort();
  expect(report.currencies.map((c) => c.currency)).toEqual(currencies);

  for (const c of report.currencies) {
    let income = 0;
    let spending = 0;
    for (const m of c.months) {
      for (const k of ['income', 'spending', 'transfersIn', 'transfersOut'] as const) expect(m[k], `${c.currency} ${m.month} ${k}`).toBe(flows.get(`${c.currency}|${m.month}|${k}`) ?? 0);
      income += m.income;
      spending += m.spending;
      const expected = [...categories.entries()].filter(([k]) => k.startsWith(`${c.currency}|${m.month}|`));
      const shown = m.categories.flatMap((x) => [
        ...(x.spending ? [[`${c.currency}|${m.month}|${x.category}|spending`, x.spending]] : []),
        ...(x.income ? [[`${c.currency}|${m.month}|${x.category}|income`, x.income]] : []),
      ]);
      expect(new Map(shown as [string, number][]), `${c.currency} ${m.month} categories`).toEqual(new Map(expected));
    }
    expect([c.income, c.spending, c.net]).toEqual([income, spending, income - spending]);
    // Asked with a --top larger than the number of payees: every payee, each with what it was paid.
    const paid = [...payees.entries()].filter(([k]) => k.startsWith(`${c.currency}|`));
    expect(new Map(c.topPayees.map((p) => [`${c.currency}|${p.payee ?? ''}`, p.spending])), `${c.currency} payees`).toEqual(new Map(paid));
  }

  for (const a of report.accounts) {
    const first = firstLine.get(a.account);
    if (!first) continue;
    if (first.balance === '') {
      expect([a.opening, a.closing], `${a.account} unknown`).toEqual([null, null]);
      continue;
    }
    const currency = first.currency;
    expect(a.opening, `${a.account} opening`).toBe(parseDecimalToMinor(first.balance, currency) - parseDecimalToMinor(first.amount, currency));
    let balance = a.opening!;
    for (const m of a.months) {
      const text = lastBalance.get(`${a.account}|${m.month}`);
      if (text !== undefined) balance = parseDecimalToMinor(text, currency);
      expect(m.closing, `${a.account} ${m.month}`).toBe(balance);
    }
    expect(a.closing).toBe(balance);
  }
}
