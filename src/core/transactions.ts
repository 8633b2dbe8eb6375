import type { Services } from './context.js';
import { badInput } from '../domain/errors.js';
import { requireAccounts } from './accounts.js';
import { accountRef } from '../domain/model.js';
import { formatMinor } from '../domain/money.js';

export interface TransactionView {
  id: string | null;
  account: string;
  date: string;
  amount: string;
  amountMinor: number;
  currency: string;
  payee: string | null;
  memo: string | null;
  type: string;
  status: string;
  /** For pending lines: the booked line that replaced it. */
  bookedAs?: string | null;
  /** Where a booked line came from: `provider:<id>` or `file:<name>#<sha256 prefix>`. */
  source?: string;
  /** Lines hidden with `transactions ignore` (listed with --ignored). */
  ignored?: { at: string; reason: string | null };
}

export interface TransactionQueryOptions {
  accountIds?: number[];
  from?: string;
  to?: string;
  pending: boolean;
  /** Only the ignored lines; without it, ignored lines are left out. */
  ignored?: boolean;
  limit?: number;
}

/** Booked lines, or with `pending` the pending lines (open, booked-as, vanished). */
export async function listTransactions(s: Services, o: TransactionQueryOptions): Promise<TransactionView[]> {
  if (o.from && o.to && o.from > o.to) throw badInput(`--from ${o.from} is after --to ${o.to}`);
  const accountIds = o.accountIds && (await requireAccounts(s, o.accountIds)).map((a) => a.id);
  const out: TransactionView[] = [];
  if (o.pending) {
    for (const p of await s.db.pending.list({ accountIds, from: o.from, to: o.to })) {
      out.push({
        id: p.externalId,
        account: accountRef(p.accountId),
        date: p.date,
        amount: formatMinor(p.amountMinor, p.currency),
        amountMinor: p.amountMinor,
        currency: p.currency,
        payee: p.payee,
        memo: p.memo,
        type: 'pending',
        status: p.status,
        bookedAs: p.transactionId,
      });
    }
  } else {
    // One snapshot: the ignore marks are read while the lines stream (outside a unit, a stream
    // would hold the store until it ends and the lookups would wait for it).
    await s.db.snapshot(async () => {
      for await (const page of s.db.transactions.iterate({ accountIds, from: o.from, to: o.to, ignored: o.ignored ? 'only' : 'hide' }))
        for (const t of page) {
          const ignored = o.ignored ? await s.db.transactions.byId(t.id) : undefined;
          out.push({
            id: t.id,
            account: accountRef(t.accountId),
            date: t.bookingDate,
            amount: formatMinor(t.amountMinor, t.currency),
            amountMinor: t.amountMinor,
            currency: t.currency,
            payee: t.payee,
            memo: t.memo,
            type: t.type,
            status: ignored ? 'ignored' : 'booked',
            source: t.source,
            ...(ignored ? { ignored: { at: ignored.ignoredAt!, reason: ignored.ignoredReason } } : {}),
          });
        }
    });
  }
  return o.limit !== undefined ? out.slice(-o.limit) : out;
}
