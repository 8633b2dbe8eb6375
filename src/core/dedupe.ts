import { hash } from 'node:crypto';
import type { TransactionType } from '../domain/model.js';
import type { ProviderPending, ProviderTransaction } from '../providers/types.js';
import type { TransactionRow } from '../store/sqlite/transactions.js';

/** Lower-case, accents and punctuation folded, whitespace collapsed: text that survives re-fetches. */
export function normalizeText(text: string): string {
  // ASCII has nothing to decompose or strip, and its only letters and digits are [a-z0-9] once
  // lower-cased: the same result without NFKD and the Unicode-property regexes (most bank text).
  if (ASCII.test(text)) return text.toLowerCase().replace(NOT_ASCII_ALNUM, ' ').trim();
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const ASCII = /^[\x00-\x7f]*$/;
const NOT_ASCII_ALNUM = /[^a-z0-9]+/g;

/** Payees and memos repeat from line to line (the same shop, the same standing order): each text is folded once. */
const folded = new Map<string, string>();
function normalizedCached(text: string): string {
  let n = folded.get(text);
  if (n === undefined) {
    if (folded.size >= 10_000) folded.clear(); // bounded: a million distinct memos never pile up
    folded.set(text, (n = normalizeText(text)));
  }
  return n;
}

/** Content fingerprint for providers without stable ids: (booking date, amount, currency, text). */
export function fingerprint(t: { date: string; amountMinor: number; currency: string; payee?: string | null; memo?: string | null }): string {
  const text = normalizedCached(`${t.payee ?? ''} ${t.memo ?? ''}`);
  return hash('sha256', `${t.date}|${t.amountMinor}|${t.currency}|${text}`, 'hex').slice(0, 32);
}

/** banksync's stable transaction id: the same line always gets the same id, in every export. */
export function stableTransactionId(accountId: number, key: string): string {
  return `t${hash('sha256', `${accountId}|${key}`, 'hex').slice(0, 24)}`;
}

/** The id of a stored line: from the provider's (or file's) id when there is one, else fingerprint + ordinal. */
export function lineId(accountId: number, externalId: string | null, fp: string, ordinal: number): string {
  return stableTransactionId(accountId, externalId !== null ? `x:${externalId}` : `f:${fp}:${ordinal}`);
}

/**
 * Counts occurrences of each fingerprint across all pages of one fetch, so two identical
 * purchases on one day get ordinals 0 and 1 and a re-fetch of that day maps onto the same rows.
 */
export class OrdinalCounter {
  private readonly seen = new Map<string, number>();
  next(fp: string): number {
    const n = this.seen.get(fp) ?? 0;
    this.seen.set(fp, n + 1);
    return n;
  }
}

function inferType(amountMinor: number): TransactionType {
  return amountMinor < 0 ? 'debit' : 'credit';
}

/** What a provider or a file says of a booked line: the fields a stored line keeps. */
export interface LineContent {
  bookingDate: string;
  valueDate?: string | null;
  amountMinor: number;
  currency: string;
  payee?: string | null;
  memo?: string | null;
  type?: TransactionType;
  counterpartyIban?: string | null;
}

/** The row a line is stored as, once the ladder has given it its id (sync and import build it here). */
export function lineRow(accountId: number, t: LineContent, source: string, fp: string, id: string, externalId: string | null, ordinal: number): TransactionRow {
  return {
    id,
    accountId,
    externalId,
    fingerprint: fp,
    ordinal,
    bookingDate: t.bookingDate,
    valueDate: t.valueDate ?? null,
    amountMinor: t.amountMinor,
    currency: t.currency,
    payee: t.payee ?? null,
    memo: t.memo ?? null,
    type: t.type ?? inferType(t.amountMinor),
    counterpartyIban: t.counterpartyIban ?? null,
    source,
  };
}

/** The dedupe ladder: provider id when the account's ids are stable, else fingerprint + ordinal. */
export function toRow(accountId: number, t: ProviderTransaction, useProviderIds: boolean, ordinals: OrdinalCounter, source: string): TransactionRow {
  const fp = fingerprint({ date: t.bookingDate, amountMinor: t.amountMinor, currency: t.currency, payee: t.payee, memo: t.memo });
  const externalId = useProviderIds && t.externalId ? t.externalId : null;
  const ordinal = externalId === null ? ordinals.next(fp) : 0;
  return lineRow(accountId, t, source, fp, lineId(accountId, externalId, fp, ordinal), externalId, ordinal);
}

/** Key of a pending line within its account's snapshot. */
export function pendingKey(p: ProviderPending, useProviderIds: boolean, ordinals: OrdinalCounter): string {
  if (useProviderIds && p.externalId) return `x:${p.externalId}`;
  const fp = fingerprint({ date: p.date, amountMinor: p.amountMinor, currency: p.currency, payee: p.payee, memo: p.memo });
  return `f:${fp}:${ordinals.next(fp)}`;
}
