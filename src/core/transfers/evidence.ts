import { daysBetween } from '../../domain/clock.js';
import type { Services } from '../context.js';
import { currencyDigits } from '../../domain/money.js';
import type { TransferLine } from '../../store/sqlite/transfers.js';

/**
 * What makes two lines the legs of one transfer between the user's own accounts: opposite
 * amounts in different accounts, booked within a few days, and either one side naming the other
 * account's IBAN or both texts reading like a transfer. Pure functions: detect.ts asks the store.
 */

/** Words banks use for a transfer or a card repayment, in the languages of the banks we serve. */
export const DEFAULT_TRANSFER_PATTERN =
  'own transfer|transfer|overboeking|overschrijving|spaarrekening|umbuchung|übertrag|uebertrag|sparkonto|virement|traspaso|trasferimento|giroconto|savings|payment received|repayment|card payment received|credit card payment';

export const DEFAULT_WINDOW_DAYS = 3;

export interface TransferRules {
  /** Most days between the two legs' booking dates. */
  windowDays: number;
  /** Two currencies: most relative difference of the amounts (0.02 = 2 %); 0 never pairs them by itself. */
  fxTolerance: number;
  pattern: RegExp;
}

/** Words, not parts of words ("transfers" yes, "transferable" no), in any script. */
export function transferPattern(source: string): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${source})(?![\\p{L}\\p{N}])`, 'iu');
}

/**
 * The database's transfer settings (`banksync config transfer-days|transfer-fx-tolerance|transfer-pattern`).
 * `config` checks values as they are set; a value that no longer parses falls back to its default.
 */
export async function transferRules(s: Services): Promise<TransferRules> {
  const days = Number((await s.db.settings.get('transfer-days')) ?? DEFAULT_WINDOW_DAYS);
  const percent = Number((await s.db.settings.get('transfer-fx-tolerance')) ?? 0);
  const source = (await s.db.settings.get('transfer-pattern')) ?? DEFAULT_TRANSFER_PATTERN;
  let pattern: RegExp;
  try {
    pattern = transferPattern(source);
  } catch {
    pattern = transferPattern(DEFAULT_TRANSFER_PATTERN);
  }
  return {
    windowDays: Number.isInteger(days) && days >= 0 && days <= 30 ? days : DEFAULT_WINDOW_DAYS,
    fxTolerance: Number.isFinite(percent) && percent >= 0 && percent <= 20 ? percent / 100 : 0,
    pattern,
  };
}

/** Country, check digits, then at least 11 letters or digits, maybe grouped by spaces. */
const IBAN_SHAPE = /[A-Z]{2}\d{2}(?:\s?[A-Z0-9]){11}/i;

export const normalIban = (v: string | null | undefined) => (v ? v.replace(/\s+/g, '').toUpperCase() : null);

/** The user's accounts as the detector needs them. */
export interface OwnAccounts {
  ibanOf: ReadonlyMap<number, string | null>;
  /** Normalised IBAN → account id. */
  byIban: ReadonlyMap<string, number>;
  currencies: readonly string[];
}

export function ownAccounts(accounts: readonly { id: number; iban: string | null; currency: string }[]): OwnAccounts {
  const ibanOf = new Map<number, string | null>();
  const byIban = new Map<string, number>();
  for (const a of accounts) {
    const iban = normalIban(a.iban);
    ibanOf.set(a.id, iban);
    if (iban) byIban.set(iban, a.id);
  }
  return { ibanOf, byIban, currencies: [...new Set(accounts.map((a) => a.currency))] };
}

/** What one line says by itself: the own accounts it names, whether it names a stranger, whether it reads like a transfer. */
export interface LineFacts {
  namesAccounts: ReadonlySet<number>;
  /** Its counterparty IBAN is set and is none of the user's accounts. */
  namesStranger: boolean;
  patterned: boolean;
}

export function factsOf(l: TransferLine, own: OwnAccounts, rules: TransferRules): LineFacts {
  const names = new Set<number>();
  const cp = normalIban(l.counterpartyIban);
  const cpAccount = cp ? own.byIban.get(cp) : undefined;
  if (cpAccount !== undefined) names.add(cpAccount);
  const text = `${l.payee ?? ''} ${l.memo ?? ''}`;
  // Squeezed and compared only when the text holds something shaped like an IBAN: most lines do not.
  if (own.byIban.size && IBAN_SHAPE.test(text)) {
    const squeezed = text.replace(/\s+/g, '').toUpperCase();
    for (const [iban, id] of own.byIban) if (squeezed.includes(iban)) names.add(id);
  }
  names.delete(l.accountId);
  return { namesAccounts: names, namesStranger: cp !== null && cpAccount === undefined, patterned: rules.pattern.test(text) };
}

/** Worth looking for a partner from this side: it names another own account or reads like a transfer. */
export const looksLikeTransfer = (f: LineFacts) => f.patterned || f.namesAccounts.size > 0;

export type EvidenceHow = 'iban' | 'pattern';

export interface Evidence {
  how: EvidenceHow;
  /** Days between the two booking dates. */
  gap: number;
  /** Higher is stronger: IBAN beats pattern, then the nearer date. */
  strength: number;
}

export const strengthOf = (how: EvidenceHow | 'manual', gap: number) => (how === 'manual' ? 3000 : how === 'iban' ? 2000 : 1000) - gap;

/** Whether the amounts are the two sides of one movement of money. */
export function amountsMatch(a: TransferLine, b: TransferLine, rules: TransferRules): boolean {
  if (a.amountMinor === 0 || Math.sign(a.amountMinor) === Math.sign(b.amountMinor)) return false;
  if (a.currency === b.currency) return a.amountMinor === -b.amountMinor;
  if (rules.fxTolerance <= 0) return false;
  const x = Math.abs(a.amountMinor) / 10 ** currencyDigits(a.currency);
  const y = Math.abs(b.amountMinor) / 10 ** currencyDigits(b.currency);
  return Math.abs(x - y) <= rules.fxTolerance * Math.max(x, y) + 1e-9;
}

/** The range of amounts (in `currency`'s minor units) that can be the other leg of `l`. */
export function partnerAmountRange(l: TransferLine, currency: string, rules: TransferRules): [number, number] | null {
  if (currency === l.currency) return [-l.amountMinor, -l.amountMinor];
  if (rules.fxTolerance <= 0) return null;
  const major = Math.abs(l.amountMinor) / 10 ** currencyDigits(l.currency);
  const scale = 10 ** currencyDigits(currency);
  const lo = Math.floor(major * (1 - rules.fxTolerance) * scale);
  const hi = Math.ceil((major / (1 - rules.fxTolerance)) * scale);
  return l.amountMinor < 0 ? [lo, hi] : [-hi, -lo];
}

/**
 * Why `a` and `b` would be the two legs of one transfer, or null. A line that names an account
 * (own or a stranger's) other than the partner's rules that partner out: that is what keeps two
 * equal transfers on one day apart when the banks say where the money went.
 */
export function evidence(a: TransferLine, fa: LineFacts, b: TransferLine, fb: LineFacts, own: OwnAccounts, rules: TransferRules): Evidence | null {
  if (a.accountId === b.accountId || a.removed || b.removed) return null;
  const gap = Math.abs(daysBetween(a.bookingDate, b.bookingDate));
  if (gap > rules.windowDays || !amountsMatch(a, b, rules)) return null;
  if (contradicts(fa, b.accountId, own) || contradicts(fb, a.accountId, own)) return null;
  if (fa.namesAccounts.has(b.accountId) || fb.namesAccounts.has(a.accountId)) return { how: 'iban', gap, strength: strengthOf('iban', gap) };
  // Two currencies pair only when a bank says so: amounts within a tolerance are too common.
  if (a.currency !== b.currency) return null;
  if (fa.patterned && fb.patterned) return { how: 'pattern', gap, strength: strengthOf('pattern', gap) };
  return null;
}

function contradicts(f: LineFacts, otherAccountId: number, own: OwnAccounts): boolean {
  if (f.namesAccounts.size > 0 && !f.namesAccounts.has(otherAccountId)) return true;
  // Money sent to a stranger's IBAN did not go to an account whose IBAN we know.
  return f.namesStranger && own.ibanOf.get(otherAccountId) != null && !f.namesAccounts.has(otherAccountId);
}
