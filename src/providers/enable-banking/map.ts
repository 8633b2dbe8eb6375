import { kindOfCashAccountType } from '../iso20022.js';
import { amountToMinor } from '../http.js';
import type { Institution, ProviderAccount, ProviderBalance, ProviderPending, ProviderTransaction, RejectedLine } from '../types.js';
import type { AccountResource, AspspData, Balances, Transaction } from './schema.js';

export const PROVIDER_ID = 'enable-banking';

export interface AspspRef {
  name: string;
  country: string;
}

/** ASPSPs have no id, only (name, country): ours is `<COUNTRY>:<name>`, e.g. `FI:Nordea`. */
export const institutionIdOf = (a: AspspRef): string => `${a.country.toUpperCase()}:${a.name}`;

export function parseInstitutionId(id: string): AspspRef | undefined {
  const m = /^([A-Za-z]{2}):(.+)$/s.exec(id);
  return m ? { country: m[1]!.toUpperCase(), name: m[2]! } : undefined;
}

export function toInstitution(a: AspspData): Institution {
  return {
    id: institutionIdOf(a),
    providerId: PROVIDER_ID,
    name: a.name,
    country: a.country.toUpperCase(),
    beta: a.beta === true,
    scaEveryFetch: false,
    // Whole days only, so a consent of this many days never exceeds the bank's maximum.
    consentDays: a.maximum_consent_validity ? Math.floor(a.maximum_consent_validity / 86_400) : undefined,
    stableTransactionIds: true,
  };
}

export function toAccount(r: AccountResource & { uid: string }, institutionId: string): ProviderAccount {
  const iban = r.account_id?.iban ?? undefined;
  const number = iban ? undefined : (r.account_id?.other?.identification ?? undefined);
  const tail = (iban ?? number)?.slice(-4);
  return {
    externalId: r.uid,
    institutionId,
    // `name` is the holder's name (facts §5.5), so the PSU's own label and the product come first.
    name: r.details?.trim() || r.product?.trim() || r.name?.trim() || (tail ? `Account …${tail}` : 'Account'),
    iban,
    number,
    currency: r.currency,
    kind: kindOfCashAccountType(r.cash_account_type ?? undefined),
    // Stable across sessions: a renewed consent's new uids map onto the same local accounts.
    matchKey: r.identification_hash ?? undefined,
  };
}

const day = (v: string | null | undefined) => (v && /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : undefined);

export type Line = { booked: ProviderTransaction } | { pending: ProviderPending } | { rejected: RejectedLine } | undefined;

/** One wire transaction → a booked or pending line; cancelled, rejected and other statuses are dropped. */
export function toLine(t: Transaction): Line {
  const status = t.status ?? 'BOOK';
  if (status !== 'BOOK' && status !== 'PDNG') return undefined;
  const date = day(t.booking_date) ?? day(t.value_date) ?? day(t.transaction_date);
  const { currency, amount } = t.transaction_amount;
  if (!date) {
    // A line without any date cannot be booked anywhere: it is reported, not dropped.
    return {
      rejected: {
        externalId: t.entry_reference || undefined,
        reason: `Enable Banking sent a ${status === 'PDNG' ? 'pending' : 'booked'} line without a booking, value or transaction date`,
        amount: String(amount),
        currency,
      },
    };
  }
  // Amounts are unsigned; the direction is the indicator (a bank that signs anyway is read by it too).
  const size = Math.abs(amountToMinor(amount, currency));
  const debit = t.credit_debit_indicator ? t.credit_debit_indicator === 'DBIT' : String(amount).trim().startsWith('-');
  const amountMinor = debit ? -size : size;
  const party = debit ? t.creditor : t.debtor;
  const account = debit ? t.creditor_account : t.debtor_account;
  const memo = (t.remittance_information ?? [])
    .map((s) => s.trim())
    .filter(Boolean)
    .join(' ');
  const common = {
    // entry_reference is the bank's archive id; transaction_id changes between listings (facts §5.6).
    externalId: t.entry_reference || undefined,
    amountMinor,
    currency,
    payee: party?.name?.trim() || undefined,
    memo: memo || undefined,
  };
  if (status === 'PDNG') return { pending: { ...common, date } };
  return {
    booked: {
      ...common,
      bookingDate: date,
      valueDate: day(t.value_date),
      type: debit ? 'debit' : 'credit',
      counterpartyIban: account?.iban ?? undefined,
    },
  };
}

/** Booked balances first: the statement drift check compares against booked lines. */
const BALANCE_PREFERENCE = ['CLBD', 'ITBD', 'XPCD', 'ITAV'];

export function pickBalance(b: Balances, today: string): ProviderBalance | undefined {
  const pick = BALANCE_PREFERENCE.map((t) => b.balances.find((x) => x.balance_type === t)).find(Boolean);
  if (!pick) return undefined;
  return {
    amountMinor: amountToMinor(pick.balance_amount.amount, pick.balance_amount.currency),
    date: day(pick.reference_date) ?? day(pick.last_change_date_time) ?? today,
  };
}
