import { badInput } from './errors.js';

/**
 * What ICU answers for the currencies most accounts hold (pinned against Intl by a test): asking
 * ICU the first time loads its locale data, tens of milliseconds of a short command or an export.
 */
const digitsCache = new Map<string, number>([
  ['EUR', 2],
  ['USD', 2],
  ['GBP', 2],
  ['CHF', 2],
  ['SEK', 2],
  ['NOK', 2],
  ['DKK', 2],
  ['PLN', 2],
  ['CAD', 2],
  ['AUD', 2],
  ['JPY', 0],
]);

/** The currencies answered without ICU, for the test that pins them. */
export const KNOWN_CURRENCY_DIGITS: ReadonlyMap<string, number> = new Map(digitsCache);

/** Number of minor-unit digits of an ISO 4217 currency (JPY 0, EUR 2, KWD 3), from ICU. */
export function currencyDigits(currency: string): number {
  const cached = digitsCache.get(currency);
  if (cached !== undefined) return cached;
  let digits: number;
  try {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    throw badInput(`unknown currency code "${currency}"`);
  }
  digitsCache.set(currency, digits);
  return digits;
}

export function isCurrencyCode(value: string): boolean {
  return /^[A-Z]{3}$/.test(value);
}

/** Parses a decimal string ("-12.30", "5") into integer minor units without touching floats. */
export function parseDecimalToMinor(value: string, currency: string): number {
  const m = /^([+-])?(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!m) throw badInput(`not a decimal amount: "${value}"`);
  const digits = currencyDigits(currency);
  const frac = (m[3] ?? '').padEnd(digits, '0');
  if (frac.length > digits && /[^0]/.test(frac.slice(digits))) {
    throw badInput(`amount ${value} has more decimals than ${currency} allows`);
  }
  const minor = BigInt(m[2]! + frac.slice(0, digits));
  const signed = m[1] === '-' ? -minor : minor;
  if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw badInput(`amount ${value} is too large`);
  }
  return Number(signed);
}

const POW10 = [1, 10, 100, 1000, 10000];

/** Formats integer minor units as a plain signed decimal with a dot ("-12.30", "1500" for JPY). */
export function formatMinor(minor: number, currency: string): string {
  const digits = currencyDigits(currency);
  const negative = minor < 0;
  // Every amount a statement holds (below 10^12 minor units) by arithmetic instead of string
  // padding and slicing: a CSV export formats two per line.
  if (digits > 0 && digits <= 4 && Number.isSafeInteger(minor) && minor > -1e12 && minor < 1e12) {
    const abs = negative ? -minor : minor;
    const scale = POW10[digits]!;
    const whole = Math.floor(abs / scale);
    const frac = String(abs - whole * scale);
    return `${negative ? '-' : ''}${whole}.${frac.length < digits ? '0'.repeat(digits - frac.length) + frac : frac}`;
  }
  const abs = String(Math.abs(minor));
  if (digits === 0) return (negative ? '-' : '') + abs;
  const padded = abs.padStart(digits + 1, '0');
  return `${negative ? '-' : ''}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}
