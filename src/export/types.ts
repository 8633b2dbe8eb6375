import type { LineAnnotation } from '../domain/annotation.js';
import type { Account, StatementPeriod, Transaction } from '../domain/model.js';

/** How a line relates to what an incremental target already received (M19). */
export type ChangeKind = 'new' | 'changed' | 'removed';

/** One exported line with everything a writer needs; computed by core/export, never by writers. */
export interface ExportRow extends Transaction {
  change: ChangeKind;
  /** FITID-style id of the version the target holds, for corrections; null for new lines. */
  replacesRevision: number | null;
  revision: number;
  /** The version the target received before (changed/removed lines), so journals can reverse it. */
  previous: Pick<Transaction, 'bookingDate' | 'amountMinor' | 'payee' | 'memo'> | null;
  /** Running balance after this line; a removed line does not move it. Null when unknown. */
  balanceAfter: number | null;
  /** The statement period (M11) holding the line. */
  periodStart: string;
  periodEnd: string;
  /** The last line of its statement period in this export: journals assert the balance here. */
  closesPeriod: boolean;
  /** Category, clean payee, tags and transfer leg (rules, transfers); NO_ANNOTATION when none. */
  annotation: LineAnnotation;
  /** What the target received before when only the annotation changed (or with a correction); null otherwise. */
  previousAnnotation: LineAnnotation | null;
  /** Journals: how this transfer leg is posted (formats that interleave only); null: not a transfer leg. */
  transferPosting: TransferPosting | null;
  /** Journals: the version being reversed was a transfer leg posted against this account. */
  reversalCounter: string | null;
}

/**
 * How a journal posts one leg of a transfer between own accounts (computed by core/export).
 * - pair: this row writes the pair's one transaction, with `other`'s posting in it;
 * - written: the other leg's row wrote that transaction (this row adds at most a balance assertion);
 * - alone: this leg posts against `counter`: the other account's ledger name when that account
 *   is not in the export, else the in-transit account, through which both legs pass when they
 *   cannot be one transaction without putting a balance assertion wrong.
 */
export interface TransferPosting {
  role: 'pair' | 'written' | 'alone';
  transferId: string;
  counter: string;
  other: { id: string; ledgerName: string; amountMinor: number; currency: string; bookingDate: string } | null;
}

/** One account's part of an export, known before its first line is written. */
export interface AccountSection {
  account: Account;
  institutionName: string;
  /** Ledger/beancount account name (M20): the user's mapping or one derived from the names. */
  ledgerName: string;
  /** Balance before the first line in range; null when unknown. */
  opening: number | null;
  /** Balance after the last line in range; null when unknown. */
  closing: number | null;
  /** Booked, not removed lines in range. */
  count: number;
  firstDate: string | null;
  lastDate: string | null;
  /** The range the export covers for this account (filters, else its lines, else today). */
  start: string;
  end: string;
  /** Write the opening-balance entry: a full export, or a target's first. */
  writeOpening: boolean;
}

export interface ExportSettings {
  /** The instant of the export, UTC ISO. */
  now: string;
  incremental: boolean;
  /** Statement period used to break an export (OFX --by-statement, journal assertions). */
  periodOf(account: Account): StatementPeriod;
  byStatement: boolean;
  columns?: string[];
  delimiter?: string;
  decimalComma: boolean;
  changes: boolean;
  /** Prefix text that a spreadsheet would run as a formula with a quote. */
  spreadsheetSafe: boolean;
  ofxVersion: 1 | 2;
  qifDates: 'us' | 'uk';
  expenseAccount: string;
  incomeAccount: string;
  /** Ledger name of any account (also outside the export's scope): the other side of a transfer. */
  ledgerNameOf(accountId: number): string;
  /** Incremental beancount: accounts the target's earlier files opened beyond the standard ones. */
  openedBefore?: ReadonlySet<string>;
  /** Filled by a writer that opens accounts (beancount); a target remembers them for its next increment. */
  accountsOpened?: Set<string>;
  /** Every category a rule may post to, with the first rule that sets it: beancount opens them. */
  categories?: ReadonlyMap<string, number>;
}

/**
 * A streaming writer: each hook returns text to append. Writers hold at most one statement's
 * state, never the export, so memory stays flat however many lines there are.
 */
export interface FormatWriter {
  begin(sections: readonly AccountSection[]): string;
  beginAccount(section: AccountSection): string;
  /** Null when the format cannot express this line (a removal in plain CSV or QIF): it is counted as skipped. */
  row(row: ExportRow, section: AccountSection): string | null;
  endAccount(section: AccountSection): string;
  end(): string;
  /**
   * row's bytes put straight into the output (UTF-8, the same bytes as row's text): no strings per
   * line. False where row answers null. Writers that have it are called through it.
   */
  rowInto?(row: ExportRow, section: AccountSection, out: ByteOut): boolean;
}

/** An output buffer a writer fills in place (core/output-file's Sink). */
export interface ByteOut {
  /** Bytes of the buffer in use; the writer moves it past what it wrote. */
  used: number;
  /** The buffer, with room for `bytes` more from `used` (it may be a new one: read `used` after). */
  reserve(bytes: number): Uint8Array;
  /** Appends text the ordinary way (encoded by Node). */
  add(text: string): boolean;
}

export interface ExportFormat {
  readonly name: string;
  readonly description: string;
  /**
   * Rows of all sections merged in booking-date order (each account's own order kept) instead of
   * one section after the other: journals, so a transfer's one transaction stands where both
   * accounts' balance assertions expect it (ledger checks them in file order).
   */
  readonly interleave?: boolean;
  /**
   * The format writes annotations (category, clean payee, tags, transfer): an incremental target
   * then gets a line again when its annotation changes. OFX and QIF keep the bank's text only.
   */
  readonly annotated?: boolean;
  /**
   * Whether the writer reads a line's external id, value date, counterparty IBAN or source with
   * these settings; absent: it does. Without them the rows carry null there and the export reads a
   * fifth less per line. The rules and the annotator read none of them.
   */
  readsDetail?(settings: ExportSettings): boolean;
  /**
   * Whether the writer reads a section's summary (closing, count, first and last dates, start,
   * end); absent: it does. The summary is a pass over the account's lines of its own: the export
   * makes it before writing, and only for a format that reads it (or an account whose rows take
   * their period from the section's range).
   */
  readonly readsSummary?: boolean;
  /** Order of sections when the format's message sets need it (OFX: bank before card). */
  orderSections?(sections: AccountSection[]): AccountSection[];
  /** Checks settings and sections before anything is written; throws BAD_INPUT. */
  validate?(sections: readonly AccountSection[], settings: ExportSettings): void;
  create(settings: ExportSettings): FormatWriter;
}
