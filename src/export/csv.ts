import { badInput } from '../domain/errors.js';
import { accountRef } from '../domain/model.js';
import { currencyDigits, formatMinor } from '../domain/money.js';
import { oneLine } from './text.js';
import { moneyInto, plainCellInto } from './csv-bytes.js';
import type { AccountSection, ExportFormat, ExportRow, ExportSettings } from './types.js';

/**
 * The layout ../validators/rules/banksync.csv.rules reads; hledger checks the running balance.
 * The rules' category and clean payee come last, so readers that take columns by position keep theirs.
 */
export const CSV_COLUMNS = ['date', 'amount', 'currency', 'payee', 'memo', 'id', 'type', 'balance', 'category', 'clean_payee'] as const;

type Cell = (r: ExportRow, s: AccountSection, money: (minor: number, currency: string) => string) => string;

/** Every column `--columns` accepts. */
export const CSV_CELLS: Readonly<Record<string, Cell>> = {
  date: (r) => r.bookingDate,
  value_date: (r) => r.valueDate ?? '',
  amount: (r, _s, money) => money(r.amountMinor, r.currency),
  currency: (r) => r.currency,
  payee: (r) => oneLine(r.payee),
  memo: (r) => oneLine(r.memo),
  id: (r) => r.id,
  type: (r) => r.type,
  balance: (r, _s, money) => (r.balanceAfter === null ? '' : money(r.balanceAfter, r.currency)),
  account: (r) => accountRef(r.accountId),
  account_name: (_r, s) => s.account.name,
  account_iban: (_r, s) => s.account.iban ?? '',
  institution: (_r, s) => s.institutionName,
  counterparty_iban: (r) => r.counterpartyIban ?? '',
  statement: (r) => `${r.periodStart}/${r.periodEnd}`,
  external_id: (r) => r.externalId ?? '',
  source: (r) => r.source,
  change: (r) => r.change,
  category: (r) => r.annotation.category ?? '',
  clean_payee: (r) => oneLine(r.annotation.cleanPayee ?? r.payee),
  tags: (r) => r.annotation.tags.join(' '),
  transfer_id: (r) => r.annotation.transfer?.transferId ?? '',
};

/**
 * What a cell holds before `oneLine` makes it one line: the byte path writes it when oneLine would
 * leave it as it is (three cells a line need no regex then). Other columns: the cell itself.
 */
const RAW_CELLS: Readonly<Record<string, Cell>> = {
  payee: (r) => r.payee ?? '',
  memo: (r) => r.memo ?? '',
  clean_payee: (r) => r.annotation.cleanPayee ?? r.payee ?? '',
};

// The byte path's column kinds: the usual columns read their field directly.
const OTHER = 0;
const DATE = 1;
const AMOUNT = 2;
const BALANCE = 3;
const CURRENCY = 4;
const PAYEE = 5;
const MEMO = 6;
const ID = 7;
const TYPE = 8;
const CATEGORY = 9;
const CLEAN_PAYEE = 10;
const COLUMN_KINDS: Readonly<Record<string, number>> = {
  date: DATE,
  amount: AMOUNT,
  balance: BALANCE,
  currency: CURRENCY,
  payee: PAYEE,
  memo: MEMO,
  id: ID,
  type: TYPE,
  category: CATEGORY,
  clean_payee: CLEAN_PAYEE,
};
/** Room for an amount: '-', the whole part, the mark and the fraction take at most 14 bytes in moneyInto's range. */
const MONEY_BYTES = 16;

/** Text cells a spreadsheet could run as a formula when they start with one of these. */
const TEXT_COLUMNS = new Set(['payee', 'memo', 'account_name', 'institution', 'external_id', 'source', 'category', 'clean_payee', 'tags']);
const FORMULA_START = /^[=+\-@\t\r]/;
/** Columns that read a line's details: without them the export reads narrower rows. */
const DETAIL_COLUMNS = new Set(['value_date', 'counterparty_iban', 'external_id', 'source']);

export function csvColumns(settings: ExportSettings, multiAccount: boolean): string[] {
  if (settings.columns) {
    const unknown = settings.columns.filter((c) => !Object.hasOwn(CSV_CELLS, c));
    if (unknown.length) throw badInput(`unknown CSV column "${unknown[0]}"`, `columns: ${Object.keys(CSV_CELLS).join(', ')}`);
    if (settings.columns.length === 0) throw badInput('--columns needs at least one column');
    return settings.columns;
  }
  const cols: string[] = multiAccount ? ['account', ...CSV_COLUMNS] : [...CSV_COLUMNS];
  if (settings.changes) cols.push('change');
  return cols;
}

export const csvFormat: ExportFormat = {
  name: 'csv',
  description: 'RFC 4180 CSV, UTF-8, header row; running balance column; category and clean payee from the rules',
  annotated: true,
  readsDetail: (settings) => settings.columns?.some((c) => DETAIL_COLUMNS.has(c)) ?? false,
  readsSummary: false,
  validate(sections, settings) {
    csvColumns(settings, sections.length > 1);
    const d = settings.delimiter;
    if (d !== undefined && (d.length !== 1 || /["\r\n]/.test(d))) throw badInput('--delimiter must be one character other than a quote or newline');
    if (settings.decimalComma && d === ',') throw badInput('--decimal-comma needs a delimiter other than ","', 'use --delimiter ";" (the default with --decimal-comma)');
  },
  create(settings) {
    const delimiter = settings.delimiter ?? (settings.decimalComma ? ';' : ',');
    const money = settings.decimalComma ? (minor: number, currency: string) => formatMinor(minor, currency).replace('.', ',') : formatMinor;
    const needsQuotes = new RegExp(`["\\r\\n${delimiter === '\t' ? '\\t' : delimiter.replace(/[\\^\]-]/g, '\\$&')}]|^\\s|\\s$`);
    // RFC 4180 quoting is three rules; doing it inline keeps the per-row cost low for 1M-line exports.
    const quote = (v: string) => (needsQuotes.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    let columns: string[] = [];
    let cells: Cell[] = [];
    let rawCells: Cell[] = [];
    let guarded: boolean[] = [];
    let writesChange = false;
    const delimiterCode = delimiter.charCodeAt(0);
    const delimiterBytes = Buffer.from(delimiter, 'utf8');
    let kinds: number[] = [];
    const decimalMark = settings.decimalComma ? 0x2c : 0x2e;
    // An amount is digits, '-' and the mark: written as it is unless the delimiter is one of them.
    const moneyPlain = !/[0-9-]/.test(delimiter) && delimiter.charCodeAt(0) !== decimalMark;
    let digitsOf = '';
    let digits = 0;
    /** A cell's text before oneLine (see RAW_CELLS), by a switch: one call site per column kind, not one for all. */
    const rawText = (kind: number, r: ExportRow, s: AccountSection, i: number): string => {
      switch (kind) {
        case DATE:
          return r.bookingDate;
        case CURRENCY:
          return r.currency;
        case PAYEE:
          return r.payee ?? '';
        case MEMO:
          return r.memo ?? '';
        case ID:
          return r.id;
        case TYPE:
          return r.type;
        case CATEGORY:
          return r.annotation.category ?? '';
        case CLEAN_PAYEE:
          return r.annotation.cleanPayee ?? r.payee ?? '';
        default:
          return rawCells[i]!(r, s, money);
      }
    };
    return {
      begin(sections) {
        columns = csvColumns(settings, sections.length > 1);
        cells = columns.map((c) => CSV_CELLS[c]!);
        rawCells = columns.map((c) => RAW_CELLS[c] ?? CSV_CELLS[c]!);
        kinds = columns.map((c) => COLUMN_KINDS[c] ?? OTHER);
        guarded = columns.map((c) => settings.spreadsheetSafe && TEXT_COLUMNS.has(c));
        writesChange = columns.includes('change');
        return `${columns.map(quote).join(delimiter)}\n`;
      },
      beginAccount: () => '',
      row(r, s) {
        // A removal can only be told with a change column; without one the line is skipped.
        if (r.change === 'removed' && !writesChange) return null;
        let line = '';
        for (let i = 0; i < cells.length; i++) {
          let v = cells[i]!(r, s, money);
          if (guarded[i] && FORMULA_START.test(v)) v = `'${v}`;
          line += (i ? delimiter : '') + quote(v);
        }
        return `${line}\n`;
      },
      rowInto(r, s, out) {
        if (r.change === 'removed' && !writesChange) return false;
        for (let i = 0; i < cells.length; i++) {
          const kind = kinds[i]!;
          const minor = kind === AMOUNT ? r.amountMinor : kind === BALANCE ? r.balanceAfter : null;
          const text = minor === null ? rawText(kind, r, s, i) : '';
          // Room for the delimiter and the cell; each UTF-16 unit is at most 3 UTF-8 bytes.
          const buf = out.reserve(delimiterBytes.length + (minor === null ? 3 * text.length : MONEY_BYTES));
          let at = out.used;
          if (i) for (let k = 0; k < delimiterBytes.length; k++) buf[at++] = delimiterBytes[k]!;
          let end: number;
          if (minor === null) end = plainCellInto(buf, at, text, delimiterCode, guarded[i]!);
          else if (!moneyPlain) end = -1;
          else {
            if (r.currency !== digitsOf) {
              digits = currencyDigits(r.currency);
              digitsOf = r.currency;
            }
            end = moneyInto(buf, at, minor, digits, decimalMark);
          }
          if (end >= 0) {
            out.used = end;
            continue;
          }
          // Text a rule changes: the string path, as row writes it.
          out.used = at;
          let v = cells[i]!(r, s, money);
          if (guarded[i] && FORMULA_START.test(v)) v = `'${v}`;
          out.add(quote(v));
        }
        out.reserve(1)[out.used++] = 0x0a;
        return true;
      },
      endAccount: () => '',
      end: () => '',
    };
  },
};
