import { BanksyncError } from '../core/errors.js';

/** Date layouts a user can name with --date-format (QIF's us/uk are aliases). */
export const DATE_FORMATS: Readonly<Record<string, string>> = {
  'YYYY-MM-DD': 'ymd',
  'DD.MM.YYYY': 'dmy',
  'DD/MM/YYYY': 'dmy',
  'DD-MM-YYYY': 'dmy',
  'MM/DD/YYYY': 'mdy',
  'MM.DD.YYYY': 'mdy',
  'MM-DD-YYYY': 'mdy',
  'YYYYMMDD': 'ymd',
  uk: 'dmy',
  us: 'mdy',
  iso: 'ymd',
};

/**
 * Reads a calendar date in the given order ('ymd', 'dmy', 'mdy'). Years must have four digits, or
 * two digits with an apostrophe in QIF style ("1/15'24" = 2024); a bare two-digit year is refused:
 * guessing its century is how importers put transactions in 1924.
 */
export function readDate(raw: string, order: 'ymd' | 'dmy' | 'mdy'): string {
  const v = raw.trim();
  // YYYY-MM-DD cannot be read any other way, whatever order the rest of the file uses.
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) order = 'ymd';
  let y: string, m: string, d: string;
  let parts: string[] | null = null;
  if (/^\d{8}$/.test(v) && order === 'ymd') parts = [v.slice(0, 4), v.slice(4, 6), v.slice(6, 8)];
  else {
    const apostrophe = /^(\d{1,2})\/\s?(\d{1,2})'\s?(\d{2})$/.exec(v);
    if (apostrophe) parts = order === 'ymd' ? null : [apostrophe[1]!, apostrophe[2]!, `20${apostrophe[3]}`];
    else parts = v.split(/[-./]/);
  }
  if (!parts || parts.length !== 3) throw bad(raw);
  if (order === 'ymd') [y, m, d] = parts as [string, string, string];
  else if (order === 'dmy') [d, m, y] = parts as [string, string, string];
  else [m, d, y] = parts as [string, string, string];
  if (!/^\d{4}$/.test(y) || !/^\d{1,2}$/.test(m) || !/^\d{1,2}$/.test(d)) throw bad(raw);
  const iso = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const date = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso) throw bad(raw);
  return iso;
}

const bad = (raw: string) => new BanksyncError('BAD_INPUT', `"${raw.trim()}" is not a date in the expected layout`);

/**
 * Picks the order that reads every sample: ymd when the year comes first; dmy or mdy only when
 * the data decides it (a day above 12). Null when both remain possible: the user must say.
 */
export function guessOrder(all: string[]): 'ymd' | 'dmy' | 'mdy' | null {
  // ISO dates read the same in every order, so only the others can decide.
  const samples = all.filter((s) => !/^\d{4}-\d{2}-\d{2}$/.test(s.trim()));
  if (samples.length === 0) return 'ymd';
  const fits = (o: 'ymd' | 'dmy' | 'mdy') => samples.every((s) => {
    try {
      readDate(s, o);
      return true;
    } catch {
      return false;
    }
  });
  const ok = (['ymd', 'dmy', 'mdy'] as const).filter(fits);
  return ok.length === 1 ? ok[0]! : null;
}
