import type { AccountBalances } from './types.js';

/**
 * The balance of one account month by month: its balance before the range plus what each month
 * moved. Only lines in the account's own currency move it (an odd line in another currency is
 * counted, never added). With no known opening balance every balance is unknown, never a guess
 * that starts from zero; what each month moved is known all the same.
 */
export class BalanceTally {
  private readonly changes = new Map<string, number>();
  private otherCurrencyLines = 0;

  constructor(
    private readonly account: { ref: string; name: string; currency: string },
    private readonly opening: number | null,
  ) {}

  add(month: string, amountMinor: number, currency: string): void {
    if (currency !== this.account.currency) {
      this.otherCurrencyLines++;
      return;
    }
    this.changes.set(month, (this.changes.get(month) ?? 0) + amountMinor);
  }

  result(months: readonly string[]): AccountBalances {
    let balance = this.opening;
    const perMonth = months.map((month) => {
      const change = this.changes.get(month) ?? 0;
      if (balance !== null) balance += change;
      return { month, closing: balance, change };
    });
    return {
      account: this.account.ref,
      name: this.account.name,
      currency: this.account.currency,
      opening: this.opening,
      closing: balance,
      months: perMonth,
      otherCurrencyLines: this.otherCurrencyLines,
    };
  }
}
