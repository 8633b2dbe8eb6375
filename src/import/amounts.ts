import { BanksyncError } from '../domain/errors.js';
import { currencyDigits, parseDecimalToMinor } from '../domain/money.js';

/**
 * A decimal amount from a file into minor units. `decimal` says which mark the file uses; with
 * 'auto' a lone comma followed by 1-3 digits... is ambiguous ("1,234"), so auto accepts only a dot
 * or a comma that cannot be a thousands separator. Thousands separators are refused unless the
 * caller allows them (QIF writes 1,234.56).
 */
export function parseAmount(raw: string, currency: string, opts: { decimal?: '.' | ','; thousands?: boolean } = {}): number {
  let v = raw.trim().replace(/\u00a0/g, ' ');
  let negative = false;
  if (/^\(.*\)$/.test(v)) {
    negative = true;
    v = v.slice(1, -1).trim();
  }
  if (v.endsWith('-')) {
    negative = !negative;
    v = v.slice(0, -1).trim();
  }
  v = v.replace(/^\+/, '');
  if (v.startsWith('-')) {
    negative = !negative;
    v = v.slice(1).trim();
  }
  const decimal = opts.decimal ?? '.';
  const group = decimal === '.' ? ',' : '.';
  if (opts.thousands) {
    const groupRe = new RegExp(`^\\d{1,3}(\\${group}\\d{3})+(\\${decimal}\\d+)?$`);
    if (groupRe.test(v)) v = v.split(group).join('');
  }
  if (decimal === ',') v = v.replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(v)) throw new BanksyncError('BAD_INPUT', `"${raw.trim()}" is not an amount`);
  currencyDigits(currency);
  return (negative ? -1 : 1) * parseDecimalToMinor(v, currency) || 0;
}

/** Where a currency symbol can only mean one currency, it names it; `$`, `£`, `¥`, `kr` need the currency from elsewhere. */
const SYMBOLS: Readonly<Record<string, readonly string[]>> = {
  '€': ['EUR'],
  US$: ['USD'],
  C$: ['CAD'],
  CA$: ['CAD'],
  A$: ['AUD'],
  AU$: ['AUD'],
  NZ$: ['NZD'],
  HK$: ['HKD'],
  S$: ['SGD'],
  R$: ['BRL'],
  $: [
    'USD',
    'CAD',
    'AUD',
    'NZD',
    'SGD',
    'HKD',
    'TWD',
    'MXN',
    'ARS',
    'CLP',
    'COP',
    'UYU',
    'CUP',
    'DOP',
    'BSD',
    'BBD',
    'BZD',
    'BMD',
    'BND',
    'KYD',
    'FJD',
    'GYD',
    'JMD',
    'LRD',
    'NAD',
    'SBD',
    'SRD',
    'TTD',
    'XCD',
    'TOP',
    'WST',
  ],
  '£': ['GBP', 'GIP', 'FKP', 'SHP', 'EGP', 'SSP', 'SYP', 'LBP'],
  '¥': ['JPY', 'CNY'],
  '₹': ['INR'],
  '₺': ['TRY'],
  '₩': ['KRW'],
  '₪': ['ILS'],
  '₽': ['RUB'],
  zł: ['PLN'],
  Kč: ['CZK'],
  Ft: ['HUF'],
  kr: ['SEK', 'NOK', 'DKK', 'ISK'],
  'kr.': ['DKK', 'ISK'],
};
// Longest first, so "US$" is not read as "US" + "$".
const UNIT = Object.keys(SYMBOLS)
  .sort((a, b) => b.length - a.length)
  .map((s) => s.replace(/[$.]/g, '\\$&'))
  .join('|');
const UNIT_BEFORE = new RegExp(`^(${UNIT}|[A-Z]{3}(?![A-Za-z]))`);
const UNIT_AFTER = new RegExp(`(?<![A-Za-z])(${UNIT}|[A-Z]{3})$`);

/** An amount cell taken apart: its sign, the number as written and the currency symbol or code next to it. */
export interface AmountCell {
  negative: boolean;
  number: string;
  unit?: string;
}

/**
 * Splits "-$7,971.39", "€ 12,50", "12.50 EUR", "EUR -12.50", "(12.50)", "12,50-" into sign, number
 * and unit. Each of parentheses, a sign and a unit may appear once; a negative sign inside
 * parentheses is refused rather than read as plus. Null when the cell is not an amount.
 */
export function splitAmount(raw: string): AmountCell | null {
  // Most cells are a plain signed number: no need to peel anything.
  const plain = /^([-+]?)(\d+(?:[.,]\d+)?)$/.exec(raw.trim());
  if (plain) return { negative: plain[1] === '-', number: plain[2]! };
  let v = raw
    .trim()
    .replace(/[\u00a0\u202f\u2009]/g, ' ')
    .replace(/\u2212/g, '-');
  let negative = false;
  let paren = false;
  let sign = false;
  let unit: string | undefined;
  for (let guard = 0; guard < 6; guard++) {
    v = v.trim();
    if (!paren && !sign && /^\(.*\)$/.test(v)) {
      paren = negative = true;
      v = v.slice(1, -1);
    } else if (!paren && !sign && /^[-+]/.test(v)) {
      sign = true;
      negative = v[0] === '-';
      v = v.slice(1);
    } else if (!paren && !sign && /[-+]$/.test(v)) {
      sign = true;
      negative = v.endsWith('-');
      v = v.slice(0, -1);
    } else if (!unit && UNIT_BEFORE.test(v)) {
      unit = UNIT_BEFORE.exec(v)![1]!;
      v = v.slice(unit.length);
    } else if (!unit && UNIT_AFTER.test(v)) {
      unit = UNIT_AFTER.exec(v)![1]!;
      v = v.slice(0, -unit.length);
    } else break;
  }
  v = v.trim();
  if (!/^\d[\d.,' ’]*$/.test(v) || !/\d$/.test(v)) return null;
  return { negative, number: v, unit };
}

/**
 * What one number says about the file's decimal mark: '.' or ',' when it can only be read one way,
 * 'either' when it reads both ways ("1,500" is 1500 or 1.5), 'none' for a whole number, null when
 * it is not a number in either convention.
 */
export function decimalEvidence(number: string): '.' | ',' | 'either' | 'none' | null {
  // The usual cases first: a whole number, or one mark followed by one or two digits.
  if (/^\d+$/.test(number)) return 'none';
  const short = /^\d+([.,])\d{1,2}$/.exec(number);
  if (short) return short[1] as '.' | ',';
  const dot = readNumber(number, '.') !== null;
  const comma = readNumber(number, ',') !== null;
  if (dot && comma) return /[.,]/.test(number) ? 'either' : 'none';
  return dot ? '.' : comma ? ',' : null;
}

const numberRe = (decimal: '.' | ',', group: string) => new RegExp(`^(\\d+|[1-9]\\d{0,2}(?:([${group} '’])\\d{3})(?:\\2\\d{3})*)(?:\\${decimal}(\\d+))?$`);
const NUMBER = { '.': numberRe('.', ','), ',': numberRe(',', '.') };

/**
 * The number as a plain decimal ("1234.56") in the given convention, or null. Thousands groups
 * are exactly three digits, separated by the other mark, a space or an apostrophe (Swiss); the
 * first group has one to three digits and does not start with 0 unless it is "0".
 */
export function readNumber(number: string, decimal: '.' | ','): string | null {
  const m = NUMBER[decimal].exec(number);
  if (!m) return null;
  const whole = m[1]!.replace(/[^\d]/g, '');
  return m[3] === undefined ? whole : `${whole}.${m[3]}`;
}

let codes: Set<string> | undefined;

/** The currencies a symbol or code next to an amount can mean: a code means itself, an unknown code nothing. */
export function unitCurrencies(unit: string): readonly string[] {
  if (SYMBOLS[unit]) return SYMBOLS[unit]!;
  codes ??= new Set(Intl.supportedValuesOf('currency'));
  return codes.has(unit) ? [unit] : [];
}

/** A split amount cell in minor units, with the file's decimal mark; null when the number does not read that way. */
export function cellToMinor(cell: AmountCell, decimal: '.' | ',', currency: string): number | null {
  const plain = readNumber(cell.number, decimal);
  if (plain === null) return null;
  const minor = parseDecimalToMinor(plain, currency);
  return cell.negative ? -minor || 0 : minor;
}
