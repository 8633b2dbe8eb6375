import type { Dispatcher } from 'undici';
import type { AccountKind, TransactionType } from '../core/model.js';

/** An app-level credential a provider needs from the user before first use (M5). */
export interface CredentialField {
  /** Machine name; also the env suffix: BANKSYNC_<PROVIDER>_<NAME>. */
  name: string;
  label: string;
  /** Secret fields are never echoed, printed or stored in plain text. */
  secret: boolean;
  /** The value is a file's content (PEM key or certificate): flags, env and prompts take its path. */
  file?: boolean;
  /** Shown as an example in prompts and errors. */
  example?: string;
}

/** What a provider can do; commands read these instead of branching on provider ids. */
export interface ProviderCapabilities {
  /** ISO country codes or region names served. */
  regions: string[];
  /** Talks to a remote service: its institution list is cached locally and it needs set-up. */
  remote: boolean;
  /** How consent is given: a question in the terminal, or a page that redirects back to us. */
  consent: 'confirm' | 'redirect';
  /** The provider itself marks integrations as beta (its institutions carry the flag). */
  betaInstitutions: boolean;
  credentialFields: CredentialField[];
  /** Default consent lifetime in days (PSD2: 90 or 180); undefined = long-lived. */
  consentDays?: number;
  /** Refreshes allowed per account per UTC day; undefined = unlimited. */
  refreshesPerDay?: number;
  /** How far back the provider serves history, in days; undefined = unknown/unbounded. */
  historyDays?: number;
  pending: boolean;
  /** True when every fetch needs a fresh SCA/MFA code (M13). */
  scaEveryFetch: boolean;
  /** True when the provider's transaction ids are stable across fetches (dedupe ladder). */
  stableTransactionIds: boolean;
  /**
   * Requests kept in flight to the provider at once during a sync (its concurrency limit);
   * `sync --concurrency` / config `concurrency` lower or raise it.
   */
  maxConcurrentRequests: number;
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

export interface ProviderBalance {
  amountMinor: number;
  /** The date the balance is at the end of (YYYY-MM-DD). */
  date: string;
}

export interface ProviderAccount {
  externalId: string;
  /** Institution that holds the account: M3 keeps only the chosen one's accounts. */
  institutionId: string;
  name: string;
  iban?: string;
  number?: string;
  currency: string;
  kind: AccountKind;
  balance?: ProviderBalance;
  /** Identity that stays the same across consents when externalId does not (identification_hash). */
  matchKey?: string;
}

/** A booked line as the adapter normalised it. Amount is signed: negative = money out. */
export interface ProviderTransaction {
  /** Provider id; omit when the provider has none or it is not stable. */
  externalId?: string;
  bookingDate: string;
  valueDate?: string;
  amountMinor: number;
  currency: string;
  payee?: string;
  memo?: string;
  type?: TransactionType;
  counterpartyIban?: string;
  /** Id of the pending line this booked line replaces, when the provider links them. */
  pendingRef?: string;
}

export interface ProviderPending {
  externalId?: string;
  date: string;
  amountMinor: number;
  currency: string;
  payee?: string;
  memo?: string;
}

/**
 * A line the adapter received but could not map (no usable date, say). The engine quarantines
 * it with a warning; an adapter never drops a line silently.
 */
export interface RejectedLine {
  externalId?: string;
  reason: string;
  /** The fields as received, for the user to recognise the line (never secrets). */
  amount?: string;
  currency?: string;
  date?: string;
  payee?: string;
}

/** One page of a transaction fetch; the engine writes each page in one SQLite transaction. */
export interface TransactionPage {
  booked: ProviderTransaction[];
  /** Pending lines; the union over all pages is the account's current pending snapshot. */
  pending?: ProviderPending[];
  /** Lines the adapter could not map; quarantined and reported, never dropped silently. */
  rejected?: RejectedLine[];
  /** Booked lines the provider says were removed (cursor feeds). */
  removedExternalIds?: string[];
  /** Balance reported by the provider, used for statement drift checks. */
  balance?: ProviderBalance;
}

/** Provider-owned state of one connection (tokens, session ids). Stored encrypted. */
export interface SessionHandle {
  data: Record<string, unknown>;
  /** Persist `data` now (e.g. after refresh-token rotation), before anything else can fail. */
  save(): void;
}

export interface ConsentStart {
  /** Page where the user gives consent; absent for providers with an in-terminal step. */
  url?: string;
  /** Question asked in the terminal when there is no URL (the sandbox's confirmation). */
  confirmPrompt?: string;
  /** Provider state carried to completeConsent (requisition id, PKCE verifier…). */
  state: Record<string, unknown>;
  /**
   * The page returns to the registered address exactly, without our state (Ponto's account
   * reauthorization): any return to it is taken, and completeConsent checks the outcome itself.
   */
  returnsWithoutState?: boolean;
}

export interface ConsentGrant {
  session: Record<string, unknown>;
  /** When the consent lapses (ISO instant); undefined when not known. */
  expiresAt?: string;
}

export interface FetchRequest {
  account: { externalId: string; institutionId: string };
  from: string;
  to: string;
  /** A fresh SCA code, for institutions that need one on every fetch. */
  scaCode?: string;
}

/** The shared client interface every provider adapter implements. */
export interface Provider {
  readonly id: string;
  readonly displayName: string;
  readonly capabilities: ProviderCapabilities;
  /** Every institution (of one country when given); core filters by name and caches remote lists. */
  listInstitutions(country?: string): Promise<Institution[]>;
  getInstitution(id: string): Promise<Institution | undefined>;
  /** Checks the app credentials against the provider; throws CREDENTIALS_INVALID naming the field. */
  verifyCredentials?(): Promise<void>;
  /** For providers whose consent can be seen finishing without the redirect (GoCardless requisitions). */
  pollConsent?(start: ConsentStart): Promise<ConsentGrant | undefined>;
  /** Starts consent for an institution; `existing` is set when renewing (update-credentials). */
  beginConsent(request: {
    institution: Institution;
    redirectUrl?: string;
    state: string;
    existing?: SessionHandle;
  }): Promise<ConsentStart>;
  /** Finishes consent with the callback's query parameters (or nothing for confirm-only flows). */
  completeConsent(start: ConsentStart, callback: Record<string, string>): Promise<ConsentGrant>;
  /** All accounts the consent covers, possibly at several institutions. */
  listAccounts(session: SessionHandle): Promise<ProviderAccount[]>;
  fetchTransactions(session: SessionHandle, request: FetchRequest): AsyncIterable<TransactionPage>;
}

/** Everything a provider gets from outside: no store, no terminal. */
export interface ProviderContext {
  now: () => Date;
  env: NodeJS.ProcessEnv;
  /** undici dispatcher for tests (MockAgent); adapters build their own otherwise. */
  dispatcher?: Dispatcher;
  /** BANKSYNC_<PROVIDER>_BASE_URL when set. */
  baseUrl?: string;
  /** App credentials resolved from flags, env or the secret store. */
  credentials: Record<string, string>;
  /** The user's concurrency setting; adapters fall back to their capability's value. */
  maxConcurrentRequests?: number;
}

export type ProviderFactory = (ctx: ProviderContext) => Provider;
