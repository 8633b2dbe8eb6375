import type { AccountKind } from '../../domain/model.js';
import { amountToMinor } from '../http.js';
import type { ProviderAccount, ProviderPending, ProviderTransaction, RejectedLine } from '../types.js';
import { Transaction, type Account, type Connection } from './schema.js';

const NATURE: Record<string, AccountKind> = {
  account: 'checking',
  checking: 'checking',
  current: 'checking',
  debit_card: 'checking',
  savings: 'savings',
  deposit: 'savings',
  card: 'credit_card',
  credit_card: 'credit_card',
  credit: 'credit_card',
  loan: 'loan',
  mortgage: 'loan',
};

/**
 * A JSON number amount → exact integer minor units. Salt Edge writes the bank's decimal as a
 * JSON number; JSON.parse gives the nearest double, whose shortest round-trip text (String) is
 * that same decimal for every value a bank can write (≤ 15 significant digits). So "12.3" → 1230
 * with no float arithmetic. A text with more decimals than the currency has (0.30000000000000004
 * in EUR, 1.5 in JPY, 1.2345 in BHD) is not an amount any bank books: it is the result of float
 * arithmetic somewhere upstream, and which cent was meant is a guess — refused (the line is
 * quarantined), never rounded. The shared amountToMinor does exactly this for every provider.
 */
export function amountMinor(value: number, currency: string): number {
  return amountToMinor(value, currency);
}

export function toAccount(a: Account, connection: Pick<Connection, 'provider_code' | 'provider_name'>, today: string): ProviderAccount {
  const out: ProviderAccount = {
    externalId: a.id,
    institutionId: connection.provider_code,
    institutionName: connection.provider_name || connection.provider_code,
    name: a.name,
    currency: a.currency_code,
    kind: NATURE[a.nature] ?? 'other',
  };
  if (a.extra?.iban) out.iban = a.extra.iban.replace(/\s+/g, '');
  if (a.extra?.account_number) out.number = a.extra.account_number;
  if (typeof a.balance === 'number') {
    try {
      out.balance = { amountMinor: amountMinor(a.balance, a.currency_code), date: (a.updated_at ?? today).slice(0, 10) };
    } catch {
      // A balance we cannot read exactly is left out (drift checks skip it), never rounded.
    }
  }
  return out;
}

export type MappedLine = { booked: ProviderTransaction } | { pending: ProviderPending } | { rejected: RejectedLine };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** One wire line → a booked or pending line, or a quarantined one with the reason. */
export function toLine(raw: unknown): MappedLine {
  const r = Transaction.safeParse(raw);
  const rec = (raw ?? {}) as Record<string, unknown>;
  const reject = (reason: string): MappedLine => ({
    rejected: {
      reason,
      ...(typeof rec.id === 'string' ? { externalId: rec.id } : {}),
      ...(rec.amount !== undefined ? { amount: String(rec.amount) } : {}),
      ...(typeof rec.currency_code === 'string' ? { currency: rec.currency_code } : {}),
      ...(typeof rec.made_on === 'string' ? { date: rec.made_on } : {}),
    },
  });
  if (!r.success) {
    const issue = r.error.issues[0];
    return reject(`Salt Edge line has an unexpected shape (${issue?.path.join('.') || 'line'}: ${issue?.message ?? 'invalid'})`);
  }
  const t = r.data;
  if (!ISO_DATE.test(t.made_on)) return reject(`Salt Edge line has no usable date (made_on "${t.made_on}")`);
  let minor: number;
  try {
    minor = amountMinor(t.amount, t.currency_code);
  } catch (err) {
    return reject(`Salt Edge line amount refused: ${(err as Error).message}`);
  }
  const payee = (minor < 0 ? t.extra?.payee : t.extra?.payer) ?? undefined;
  const memo = t.description?.trim() || t.extra?.information?.trim() || undefined;
  if (t.status === 'pending') {
    return { pending: { externalId: t.id, date: t.made_on, amountMinor: minor, currency: t.currency_code, ...(payee ? { payee } : {}), ...(memo ? { memo } : {}) } };
  }
  const booked: ProviderTransaction = { externalId: t.id, bookingDate: t.made_on, amountMinor: minor, currency: t.currency_code };
  if (payee) booked.payee = payee;
  if (memo) booked.memo = memo;
  return { booked };
}
