import type { AccountKind } from '../../domain/model.js';
import { amountToMinor, malformed } from '../http.js';
import type { Institution, ProviderAccount, ProviderPending, ProviderTransaction, RejectedLine } from '../types.js';
import type { Account, Institution as WireInstitution, Transaction } from './schema.js';

export function toInstitution(w: WireInstitution): Institution {
  const status = w.attributes.status ?? 'stable';
  return {
    id: w.id,
    providerId: 'ponto',
    name: w.attributes.name,
    // null = an international institution, not tied to one country.
    country: w.attributes.country ?? '',
    beta: status === 'beta' || status === 'experimental',
    scaEveryFetch: false,
    stableTransactionIds: true,
  };
}

/** Ponto account subtypes → our kinds. */
export function kindOf(subtype: string | null | undefined): AccountKind {
  switch (subtype) {
    case 'checking':
    case undefined:
    case null:
      return 'checking';
    case 'savings':
      return 'savings';
    case 'card':
      return 'credit_card';
    default:
      return 'other'; // securities, psp
  }
}

/** A wire amount in minor units; an amount we cannot represent is Ponto's error, named. */
function minor(value: number, currency: string, what: string): number {
  try {
    return amountToMinor(value, currency);
  } catch (err) {
    throw malformed('Ponto', what, `has an unusable amount (${(err as Error).message})`);
  }
}

const dateOf = (v: string | null | undefined): string | undefined => (v && /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : undefined);

export function toAccount(w: Account, today: string): ProviderAccount {
  const a = w.attributes;
  const reference = a.reference?.trim() || undefined;
  const iban = a.referenceType === 'IBAN' ? reference?.replace(/\s+/g, '') : undefined;
  const balance =
    a.currentBalance === null || a.currentBalance === undefined
      ? undefined
      : { amountMinor: minor(a.currentBalance, a.currency, `account ${w.id}`), date: dateOf(a.currentBalanceReferenceDate) ?? today };
  return {
    externalId: w.id,
    institutionId: w.relationships.financialInstitution.data.id,
    name: a.description?.trim() || a.product?.trim() || (reference ? `Account ${reference.slice(-4)}` : 'Account'),
    iban,
    number: iban ? undefined : reference,
    currency: a.currency,
    kind: kindOf(a.subtype),
    balance,
  };
}

/** The earliest bank-authorization expiry among the accounts (ISO instant), when any is known. */
export function earliestExpiry(accounts: readonly Account[]): string | undefined {
  const times = accounts.map((a) => Date.parse(a.attributes.authorizationExpirationExpectedAt ?? '')).filter(Number.isFinite);
  return times.length > 0 ? new Date(Math.min(...times)).toISOString() : undefined;
}

function text(t: Transaction): { payee?: string; memo?: string; counterpartyIban?: string } {
  const a = t.attributes;
  const memo = a.remittanceInformation?.trim() || a.description?.trim() || undefined;
  const counterparty = a.counterpartReference?.replace(/\s+/g, '').toUpperCase();
  // counterpartReference is an account number of any kind; only an IBAN-shaped one is an IBAN.
  const counterpartyIban = counterparty && /^[A-Z]{2}\d{2}[A-Z0-9]{8,30}$/.test(counterparty) ? counterparty : undefined;
  return { payee: a.counterpartName?.trim() || undefined, memo, counterpartyIban };
}

/** The day Ponto says the line was booked (executionDate), else its value date. */
export const bookingDateOf = (t: Transaction): string | undefined => dateOf(t.attributes.executionDate) ?? dateOf(t.attributes.valueDate);

/** Signed JSON number (negative = money out) → our booked line; Ponto's UUID is stable. */
export function toBooked(t: Transaction): ProviderTransaction | undefined {
  const bookingDate = bookingDateOf(t);
  if (!bookingDate) return undefined;
  const amountMinor = minor(t.attributes.amount, t.attributes.currency, `transaction ${t.id}`);
  return {
    externalId: t.id,
    bookingDate,
    valueDate: dateOf(t.attributes.valueDate),
    amountMinor,
    currency: t.attributes.currency,
    ...text(t),
    type: amountMinor < 0 ? 'debit' : 'credit',
  };
}

export function toPending(t: Transaction): ProviderPending | undefined {
  const date = bookingDateOf(t);
  if (!date) return undefined;
  return { externalId: t.id, date, amountMinor: minor(t.attributes.amount, t.attributes.currency, `pending transaction ${t.id}`), currency: t.attributes.currency, ...text(t) };
}

/** A line without any date cannot be booked anywhere: it is reported, not dropped. */
export function undated(t: Transaction, status: 'booked' | 'pending'): RejectedLine {
  return { externalId: t.id, reason: `Ponto sent a ${status} line without an execution or value date`, amount: String(t.attributes.amount), currency: t.attributes.currency, payee: text(t).payee };
}
