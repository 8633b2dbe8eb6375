/** Domain types shared by core, store, providers and exporters. Money is integer minor units. */

export type AccountKind = 'checking' | 'savings' | 'credit_card' | 'loan' | 'other';
export const ACCOUNT_KINDS: readonly AccountKind[] = ['checking', 'savings', 'credit_card', 'loan', 'other'];

/** Per-account sync state (M16). */
export type AccountSyncState = 'not_synced' | 'synced' | 'skipped' | 'failed' | 'syncing';

/** How booked lines are grouped into statements (M11). */
export type StatementPeriod = 'day' | 'week' | 'fortnight' | 'month' | 'none';
export const STATEMENT_PERIODS: readonly StatementPeriod[] = ['day', 'week', 'fortnight', 'month', 'none'];

export type TransactionType = 'debit' | 'credit' | 'fee' | 'interest' | 'transfer' | 'payment' | 'atm' | 'pos' | 'check' | 'other';

export type ConnectionStatus = 'active' | 'needs_human' | 'disconnected';

export interface Connection {
  id: number;
  providerId: string;
  institutionId: string;
  institutionName: string;
  status: ConnectionStatus;
  statusDetail: string | null;
  consentExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Account {
  id: number;
  connectionId: number | null;
  providerId: string;
  institutionId: string;
  externalId: string | null;
  name: string;
  iban: string | null;
  number: string | null;
  matchKey: string | null;
  currency: string;
  kind: AccountKind;
  enabled: boolean;
  statementPeriod: StatementPeriod;
  lockDate: string | null;
  syncIntervalHours: number;
  historyDays: number | null;
  stableIds: boolean;
  ledgerName: string | null;
  state: AccountSyncState;
  stateDetail: string | null;
  lastErrorCode: string | null;
  lastErrorRef: string | null;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastNewCount: number | null;
  lastPendingCount: number | null;
  nextRefreshAt: string | null;
  watermarkDate: string | null;
  openingBalanceMinor: number | null;
  balanceDriftMinor: number | null;
  /** ProviderAccount.meta as last given (Yodlee's container): handed back in FetchRequest.account.meta. */
  providerMeta: Record<string, string> | null;
  createdAt: string;
}

/** A booked transaction as stored. `id` is banksync's stable id (used as FITID/export id). */
export interface Transaction {
  id: string;
  accountId: number;
  externalId: string | null;
  bookingDate: string;
  valueDate: string | null;
  amountMinor: number;
  currency: string;
  payee: string | null;
  memo: string | null;
  type: TransactionType;
  counterpartyIban: string | null;
  source: string;
}

export interface PendingLine {
  accountId: number;
  externalId: string | null;
  date: string;
  amountMinor: number;
  currency: string;
  payee: string | null;
  memo: string | null;
  status: 'pending' | 'booked' | 'vanished';
  transactionId: string | null;
}

export interface Statement {
  accountId: number;
  period: StatementPeriod;
  start: string;
  end: string;
  openingMinor: number | null;
  closingMinor: number | null;
  count: number;
  currency: string;
}

/** Formats an internal numeric id for people: connections c1, c2…; accounts a1, a2… */
export const connectionRef = (id: number) => `c${id}`;
export const accountRef = (id: number) => `a${id}`;

/** Shows enough of an account number to recognise it, never all of it. */
export function maskIban(iban: string): string {
  return iban.length <= 8 ? iban : `${iban.slice(0, 4)}…${iban.slice(-4)}`;
}

/** An institution as a provider serves it; per-institution values override the provider's. */
export interface Institution {
  id: string;
  providerId: string;
  name: string;
  country: string;
  beta: boolean;
  scaEveryFetch: boolean;
  refreshesPerDay?: number;
  historyDays?: number;
  consentDays?: number;
  stableTransactionIds: boolean;
}
