import { amountToMinor } from '../http.js';
import type { Institution, ProviderPending, ProviderTransaction, RejectedLine } from '../types.js';
import type { Institution as WireInstitution, Transaction } from './schema.js';

export function toInstitution(w: WireInstitution, country?: string): Institution {
  const days = (v: string | undefined) => (v && /^\d+$/.test(v) ? Number(v) : undefined);
  return {
    id: w.id,
    providerId: 'gocardless',
    name: w.name,
    country: country ?? w.countries[0] ?? '',
    beta: false,
    scaEveryFetch: false,
    historyDays: days(w.transaction_total_days),
    consentDays: days(w.max_access_valid_for_days),
    stableTransactionIds: true,
  };
}

/** Banks differ in which date they fill: booking date, then its date-time, then the value date. */
export function dateOf(t: Transaction): string | undefined {
  const d = t.bookingDate ?? t.bookingDateTime ?? t.valueDate ?? t.valueDateTime;
  return d && /^\d{4}-\d{2}-\d{2}/.test(d) ? d.slice(0, 10) : undefined;
}

function text(t: Transaction): { payee?: string; memo?: string; counterpartyIban?: string } {
  const out = t.transactionAmount.amount.trim().startsWith('-');
  const payee = (out ? t.creditorName : t.debtorName) ?? t.creditorName ?? t.debtorName;
  const account = out ? t.creditorAccount : t.debtorAccount;
  const memo =
    t.remittanceInformationUnstructured ?? t.remittanceInformationUnstructuredArray?.join(' ') ?? t.remittanceInformationStructured ?? t.additionalInformation ?? t.proprietaryBankTransactionCode;
  return { payee: payee?.trim() || undefined, memo: memo?.trim() || undefined, counterpartyIban: account?.iban };
}

/** Signed decimal string (negative = money out) → our booked line; undefined when it has no date. */
export function toBooked(t: Transaction): ProviderTransaction | undefined {
  const bookingDate = dateOf(t);
  if (!bookingDate) return undefined;
  const amountMinor = amountToMinor(t.transactionAmount.amount, t.transactionAmount.currency);
  return {
    // transactionId is the bank's; internalTransactionId is GoCardless's own and not known to be stable.
    externalId: t.transactionId || undefined,
    bookingDate,
    valueDate: t.valueDate?.slice(0, 10),
    amountMinor,
    currency: t.transactionAmount.currency,
    ...text(t),
    type: amountMinor < 0 ? 'debit' : 'credit',
  };
}

export function toPending(t: Transaction): ProviderPending | undefined {
  const date = dateOf(t);
  if (!date) return undefined;
  return {
    externalId: t.transactionId || undefined,
    date,
    amountMinor: amountToMinor(t.transactionAmount.amount, t.transactionAmount.currency),
    currency: t.transactionAmount.currency,
    ...text(t),
  };
}

/** A line without any date cannot be booked anywhere: it is reported, not dropped. */
export function undated(t: Transaction, status: 'booked' | 'pending'): RejectedLine {
  return {
    externalId: t.transactionId || undefined,
    reason: `GoCardless sent a ${status} line without a booking or value date`,
    amount: t.transactionAmount.amount,
    currency: t.transactionAmount.currency,
    payee: text(t).payee,
  };
}
