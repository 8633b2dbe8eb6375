import { badInput } from './errors.js';

/**
 * ICU's minor-unit digits of the currencies it lists (Intl.supportedValuesOf('currency')), so the
 * common case never builds an Intl.NumberFormat: its first construction loads ICU's data, 25–35 ms
 * of CPU, a tenth of a small import. Any other code is still asked of ICU. A test pins this
 * table against ICU for every listed code.
 */
const LISTED_DIGITS = new Map<string, number>([
  ...codes('AFN ALL BIF CLP COP DJF GNF HUF IDR IQD IRR ISK JPY KMF KPW KRW LAK LBP MGA MMK PKR PYG RWF SLL SOS SYP UGX VND VUV XAF XOF XPF YER', 0),
  ...codes('BHD JOD KWD LYD OMR TND', 3),
  ...codes(
    'AED AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CNY CRC CUC CUP CVE CZK DKK ' +
      'DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HRK HTG ILS INR JMD KES KGS KHR KYD KZT LKR LRD LSL MAD ' +
      'MDL MKD MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PLN QAR RON RSD RUB SAR SBD SCR SDG SEK ' +
      'SGD SHP SLE SRD SSP STN SVC SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VES WST XCD XCG XDR XSU ZAR ZMW ZWG ZWL',
    2,
  ),
]);

function codes(list: string, digits: number): [string, number][] {
  return list.split(' ').map((c) => [c, digits]);
}

const digitsCache = new Map<string, number>();

/** Number of minor-unit digits of an ISO 4217 currency (JPY 0, EUR 2, KWD 3), as ICU gives them. */
export function currencyDigits(currency: string): number {
  const cached = digitsCache.get(currency) ?? LISTED_DIGITS.get(currency);
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
