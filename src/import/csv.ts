import { LineBatcher, type StatementSink, type StreamParser } from './stream.js';
import { KeySet } from '../domain/key-set.js';
import type { TransactionType } from '../domain/model.js';
import { BanksyncError } from '../domain/errors.js';
import { cellToMinor, decimalEvidence, splitAmount, unitCurrencies, type AmountCell } from './amounts.js';
import { BalanceWalk, type Booked } from './csv-balances.js';
import { balanceLabel, checkWidth, dateOnly, detectDelimiter, planTable, PLAN_ROWS, RowReader, transactionCells, type Row } from './csv-table.js';
import { isDirectionHeader, KNOWN_MARKERS, looksLikeDirections, parseDebitValues, readDirection } from './csv-direction.js';
import { DATE_FORMATS, isImpossibleDate, ordersThatRead, readDate } from './dates.js';
import { fileError } from './errors.js';
import type { FileLine, ParseOptions } from './types.js';

type Field = 'date' | 'value_date' | 'amount' | 'direction' | 'debit' | 'credit' | 'currency' | 'payee' | 'memo' | 'id' | 'type' | 'balance' | 'counterparty_iban';
const FIELDS: readonly Field[] = ['date', 'value_date', 'amount', 'direction', 'debit', 'credit', 'currency', 'payee', 'memo', 'id', 'type', 'balance', 'counterparty_iban'];
type Columns = Partial<Record<Field, number>>;

/** Header names each field answers to, lower-case, for the named profiles and auto-detection (direction: csv-direction.ts). */
const NAMES: Record<Exclude<Field, 'direction'>, string[]> = {
  date: [
    'date',
    'booking date',
    'bookingdate',
    'transaction date',
    'posted',
    'posting date',
    'completed date',
    'buchungstag',
    'buchungsdatum',
    'datum',
    'transactiedatum',
    'boekdatum',
    'boekingsdatum',
    'date opération',
    'fecha',
  ],
  value_date: ['value_date', 'value date', 'valuedate', 'valuta', 'valutadatum', 'rentedatum', 'wertstellung', 'wertstellung (valuta)', 'date valeur'],
  amount: ['amount', 'betrag', 'bedrag', 'montant', 'importe', 'umsatz'],
  debit: ['debit', 'withdrawal', 'withdrawals', 'money out', 'paid out', 'af', 'soll', 'débit'],
  credit: ['credit', 'deposit', 'deposits', 'money in', 'paid in', 'bij', 'haben', 'crédit'],
  currency: ['currency', 'währung', 'valuta code', 'devise', 'ccy', 'munt'],
  payee: [
    'payee',
    'name',
    'naam',
    'description',
    'counterparty',
    'beneficiary',
    'empfänger',
    'auftraggeber/empfänger',
    'auftraggeber/zahlungsempfänger',
    'auftraggeber / begünstigter',
    'naam / omschrijving',
    'naam tegenpartij',
    'merchant',
  ],
  memo: ['memo', 'reference', 'notes', 'note', 'verwendungszweck', 'buchungsdetails', 'omschrijving', 'mededelingen', 'libellé', 'details', 'narrative'],
  id: ['id', 'transaction id', 'reference number', 'fitid'],
  type: ['type', 'transaction type'],
  balance: ['balance', 'saldo', 'solde', 'running balance', 'saldo na mutatie', 'saldo na trn', 'kontostand'],
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
const MONEY = ['amount', 'debit', 'credit', 'balance'] as const;

/** What the first rows settle about the table: where it is, its columns, its layout. */
interface Plan {
  header?: string[];
  headerRow?: Row;
  bodyAt: number;
  /** The header's width; without a header, known at the end of the first pass. */
  width?: number;
  columns: Columns;
  profile?: Profile;
  debitValues?: string[];
  warnings: string[];
}

function planFrom(scan: Row[], file: string, o: ParseOptions, delimiter: string): Plan {
  const mapNames = o.map ? namesInMap(o.map) : [];
  const namesColumns = (cells: string[]) => {
    const h = cells.map(norm);
    if (mapNames.length) return mapNames.every((n) => h.includes(n));
    const c = fromHeader(h);
    return c.date !== undefined && (c.amount !== undefined || (c.debit !== undefined && c.credit !== undefined));
  };
  const table = planTable(scan, file, o.header, namesColumns);
  const header = table.header?.cells.map(norm);
  if (!header) noHeader(file, scan[table.bodyAt]!, o, mapNames);
  // Without a header the width is the data's usual one, counted over the whole file: --map's
  // column numbers are checked against it at the end of the first pass.
  const columns = o.map ? fromMap(o.map, header, table.width ?? Number.MAX_SAFE_INTEGER, file) : fromHeader(header!);
  // A column the header names as the sign ("Af Bij", "Soll/Haben") is used even when --map left it out.
  if (o.map && header && columns.direction === undefined && columns.debit === undefined) {
    const d = header.findIndex(isDirectionHeader);
    if (d >= 0 && !Object.values(columns).includes(d)) columns.direction = d;
  }
  const joined = header?.join(',') ?? '';
  const profileName = o.profile ?? (o.map ? undefined : joined.startsWith('date,amount,currency,payee,memo,id') || joined.startsWith('account,date,amount,currency') ? 'banksync' : undefined);
  const profile = profileName ? CSV_PROFILES[profileName] : undefined;
  if (profileName && !profile) throw fileError(file, `unknown CSV profile "${profileName}"`, `profiles: ${Object.keys(CSV_PROFILES).join(', ')}`);
  for (const f of profile?.needs ?? []) if (columns[f] === undefined) throw fileError(file, `has no "${f}" column for profile ${profileName}`, `header: ${header?.join(delimiter) ?? '(none)'}`);
  if (columns.date === undefined) throw fileError(file, 'has no date column I recognise', 'name the columns with --map date=0,amount=3,payee=1,memo=2 (0-based)');
  if (columns.amount === undefined && (columns.debit === undefined || columns.credit === undefined)) {
    throw fileError(file, 'has no amount column (nor debit and credit columns) I recognise', 'name them with --map, e.g. --map date=0,amount=3 or --map date=0,debit=2,credit=3');
  }
  if (columns.direction !== undefined && columns.amount === undefined) throw fileError(file, '--map: a direction column goes with an amount column, not with debit/credit columns');
  const debitValues = parseDebitValues(o.debitValues);
  if (debitValues && columns.direction === undefined) throw fileError(file, '--debit-values needs a direction column', 'name it with --map, e.g. --map date=0,amount=3,direction=4');
  return { header, headerRow: table.header, bodyAt: table.bodyAt, width: table.width, columns, profile, debitValues, warnings: table.warnings };
}

/**
 * CSV in two passes over the text, both streaming. The first reads every record: the first
 * rows settle the table (title lines, header, columns), the rest only feed what the whole file
 * decides (the usual width of a headerless file, the date layout, the decimal mark, balance
 * lines between transactions). The second turns each data row into a line, in batches.
 */
export function csvParser(file: string, o: ParseOptions, sink: StatementSink): StreamParser {
  let pass = 0;
  let pending = '';
  let delimiter = ',';
  let lineBreak = '\n';
  let reader: RowReader | null = null;
  const scan: Row[] = [];
  let plan: Plan | undefined;
  let planFailed: unknown;
  // First pass: what the whole file decides.
  const widths = new Map<number, number>();
  const dates = new DateEvidence();
  const decimals = new DecimalEvidence();
  let firstFault: unknown;
  let afterData = false;
  let heldLabel: { row: Row; label: string } | undefined;
  // Second pass.
  let width = 0;
  let context: LineContext;
  let batch: LineBatcher;
  let started = false;
  let currency: string | undefined;
  let walk: BalanceWalk | undefined;
  let anyNegative = false;
  let direction: DirectionColumns | undefined;
  let leading: string[] = [];
  let trailing: Row[] = [];
  let seenLine = false;
  const warnings: string[] = [];

  const cell = (r: Row, f: Field) => (plan!.columns[f] === undefined ? undefined : r.cells[plan!.columns[f]!]?.trim());

  /** First pass, every row: the first PLAN_ROWS plan the table, then each data row is surveyed. */
  const survey = (r: Row, index: number) => {
    if (planFailed) return;
    if (!plan) {
      scan.push(r);
      if (scan.length < PLAN_ROWS) return;
      makePlan();
      return;
    }
    surveyRow(r, index);
  };
  const makePlan = () => {
    try {
      plan = planFrom(scan, file, o, delimiter);
    } catch (e) {
      planFailed = e;
      return;
    }
    scan.forEach((r, i) => surveyRow(r, i));
  };
  const surveyRow = (r: Row, index: number) => {
    const p = plan!;
    if (index < p.bodyAt || firstFault) return;
    if (p.width === undefined) widths.set(r.cells.length, (widths.get(r.cells.length) ?? 0) + 1);
    else {
      try {
        checkWidth(r, p.width, p.headerRow, file);
      } catch (e) {
        firstFault = e;
        return;
      }
    }
    const label = balanceLabel(r);
    if (label) {
      heldLabel ??= { row: r, label };
      return;
    }
    if (heldLabel && afterData) {
      firstFault = fileError(file, `line ${heldLabel.row.line}: "${heldLabel.label}" is a balance line between transactions`, 'remove it: a balance is not a transaction');
      return;
    }
    heldLabel = undefined;
    afterData = true;
    if (!o.dateFormat && !p.profile?.dateOrder) dates.add(r.line, dateOnly(cell(r, 'date') ?? ''));
    if (!o.decimal && !p.profile) decimals.add(r, p.columns);
  };

  /** End of the first pass: the whole file's verdicts, in the order the whole-file reader gave them. */
  const decide = () => {
    if (!plan && !planFailed && scan.length > 0) makePlan();
    if (scan.length === 0) throw fileError(file, 'is empty: there is nothing to import', 'download the statement from your bank again');
    if (planFailed) throw planFailed;
    const p = plan!;
    if (p.width === undefined) {
      let best = 0;
      let bestCount = 0;
      for (const [w, n] of widths) if (n > bestCount || (n === bestCount && w > best)) [best, bestCount] = [w, n];
      p.width = best;
      if (o.map) fromMap(o.map, p.header, best, file);
    }
    if (firstFault) throw firstFault;
    width = p.width;
    const order = o.dateFormat || p.profile?.dateOrder ? dateOrder(o.dateFormat, p.profile, file) : dates.order(file);
    const decimal = o.decimal ?? p.profile?.decimal ?? decimals.mark(file);
    context = { file, columns: p.columns, currency: o.currency, decimal, order, debitValues: p.debitValues, ids: new KeySet() };
    if (p.columns.amount !== undefined && p.columns.direction === undefined) direction = new DirectionColumns(width);
    batch = new LineBatcher(sink);
    warnings.push(...p.warnings);
  };

  /** Second pass, every row: data rows into lines. */
  const read = (r: Row, index: number) => {
    const p = plan!;
    if (index < p.bodyAt) return;
    if (p.headerRow === undefined) checkWidth(r, width, undefined, file);
    else if (r.cells.length > width) r.cells = r.cells.slice(0, width);
    const label = balanceLabel(r);
    if (label) {
      trailing.push(r);
      return;
    }
    if (trailing.length) {
      if (seenLine) throw fileError(file, `line ${trailing[0]!.line}: "${balanceLabel(trailing[0]!)}" is a balance line between transactions`, 'remove it: a balance is not a transaction');
      leading = trailing.map((t) => `line ${t.line}: left out "${balanceLabel(t)}", a balance line, not a transaction`);
      trailing = [];
    }
    seenLine = true;
    const booked = readLine(r, context);
    const line = booked.line;
    if (currency === undefined) {
      currency = line.currency;
      walk = new BalanceWalk(currency);
    } else if (line.currency !== currency) {
      throw fileError(file, `mixes currencies (${currency}, ${line.currency}); one account has one currency`);
    }
    if (!started) start(currency);
    if (line.amountMinor < 0) anyNegative = true;
    direction?.add(r, line);
    walk!.push(booked);
    batch.push(line);
  };
  const start = (c: string | undefined) => {
    started = true;
    sink.statement({ currency: c });
  };

  const finish = () => {
    if (!started) start(o.currency);
    batch.flush();
    if (direction && !anyNegative) direction.refuse(file, plan!.headerRow?.cells, plan!.columns);
    warnings.push(...leading, ...trailing.map((t) => `line ${t.line}: left out "${balanceLabel(t)}", a balance line, not a transaction`));
    const { balances, warnings: balanceWarnings } = walk?.result() ?? { balances: [], warnings: [] };
    warnings.push(...balanceWarnings);
    sink.end(balances);
  };

  return {
    format: 'csv',
    begin(n) {
      pass = n;
      pending = '';
      reader = null;
      if (n === 1) decide();
      return n <= 1;
    },
    write(text) {
      if (reader) return reader.write(text);
      // The delimiter and the line break are read from the first lines.
      pending += text;
      if (countLines(pending, 60) < 60 && pending.length < 1 << 20) return;
      open();
    },
    end() {
      if (!reader) open();
      reader!.end();
      if (pass === 1) finish();
    },
    warnings: () => warnings,
  };

  function open() {
    if (pass === 0) {
      delimiter = detectDelimiter(pending);
      lineBreak = pending.includes('\n') ? '\n' : '\r';
    }
    reader = new RowReader(file, delimiter, lineBreak, pass === 0 ? survey : read);
    const text = pending;
    pending = '';
    if (text) reader.write(text);
  }
}

function countLines(text: string, upTo: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && n < upTo; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** The date layout every non-ISO date of the file reads in (guessOrder, one date at a time). */
class DateEvidence {
  private fits = new Set<'ymd' | 'dmy' | 'mdy'>(['ymd', 'dmy', 'mdy']);
  private decisive = false;
  private unreadable?: { line: number; date: string };
  private first?: string;

  add(line: number, date: string): void {
    if (!date) return;
    this.first ??= date;
    const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
    if (iso) {
      // ISO dates read the same in every order, so only the others can decide; an impossible one is named if nothing decides.
      if (!this.unreadable && (Number(iso[2]) > 12 || Number(iso[3]) > 28 || iso[2] === '00' || iso[3] === '00') && ordersThatRead(date).length === 0) this.unreadable = { line, date };
      return;
    }
    this.decisive = true;
    const reads = ordersThatRead(date);
    if (reads.length === 0) this.unreadable ??= { line, date };
    if (this.fits.size > 0) for (const f of [...this.fits]) if (!reads.includes(f)) this.fits.delete(f);
  }

  order(file: string): 'ymd' | 'dmy' | 'mdy' {
    if (!this.decisive) return 'ymd';
    if (this.fits.size === 1) return [...this.fits][0]!;
    // A date no layout reads (30-02-2026) is the problem, not the order: name its line.
    if (this.unreadable) throw fileError(file, `line ${this.unreadable.line}: date "${this.unreadable.date}" is not a calendar date in any layout`, 'fix the date in the file');
    // Name the layouts in the file's own separator, so the hint can be pasted as is.
    const sep = /[./-]/.exec(this.first ?? '')?.[0] ?? '/';
    throw fileError(file, 'its dates could be day-first or month-first (or mix layouts)', `say which with --date-format DD${sep}MM${sep}YYYY or MM${sep}DD${sep}YYYY`);
  }
}

/**
 * The file's decimal mark from its own numbers: "1.500,00" or "12,50" say comma, "1,500.00" or
 * "12.5" say point. Numbers that read both ways ("1,500") decide nothing; a file with only those
 * is refused rather than guessed, and a file that says both is refused naming the odd line.
 */
class DecimalEvidence {
  private readonly seen: Record<'.' | ',' | 'either', { count: number; first?: { line: number; field: string; raw: string } }> = { '.': { count: 0 }, ',': { count: 0 }, either: { count: 0 } };

  add(r: Row, columns: Columns): void {
    for (const field of MONEY) {
      if (columns[field] === undefined) continue;
      const raw = r.cells[columns[field]!]?.trim();
      const split = raw ? splitAmount(raw) : null;
      const evidence = split ? decimalEvidence(split.number) : null;
      if (!evidence || evidence === 'none') continue;
      this.seen[evidence].count++;
      this.seen[evidence].first ??= { line: r.line, field, raw: raw! };
    }
  }

  mark(file: string): '.' | ',' {
    const { seen } = this;
    const name = (m: '.' | ',') => (m === ',' ? 'a decimal comma' : 'a decimal point');
    if (seen['.'].count && seen[','].count) {
      const odd: '.' | ',' = seen['.'].count < seen[','].count ? '.' : ',';
      const other = odd === '.' ? ',' : '.';
      const a = seen[odd].first!;
      const b = seen[other].first!;
      throw fileError(file, `line ${a.line}: ${a.field} "${a.raw}" has ${name(odd)}, but line ${b.line} ("${b.raw}") has ${name(other)}`, 'one file uses one decimal mark: fix the odd line');
    }
    if (seen['.'].count) return '.';
    if (seen[','].count) return ',';
    const a = seen.either.first;
    if (a)
      throw fileError(
        file,
        `line ${a.line}: ${a.field} "${a.raw}" reads as a thousands or a decimal separator, and no amount in the file settles which`,
        'say which with --decimal . (1,500 = 1500) or --decimal , (1,500 = 1.5)',
      );
    return '.';
  }
}

/**
 * An unsigned amount column next to an unmapped column of debit/credit markers would store every
 * debit as money in. The rule: when no amount in the file is negative (the file itself says
 * nothing about signs) and a column holds only markers, at least one a debit on a non-zero
 * amount, that column is the sign and must be mapped. A signed amount column is left as it is
 * (its own signs win), and so is a savings file with only deposits and no debit marker.
 * Watched line by line; `refuse` decides at the end.
 */
class DirectionColumns {
  private readonly markers: boolean[];
  private readonly debitIn: ({ where: string; value: string } | undefined)[];
  private rows = 0;

  constructor(private readonly width: number) {
    this.markers = Array.from({ length: width }, () => true);
    this.debitIn = Array.from({ length: width }, () => undefined);
  }

  add(r: Row, line: FileLine): void {
    this.rows++;
    for (let c = 0; c < this.width; c++) {
      if (!this.markers[c]) continue;
      const value = r.cells[c]?.trim() ?? '';
      if (!looksLikeDirections([value])) {
        this.markers[c] = false;
        continue;
      }
      // A debit marker on money in: the amounts are unsigned. All credit markers ("C" for cleared, say) sign nothing.
      if (!this.debitIn[c] && readDirection(value) === 'debit' && line.amountMinor > 0) this.debitIn[c] = { where: line.where, value };
    }
  }

  refuse(file: string, header: string[] | undefined, columns: Columns): void {
    if (this.rows === 0) return;
    for (let c = 0; c < this.width; c++) {
      const hit = this.debitIn[c];
      if (!this.markers[c] || !hit) continue;
      const name = header?.[c]?.trim() ? ` ("${header[c]!.trim()}")` : '';
      throw fileError(
        file,
        `${hit.where}: the amount has no sign of its own, but column ${c}${name} says "${hit.value}": that column is the sign and it is not mapped`,
        `add it to --map, e.g. --map ${mapFor(columns)},direction=${c}`,
      );
    }
  }
}

const norm = (h: string) => h.trim().toLowerCase().replace(/\s+/g, ' ');
/** "Betrag (EUR)", "Umsatz in EUR", "Saldo (€)" name the same column as "Betrag", "Umsatz", "Saldo". */
const bare = (h: string) => h.replace(/\s*(?:\((?:[a-z]{3}|[€$£¥])\)|in (?:[a-z]{3}|[€$£¥]))$/, '');

interface LineContext {
  file: string;
  columns: Columns;
  /** --currency (or the target account's), for lines whose file gives none. */
  currency: string | undefined;
  decimal: '.' | ',';
  order: 'ymd' | 'dmy' | 'mdy';
  debitValues: string[] | undefined;
  ids: KeySet;
}

/** One data row into a line, every failure naming the row's line in the file. */
function readLine(r: Row, { file, columns, currency: fallback, decimal, order, debitValues, ids }: LineContext): Booked {
  const cell = (f: Field) => (columns[f] === undefined ? undefined : r.cells[columns[f]!]?.trim());
  const where = `line ${r.line}`;
  const fail = (m: string, hint?: string) => fileError(file, `${where}: ${m}`, hint);
  const notPlain = (f: string, raw: string) => fail(`${f} "${raw}" is missing or not a plain ${decimal === ',' ? 'decimal-comma' : 'decimal'} number`);
  const money: Partial<Record<(typeof MONEY)[number], { raw: string; split: AmountCell }>> = {};
  for (const f of MONEY) {
    const raw = cell(f);
    if (!raw) continue;
    const split = splitAmount(raw);
    if (!split) throw f === 'balance' ? fail(`balance "${raw}" is not a plain decimal number`) : notPlain(f, raw);
    money[f] = { raw, split };
  }
  const units: Unit[] = [];
  for (const f of MONEY) if (money[f]?.split.unit) units.push({ field: f, raw: money[f]!.raw, unit: money[f]!.split.unit! });
  const currency = lineCurrency(cell('currency') || fallback, units, fail);
  const minor = (f: (typeof MONEY)[number]): number => {
    const m = money[f]!;
    let v: number | null;
    try {
      v = cellToMinor(m.split, decimal, currency);
    } catch (e) {
      // Too many decimals for the currency, or too large: say which cell.
      if (e instanceof BanksyncError) throw fail(`${f} "${m.raw}": ${e.message}`);
      throw e;
    }
    if (v === null) throw notPlain(f, m.raw);
    return v;
  };
  let amountMinor: number;
  if (columns.amount !== undefined) {
    if (!money.amount) throw notPlain('amount', '');
    amountMinor = minor('amount');
    if (columns.direction !== undefined) amountMinor = applyDirection(amountMinor, money.amount.raw, cell('direction') ?? '', debitValues, fail);
  } else {
    if (!money.debit && !money.credit) throw fail(`amount "${cell('debit') ?? ''}/${cell('credit') ?? ''}" is missing or not a plain decimal number`);
    amountMinor = (money.credit ? Math.abs(minor('credit')) : 0) - (money.debit ? Math.abs(minor('debit')) : 0);
  }
  const id = cell('id') || undefined;
  if (id) {
    if (ids.count(id) !== 0) throw fail(`id ${id} appears twice`, 'a file with duplicate ids cannot be deduplicated safely');
    ids.add(id);
  }
  const rawType = cell('type');
  const type: TransactionType =
    rawType && OUR_TYPES.has(rawType.toLowerCase() as TransactionType)
      ? (rawType.toLowerCase() as TransactionType)
      : ((rawType ? OFX_TYPES[rawType.toUpperCase()] : undefined) ?? (amountMinor < 0 ? 'debit' : 'credit'));
  const valueDate = cell('value_date');
  const line: FileLine = {
    id,
    bookingDate: dateOrFail('date', cell('date') ?? '', order, fail),
    valueDate: valueDate ? dateOrFail('value date', valueDate, order, fail) : undefined,
    amountMinor,
    currency,
    payee: oneLine(cell('payee')),
    memo: oneLine(cell('memo')),
    type,
    counterpartyIban: cell('counterparty_iban') || undefined,
    where,
  };
  return { line, balance: money.balance ? { minor: minor('balance'), raw: money.balance.raw } : undefined };
}

const oneLine = (v: string | undefined) => (v ? v.replace(/\s*[\r\n]+\s*/g, ' ').trim() || undefined : undefined);

/** A file with no header row can only be read with column numbers: say so, showing the first row. */
function noHeader(file: string, first: Row, o: ParseOptions, mapNames: string[]): void {
  const shown = first.cells.map((c, i) => `${i}=${c.trim()}`).join(' ');
  const at = transactionCells(first.cells);
  const example = at ? `--map date=${at.date},amount=${at.amount}` : '--map date=0,amount=3';
  if (!o.map) throw fileError(file, `has no header row (line ${first.line} is a transaction: ${shown})`, `name the columns with --map and 0-based column numbers, e.g. ${example}`);
  if (mapNames.length) throw fileError(file, `has no header row, so --map cannot name columns by header (${mapNames.join(', ')})`, `use 0-based column numbers, e.g. ${example}`);
}

function fromHeader(header: string[]): Columns {
  const out: Columns = {};
  for (const f of FIELDS) {
    const i = f === 'direction' ? header.findIndex(isDirectionHeader) : header.findIndex((h) => NAMES[f].includes(h) || NAMES[f].includes(bare(h)));
    if (i >= 0 && !Object.values(out).includes(i)) out[f] = i;
  }
  return out;
}

/** The header names (not numbers) a --map uses, lower-case. */
function namesInMap(map: string): string[] {
  return map
    .split(',')
    .map((p) => p.split('=')[1]?.trim() ?? '')
    .filter((v) => v && !/^\d+$/.test(v))
    .map(norm);
}

/** `--map date=0,amount=3,payee=Name`: 0-based column numbers or header names. */
function fromMap(map: string, header: string[] | undefined, width: number, file: string): Columns {
  const out: Columns = {};
  for (const part of map.split(',')) {
    const [k, v] = part.split('=').map((s) => s?.trim());
    if (!k || v === undefined || !FIELDS.includes(k as Field)) throw fileError(file, `--map: "${part}" is not field=column`, `fields: ${FIELDS.join(', ')}`);
    const i = /^\d+$/.test(v) ? Number(v) : (header?.indexOf(norm(v)) ?? -1);
    if (i < 0 || i >= width) throw fileError(file, `--map: column "${v}" is not in the file (it has ${width} columns)`);
    out[k as Field] = i;
  }
  return out;
}

/** The date layout --date-format or the profile names. */
function dateOrder(format: string | undefined, profile: Profile | undefined, file: string): 'ymd' | 'dmy' | 'mdy' {
  if (format) {
    const order = DATE_FORMATS[format];
    if (!order) throw fileError(file, `--date-format "${format}" is not one I know`, `use one of ${Object.keys(DATE_FORMATS).join(', ')}`);
    return order as 'ymd' | 'dmy' | 'mdy';
  }
  return profile!.dateOrder!;
}

function dateOrFail(what: string, raw: string, order: 'ymd' | 'dmy' | 'mdy', fail: (m: string, hint?: string) => Error): string {
  try {
    return readDate(dateOnly(raw), order);
  } catch {
    if (isImpossibleDate(dateOnly(raw))) throw fail(`${what} "${raw}" is not a calendar date in any layout`, 'fix the date in the file');
    throw what === 'date'
      ? fail(`date "${raw}" does not match the file's layout (${order})`, 'give --date-format, e.g. DD.MM.YYYY')
      : fail(`${what} "${raw}" does not match the file's layout (${order})`);
  }
}

/**
 * The line's currency: its currency column or --currency, checked against any symbol or code
 * next to its amounts. Without either, a symbol names the currency only when it means one
 * ("€"; not "$", which is also CAD, AUD, ...).
 */
interface Unit {
  field: string;
  raw: string;
  unit: string;
}

function lineCurrency(declared: string | undefined, units: Unit[], fail: (m: string, hint?: string) => Error): string {
  let currency = declared?.toUpperCase();
  if (units.length === 0 && currency && /^[A-Z]{3}$/.test(currency)) return currency;
  // Codes and one-currency symbols first: "$" next to an amount in "USD" is then settled.
  const sorted = units.map((u) => ({ ...u, currencies: unitCurrencies(u.unit) })).sort((a, b) => a.currencies.length - b.currencies.length);
  for (const u of sorted) {
    if (u.currencies.length === 0) throw fail(`"${u.unit}" in ${u.field} "${u.raw}" is not a currency code`);
    if (currency) {
      if (!u.currencies.includes(currency))
        throw fail(
          `${u.field} "${u.raw}" is in ${u.currencies.length === 1 ? u.currencies[0] : `"${u.unit}"`}, but the line's currency is ${currency}`,
          u.currencies.length === 1 ? 'a file with amounts in another currency belongs to another account' : `"${u.unit}" is one of ${u.currencies.slice(0, 6).join(', ')}…`,
        );
    } else if (u.currencies.length === 1) {
      currency = u.currencies[0];
    } else {
      throw fail(`"${u.unit}" in ${u.field} "${u.raw}" could be ${u.currencies.slice(0, 4).join(', ')} or another currency`, 'give --currency, e.g. --currency USD');
    }
  }
  if (!currency) throw fail('no currency', 'this CSV has no currency column: give --currency EUR');
  if (!/^[A-Z]{3}$/.test(currency)) throw fail(`"${currency}" is not a currency code`);
  return currency;
}

/** An amount under a direction column: the direction gives the sign; a sign that says the opposite is an error. */
function applyDirection(amountMinor: number, rawAmount: string, rawDirection: string, debitValues: string[] | undefined, fail: (m: string, hint?: string) => Error): number {
  const direction = readDirection(rawDirection, debitValues);
  if (!direction) {
    throw fail(`direction "${rawDirection}" is not a debit/credit marker I know`, `known: ${KNOWN_MARKERS}; name the debit values with --debit-values (every other value is then a credit)`);
  }
  if (direction === 'credit' && amountMinor < 0) throw fail(`amount "${rawAmount}" is negative, but its direction "${rawDirection}" says credit`);
  return direction === 'debit' ? -Math.abs(amountMinor) : amountMinor;
}

const mapFor = (columns: Columns) =>
  Object.entries(columns)
    .map(([f, i]) => `${f}=${i}`)
    .join(',');
