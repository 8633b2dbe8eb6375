import { BanksyncError } from '../core/errors.js';
import { currencyDigits, parseDecimalToMinor } from '../core/money.js';

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
