import { addDays, daysBetween } from '../domain/clock.js';
import type { Statement, StatementPeriod, Transaction } from '../domain/model.js';

/** Fortnights are counted from this Monday so every account splits them the same way. */
const FORTNIGHT_ANCHOR = '2024-01-01';

/** First and last day of the period that holds `date`. */
export function periodOf(date: string, period: StatementPeriod): { start: string; end: string } {
  switch (period) {
    case 'day':
      return { start: date, end: date };
    case 'week': {
      const dow = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday = 0
      const start = addDays(date, -dow);
      return { start, end: addDays(start, 6) };
    }
    case 'fortnight': {
      const offset = ((daysBetween(FORTNIGHT_ANCHOR, date) % 14) + 14) % 14;
      const start = addDays(date, -offset);
      return { start, end: addDays(start, 13) };
    }
    case 'month': {
      const start = `${date.slice(0, 7)}-01`;
      const next = new Date(`${start}T00:00:00Z`);
      next.setUTCMonth(next.getUTCMonth() + 1);
      return { start, end: addDays(next.toISOString().slice(0, 10), -1) };
    }
    case 'none':
      return { start: '0000-01-01', end: '9999-12-31' };
  }
}

/**
 * Groups an account's booked lines (in date order) into statements with opening and closing
 * balances (M11). `openingMinor` is the balance before the first line; null when unknown.
 */
export function buildStatements(
  accountId: number,
  currency: string,
  period: StatementPeriod,
  lines: Iterable<Pick<Transaction, 'bookingDate' | 'amountMinor'>>,
  openingMinor: number | null,
): Statement[] {
  const builder = new StatementBuilder(accountId, currency, period, openingMinor);
  for (const t of lines) builder.add(t);
  return builder.finish();
}

/** Statements built line by line in statement order, so a stream of pages is never held whole. */
export class StatementBuilder {
  private readonly out: Statement[] = [];
  private current: Statement | undefined;
  private running: number | null;
  private last = '';

  constructor(
    private readonly accountId: number,
    private readonly currency: string,
    private readonly period: StatementPeriod,
    openingMinor: number | null,
  ) {
    this.running = openingMinor;
  }

  add(t: Pick<Transaction, 'bookingDate' | 'amountMinor'>): void {
    const { period } = this;
    this.last = t.bookingDate;
    if (!this.current || t.bookingDate > this.current.end) {
      const { start, end } = period === 'none' ? { start: t.bookingDate, end: '9999-12-31' } : periodOf(t.bookingDate, period);
      this.current = { accountId: this.accountId, period, start, end, openingMinor: this.running, closingMinor: this.running, count: 0, currency: this.currency };
      this.out.push(this.current);
    }
    this.running = this.running === null ? null : this.running + t.amountMinor;
    this.current.closingMinor = this.running;
    this.current.count++;
  }

  finish(): Statement[] {
    // One statement for all history spans exactly the lines it holds.
    if (this.period === 'none' && this.current) this.current.end = this.last;
    return this.out;
  }
}
