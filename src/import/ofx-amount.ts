import { parseAmount } from './amounts.js';
import { fileError } from './errors.js';

/** An amount with one separator: sign, digits, '.' or ',', digits. */
const SEPARATED = /^[+-]?(\d+)([.,])(\d+)$/;

/** The separator could group thousands: 1-3 digits (not a lone 0) before it, exactly 3 after it. */
const couldGroup = (m: RegExpExecArray) => m[3]!.length === 3 && m[1]!.length <= 3 && m[1] !== '0';

/** The decimal mark an amount settles: a comma or dot that cannot group thousands (-12,50; 12.50); null when it settles nothing. */
export function decimalMarkOf(raw: string | undefined): ',' | '.' | null {
  const m = raw ? SEPARATED.exec(raw.trim()) : null;
  if (!m || couldGroup(m)) return null;
  return m[2] === ',' ? ',' : '.';
}

/**
 * An OFX amount into minor units. The spec's mark is a dot; a decimal comma is read when it cannot
 * be anything else (-12,50), or when it could group thousands (1,234) but the file's other amounts
 * settle that commas are its decimal marks. Otherwise the amount is refused, never guessed.
 */
export function ofxAmount(raw: string, currency: string, where: () => string, what: string, commaFile: boolean, file: string): { minor: number; comma: boolean } {
  const v = raw.trim();
  const m = SEPARATED.exec(v);
  const comma = m?.[2] === ',';
  const hint = 'OFX amounts use a decimal dot and no thousands separators: fix the amount in the file';
  if (m && couldGroup(m)) {
    const sign = v.startsWith('-') ? '-' : '';
    const readings = `${sign}${m[1]}${m[3]} or ${sign}${m[1]}.${m[3]}`;
    if (comma && !commaFile) throw fileError(file, `${where()}: ${what} "${v}" could be ${readings}: nothing else in the file says whether its comma is a decimal mark`, hint);
    if (!comma && commaFile) throw fileError(file, `${where()}: ${what} "${v}" could be ${readings}: the file's other amounts use a decimal comma`, hint);
  }
  try {
    return { minor: parseAmount(v, currency, { decimal: comma ? ',' : '.' }), comma };
  } catch (e) {
    const reason = (e as Error).message;
    const why = /more decimals/.test(reason)
      ? `has more decimals than ${currency} allows`
      : /too large/.test(reason)
        ? 'is too large'
        : /unknown currency/.test(reason)
          ? `is in an unknown currency "${currency}"`
          : 'is not a plain decimal amount';
    throw fileError(file, `${where()}: ${what} "${v}" ${why}`, hint);
  }
}
