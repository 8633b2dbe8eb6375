import type { AccountKind } from '../../domain/model.js';
import { amountToMinor } from '../http.js';
import type { ProviderAccount, ProviderBalance, ProviderPending, ProviderTransaction, RejectedLine } from '../types.js';
import { Account, Transaction } from './schema.js';

/** Containers whose lines are money in and out of an account; investment/insurance/reward are not. */
export const SYNCED_CONTAINERS = new Set(['bank', 'creditCard', 'loan']);

const SAVINGS = /saving|money_market|cd|certificate/i;

export function kindOf(container: string, accountType?: string): AccountKind {
  if (container === 'bank') return accountType && SAVINGS.test(accountType) ? 'savings' : 'checking';
  if (container === 'creditCard') return 'credit_card';
  if (container === 'loan') return 'loan';
  return 'other';
}

const OWED = new Set(['creditCard', 'loan']);

/** Yodlee's card and loan balances are what is owed, positive; we store money owed as negative. */
export function balanceOf(a: Account, today: string): ProviderBalance | undefined {
  const m = a.balance ?? a.currentBalance ?? a.availableBalance;
  if (!m?.currency) return undefined;
  try {
    const minor = amountToMinor(m.amount, m.currency);
    return { amountMinor: OWED.has(a.CONTAINER) ? 0 - minor : minor, date: a.lastUpdated?.slice(0, 10) ?? today };
  } catch {
    return undefined;
  }
}

export type MappedAccount = { account: ProviderAccount } | { skipped: string };

/** One Yodlee account → ours; containers we do not sync come back as a note naming the account. */
export function toAccount(raw: unknown, today: string): MappedAccount {
  const r = Account.safeParse(raw);
  if (!r.success) return { skipped: `Yodlee sent an account we cannot read (${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message})` };
  const a = r.data;
  const name = a.accountName || a.nickname || (a.accountNumber ? `Account ${a.accountNumber}` : `Yodlee account ${a.id}`);
  if (!SYNCED_CONTAINERS.has(a.CONTAINER)) return { skipped: `${name} (${a.CONTAINER}) is not synced: banksync keeps bank, card and loan lines only` };
  const currency = (a.balance ?? a.currentBalance ?? a.availableBalance)?.currency ?? 'USD';
  return {
    account: {
      externalId: a.id,
      institutionId: a.providerId ?? 'yodlee',
      ...(a.providerName ? { institutionName: a.providerName } : {}),
      name,
      // Yodlee masks the number already (xxxx1234).
      ...(a.accountNumber ? { number: a.accountNumber } : {}),
      currency,
      kind: kindOf(a.CONTAINER, a.accountType),
      balance: balanceOf(a, today),
      meta: { container: a.CONTAINER, ...(a.providerAccountId ? { providerAccountId: a.providerAccountId } : {}) },
    },
  };
}

export type Line = { kind: 'booked'; line: ProviderTransaction } | { kind: 'pending'; line: ProviderPending } | { kind: 'rejected'; line: RejectedLine };

const DAY = /^\d{4}-\d{2}-\d{2}/;

/**
 * One Yodlee transaction → one of our lines. Yodlee's amount is unsigned; baseType says the
 * direction as the account sees it (DEBIT = money out, for cards too). The date is Yodlee's `date`
 * (postDate when there is one, else transactionDate). PENDING lines are pending; POSTED and
 * CLEARED are booked; SCHEDULED and FAILED never moved money and are quarantined with the reason.
 */
export function toLine(raw: unknown): Line {
  const r = Transaction.safeParse(raw);
  const rawId = (raw as { id?: unknown } | null)?.id;
  const id = typeof rawId === 'number' || typeof rawId === 'string' ? String(rawId) : undefined;
  if (!r.success) {
    const issue = r.error.issues[0];
    return { kind: 'rejected', line: { ...(id ? { externalId: id } : {}), reason: `Yodlee sent a malformed transaction (${issue?.path.join('.')}: ${issue?.message})` } };
  }
  const t = r.data;
  const date = (t.date ?? t.postDate ?? t.transactionDate ?? '').slice(0, 10);
  const payee = t.merchant?.name ?? t.description?.simple ?? t.description?.original;
  const memo = t.description?.original && t.description.original !== payee ? t.description.original : undefined;
  const currency = t.amount.currency;
  const seen = { externalId: t.id, amount: `${t.baseType === 'DEBIT' ? '-' : ''}${t.amount.amount}`, currency, date, payee };
  if (!currency) return { kind: 'rejected', line: { ...seen, reason: 'Yodlee gave no currency for this transaction' } };
  if (!DAY.test(date)) return { kind: 'rejected', line: { ...seen, reason: `Yodlee gave no usable date ("${date}")` } };
  if (t.amount.amount < 0) return { kind: 'rejected', line: { ...seen, reason: 'Yodlee sent a negative amount where it promises an unsigned one; its direction is not certain' } };
  if (t.status === 'SCHEDULED' || t.status === 'FAILED') return { kind: 'rejected', line: { ...seen, reason: `Yodlee marks this transaction ${t.status}: no money moved` } };
  let minor: number;
  try {
    minor = amountToMinor(t.amount.amount, currency);
  } catch (err) {
    return { kind: 'rejected', line: { ...seen, reason: `the amount cannot be stored exactly (${(err as Error).message})` } };
  }
  // 0 - x, not -x: no -0 for a zero amount.
  const signed = t.baseType === 'DEBIT' ? 0 - minor : minor;
  const text = { ...(payee ? { payee } : {}), ...(memo ? { memo } : {}) };
  if (t.status === 'PENDING') return { kind: 'pending', line: { externalId: t.id, date, amountMinor: signed, currency, ...text } };
  return {
    kind: 'booked',
    line: {
      externalId: t.id,
      bookingDate: date,
      amountMinor: signed,
      currency,
      ...text,
      type: signed < 0 ? 'debit' : 'credit',
    },
  };
}
