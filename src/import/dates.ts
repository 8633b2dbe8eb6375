import { BanksyncError } from '../domain/errors.js';

/** Date layouts a user can name with --date-format (QIF's us/uk are aliases). */
export const DATE_FORMATS: Readonly<Record<string, string>> = {
  'YYYY-MM-DD': 'ymd',
  'DD.MM.YYYY': 'dmy',
  'DD/MM/YYYY': 'dmy',
  'DD-MM-YYYY': 'dmy',
  'MM/DD/YYYY': 'mdy',
  'MM.DD.YYYY': 'mdy',
  'MM-DD-YYYY': 'mdy',
  YYYYMMDD: 'ymd',
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
  if (parts?.length !== 3) throw bad(raw);
  if (order === 'ymd') [y, m, d] = parts as [string, string, string];
  else if (order === 'dmy') [d, m, y] = parts as [string, string, string];
  else [m, d, y] = parts as [string, string, string];
  if (!/^\d{4}$/.test(y) || !/^\d{1,2}$/.test(m) || !/^\d{1,2}$/.test(d)) throw bad(raw);
  const iso = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const date = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso) throw bad(raw, IMPOSSIBLE_DATE);
  return iso;
}

/** The reason on readDate's error when the text has a date's shape but names no calendar day (Feb 30). */
export const IMPOSSIBLE_DATE = 'impossible-date';

const bad = (raw: string, reason?: string) => new BanksyncError('BAD_INPUT', `"${raw.trim()}" is not a date in the expected layout`, { reason });

/** True when no layout reads the text as a calendar day although it has a date's shape: the file is wrong, not the layout. */
export function isImpossibleDate(raw: string): boolean {
  let impossible = false;
  for (const order of ['ymd', 'dmy', 'mdy'] as const) {
    try {
      readDate(raw, order);
      return false;
    } catch (e) {
      if (e instanceof BanksyncError && e.reason === IMPOSSIBLE_DATE) impossible = true;
    }
  }
  return impossible;
}

/**
 * Picks the order that reads every sample: ymd when the year comes first; dmy or mdy only when
 * the data decides it (a day above 12). Null when both remain possible: the user must say.
 */
export function guessOrder(all: string[]): 'ymd' | 'dmy' | 'mdy' | null {
  // ISO dates read the same in every order, so only the others can decide.
  const samples = all.filter((s) => !/^\d{4}-\d{2}-\d{2}$/.test(s.trim()));
  if (samples.length === 0) return 'ymd';
  const fits = (o: 'ymd' | 'dmy' | 'mdy') =>
    samples.every((s) => {
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

/**
 * Where a bare two-digit year goes: 00-49 → 2000-2049, 50-99 → 1950-1999. This is GnuCash's QIF
 * reader's window (Microsoft Money's was close: 1948-2075); Quicken itself writes 19xx with a
 * slash and 20xx with an apostrophe ("1/31'01"), which needs no window.
 */
export const TWO_DIGIT_YEAR_PIVOT = 50;

/**
 * A QIF date with its year written out and Quicken's padding spaces gone: " 1/ 5/98" → "1/5/1998",
 * "8/15'13" → "8/15/2013". `windowed` says a bare two-digit year was placed by the pivot (the
 * apostrophe form says its century). Anything else comes back trimmed, for readDate to judge.
 */
export function expandQifDate(raw: string): { date: string; windowed: boolean } {
  const m = /^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*(['/.-])\s*(\d{1,2}|\d{4})\s*$/.exec(raw);
  if (!m) return { date: raw.trim(), windowed: false };
  const [, a, b, mark, y] = m as unknown as [string, string, string, string, string];
  if (y.length === 4) return { date: `${a}/${b}/${y}`, windowed: false };
  const yy = Number(y);
  if (mark === "'") return { date: `${a}/${b}/${2000 + yy}`, windowed: false };
  if (y.length !== 2) return { date: raw.trim(), windowed: false };
  return { date: `${a}/${b}/${yy < TWO_DIGIT_YEAR_PIVOT ? 2000 + yy : 1900 + yy}`, windowed: true };
}

/** Every order in which readDate reads the date (none: it is no date at all). */
export function ordersThatRead(raw: string): ('ymd' | 'dmy' | 'mdy')[] {
  return (['ymd', 'dmy', 'mdy'] as const).filter((o) => {
    try {
      readDate(raw, o);
      return true;
    } catch {
      return false;
    }
  });
}
