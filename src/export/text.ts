import type { Account } from '../domain/model.js';

/** Every exported field stays on one line without control characters. */
export function oneLine(v: string | null | undefined): string {
  const text = v ?? '';
  // Most bank text already is one clean line: returned as it is, without three new strings (a
  // CSV export asks for three cells a line). Same result: neither replace nor trim would change it.
  if (!NOT_ONE_LINE.test(text) && text.trim().length === text.length) return text;
  return text
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

const NOT_ONE_LINE = /[\u0000-\u001f\u007f\u2028\u2029]| {2}/;

/** Cuts to at most `max` characters without splitting a surrogate pair. */
export function truncate(v: string, max: number): string {
  const chars = Array.from(v);
  return chars.length <= max ? v : chars.slice(0, max).join('').trimEnd();
}

/** Latin letters without their accents, anything else outside ASCII as '?': for ASCII-only formats. */
export function toAscii(v: string): string {
  return v
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .replace(/[Ææ]/g, (c) => (c === 'Æ' ? 'AE' : 'ae'))
    .replace(/[Øø]/g, (c) => (c === 'Ø' ? 'O' : 'o'))
    .replace(/[^\x20-\x7e]/g, '?');
}

/** A name component that ledger, hledger and beancount all accept: "Café de Zon" → "CafeDeZon". */
export function ledgerComponent(v: string): string {
  const words = toAscii(v)
    .replace(/\?/g, ' ')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  const joined = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  if (!joined) return 'Account';
  return /^[A-Z0-9]/.test(joined) ? joined : `X${joined}`;
}

/** Default ledger account for an account (M20): institution + account name under Assets or Liabilities. */
export function defaultLedgerName(account: Account, institutionName: string): string {
  const root = account.kind === 'credit_card' || account.kind === 'loan' ? 'Liabilities' : 'Assets';
  return `${root}:${ledgerComponent(institutionName)}:${ledgerComponent(account.name)}`;
}

const BEANCOUNT_ROOTS = ['Assets', 'Liabilities', 'Equity', 'Income', 'Expenses'];

/** Why a ledger account name is unusable in a journal format, or null when it is fine. */
export function ledgerNameProblem(name: string, format: 'ledger' | 'beancount'): string | null {
  if (!name.includes(':')) return 'needs at least two components, e.g. "Assets:Bank:Checking"';
  if (/[\t\n;]|\s{2}/.test(name) || name !== name.trim()) return 'may not hold tabs, ";" or double spaces';
  if (format === 'beancount') {
    const [root, ...rest] = name.split(':');
    if (!BEANCOUNT_ROOTS.includes(root!)) return `beancount names start with ${BEANCOUNT_ROOTS.join(', ')}`;
    if (rest.some((c) => !/^[\p{Lu}\p{Nd}][\p{L}\p{Nd}-]*$/u.test(c))) {
      return 'beancount components start with a capital letter or digit and hold only letters, digits and "-"';
    }
  }
  return null;
}
