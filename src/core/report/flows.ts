import type { LineAnnotation } from '../annotate.js';
import type { CategoryTotal, CurrencyFlows, MonthFlows, PayeeTotal } from './types.js';

/** What the tally needs of a line: its money, its month and what rules and transfers say of it. */
export interface FlowLine {
  month: string;
  amountMinor: number;
  currency: string;
  payee: string | null;
}

export interface DefaultCategories {
  spending: string;
  income: string;
}

interface Sums {
  income: number;
  spending: number;
  transfersIn: number;
  transfersOut: number;
}

class MonthTally implements Sums {
  income = 0;
  spending = 0;
  transfersIn = 0;
  transfersOut = 0;
  readonly categories = new Map<string, { spending: number; income: number }>();
}

class CurrencyTally {
  readonly months = new Map<string, MonthTally>();
  readonly payees = new Map<string | null, { spending: number; lines: number }>();
}

/**
 * Income, spending by category and top payees per currency and month, one line at a time (a
 * million lines cost a million map updates, no query). Money out is spending, money in is income;
 * a line that is one leg of a transfer between the user's own accounts is neither: it is counted
 * apart, so a transfer from checking to savings is not spent in one and earned in the other.
 */
export class FlowTally {
  private readonly currencies = new Map<string, CurrencyTally>();
  // The lines of an account come in date order: most lines reuse the last currency and month.
  private lastCurrency = '';
  private lastTally: CurrencyTally | undefined;

  constructor(private readonly defaults: DefaultCategories) {}

  add(line: FlowLine, a: LineAnnotation): void {
    const amount = line.amountMinor;
    const month = this.month(line.currency, line.month);
    if (amount === 0) return;
    if (a.transfer) {
      if (amount < 0) month.transfersOut -= amount;
      else month.transfersIn += amount;
      return;
    }
    const spent = amount < 0;
    const category = a.category ?? (spent ? this.defaults.spending : this.defaults.income);
    let c = month.categories.get(category);
    if (!c) month.categories.set(category, (c = { spending: 0, income: 0 }));
    if (spent) {
      month.spending -= amount;
      c.spending -= amount;
      const payee = a.cleanPayee ?? (line.payee?.trim() || null);
      const payees = this.lastTally!.payees;
      const p = payees.get(payee);
      if (p) (p.spending -= amount), p.lines++;
      else payees.set(payee, { spending: -amount, lines: 1 });
    } else {
      month.income += amount;
      c.income += amount;
    }
  }

  /** Per currency (alphabetical), with every month of `months` present (zeros where nothing happened). */
  result(months: readonly string[], topPayees: number): CurrencyFlows[] {
    return [...this.currencies.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([currency, t]) => {
        const perMonth = months.map((m) => monthFlows(m, t.months.get(m)));
        const totals = new Map<string, CategoryTotal>();
        for (const m of perMonth) {
          for (const c of m.categories) {
            const total = totals.get(c.category);
            if (total) (total.spending += c.spending), (total.income += c.income);
            else totals.set(c.category, { ...c });
          }
        }
        const sum = (k: keyof Sums) => perMonth.reduce((n, m) => n + m[k], 0);
        const income = sum('income');
        const spending = sum('spending');
        return {
          currency,
          income,
          spending,
          net: income - spending,
          transfersIn: sum('transfersIn'),
          transfersOut: sum('transfersOut'),
          months: perMonth,
          categories: sortCategories([...totals.values()]),
          topPayees: topOf(t.payees, topPayees),
        };
      });
  }

  private month(currency: string, month: string): MonthTally {
    if (currency !== this.lastCurrency || !this.lastTally) {
      let t = this.currencies.get(currency);
      if (!t) this.currencies.set(currency, (t = new CurrencyTally()));
      this.lastCurrency = currency;
      this.lastTally = t;
    }
    let m = this.lastTally.months.get(month);
    if (!m) this.lastTally.months.set(month, (m = new MonthTally()));
    return m;
  }
}

function monthFlows(month: string, t: MonthTally | undefined): MonthFlows {
  if (!t) return { month, income: 0, spending: 0, net: 0, transfersIn: 0, transfersOut: 0, categories: [] };
  const categories = sortCategories([...t.categories.entries()].map(([category, c]) => ({ category, spending: c.spending, income: c.income })));
  return { month, income: t.income, spending: t.spending, net: t.income - t.spending, transfersIn: t.transfersIn, transfersOut: t.transfersOut, categories };
}

/** Largest spending first, then largest income, then by name: the same order on every run. */
const sortCategories = (list: CategoryTotal[]) => list.sort((a, b) => b.spending - a.spending || b.income - a.income || (a.category < b.category ? -1 : a.category > b.category ? 1 : 0));

function topOf(payees: Map<string | null, { spending: number; lines: number }>, n: number): PayeeTotal[] {
  return [...payees.entries()]
    .map(([payee, p]) => ({ payee, spending: p.spending, lines: p.lines }))
    .sort((a, b) => b.spending - a.spending || b.lines - a.lines || ((a.payee ?? '') < (b.payee ?? '') ? -1 : (a.payee ?? '') > (b.payee ?? '') ? 1 : 0))
    .slice(0, n);
}
