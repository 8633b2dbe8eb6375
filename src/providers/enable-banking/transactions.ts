import { isoDate, minDate } from '../../domain/clock.js';
import { BanksyncError } from '../../domain/errors.js';
import { malformed } from '../http.js';
import type { FetchRequest, ProviderContext, ProviderPending, ProviderTransaction, RejectedLine, TransactionPage } from '../types.js';
import type { EnableBankingApi } from './api.js';
import { pickBalance, toLine } from './map.js';
import { Balances, Transaction, TransactionList } from './schema.js';

/** A runaway continuation_key loop is the provider's fault; real histories need far fewer pages. */
export const MAX_PAGES = 500;

/**
 * GET /accounts/{uid}/transactions, one TransactionPage per answer, following continuation_key
 * until it is absent (an empty page may still carry one). The key is only good for the same
 * query, so every page repeats the same dates.
 */
export async function* fetchPages(api: EnableBankingApi, ctx: ProviderContext, req: FetchRequest): AsyncGenerator<TransactionPage> {
  const uid = encodeURIComponent(req.account.externalId);
  const today = isoDate(ctx.now());
  // Dates in the future are refused (DATE_FROM_IN_FUTURE), and there is nothing there yet.
  const to = minDate(req.to, today);
  if (req.from > to) {
    yield { booked: [], pending: [] };
    return;
  }
  let key: string | undefined;
  for (let page = 1; ; page++) {
    if (page > MAX_PAGES) throw new BanksyncError('PROVIDER_ERROR', `Enable Banking: transactions kept coming after ${MAX_PAGES} pages; stopped`);
    const body = await api.call(TransactionList, 'GET', `accounts/${uid}/transactions`, { query: { date_from: req.from, date_to: to, continuation_key: key } });
    const booked: ProviderTransaction[] = [];
    const pending: ProviderPending[] = [];
    const rejected: RejectedLine[] = [];
    body.transactions.forEach((raw, i) => {
      const line = toLine(item(raw, `page ${page}, transactions[${i}]`));
      if (line && 'booked' in line) booked.push(line.booked);
      else if (line && 'pending' in line) pending.push(line.pending);
      else if (line) rejected.push(line.rejected);
    });
    // The balance is asked after the first page so that the transactions get the bank's call budget first.
    const balance = page === 1 ? await balanceOf(api, uid, today) : undefined;
    yield { booked, pending, ...(rejected.length ? { rejected } : {}), ...(balance ? { balance } : {}) };
    key = body.continuation_key || undefined;
    if (!key) return;
  }
}

/** Balances count against the bank's daily limit too: a refusal there costs only the drift check. */
async function balanceOf(api: EnableBankingApi, uid: string, today: string): Promise<TransactionPage['balance']> {
  try {
    return pickBalance(await api.call(Balances, 'GET', `accounts/${uid}/balances`), today);
  } catch (err) {
    if (err instanceof BanksyncError && err.code === 'RATE_LIMITED') return undefined;
    throw err;
  }
}

/** One transaction checked at the boundary: a malformed one is the provider's error, named. */
function item(raw: unknown, where: string): Transaction {
  const r = Transaction.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw malformed('Enable Banking', `transactions (${where})`, `is malformed (${issue?.path.join('.')}: ${issue?.message})`);
  }
  return r.data;
}
