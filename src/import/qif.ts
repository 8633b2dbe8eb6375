import type { AccountKind } from '../core/model.js';
import { parseAmount } from './amounts.js';
import { DATE_FORMATS, guessOrder, readDate } from './dates.js';
import { fileError } from './errors.js';
import type { FileLine, ParsedFile, ParseOptions } from './types.js';

const TYPES: Record<string, AccountKind> = { bank: 'checking', cash: 'checking', ccard: 'credit_card', 'oth a': 'other', 'oth l': 'loan' };
/** Detail codes of a non-investment QIF record. */
const KNOWN = new Set(['D', 'T', 'U', 'P', 'M', 'N', 'C', 'L', 'A', 'S', 'E', '$', '%', 'F']);

/**
 * QIF (!Type:Bank / Cash / CCard). QIF has no ids and no date-order or charset declaration:
 * the date order is taken from --date-format or from dates that decide it (a day above 12);
 * when nothing decides, the user is asked to say.
 */
export function parseQif(text: string, file: string, o: ParseOptions): ParsedFile {
  const warnings: string[] = [];
  const rows = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const first = rows.findIndex((r) => r.trim() !== '');
  const header = /^!Type:(.+)$/i.exec(rows[first]?.trim() ?? '');
  if (!header) throw fileError(file, 'line 1: a QIF file starts with !Type:Bank, !Type:CCard or !Type:Cash');
  const kind = TYPES[header[1]!.trim().toLowerCase()];
  if (!kind) throw fileError(file, `line ${first + 1}: !Type:${header[1]} is not a bank, cash or card account (investment QIF is not supported)`);
  const currency = o.currency?.toUpperCase();
  if (!currency) throw fileError(file, 'QIF carries no currency', 'give --currency, e.g. --currency EUR (or import into an existing account with --account)');

  interface Raw { date?: string; amount?: string; payee?: string; memo?: string; line: number }
  const records: Raw[] = [];
  let cur: Raw | null = null;
  let blank = 0;
  let last = rows.length - 1;
  while (last > first && rows[last]!.trim() === '') last--;
  for (let i = first + 1; i <= last; i++) {
    const line = rows[i]!;
    if (line.trim() === '') {
      blank++;
      continue;
    }
    cur ??= { line: i + 1 };
    const code = line[0]!;
    const value = line.slice(1).trim();
    if (code === '^') {
      records.push(cur);
      cur = null;
    } else if (code === '!') {
      throw fileError(file, `line ${i + 1}: a second header (${line.trim()}); one account per QIF file`);
    } else if (!KNOWN.has(code)) {
      warnings.push(`line ${i + 1}: unknown QIF field "${code}" ignored`);
    } else if (code === 'D') cur.date = value;
    else if (code === 'T' || (code === 'U' && cur.amount === undefined)) cur.amount = value;
    else if (code === 'P') cur.payee = value;
    else if (code === 'M') cur.memo = value;
  }
  if (cur) throw fileError(file, `line ${cur.line}: the last record has no closing "^": the file looks truncated`);
  if (blank > 0) warnings.push(`${blank} blank line(s) ignored (some QIF readers stop at the first one)`);

  const dates = records.map((r) => r.date ?? '');
  const iso = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d);
  if (dates.some(iso)) warnings.push('ISO dates (YYYY-MM-DD) in a QIF file; read as such');
  let order: 'ymd' | 'dmy' | 'mdy';
  if (o.dateFormat) {
    const named = DATE_FORMATS[o.dateFormat];
    if (!named) throw fileError(file, `--date-format "${o.dateFormat}" is not one I know`, 'use us (MM/DD/YYYY) or uk (DD/MM/YYYY)');
    order = named as typeof order;
  } else {
    const guessed = guessOrder(dates.filter((d) => d && !iso(d)));
    if (!guessed && dates.some((d) => d && !iso(d))) throw fileError(file, 'its dates could be month-first or day-first', 'say which with --date-format us (MM/DD/YYYY) or uk (DD/MM/YYYY)');
    order = guessed ?? 'ymd';
  }
  const lines: FileLine[] = records.map((r, n) => {
    const where = `line ${r.line}`;
    if (!r.date) throw fileError(file, `${where}: record ${n + 1} has no date (D)`);
    if (!r.amount) throw fileError(file, `${where}: record ${n + 1} has no amount (T)`);
    let bookingDate: string;
    try {
      bookingDate = iso(r.date) ? readDate(r.date, 'ymd') : readDate(r.date, order);
    } catch {
      throw fileError(file, `${where}: date "${r.date}" is not ${order === 'mdy' ? 'MM/DD/YYYY' : order === 'dmy' ? 'DD/MM/YYYY' : 'YYYY-MM-DD'}`, 'four-digit years, or give --date-format');
    }
    let amountMinor: number;
    try {
      amountMinor = parseAmount(r.amount, currency, { thousands: true });
    } catch {
      throw fileError(file, `${where}: amount "${r.amount}" is not a decimal number`);
    }
    return { bookingDate, amountMinor, currency, payee: r.payee || undefined, memo: r.memo || undefined, type: amountMinor < 0 ? 'debit' : 'credit', where };
  });
  return { format: 'qif', statements: [{ currency, kind, lines, balances: [] }], warnings };
}
