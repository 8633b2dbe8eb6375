import type { AccountKind } from '../../domain/model.js';
import { amountToMinor } from '../http.js';
import type { Institution, ProviderAccount, ProviderBalance, ProviderPending, ProviderTransaction, RejectedLine } from '../types.js';
import { PLAID_HISTORY_DAYS } from './meta.js';
import { Transaction, type Account, type Institution as WireInstitution } from './schema.js';

export function toInstitution(w: WireInstitution): Institution {
  return {
    id: w.institution_id,
    providerId: 'plaid',
    name: w.name,
    country: w.country_codes[0] ?? 'US',
    beta: false,
    scaEveryFetch: false,
    historyDays: PLAID_HISTORY_DAYS,
    stableTransactionIds: true,
  };
}

const SAVINGS = new Set(['savings', 'money market', 'cd', 'hsa', 'cash isa', 'isa']);

export function kindOf(type: string, subtype: string | null | undefined): AccountKind {
  if (type === 'depository') return subtype && SAVINGS.has(subtype) ? 'savings' : 'checking';
  if (type === 'credit') return 'credit_card';
  if (type === 'loan') return 'loan';
  return 'other';
}

const currencyOf = (b: { iso_currency_code?: string | null; unofficial_currency_code?: string | null }) => b.iso_currency_code ?? b.unofficial_currency_code ?? undefined;

/**
 * Plaid's balances: `current` of a credit or loan account is what is owed, positive; we store
 * money owed as negative, like every other amount.
 */
export function balanceOf(a: Account, today: string): ProviderBalance | undefined {
  const currency = currencyOf(a.balances);
  if (a.balances.current == null || !currency) return undefined;
  try {
    const minor = amountToMinor(a.balances.current, currency);
    const owed = a.type === 'credit' || a.type === 'loan';
    return { amountMinor: owed ? 0 - minor : minor, date: a.balances.last_updated_datetime?.slice(0, 10) ?? today };
  } catch {
    return undefined;
  }
}

/** Only the mask: Plaid never gives full numbers here, and we would not show them. */
export function toAccount(a: Account, institution: { id?: string | null; name?: string | null }, today: string): ProviderAccount {
  return {
    externalId: a.account_id,
    institutionId: institution.id ?? 'plaid',
    ...(institution.name ? { institutionName: institution.name } : {}),
    name: a.name || a.official_name || (a.mask ? `Account ••${a.mask}` : 'Account'),
    ...(a.mask ? { number: `••${a.mask}` } : {}),
    currency: currencyOf(a.balances) ?? 'USD',
    kind: kindOf(a.type, a.subtype),
    balance: balanceOf(a, today),
    ...(a.persistent_account_id ? { matchKey: a.persistent_account_id } : {}),
  };
}

export type Line = { kind: 'booked'; id: string; line: ProviderTransaction } | { kind: 'pending'; id: string; line: ProviderPending } | { kind: 'rejected'; id?: string; line: RejectedLine };

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * One Plaid transaction → one of our lines. Plaid's amount is positive when money leaves the
 * account, for every account type (cards included): we store the opposite sign. The line's date is
 * Plaid's `date` (posted date; for a pending line, the transaction date).
 */
export function toLine(raw: unknown): Line {
  const r = Transaction.safeParse(raw);
  const rawId = (raw as { transaction_id?: unknown } | null)?.transaction_id;
  if (!r.success) {
    const issue = r.error.issues[0];
    return {
      kind: 'rejected',
      id: typeof rawId === 'string' ? rawId : undefined,
      line: { ...(typeof rawId === 'string' ? { externalId: rawId } : {}), reason: `Plaid sent a malformed transaction (${issue?.path.join('.')}: ${issue?.message})` },
    };
  }
  const t = r.data;
  const currency = currencyOf(t);
  const seen = { externalId: t.transaction_id, amount: String(t.amount), currency, date: t.date, payee: t.merchant_name ?? t.name ?? undefined };
  if (!currency) return { kind: 'rejected', id: t.transaction_id, line: { ...seen, reason: 'Plaid gave no currency for this transaction' } };
  if (!DAY.test(t.date)) return { kind: 'rejected', id: t.transaction_id, line: { ...seen, reason: `Plaid gave no usable date ("${t.date}")` } };
  let minor: number;
  try {
    minor = 0 - amountToMinor(t.amount, currency);
  } catch (err) {
    return { kind: 'rejected', id: t.transaction_id, line: { ...seen, reason: `the amount cannot be stored exactly (${(err as Error).message})` } };
  }
  const payee = t.merchant_name ?? t.name ?? undefined;
  const memo = t.merchant_name && t.name && t.name !== t.merchant_name ? t.name : undefined;
  if (t.pending) {
    return { kind: 'pending', id: t.transaction_id, line: { externalId: t.transaction_id, date: t.date, amountMinor: minor, currency, ...(payee ? { payee } : {}), ...(memo ? { memo } : {}) } };
  }
  return {
    kind: 'booked',
    id: t.transaction_id,
    line: {
      externalId: t.transaction_id,
      bookingDate: t.date,
      amountMinor: minor,
      currency,
      ...(payee ? { payee } : {}),
      ...(memo ? { memo } : {}),
      type: minor < 0 ? 'debit' : 'credit',
      ...(t.pending_transaction_id ? { pendingRef: t.pending_transaction_id } : {}),
    },
  };
}
