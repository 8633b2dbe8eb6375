import { requireAccounts } from '../accounts.js';
import { createAnnotator } from '../annotate.js';
import { addDays } from '../../domain/clock.js';
import type { Services } from '../context.js';
import { badInput } from '../../domain/errors.js';
import { accountRef, type Account, type Transaction } from '../../domain/model.js';
import { LINE } from '../../store/sqlite/exports.js';
import { BalanceTally } from './balances.js';
import { FlowTally } from './flows.js';
import { monthOf, monthsBetween } from './months.js';
import type { Report } from './types.js';

export type * from './types.js';

export interface ReportOptions {
  accountIds?: number[];
  from?: string;
  to?: string;
  /** The category of money out that no rule categorises (config expense-account). */
  expenseAccount?: string;
  /** The category of money in that no rule categorises (config income-account). */
  incomeAccount?: string;
  /** How many payees `topPayees` lists per currency. */
  topPayees?: number;
}

export const DEFAULT_TOP_PAYEES = 10;

/**
 * Builds the report in one streaming pass over the booked lines, inside one read transaction so
 * every figure comes from the same snapshot. The lines are the export's own stream
 * (exports.lines) and each is annotated as the export annotates it, so the report says
 * what an export of the same range would carry: the same lines, categories and balances.
 */
export async function buildReport(s: Services, o: ReportOptions): Promise<Report> {
  if (o.from && o.to && o.from > o.to) throw badInput(`--from ${o.from} is after --to ${o.to}`);
  const accounts = o.accountIds?.length ? await requireAccounts(s, o.accountIds) : await s.db.accounts.list();
  const defaultCategories = { spending: o.expenseAccount ?? 'Expenses:Unknown', income: o.incomeAccount ?? 'Income:Unknown' };
  const flows = new FlowTally(defaultCategories);
  const balances: BalanceTally[] = [];
  let first: string | null = null;
  let last: string | null = null;
  let lines = 0;
  // One snapshot: a sync committing meanwhile cannot make the flows and the balances disagree.
  await s.db.snapshot(async () => {
    const annotator = await createAnnotator(
      s,
      accounts.map((a) => a.id),
    );
    for (const a of accounts) {
      const balance = new BalanceTally({ ref: accountRef(a.id), name: a.name, currency: a.currency }, await openingOf(s, a, o.from));
      balances.push(balance);
      let cachedDate = '';
      let month = '';
      for await (const page of s.db.exports.lines(a.id, o.from, o.to, false))
        for (const row of page) {
          const line: Transaction = {
            id: row[LINE.id],
            accountId: row[LINE.accountId],
            externalId: row[LINE.externalId],
            bookingDate: row[LINE.bookingDate],
            valueDate: row[LINE.valueDate],
            amountMinor: row[LINE.amountMinor],
            currency: row[LINE.currency],
            payee: row[LINE.payee],
            memo: row[LINE.memo],
            type: row[LINE.type],
            counterpartyIban: row[LINE.counterpartyIban],
            source: row[LINE.source],
          };
          if (line.bookingDate !== cachedDate) {
            cachedDate = line.bookingDate;
            month = monthOf(cachedDate);
            if (first === null || cachedDate < first) first = cachedDate;
            if (last === null || cachedDate > last) last = cachedDate;
          }
          lines++;
          flows.add({ month, amountMinor: line.amountMinor, currency: line.currency, payee: line.payee }, annotator.annotate(line));
          balance.add(month, line.amountMinor, line.currency);
        }
    }
  });
  const from = o.from ?? first;
  const to = o.to ?? last;
  const months = from && to ? monthsBetween(monthOf(from), monthOf(to)) : [];
  return {
    from,
    to,
    months,
    lines,
    defaultCategories,
    currencies: flows.result(months, o.topPayees ?? DEFAULT_TOP_PAYEES),
    accounts: balances.map((b) => b.result(months)),
  };
}

/** The balance before the range, in the account's currency: null when the opening balance is unknown. */
async function openingOf(s: Services, a: Account, from: string | undefined): Promise<number | null> {
  if (a.openingBalanceMinor === null) return null;
  return from ? a.openingBalanceMinor + (await s.db.transactions.sumThrough(a.id, addDays(from, -1), a.currency)) : a.openingBalanceMinor;
}
