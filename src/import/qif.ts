import type { AccountKind } from '../domain/model.js';
import { parseAmount } from './amounts.js';
import { DATE_FORMATS, expandQifDate, ordersThatRead, readDate, TWO_DIGIT_YEAR_PIVOT } from './dates.js';
import { fileError } from './errors.js';
import type { FileLine, ParsedFile, ParseOptions } from './types.js';
import { plural } from '../domain/plural.js';

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

  interface Raw {
    date?: string;
    amount?: string;
    payee?: string;
    memo?: string;
    line: number;
  }
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
  if (blank > 0) warnings.push(`${plural(blank, 'blank line')} ignored (some QIF readers stop at the first one)`);

  // Two-digit years are written out first: then the day/month order is decided on real dates.
  const expanded = records.map((r) => expandQifDate(r.date ?? ''));
  const dates = expanded.map((e) => e.date);
  const iso = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d);
  if (dates.some(iso)) warnings.push('ISO dates (YYYY-MM-DD) in a QIF file; read as such');
  const order = dateOrder(records, dates, file, o);
  const lines: FileLine[] = records.map((r, n) => {
    const where = `line ${r.line}`;
    if (!r.date) throw fileError(file, `${where}: record ${n + 1} has no date (D)`);
    if (!r.amount) throw fileError(file, `${where}: record ${n + 1} has no amount (T)`);
    let bookingDate: string;
    try {
      bookingDate = iso(dates[n]!) ? readDate(dates[n]!, 'ymd') : readDate(dates[n]!, order);
    } catch {
      throw fileError(file, `${where}: date "${r.date}" is not ${LAYOUT[order]}`, 'give --date-format us (MM/DD/YYYY) or uk (DD/MM/YYYY) if the file uses the other order');
    }
    let amountMinor: number;
    try {
      amountMinor = parseAmount(r.amount, currency, { thousands: true });
    } catch {
      throw fileError(file, `${where}: amount "${r.amount}" is not a decimal number`);
    }
    return { bookingDate, amountMinor, currency, payee: r.payee || undefined, memo: r.memo || undefined, type: amountMinor < 0 ? 'debit' : 'credit', where };
  });
  const windowed = expanded.findIndex((e) => e.windowed);
  if (windowed >= 0) {
    const count = expanded.filter((e) => e.windowed).length;
    warnings.push(
      `${plural(count, 'date')} with a two-digit year, placed in ${1900 + TWO_DIGIT_YEAR_PIVOT}-${2000 + TWO_DIGIT_YEAR_PIVOT - 1} (line ${records[windowed]!.line}: "${records[windowed]!.date}" is ${lines[windowed]!.bookingDate})`,
    );
  }
  return { format: 'qif', statements: [{ currency, kind, lines, balances: [] }], warnings };
}

type Order = 'ymd' | 'dmy' | 'mdy';
const LAYOUT: Record<Order, string> = { ymd: 'YYYY-MM-DD', dmy: 'DD/MM/YYYY', mdy: 'MM/DD/YYYY' };
const ORDER_NAME: Record<Order, string> = { ymd: 'year-first', dmy: 'day-first', mdy: 'month-first' };

/**
 * The day/month order: --date-format, or the one order that reads every date of the file. A date
 * no order reads, or two dates that need different orders, are named; only a file whose dates
 * read both ways (no day above 12) makes the user choose.
 */
function dateOrder(records: { date?: string; line: number }[], dates: string[], file: string, o: ParseOptions): Order {
  if (o.dateFormat) {
    const named = DATE_FORMATS[o.dateFormat];
    if (!named) throw fileError(file, `--date-format "${o.dateFormat}" is not one I know`, 'use us (MM/DD/YYYY) or uk (DD/MM/YYYY)');
    return named as Order;
  }
  const checked = dates.map((d, i) => ({ i, fits: ordersThatRead(d) })).filter(({ i }) => dates[i] && !/^\d{4}-\d{2}-\d{2}$/.test(dates[i]!));
  if (checked.length === 0) return 'ymd';
  const none = checked.find((c) => c.fits.length === 0);
  if (none) throw fileError(file, `line ${records[none.i]!.line}: date "${records[none.i]!.date}" is not a date in any day/month order`);
  const common = checked.reduce<Order[]>((acc, c) => acc.filter((x) => c.fits.includes(x)), ['ymd', 'dmy', 'mdy']);
  if (common.length === 1) return common[0]!;
  if (common.length > 1) throw fileError(file, 'its dates could be month-first or day-first', 'say which with --date-format us (MM/DD/YYYY) or uk (DD/MM/YYYY)');
  for (const [k, b] of checked.entries()) {
    const a = checked.slice(0, k).find((x) => !x.fits.some((f) => b.fits.includes(f)));
    if (!a) continue;
    const say = (c: typeof a) => `line ${records[c.i]!.line}: "${records[c.i]!.date}" reads only ${c.fits.map((f) => ORDER_NAME[f]).join(' or ')}`;
    throw fileError(file, `${say(a)}, but ${say(b)}: the file mixes date orders`, 'fix those dates in the file');
  }
  throw fileError(file, 'its dates do not share one day/month order', 'give --date-format us (MM/DD/YYYY) or uk (DD/MM/YYYY)');
}
