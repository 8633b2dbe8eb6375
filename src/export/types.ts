import type { Writable } from 'node:stream';
import type { Account, Transaction } from '../core/model.js';

export interface ExportContext {
  accounts: ReadonlyMap<number, Account>;
  /** More than one account in the export: writers add an account column or section. */
  multiAccount: boolean;
  /** Balance just before the first exported line of an account; null when unknown. */
  openingBefore(accountId: number): number | null;
}

/** One writer per format. Writers stream: they never hold the whole export in memory. */
export interface Exporter {
  readonly format: string;
  write(rows: Iterable<Transaction>, out: Writable, ctx: ExportContext): Promise<{ count: number }>;
}
