// The mock's mutable world: one Ponto organization, its accounts, OAuth grants and synchronizations.
import { buildAccounts, buildInstitutions, newBankLine, storeLine, type Account, type Institution } from './data.js';
import { createRng, type Rng } from './rng.js';

export interface PontoMockOptions {
  /** Mock clock; everything time-based (tokens, consent expiry, cooldowns, data dates) reads it. */
  now?: () => Date;
  port?: number;
  clientId?: string;
  clientSecret?: string;
  /** Redirect URIs registered for the application (exact match). */
  redirectUris?: string[];
  /** Alternative to `redirectUris`: accept any redirect URI this returns true for. */
  allowRedirect?: (uri: string) => boolean;
  /** Delay every API response by this many (real) milliseconds. */
  latencyMs?: number;
  /** Answer 429 while more than this many API requests are in flight. */
  maxConcurrency?: number;
  /** Same account + subtype may not be synchronized again within this much mock time (default 5 min). */
  syncCooldownMs?: number;
  /** A synchronization also finishes once this much mock time has passed (default: only after 2 polls). */
  syncDurationMs?: number;
}

export const ACCESS_TOKEN_TTL_S = 1800;
export const AUTHORIZATION_VALIDITY_MS = 180 * 86_400_000;
export const DEFAULT_SYNC_COOLDOWN_MS = 5 * 60_000;
export const SUBTYPES = ['accountDetails', 'accountTransactions', 'accountTransactionsWithUnsettled'] as const;
export type SyncSubtype = (typeof SUBTYPES)[number];

export interface Synchronization {
  id: string;
  accountId: string;
  subtype: SyncSubtype;
  customerIpAddress: string | null;
  createdAt: Date;
  updatedAt: Date;
  status: 'pending' | 'running' | 'success' | 'error';
  polls: number;
  errors: { code: string; detail: string; meta: Record<string, unknown> }[];
  updatedTransactionIds: string[];
}

/** One approved consent: what the integration may see. Tokens point at it; revoking kills them all. */
export interface Grant {
  id: string;
  scopes: string[];
  accountIds: Set<string>;
  revoked: boolean;
  /** Only the newest refresh token of the grant works (rotation). */
  refreshToken: string | null;
}

export interface PendingAuthorization {
  redirectUri: string;
  scopes: string[];
  state: string | null;
  codeChallenge: string;
}

export interface AuthorizationCode extends PendingAuthorization {
  accountIds: string[];
  expiresAt: number;
  used: boolean;
}

export interface ReauthorizationRequest {
  id: string;
  accountId: string;
  redirectUri: string;
  used: boolean;
}

export interface MockState {
  now: () => Date;
  clientId: string;
  clientSecret: string;
  allowRedirect: (uri: string) => boolean;
  syncCooldownMs: number;
  syncDurationMs: number | undefined;
  /** Ids for things created at run time (syncs, new lines), deterministic per call order. */
  rng: Rng;
  seq: number;
  institutions: Institution[];
  accounts: Map<string, Account>;
  syncs: Map<string, Synchronization>;
  /** Browser authorizations waiting for the user's decision, by consent challenge. */
  consents: Map<string, PendingAuthorization>;
  codes: Map<string, AuthorizationCode>;
  grants: Map<string, Grant>;
  accessTokens: Map<string, { grant: Grant; expiresAt: number }>;
  reauthorizations: Map<string, ReauthorizationRequest>;
  /** Ids of grants ended through POST /oauth2/revoke, in order. */
  revokedGrants: string[];
}

export function createState(opts: PontoMockOptions): MockState {
  const now = opts.now ?? (() => new Date());
  const start = now();
  const institutions = buildInstitutions(start);
  const accounts = buildAccounts(start, institutions);
  const state: MockState = {
    now,
    clientId: opts.clientId ?? 'ponto-test-client',
    clientSecret: opts.clientSecret ?? 'ponto-test-secret',
    allowRedirect: opts.allowRedirect ?? ((uri) => (opts.redirectUris ?? []).includes(uri)),
    syncCooldownMs: opts.syncCooldownMs ?? DEFAULT_SYNC_COOLDOWN_MS,
    syncDurationMs: opts.syncDurationMs,
    rng: createRng(7),
    seq: 1_000_000,
    institutions,
    accounts: new Map(accounts.map((a) => [a.id, a])),
    syncs: new Map(),
    consents: new Map(),
    codes: new Map(),
    grants: new Map(),
    accessTokens: new Map(),
    reauthorizations: new Map(),
    revokedGrants: [],
  };
  // Ponto synchronized every account on its own an hour ago (it syncs 4×/day, facts §1.7);
  // outside the default cooldown, so a client's first synchronization is accepted.
  const earlier = new Date(start.getTime() - 3_600_000);
  for (const account of accounts) {
    createSync(state, account.id, 'accountTransactions', null, earlier).status = 'success';
    account.synchronizedAt = earlier.toISOString();
  }
  return state;
}

export function isAuthorized(account: Account, now: Date): boolean {
  return account.authorizationExpiresAt !== null && account.authorizationExpiresAt.getTime() > now.getTime();
}

/** Bank consent given (again) now: valid 180 days (facts §1.8); the account id never changes. */
export function authorize(account: Account, now: Date): void {
  account.authorizedAt = now;
  account.authorizationExpiresAt = new Date(now.getTime() + AUTHORIZATION_VALIDITY_MS);
}

export function createSync(state: MockState, accountId: string, subtype: SyncSubtype, ip: string | null, at: Date): Synchronization {
  const sync: Synchronization = {
    id: state.rng.uuid(),
    accountId,
    subtype,
    customerIpAddress: ip,
    createdAt: at,
    updatedAt: at,
    status: 'pending',
    polls: 0,
    errors: [],
    updatedTransactionIds: [],
  };
  state.syncs.set(sync.id, sync);
  const account = state.accounts.get(accountId);
  if (account) account.latestSynchronizationId = sync.id;
  return sync;
}

/** The most recent synchronization of this account + subtype still inside the cooldown, if any. */
export function recentSync(state: MockState, accountId: string, subtype: SyncSubtype): Synchronization | undefined {
  const since = state.now().getTime() - state.syncCooldownMs;
  return [...state.syncs.values()].find((s) => s.accountId === accountId && s.subtype === subtype && s.createdAt.getTime() > since);
}

/**
 * pending → running → success|error: one step per poll, or by mock time when syncDurationMs is set
 * (the server also calls this unpolled before every request, so timed syncs finish in the background).
 */
export function advanceSync(state: MockState, sync: Synchronization, polled: boolean): void {
  if (sync.status === 'success' || sync.status === 'error') return;
  if (polled) sync.polls++;
  const now = state.now();
  const elapsed = now.getTime() - sync.createdAt.getTime();
  const duration = state.syncDurationMs;
  if (sync.polls >= 2 || (duration !== undefined && elapsed >= duration)) finishSync(state, sync, now);
  else if (sync.status === 'pending' && (sync.polls >= 1 || (duration !== undefined && elapsed > 0))) {
    sync.status = 'running';
    sync.updatedAt = now;
  }
}

function finishSync(state: MockState, sync: Synchronization, now: Date): void {
  sync.updatedAt = now;
  const account = state.accounts.get(sync.accountId);
  if (!account) throw new Error(`synchronization of unknown account ${sync.accountId}`);
  if (!isAuthorized(account, now)) {
    sync.status = 'error';
    sync.errors = [
      {
        code: 'authorizationExpired',
        detail: 'The authorization to access this account has expired. Request a reauthorization of the account.',
        meta: {},
      },
    ];
    return;
  }
  sync.status = 'success';
  account.synchronizedAt = now.toISOString();
  if (sync.subtype === 'accountDetails') {
    // Balance reflects everything the bank has booked, including lines not yet fetched.
    const cents = account.openingCents + [...account.booked, ...account.queued].reduce((s, t) => s + t.cents, 0);
    if (cents !== account.balance.cents) account.balance.changedAt = now.toISOString();
    account.balance.cents = cents;
    account.balance.referenceDate = now.toISOString();
    return;
  }
  const fetched = account.queued.splice(0);
  for (const t of fetched) {
    t.attributes.createdAt = now.toISOString();
    t.attributes.updatedAt = now.toISOString();
  }
  account.booked.push(...fetched);
  sync.updatedTransactionIds = fetched.map((t) => t.id);
}

/** `control.addTransactions`: new bank-side lines, visible only after the next transactions sync. */
export function queueTransactions(state: MockState, accountId: string, n: number): void {
  const account = state.accounts.get(accountId);
  if (!account) throw new Error(`unknown account ${accountId}`);
  for (let i = 0; i < n; i++) {
    const line = newBankLine(state.rng, account, state.now());
    account.queued.push(storeLine(state.rng, state.seq++, line, state.now().toISOString()));
  }
}
