import type { Dispatcher } from 'undici';
import type { AccountKind, TransactionType, Institution } from '../domain/model.js';

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
  /**
   * How consent is given: a question in the terminal, a page that redirects back to us (or that
   * pollConsent sees finish: Plaid Hosted Link), or a setup token the user pastes (SimpleFIN).
   */
  consent: 'confirm' | 'redirect' | 'token';
  /**
   * Who chooses the bank. 'app': banksync's institution search, then consent at that bank.
   * 'provider': the provider's own widget picks it (Plaid Link, SimpleFIN Bridge, Salt Edge,
   * Yodlee FastLink); `connect --provider ID` needs no --institution, one consent may return
   * accounts at several institutions, and each account records its own.
   */
  institutionChoice: 'app' | 'provider';
  /**
   * 'window': the engine asks for a date range and dedupes what comes back. 'cursor': the
   * provider hands out changes since a cursor (Plaid /transactions/sync); the engine stores the
   * cursor in the same SQLite transaction as the page's rows (FetchRequest.cursor in,
   * TransactionPage.nextCursor out).
   */
  feed: 'window' | 'cursor';
  /** Requests allowed per connection (per token) per UTC day (SimpleFIN Bridge: about 24); undefined = unlimited. */
  connectionRequestsPerDay?: number;
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
   * Requests the provider allows in flight at once (its own limit); the user's
   * `sync --concurrency` / config `concurrency` replaces it per run (ProviderContext.maxConcurrentRequests).
   */
  maxConcurrentRequests: number;
}

// Institutions are cached by the store and listed by core: the type lives with the shared model.
export type { Institution };

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
  /** The institution's name, for providers that choose the bank themselves (institutionChoice 'provider'). */
  institutionName?: string;
  /**
   * Provider data the adapter needs again to fetch this account (Yodlee's `container`): stored
   * with the account and handed back in FetchRequest.account.meta. Never secrets.
   */
  meta?: Record<string, string>;
}

/** A question a bank asks in the middle of a refresh (an OTP, a security question). */
export interface InputRequest {
  /** The provider's field name, to send the answer back under. */
  field: string;
  /** What to show the person (already in the bank's words). */
  label: string;
  /** Masked when typed, never echoed or stored. */
  secret: boolean;
}

/**
 * Asks a person for a value during a refresh. On a terminal it prompts (masked when secret);
 * unattended it throws a needs-a-human error (SCA_REQUIRED) naming the command to run by hand,
 * and the engine defers the connection as it does for SCA-every-fetch banks.
 */
export type RequestInput = (question: InputRequest) => Promise<string>;

/** What a connection refresh (asking the provider to fetch from the bank now) came to. */
export type RefreshOutcome =
  /** Fresh data is ready at the provider: fetch now. */
  | { status: 'done' }
  /** Still refreshing: the engine calls refreshConnection again after `pollAfterMs` (bounded, with progress on a terminal). */
  | { status: 'pending'; pollAfterMs?: number }
  /**
   * Not possible now (Salt Edge next_refresh_possible_at, a background-fetch limit, Ponto's
   * cooldown): the engine fetches what the provider already holds when `fetchCached` is true,
   * else defers the connection's accounts until `nextPossibleAt`.
   */
  | { status: 'deferred'; nextPossibleAt?: string; message: string; fetchCached: boolean };

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
  /**
   * Pending lines. 'snapshot' pages: the union over all pages is the account's current pending
   * set, applied when the fetch ends. 'delta' pages: new or changed pending lines, written with
   * the page (and its cursor).
   */
  pending?: ProviderPending[];
  /** Lines the adapter could not map; quarantined and reported, never dropped silently. */
  rejected?: RejectedLine[];
  /** Booked lines the provider says were removed (cursor feeds). */
  removedExternalIds?: string[];
  /** Balance reported by the provider, used for statement drift checks. */
  balance?: ProviderBalance;
  /**
   * Booked lines the provider says changed (same provider id, new amount/text/date): stored as a
   * correction with a new revision, which incremental export already understands.
   */
  modified?: ProviderTransaction[];
  /**
   * Pending lines the provider says are gone (cursor feeds), written with the page: booked when a
   * booked line names it (pendingRef, even in a later page or sync) or matches it (payee, amount
   * within tolerance, days: the same rules as a line leaving a snapshot), vanished otherwise.
   */
  removedPendingIds?: string[];
  /**
   * 'snapshot' (default): the union of the pages' pending lines is the whole pending set, so an
   * open pending line not in it has vanished or was booked. 'delta': pages carry only changes,
   * and an unseen pending line stays open.
   */
  pendingMode?: 'snapshot' | 'delta';
  /**
   * Cursor feeds: where the next fetch starts; stored in the same SQLite transaction as this
   * page's rows (the engine commits pages in batches; each batch stores the nextCursor of its last
   * page that has one, and a failed fetch still commits the whole pages it yielded). A page
   * without one leaves the stored cursor as it is, so an adapter may move it only at the end of
   * its loop (Plaid's advice): pages re-sent after a crash are then re-applied idempotently.
   * In a cursor feed a booked line under an id already seen is that line's newer version.
   */
  nextCursor?: string;
  /** Problems the provider reported inside a successful answer (SimpleFIN errors/errlist): shown per account and stored. */
  warnings?: string[];
}

/**
 * A page of a connection-level fetch (SimpleFIN's /accounts answers for every account at once).
 * Yield at least one page (empty if need be, with the balance) for every account the answer
 * holds: an account without a page is taken as left out of the answer (not synced, not removed:
 * the sync reports it failed). Pages for accounts banksync does not sync are ignored.
 */
export interface ConnectionPage extends TransactionPage {
  /** ProviderAccount.externalId of the account the page belongs to. */
  accountExternalId: string;
}

/** Provider-owned state of one connection (tokens, session ids). Stored encrypted. */
export interface SessionHandle {
  data: Record<string, unknown>;
  /** Persist `data` now (e.g. after refresh-token rotation), before anything else can fail: await it. */
  save(): Promise<void>;
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
  /**
   * A page of our own for consent widgets (Yodlee FastLink): HTML that the loopback listener
   * serves at http://127.0.0.1:PORT/connect, with the provider's token already in it (injected
   * server-side by the adapter, never in the printed address). The widget's result is posted
   * back to the listener (POST /callback as form fields or JSON), which hands it to
   * completeConsent as the callback parameters. The printed address is then our local page.
   */
  page?: string;
}

export interface ConsentGrant {
  session: Record<string, unknown>;
  /** When the consent lapses (ISO instant); undefined when not known. */
  expiresAt?: string;
  /**
   * Renewals: this is a new consent at the provider and the `existing` one is superseded, so
   * update-credentials revokes the old one (a renewal that keeps the consent leaves it unset).
   */
  supersedesExisting?: boolean;
}

export interface FetchRequest {
  account: { externalId: string; institutionId: string; meta?: Record<string, string> };
  from: string;
  to: string;
  /** A fresh SCA code, for institutions that need one on every fetch. */
  scaCode?: string;
  /** Cursor feeds: the last committed TransactionPage.nextCursor; undefined on the first fetch. */
  cursor?: string;
  /** Set when the provider has connectionRequestsPerDay: the connection's budget for today. */
  budget?: RequestBudget;
}

/**
 * A connection's daily request budget (capabilities.connectionRequestsPerDay). The adapter calls
 * spend() before every HTTP request it sends under the connection's token, retries included;
 * spend() records it and throws RATE_LIMITED (retryAt: next UTC midnight) once today's budget is
 * spent, which defers the accounts. A fetch that never calls spend() is counted as one request.
 */
export interface RequestBudget {
  /** Requests still allowed today, this fetch's included. */
  remaining(): Promise<number>;
  spend(): Promise<void>;
}

/** What a connection-level fetch asks for: every account of the connection over one window. */
export interface ConnectionFetchRequest {
  accounts: { externalId: string; institutionId: string; meta?: Record<string, string> }[];
  from: string;
  to: string;
  /** Set when the provider has connectionRequestsPerDay: the connection's budget for today. */
  budget?: RequestBudget;
}

/**
 * Small encrypted key-value state of one provider that outlives a connection (Salt Edge's
 * customer, Yodlee's user). Values are sealed like sessions; never printed.
 */
export interface ProviderState {
  get(key: string): Promise<unknown>;
  /** Written at once: await it before acting on the value (a crash after the await keeps it). */
  set(key: string, value: unknown): Promise<void>;
}

/** What banksync knows of a provider without loading its adapter (src/providers/registry.ts). */
export interface ProviderMeta {
  readonly id: string;
  readonly displayName: string;
  /** Static: the same for every instance (the user's concurrency setting is ProviderContext.maxConcurrentRequests). */
  readonly capabilities: ProviderCapabilities;
}

/** The shared client interface every provider adapter implements. */
export interface Provider extends ProviderMeta {
  /** Every institution (of one country when given); core filters by name and caches remote lists. */
  listInstitutions(country?: string): Promise<Institution[]>;
  getInstitution(id: string): Promise<Institution | undefined>;
  /** Checks the app credentials against the provider; throws CREDENTIALS_INVALID naming the field. */
  verifyCredentials?(): Promise<void>;
  /** For providers whose consent can be seen finishing without the redirect (GoCardless requisitions). */
  pollConsent?(start: ConsentStart): Promise<ConsentGrant | undefined>;
  /**
   * Starts consent; `existing` is set when renewing (update-credentials). `institution` is absent
   * when the provider chooses the bank (institutionChoice 'provider'); `token` carries the pasted
   * setup token for consent 'token' (SimpleFIN), which completeConsent then claims.
   */
  beginConsent(request: { institution?: Institution; redirectUrl?: string; state: string; existing?: SessionHandle; token?: string }): Promise<ConsentStart>;
  /** Finishes consent with the callback's query parameters (or nothing for confirm-only flows). */
  completeConsent(start: ConsentStart, callback: Record<string, string>): Promise<ConsentGrant>;
  /** All accounts the consent covers, possibly at several institutions. */
  listAccounts(session: SessionHandle): Promise<ProviderAccount[]>;
  fetchTransactions(session: SessionHandle, request: FetchRequest): AsyncIterable<TransactionPage>;
  /**
   * For catalogues too big or too rate-limited to list whole (Plaid /institutions/search):
   * `institutions` and `connect` use it when present, the cached full list otherwise.
   */
  searchInstitutions?(query: string, country?: string): Promise<Institution[]>;
  /**
   * For providers that answer for every account in one call (SimpleFIN /accounts): the engine
   * calls it once per connection instead of fetchTransactions per account, over the union of the
   * accounts' windows (earliest from, latest to). Window feeds only: a cursor feed is fetched per
   * account (FetchRequest.cursor).
   */
  fetchConnection?(session: SessionHandle, request: ConnectionFetchRequest): AsyncIterable<ConnectionPage>;
  /**
   * Revokes the consent at the provider (disconnect; the superseded consent after
   * update-credentials). A failure is a warning: credentials are deleted locally anyway.
   */
  revoke?(session: SessionHandle): Promise<void>;
  /**
   * Asks the provider to refresh the connection from the bank, once per connection per sync,
   * before any account is fetched (Salt Edge refresh, Yodlee providerAccounts refresh, Ponto
   * synchronizations). `accounts`: the connection's accounts synced in this run, with their
   * stored meta. `requestInput` answers a bank that asks for an OTP mid-refresh. 'pending' is
   * asked again after pollAfterMs (held within 0.25–15 s; 2 s when absent) for at most 2 minutes
   * in all, then what the provider holds is fetched with a note. A thrown error counts as every
   * listed account's fetch error (needs a human: skipped; RATE_LIMITED/NOT_READY: deferred).
   * With a connectionRequestsPerDay budget, each call is counted like a fetch.
   */
  refreshConnection?(
    session: SessionHandle,
    options: { requestInput: RequestInput; budget?: RequestBudget; accounts: { externalId: string; institutionId: string; meta?: Record<string, string> }[] },
  ): Promise<RefreshOutcome>;
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
  /**
   * The user's concurrency setting (`sync --concurrency`, config `concurrency`): requests the
   * adapter's HTTP client keeps in flight; undefined = capabilities.maxConcurrentRequests.
   */
  maxConcurrentRequests?: number;
  /** Provider-scoped encrypted state (absent in contexts that have no store, e.g. reading metadata). */
  state?: ProviderState;
}

export type ProviderFactory = (ctx: ProviderContext) => Provider;
