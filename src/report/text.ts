import { formatMinor } from '../domain/money.js';
import type { AccountBalances, CurrencyFlows, Report } from '../core/report/types.js';
import { bar, grid, sparkline, type Align } from './text-chart.js';

export interface TextStyle {
  /** Unicode bars and sparklines (a terminal); false: numbers alone, nothing but text. */
  charts: boolean;
  /** Columns the text may use; the category table drops its earliest months to fit. Infinity: no limit. */
  width: number;
  /** Section titles (bold on a colour terminal); the identity otherwise. */
  heading: (s: string) => string;
}

const BAR_WIDTH = 24;
/** On a terminal a long payee or name is cut so the figures stay on screen; --json and --html keep it whole. */
const NAME_WIDTH = 36;

/**
 * The report as a person reads it in a terminal. Every text from a bank (payees, account names)
 * arrives already neutralised by the CLI's output (safeView); this only lays it out.
 */
export function renderReportText(r: Report, style: TextStyle): string {
  if (r.lines === 0 && r.accounts.length === 0) return 'no accounts yet: connect one (banksync connect) or import a file (banksync import)';
  const out: string[] = [];
  const range = r.from && r.to ? `${r.from} to ${r.to}` : 'no booked lines';
  out.push(`${style.heading('Report')} ${range}: ${r.lines} ${r.lines === 1 ? 'line' : 'lines'} in ${r.accounts.length} ${r.accounts.length === 1 ? 'account' : 'accounts'}`);
  for (const c of r.currencies) out.push('', ...currencySections(c, r, style));
  out.push('', ...balanceSection(r, style));
  return out.join('\n');
}

function currencySections(c: CurrencyFlows, r: Report, style: TextStyle): string[] {
  const m = (v: number) => formatMinor(v, c.currency);
  const out: string[] = [];
  const transfers = c.transfersIn || c.transfersOut ? `; transfers between own accounts, left out: in ${m(c.transfersIn)}, out ${m(c.transfersOut)}` : '';
  out.push(style.heading(`${c.currency}: income ${m(c.income)}, spending ${m(c.spending)}, net ${signed(c.net, m)}`) + transfers);

  const maxSpent = Math.max(0, ...c.months.map((x) => x.spending));
  const monthRows = c.months.map((x) => [x.month, m(x.income), m(x.spending), signed(x.net, m), ...(style.charts ? [bar(x.spending, maxSpent, BAR_WIDTH)] : [])]);
  out.push('', grid([['MONTH', 'INCOME', 'SPENDING', 'NET'], ...monthRows], ['left', 'right', 'right', 'right', 'left']));

  const spentIn = c.categories.filter((x) => x.spending > 0);
  if (spentIn.length > 0) {
    out.push(
      '',
      style.heading(`Spending by category (${c.currency})`),
      categoryGrid(
        c,
        spentIn.map((x) => x.category),
        r,
        style,
      ),
    );
  }
  if (c.topPayees.length > 0) {
    const maxPayee = c.topPayees[0]!.spending;
    const rows = c.topPayees.map((p) => [clip(p.payee ?? '(no payee)', style), m(p.spending), String(p.lines), ...(style.charts ? [bar(p.spending, maxPayee, BAR_WIDTH)] : [])]);
    out.push('', style.heading(`Top payees by spending (${c.currency})`), grid([['PAYEE', 'SPENT', 'LINES'], ...rows], ['left', 'right', 'right', 'left']));
  }
  return out;
}

/** Categories down, months across, total last: the earliest months give way when the width is short. */
function categoryGrid(c: CurrencyFlows, categories: string[], r: Report, style: TextStyle): string {
  const m = (v: number) => formatMinor(v, c.currency);
  const total = new Map(c.categories.map((x) => [x.category, x.spending]));
  const perMonth = c.months.map((x) => new Map(x.categories.map((y) => [y.category, y.spending])));
  const cell = (v: number | undefined) => (v ? m(v) : '-');
  const nameWidth = Math.max(8, ...categories.map((x) => [...clip(x, style)].length));
  const amountWidth = Math.max(8, m(c.spending).length) + 2;
  const fit = Number.isFinite(style.width) ? Math.max(1, Math.floor((style.width - nameWidth - amountWidth) / amountWidth)) : c.months.length;
  const shown = c.months.length - Math.min(c.months.length, fit);
  const months = c.months.slice(shown);
  const rows = categories.map((cat) => [clip(cat, style), ...months.map((_, i) => cell(perMonth[shown + i]!.get(cat))), m(total.get(cat) ?? 0)]);
  const align: Align[] = ['left', ...months.map((): Align => 'right'), 'right'];
  const table = grid([['CATEGORY', ...months.map((x) => x.month), 'TOTAL'], ...rows], align);
  return shown > 0 ? `${table}\n(${r.months[0]} to ${r.months[shown - 1]} do not fit this width: see --json or --html)` : table;
}

function balanceSection(r: Report, style: TextStyle): string[] {
  if (r.accounts.length === 0) return [];
  const out = [style.heading('Balances at month end')];
  if (style.charts) {
    const rows = r.accounts.map((a) => {
      const m = (v: number) => formatMinor(v, a.currency);
      if (a.opening === null)
        return [
          a.account,
          clip(a.name, style),
          a.currency,
          'unknown',
          '',
          `no opening balance; moved ${signed(
            a.months.reduce((n, x) => n + x.change, 0),
            m,
          )}`,
        ];
      const points = [a.opening, ...a.months.map((x) => x.closing!)];
      return [a.account, clip(a.name, style), a.currency, m(a.opening), `→ ${m(a.closing!)}`, sparkline(points)];
    });
    out.push(grid(rows, ['left', 'left', 'left', 'right', 'left', 'left']));
  } else {
    // Months down, accounts across: the same figures a chart would draw.
    out.push(r.accounts.map((a) => `${a.account}: ${a.name} (${a.currency})`).join('\n'), '');
    const rows = [
      ['MONTH', ...r.accounts.map((a) => a.account)],
      ['start', ...r.accounts.map((a) => amount(a, a.opening))],
    ];
    r.months.forEach((month, i) => rows.push([month, ...r.accounts.map((a) => amount(a, a.months[i]!.closing))]));
    out.push(grid(rows, ['left', ...r.accounts.map((): Align => 'right')]));
  }
  const unknown = r.accounts.filter((a) => a.opening === null);
  if (unknown.length)
    out.push(`(unknown: no opening balance is known for ${unknown.map((a) => a.account).join(', ')}; a sync from a provider that reports balances, or a statement file with one, sets it)`);
  const odd = r.accounts.filter((a) => a.otherCurrencyLines > 0);
  for (const a of odd) out.push(`(${a.account}: ${a.otherCurrencyLines} ${a.otherCurrencyLines === 1 ? 'line' : 'lines'} in another currency than ${a.currency} left out of its balance)`);
  return out;
}

function clip(text: string, style: TextStyle): string {
  if (!Number.isFinite(style.width)) return text;
  const chars = [...text];
  return chars.length <= NAME_WIDTH ? text : `${chars.slice(0, NAME_WIDTH - 1).join('')}…`;
}

const amount = (a: AccountBalances, v: number | null) => (v === null ? 'unknown' : formatMinor(v, a.currency));
const signed = (v: number, m: (v: number) => string) => (v > 0 ? `+${m(v)}` : m(v));
