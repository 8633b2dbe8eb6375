import { createRequire } from 'node:module';
import { decimalEvidence, splitAmount } from './amounts.js';
import { readDate } from './dates.js';
import { fileError } from './errors.js';

/** One non-empty CSV record and the file line it starts on (what every message names). */
export interface Row {
  cells: string[];
  line: number;
}

/** Where the table sits in the file: an optional header row and the data rows under it. */
export interface Table {
  header?: Row;
  body: Row[];
  /** Fields a data row must have (the header's, or the usual width of a headerless file). */
  width: number;
  warnings: string[];
}

// csv-parse is loaded by the first CSV read, not with the import command (an OFX import never uses it).
const require = createRequire(import.meta.url);
let csvParse: typeof import('csv-parse') | undefined;

/** Preamble and header are looked for in the first rows only: a title block is short. */
const SCAN_ROWS = 100;

/**
 * CSV records fed as text chunks (csv-parse's incremental parser, the engine of its stream API,
 * driven synchronously), each non-empty one handed over with the file line it starts on. Empty
 * lines and rows of empty fields are left out but counted.
 */
export class RowReader {
  private readonly api: { parse(buf: Buffer | undefined, end: boolean, push: (r: string[]) => void, close: () => void): Error | undefined };
  private line = 1;
  private count = 0;

  constructor(
    private readonly file: string,
    delimiter: string,
    private readonly lineBreak: string,
    private readonly onRow: (r: Row, index: number) => void,
  ) {
    const parser = new (csvParse ??= require('csv-parse') as typeof import('csv-parse')).Parser({
      delimiter,
      bom: true,
      skip_empty_lines: false,
      relax_column_count: true,
      relax_quotes: false,
      trim: false,
    });
    this.api = (parser as unknown as { api: RowReader['api'] }).api;
  }

  write(text: string): void {
    this.check(this.api.parse(Buffer.from(text), false, this.push, () => undefined));
  }

  end(): void {
    this.check(this.api.parse(undefined, true, this.push, () => undefined));
  }

  // Every line gives a record (empty lines too), so a record starts one line after the previous
  // one ended; a record ends as many lines further as its quoted fields hold line breaks.
  // (csv-parse's info option says the same, at twice the parse time.)
  private readonly push = (cells: string[]) => {
    const line = this.line;
    this.line += 1;
    for (const c of cells) for (let i = c.indexOf(this.lineBreak); i >= 0; i = c.indexOf(this.lineBreak, i + 1)) this.line++;
    if (cells.some((c) => c.trim() !== '')) this.onRow({ cells, line }, this.count++);
  };

  private check(e: Error | undefined): void {
    if (e) throw fileError(this.file, `not valid CSV: ${e.message.split('\n')[0]}`, 'quote fields holding the delimiter or a quote');
  }
}

/**
 * The delimiter that splits the most of the first lines into the same number of fields: title
 * lines above the table and commas inside decimal-comma amounts are outvoted by the table.
 */
export function detectDelimiter(text: string): string {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/, 60)
    .filter((l) => l.trim())
    .slice(0, 30)
    .map((l) => l.replace(/"[^"]*"/g, ''));
  let best = { delimiter: ',', lines: 0, fields: 0 };
  for (const delimiter of [',', ';', '\t', '|']) {
    const counts = new Map<number, number>();
    for (const l of lines) {
      const n = l.split(delimiter).length - 1;
      if (n > 0) counts.set(n, (counts.get(n) ?? 0) + 1);
    }
    for (const [fields, count] of counts) {
      if (count > best.lines || (count === best.lines && fields > best.fields)) best = { delimiter, lines: count, fields };
    }
  }
  return best.delimiter;
}

/** "2022-01-02 12:16:54", "2022-01-02T12:16:54+01:00" → the calendar day as written; never shifted by the zone. */
export function dateOnly(raw: string): string {
  const v = raw.trim();
  if (v.length <= 10) return v;
  const m =
    /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(v) ??
    /^(\S+)\s+\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[ap]\.?m\.?)?(?:\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}))?$/i.exec(v);
  return m ? m[1]! : v;
}

function readsAsDate(cell: string): boolean {
  const v = dateOnly(cell);
  if (!/^\d/.test(v)) return false;
  return (['ymd', 'dmy', 'mdy'] as const).some((o) => {
    try {
      readDate(v, o);
      return true;
    } catch {
      return false;
    }
  });
}

/** A row that holds a date cell and another cell that reads as an amount is a transaction, not a header. */
export function transactionCells(cells: string[]): { date: number; amount: number } | null {
  const date = cells.findIndex(readsAsDate);
  if (date < 0) return null;
  const amount = cells.findIndex((c, i) => {
    if (i === date || !/\d/.test(c) || readsAsDate(c)) return false;
    const split = splitAmount(c);
    return split !== null && decimalEvidence(split.number) !== null;
  });
  return amount < 0 ? null : { date, amount };
}

const trimmedLength = (cells: string[]) => {
  let n = cells.length;
  while (n > 0 && cells[n - 1]!.trim() === '') n--;
  return n;
};

/**
 * A header for the data row below it: not a transaction itself, words (no digits) where the data
 * has its date and amount, and as wide as the data give or take trailing empty fields.
 */
function headerFor(row: Row, data: Row, at: { date: number; amount: number }): boolean {
  const c = row.cells;
  if (transactionCells(c)) return false;
  if (/\d/.test(c[at.date] ?? '') || /\d/.test(c[at.amount] ?? '')) return false;
  if (c.filter((x) => x.trim()).length < 2) return false;
  return trimmedLength(c) <= data.cells.length && c.length >= trimmedLength(data.cells);
}

function modalWidth(rows: Row[]): number {
  const counts = new Map<number, number>();
  for (const r of rows) counts.set(r.cells.length, (counts.get(r.cells.length) ?? 0) + 1);
  let best = 0;
  let bestCount = 0;
  for (const [w, n] of counts) if (n > bestCount || (n === bestCount && w > best)) [best, bestCount] = [w, n];
  return best;
}

/** Where the table starts: found in the first rows (a title block is short), before the rest is read. */
export interface TablePlan {
  header?: Row;
  /** Index (among the non-empty rows) of the first data row. */
  bodyAt: number;
  /** The header's width; undefined without a header (the usual width of the data, counted over every data row). */
  width?: number;
  warnings: string[];
}

/**
 * Finds the header and the data, skipping title lines above them, in the first rows of the file
 * (`scan`). `header` is the user's --header (true) / --no-header (false); undefined lets the
 * content decide: a row that names the columns is the header; else the row above the first
 * transaction-like row, if it looks like one; else the file has no header and its first
 * transaction-like row is data.
 */
export function planTable(rows: Row[], file: string, header: boolean | undefined, namesColumns: (cells: string[]) => boolean): TablePlan {
  if (rows.length === 0) throw fileError(file, 'is empty: there is nothing to import', 'download the statement from your bank again');
  const scan = rows.slice(0, SCAN_ROWS);
  const named = header === false ? -1 : scan.findIndex((r) => namesColumns(r.cells));
  const data = scan.findIndex((r) => transactionCells(r.cells) !== null);
  const usual = modalWidth(scan);
  const firstModal = rows.findIndex((r) => r.cells.length === usual);
  let headerAt: number | undefined;
  let bodyAt: number;
  if (header === false) bodyAt = data >= 0 ? data : firstModal;
  else {
    if (named >= 0) headerAt = named;
    else if (data < 0) headerAt = firstModal;
    else if (data > 0 && headerFor(rows[data - 1]!, rows[data]!, transactionCells(rows[data]!.cells)!)) headerAt = data - 1;
    else if (header === true) headerAt = data;
    bodyAt = headerAt !== undefined ? headerAt + 1 : data;
  }
  const warnings: string[] = [];
  const start = headerAt ?? bodyAt;
  const width = headerAt !== undefined ? rows[headerAt]!.cells.length : modalWidth(rows.slice(bodyAt));
  if (headerAt === undefined && data >= 0) {
    // Above headerless data, a row as wide as the data with digits where the data has its date
    // and amount is a broken transaction, not a title line: skipping it would lose it.
    const at = transactionCells(rows[data]!.cells)!;
    const broken = rows.slice(0, start).find((r) => r.cells.length === width && /\d/.test(r.cells[at.date] ?? '') && /\d/.test(r.cells[at.amount] ?? ''));
    if (broken) throw fileError(file, `line ${broken.line}: neither a header nor a transaction I can read (its date or amount does not read)`, 'fix the line, or remove it if it is not a transaction');
  }
  const firstLine = rows[start]!.line;
  // Blank lines alone above the table are not worth a word.
  if (start > 0) {
    const what = headerAt !== undefined ? 'the header' : 'the first transaction';
    warnings.push(`skipped ${firstLine - 1} line${firstLine > 2 ? 's' : ''} before ${what} (line${firstLine > 2 ? `s 1-${firstLine - 1}` : ' 1'}): a title block, not transactions`);
  }
  if (headerAt === undefined && header === undefined && data >= 0) {
    warnings.push(`has no header row: line ${rows[data]!.line} reads as a transaction, so it is imported as data like every row (say --header if it is a header)`);
  }
  return { header: headerAt !== undefined ? rows[headerAt] : undefined, bodyAt, width: headerAt !== undefined ? width : undefined, warnings };
}

/** Rows in the first pass: the first SCAN_ROWS kept for planTable, then only counted. */
export const PLAN_ROWS = SCAN_ROWS;

/**
 * Every data row has the table's width. Trailing empty fields beyond it (a delimiter closing each
 * row) are dropped; a missing field, or an extra field that holds anything, is an error.
 */
export function checkWidth(r: Row, width: number, header: Row | undefined, file: string): void {
  const min = header ? Math.max(trimmedLength(header.cells), 1) : width;
  const extra = r.cells.slice(width);
  if (r.cells.length < min || extra.some((c) => c.trim() !== '')) {
    const than = header ? 'the header has' : 'the other rows have';
    throw fileError(file, `not valid CSV: line ${r.line} has ${r.cells.length} fields, ${than} ${width}`, "every row needs the header's number of fields; quote fields holding the delimiter");
  }
  if (r.cells.length > width) r.cells = r.cells.slice(0, width);
}

/** Labels of the balance lines some banks write under (or above) the transactions. */
const BALANCE_LABEL =
  /^\s*(anfangssaldo|endsaldo|alter kontostand|neuer kontostand|opening balance|closing balance|balance brought forward|balance carried forward|beginsaldo|eindsaldo|solde initial|solde final|saldo iniziale|saldo finale|saldo inicial|saldo final)\s*:?\s*$/i;

/** The balance label ("endsaldo") a row carries, if any: such rows at either end of the data are not transactions. */
export function balanceLabel(r: Row): string | undefined {
  for (const c of r.cells) {
    const m = BALANCE_LABEL.exec(c);
    if (m) return m[1]!.toLowerCase();
  }
  return undefined;
}
