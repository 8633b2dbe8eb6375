import { parse } from 'csv-parse/sync';
import type { TransactionType } from '../core/model.js';
import { formatMinor } from '../core/money.js';
import { parseAmount } from './amounts.js';
import { DATE_FORMATS, guessOrder, readDate } from './dates.js';
import { fileError } from './errors.js';
import type { FileLine, ParsedFile, ParseOptions } from './types.js';

type Field = 'date' | 'value_date' | 'amount' | 'debit' | 'credit' | 'currency' | 'payee' | 'memo' | 'id' | 'type' | 'balance' | 'counterparty_iban';
const FIELDS: readonly Field[] = ['date', 'value_date', 'amount', 'debit', 'credit', 'currency', 'payee', 'memo', 'id', 'type', 'balance', 'counterparty_iban'];

/** Header names each field answers to, lower-case, for the named profiles and auto-detection. */
const NAMES: Record<Field, string[]> = {
  date: ['date', 'booking date', 'bookingdate', 'transaction date', 'posted', 'posting date', 'buchungstag', 'buchungsdatum', 'datum', 'date opération', 'fecha'],
  value_date: ['value_date', 'value date', 'valuta', 'valutadatum', 'wertstellung', 'date valeur'],
  amount: ['amount', 'betrag', 'bedrag', 'montant', 'importe', 'amount (eur)', 'umsatz'],
  debit: ['debit', 'withdrawal', 'withdrawals', 'money out', 'paid out', 'af', 'soll', 'débit'],
  credit: ['credit', 'deposit', 'deposits', 'money in', 'paid in', 'bij', 'haben', 'crédit'],
  currency: ['currency', 'währung', 'valuta code', 'devise', 'ccy'],
  payee: ['payee', 'name', 'description', 'counterparty', 'beneficiary', 'empfänger', 'auftraggeber/empfänger', 'naam / omschrijving', 'merchant'],
  memo: ['memo', 'reference', 'notes', 'note', 'verwendungszweck', 'mededelingen', 'libellé', 'details'],
  id: ['id', 'transaction id', 'reference number', 'fitid'],
  type: ['type', 'transaction type'],
  balance: ['balance', 'saldo', 'solde', 'running balance'],
  counterparty_iban: ['counterparty_iban', 'counterparty iban', 'iban', 'tegenrekening'],
};

interface Profile {
  description: string;
  /** Fields that must be found in the header. */
  needs: Field[];
  decimal: '.' | ',';
  dateOrder?: 'ymd' | 'dmy' | 'mdy';
}

/** Named layouts (`--profile`); without one the header decides. */
export const CSV_PROFILES: Readonly<Record<string, Profile>> = {
  banksync: { description: 'what `banksync export --format csv` writes', needs: ['date', 'amount', 'currency', 'id'], decimal: '.', dateOrder: 'ymd' },
  signed: { description: 'a date, one signed amount column, payee/description', needs: ['date', 'amount'], decimal: '.' },
  'signed-comma': { description: 'the same with a decimal comma (European spreadsheets, usually ";")', needs: ['date', 'amount'], decimal: ',' },
  'debit-credit': { description: 'a date and two unsigned columns, debit (out) and credit (in)', needs: ['date', 'debit', 'credit'], decimal: '.' },
  'debit-credit-comma': { description: 'the same with a decimal comma', needs: ['date', 'debit', 'credit'], decimal: ',' },
};

const OFX_TYPES: Record<string, TransactionType> = { DIRECTDEP: 'credit', DEP: 'credit', INT: 'interest', SRVCHG: 'fee', XFER: 'transfer', DIRECTDEBIT: 'debit', REPEATPMT: 'payment', CASH: 'atm' };
const OUR_TYPES = new Set<TransactionType>(['debit', 'credit', 'fee', 'interest', 'transfer', 'payment', 'atm', 'pos', 'check', 'other']);

export function parseCsv(text: string, file: string, o: ParseOptions): ParsedFile {
  const warnings: string[] = [];
  const delimiter = detectDelimiter(text);
  let records: string[][];
  try {
    records = parse(text, { delimiter, bom: true, skip_empty_lines: true, relax_column_count: false, relax_quotes: false, trim: false }) as string[][];
  } catch (e) {
    throw fileError(file, `not valid CSV: ${(e as Error).message.replace(/^Invalid Record Length: /, '').split('\n')[0]}`, 'every row needs the header\'s number of fields; quote fields holding the delimiter');
  }
  if (records.length < 1) throw fileError(file, 'is empty');
  const header = records[0]!.map((h) => h.trim().toLowerCase());
  const columns = o.map ? fromMap(o.map, header, file) : fromHeader(header);
  const profileName = o.profile ?? (o.map ? undefined : header.join(',').startsWith('date,amount,currency,payee,memo,id') || header.join(',').startsWith('account,date,amount,currency') ? 'banksync' : undefined);
  const profile = profileName ? CSV_PROFILES[profileName] : undefined;
  if (profileName && !profile) throw fileError(file, `unknown CSV profile "${profileName}"`, `profiles: ${Object.keys(CSV_PROFILES).join(', ')}`);
  for (const f of profile?.needs ?? []) if (columns[f] === undefined) throw fileError(file, `has no "${f}" column for profile ${profileName}`, `header: ${header.join(delimiter)}`);
  if (columns.date === undefined) throw fileError(file, 'has no date column I recognise', 'name the columns with --map date=0,amount=3,payee=1,memo=2 (0-based)');
  if (columns.amount === undefined && (columns.debit === undefined || columns.credit === undefined)) {
    throw fileError(file, 'has no amount column (nor debit and credit columns) I recognise', 'name them with --map, e.g. --map date=0,amount=3 or --map date=0,debit=2,credit=3');
  }
  const rows = records.slice(1);
  const cell = (r: string[], f: Field) => (columns[f] === undefined ? undefined : r[columns[f]!]?.trim());

  const order = dateOrder(o.dateFormat, profile, rows.map((r) => cell(r, 'date') ?? ''), file);
  const decimal = profile?.decimal ?? decimalMark(rows.flatMap((r) => [cell(r, 'amount'), cell(r, 'debit'), cell(r, 'credit')]).filter((v): v is string => !!v), delimiter);
  const currencyDefault = o.currency;
  const lines: FileLine[] = [];
  const ids = new Set<string>();
  let running: number | null = null;
  let first: { date: string; balance: number } | null = null;
  rows.forEach((r, i) => {
    const where = `line ${i + 2}`;
    const fail = (m: string, hint?: string) => fileError(file, `${where}: ${m}`, hint);
    const currency = (cell(r, 'currency') || currencyDefault)?.toUpperCase();
    if (!currency) throw fail('no currency', 'this CSV has no currency column: give --currency EUR');
    if (!/^[A-Z]{3}$/.test(currency)) throw fail(`"${currency}" is not a currency code`);
    let bookingDate: string;
    try {
      bookingDate = readDate(cell(r, 'date') ?? '', order);
    } catch {
      throw fail(`date "${cell(r, 'date') ?? ''}" does not match the file's layout (${order})`, 'give --date-format, e.g. DD.MM.YYYY');
    }
    let amountMinor: number;
    try {
      if (columns.amount !== undefined) {
        const v = cell(r, 'amount');
        if (!v) throw new Error('empty');
        amountMinor = parseAmount(v, currency, { decimal, thousands: false });
      } else {
        const debit = cell(r, 'debit');
        const credit = cell(r, 'credit');
        if (!debit && !credit) throw new Error('empty');
        amountMinor = (credit ? Math.abs(parseAmount(credit, currency, { decimal })) : 0) - (debit ? Math.abs(parseAmount(debit, currency, { decimal })) : 0);
      }
    } catch {
      throw fail(`amount "${cell(r, 'amount') ?? `${cell(r, 'debit') ?? ''}/${cell(r, 'credit') ?? ''}`}" is missing or not a plain ${decimal === ',' ? 'decimal-comma' : 'decimal'} number`);
    }
    const id = cell(r, 'id') || undefined;
    if (id) {
      if (ids.has(id)) throw fail(`id ${id} appears twice`, 'a file with duplicate ids cannot be deduplicated safely');
      ids.add(id);
    }
    const balanceCell = cell(r, 'balance');
    if (balanceCell) {
      let balance: number;
      try {
        balance = parseAmount(balanceCell, currency, { decimal });
      } catch {
        throw fail(`balance "${balanceCell}" is not a plain decimal number`);
      }
      if (running === null) first = { date: bookingDate, balance: balance - amountMinor };
      else if (running + amountMinor !== balance) warnings.push(`${where}: the balance column says ${balanceCell}, the amounts give ${formatMinor(running + amountMinor, currency)}`);
      running = balance;
    }
    const rawType = cell(r, 'type');
    const type: TransactionType = rawType && OUR_TYPES.has(rawType.toLowerCase() as TransactionType)
      ? (rawType.toLowerCase() as TransactionType)
      : (rawType ? OFX_TYPES[rawType.toUpperCase()] : undefined) ?? (amountMinor < 0 ? 'debit' : 'credit');
    const valueDate = cell(r, 'value_date');
    lines.push({
      id,
      bookingDate,
      valueDate: valueDate ? dateOrFail(valueDate, order, fail) : undefined,
      amountMinor,
      currency,
      payee: oneLine(cell(r, 'payee')),
      memo: oneLine(cell(r, 'memo')),
      type,
      counterpartyIban: cell(r, 'counterparty_iban') || undefined,
      where,
    });
  });
  const currencies = new Set(lines.map((l) => l.currency));
  if (currencies.size > 1) throw fileError(file, `mixes currencies (${[...currencies].join(', ')}); one account has one currency`);
  const balances = [];
  const start = first as { date: string; balance: number } | null;
  if (start && running !== null && lines.length) {
    balances.push({ kind: 'opening' as const, date: start.date, amountMinor: start.balance }, { kind: 'closing' as const, date: lines.at(-1)!.bookingDate, amountMinor: running });
  }
  return { format: 'csv', statements: [{ currency: [...currencies][0] ?? currencyDefault, lines, balances }], warnings };
}

const oneLine = (v: string | undefined) => (v ? v.replace(/\s*[\r\n]+\s*/g, ' ').trim() || undefined : undefined);

function detectDelimiter(text: string): string {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const outside = firstLine.replace(/"[^"]*"/g, '');
  const counts = [',', ';', '\t', '|'].map((d) => [d, outside.split(d).length - 1] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0]![1] > 0 ? counts[0]![0] : ',';
}

function fromHeader(header: string[]): Partial<Record<Field, number>> {
  const out: Partial<Record<Field, number>> = {};
  for (const f of FIELDS) {
    const i = header.findIndex((h) => NAMES[f].includes(h));
    if (i >= 0 && !Object.values(out).includes(i)) out[f] = i;
  }
  return out;
}

/** `--map date=0,amount=3,payee=Name`: 0-based column numbers or header names. */
function fromMap(map: string, header: string[], file: string): Partial<Record<Field, number>> {
  const out: Partial<Record<Field, number>> = {};
  for (const part of map.split(',')) {
    const [k, v] = part.split('=').map((s) => s?.trim());
    if (!k || v === undefined || !FIELDS.includes(k as Field)) throw fileError(file, `--map: "${part}" is not field=column`, `fields: ${FIELDS.join(', ')}`);
    const i = /^\d+$/.test(v) ? Number(v) : header.indexOf(v.toLowerCase());
    if (i < 0 || i >= header.length) throw fileError(file, `--map: column "${v}" is not in the file (it has ${header.length} columns)`);
    out[k as Field] = i;
  }
  return out;
}

function dateOrder(format: string | undefined, profile: Profile | undefined, samples: string[], file: string): 'ymd' | 'dmy' | 'mdy' {
  if (format) {
    const order = DATE_FORMATS[format];
    if (!order) throw fileError(file, `--date-format "${format}" is not one I know`, `use one of ${Object.keys(DATE_FORMATS).join(', ')}`);
    return order as 'ymd' | 'dmy' | 'mdy';
  }
  if (profile?.dateOrder) return profile.dateOrder;
  const guessed = guessOrder(samples.filter(Boolean));
  if (!guessed) {
    // Name the layouts in the file's own separator, so the hint can be pasted as is.
    const sep = /[./-]/.exec(samples.find(Boolean) ?? '')?.[0] ?? '/';
    throw fileError(file, 'its dates could be day-first or month-first (or mix layouts)', `say which with --date-format DD${sep}MM${sep}YYYY or MM${sep}DD${sep}YYYY`);
  }
  return guessed;
}

/** Comma decimals only when every amount reads that way and none reads as a dot decimal. */
function decimalMark(values: string[], delimiter: string): '.' | ',' {
  const comma = values.filter((v) => /^[-+(]?\d+,\d{1,3}\)?-?$/.test(v.trim())).length;
  const dot = values.filter((v) => /\d\.\d/.test(v)).length;
  if (comma > 0 && dot === 0 && delimiter !== ',') return ',';
  return '.';
}

function dateOrFail(raw: string, order: 'ymd' | 'dmy' | 'mdy', fail: (m: string) => Error): string {
  try {
    return readDate(raw, order);
  } catch {
    throw fail(`value date "${raw}" does not match the file's layout (${order})`);
  }
}
