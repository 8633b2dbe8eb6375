import type { AccountKind, TransactionType } from '../domain/model.js';

export type FileFormat = 'ofx' | 'csv' | 'camt' | 'qif';
export const FILE_FORMATS: readonly FileFormat[] = ['ofx', 'csv', 'camt', 'qif'];

/** One line of a statement file, normalized; `where` names its place for messages (line 12, Ntry 3). */
export interface FileLine {
  /** The file's own id for the line (FITID, AcctSvcrRef/NtryRef, a CSV id column). */
  id?: string;
  bookingDate: string;
  valueDate?: string;
  amountMinor: number;
  currency: string;
  payee?: string;
  memo?: string;
  type: TransactionType;
  counterpartyIban?: string;
  where: string;
}

export interface FileBalance {
  date: string;
  amountMinor: number;
  kind: 'opening' | 'closing';
}

/** One account's statement inside a file. */
export interface FileStatement {
  /** The file's own account identity, used to find or create the local account. */
  accountId?: string;
  iban?: string;
  currency?: string;
  kind?: AccountKind;
  lines: FileLine[];
  balances: FileBalance[];
}

export interface ParsedFile {
  format: FileFormat;
  statements: FileStatement[];
  /** Things that did not stop the import but that the user should know about. */
  warnings: string[];
}

/** What the user told us about the file (profiles, maps and date order for CSV/QIF). */
export interface ParseOptions {
  profile?: string;
  map?: string;
  dateFormat?: string;
  /** Currency for formats that do not carry one (QIF, most CSV). */
  currency?: string;
  /** CSV: true/false when the user says the file has / has no header row (--header / --no-header); undefined lets the content decide. */
  header?: boolean;
  /** CSV: the values of the direction column that mean money out (--debit-values), comma-separated; every other value is money in. */
  debitValues?: string;
  /** CSV: the decimal mark (--decimal), for a file whose amounts do not settle it ("1,500" alone). */
  decimal?: '.' | ',';
}
