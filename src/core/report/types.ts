/**
 * The picture of the money that `banksync report` shows: what `--json` prints as it is, and what
 * the terminal and HTML renderers draw. Money is integer minor units of one currency; nothing is
 * ever summed across currencies, so every flow lives under its currency. Plain objects and arrays
 * only (no Maps, no category names as object keys): a category or payee comes from the bank or a
 * rule and may be any text, "__proto__" included.
 */
export interface Report {
  /** First and last day covered: --from/--to, else the first and last booking date; null without lines. */
  from: string | null;
  to: string | null;
  /** Every month from `from` to `to` (YYYY-MM), months without lines included. */
  months: string[];
  /** Booked lines looked at. */
  lines: number;
  /** Ledger names the lines without a rule's category fall under (config expense-account / income-account). */
  defaultCategories: { spending: string; income: string };
  currencies: CurrencyFlows[];
  accounts: AccountBalances[];
}

/** Income and spending of one currency. Spending and transfer amounts are positive (money out). */
export interface CurrencyFlows {
  currency: string;
  income: number;
  spending: number;
  /** income - spending */
  net: number;
  /** Money moved between the user's own accounts (annotation.transfer): in neither income nor spending. */
  transfersIn: number;
  transfersOut: number;
  /** One entry per report month, in order. */
  months: MonthFlows[];
  /** Over the whole range, largest spending first. */
  categories: CategoryTotal[];
  /** Where the money went: payees by spending, largest first (the rule's clean payee when there is one). */
  topPayees: PayeeTotal[];
}

export interface MonthFlows {
  month: string;
  income: number;
  spending: number;
  net: number;
  transfersIn: number;
  transfersOut: number;
  /** Categories with money in this month, largest spending first. */
  categories: CategoryTotal[];
}

export interface CategoryTotal {
  category: string;
  spending: number;
  income: number;
}

export interface PayeeTotal {
  /** null: the lines carry no payee */
  payee: string | null;
  spending: number;
  lines: number;
}

export interface AccountBalances {
  /** a1, a2… */
  account: string;
  name: string;
  currency: string;
  /** Balance before the first day of the range; null: unknown (no opening balance is known). */
  opening: number | null;
  /** Balance after the last day; null: unknown. */
  closing: number | null;
  /** One entry per report month: its closing balance (null: unknown) and how much it moved. */
  months: { month: string; closing: number | null; change: number }[];
  /** Lines in another currency than the account's: left out of its balance (never summed across currencies). */
  otherCurrencyLines: number;
}
