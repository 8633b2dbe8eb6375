import { isoDate } from '../../domain/clock.js';
import { BanksyncError } from '../../domain/errors.js';
import type { ConsentGrant, Institution, Provider, ProviderContext, RefreshOutcome, SessionHandle, TransactionPage } from '../types.js';
import { SaltEdgeApi } from './api.js';
import { fromErrorClass, REFRESH_LIMITS, SaltEdgeError } from './errors.js';
import { toAccount, toLine } from './map.js';
import { SALT_EDGE_CONSENT_DAYS, SALT_EDGE_META } from './meta.js';
import {
  AccountsResponse,
  CountriesResponse,
  ConnectionResponse,
  ConnectionsResponse,
  ConnectSessionResponse,
  ConsentsResponse,
  CustomerResponse,
  RemovedResponse,
  TransactionsResponse,
  type Connection,
} from './schema.js';

/** What a Salt Edge connection keeps (sealed in the secret store). */
interface Session {
  connectionId: string;
  customerId: string;
  providerCode: string;
  providerName: string;
  /** Set while a refresh we asked for runs: its outcome is read on the next call. */
  refreshing?: boolean;
}

/** What beginConsent hands to completeConsent/pollConsent: enough to recognise the new connection. */
interface ConsentState {
  customerId: string;
  /** Reconnect: the connection being renewed and the attempt it had before. */
  connectionId?: string;
  /** Connections (id → last attempt id) the customer had before this consent. */
  before: Record<string, string>;
}

const SCOPES = ['accounts', 'transactions'];
const FETCH_SCOPES = ['accounts', 'transactions'];
/** How soon to look again at a refresh that is still running. */
const POLL_MS = 2_000;
/** Pages followed before we call the answer broken (next_id that never ends). */
const MAX_PAGES = 10_000;

export function createSaltEdgeProvider(ctx: ProviderContext): Provider {
  let lazyApi: SaltEdgeApi | undefined;
  // Built on first use: reading capabilities must not need credentials.
  const api = () => (lazyApi ??= new SaltEdgeApi(ctx));
  const sessionOf = (h: SessionHandle) => h.data as unknown as Session;

  /** One Salt Edge customer per banksync installation, created once and kept in the provider state. */
  async function customerId(): Promise<string> {
    const known = await ctx.state?.get('customer_id');
    if (typeof known === 'string') return known;
    const identifier = `banksync-${globalThis.crypto.randomUUID()}`;
    const res = await api().call(CustomerResponse, 'POST', 'customers', { json: { data: { identifier } } });
    await ctx.state?.set('customer_id', res.data.customer_id);
    await ctx.state?.set('customer_identifier', identifier);
    return res.data.customer_id;
  }

  /** Every connection of the customer, following from_id / next_id. */
  async function connections(customer: string): Promise<Connection[]> {
    const out: Connection[] = [];
    let fromId: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await api().call(ConnectionsResponse, 'GET', 'connections', { query: { customer_id: customer, from_id: fromId } });
      out.push(...res.data);
      fromId = res.meta?.next_id ?? undefined;
      if (!fromId) return out;
    }
    throw new BanksyncError('PROVIDER_ERROR', 'Salt Edge: the connections list never ended');
  }

  const connection = async (id: string) => (await api().call(ConnectionResponse, 'GET', `connections/${encodeURIComponent(id)}`)).data;

  /** The consent's end, for status's expiry warning: the connection's last consent's expires_at [v6 /consents route unverified]. */
  async function consentEnd(c: Connection, customer: string): Promise<string | undefined> {
    if (!c.last_consent_id) return undefined;
    const res = await api().call(ConsentsResponse, 'GET', 'consents', { query: { connection_id: c.id, customer_id: customer } });
    const consent = res.data.find((x) => x.id === c.last_consent_id);
    return consent?.expires_at ? new Date(consent.expires_at).toISOString() : undefined;
  }

  async function grant(c: Connection, customer: string): Promise<ConsentGrant> {
    const session: Session = { connectionId: c.id, customerId: customer, providerCode: c.provider_code, providerName: c.provider_name || c.provider_code };
    const expiresAt = await consentEnd(c, customer);
    return { session: { ...session }, ...(expiresAt ? { expiresAt } : {}) };
  }

  /** A connect attempt that failed at the bank is the user's to see, with Salt Edge's reason. */
  function failedAttempt(c: Connection): SaltEdgeError | undefined {
    const a = c.last_attempt;
    return a?.finished && a.fail_error_class ? fromErrorClass(a.fail_error_class, a.fail_message ?? '', ctx.now()) : undefined;
  }

  /** The connection this consent created (or renewed), once Salt Edge says its attempt is over. */
  async function finishedConnection(st: ConsentState, requireFinished: boolean, hint?: string): Promise<Connection | undefined> {
    const all = await connections(st.customerId);
    const fresh = (c: Connection) => (st.connectionId ? c.id === st.connectionId && (c.last_attempt?.id ?? '') !== (st.before[c.id] ?? '') : !(c.id in st.before));
    const candidates = all.filter((c) => (hint ? c.id === hint : true) && fresh(c));
    for (const c of candidates) {
      const failure = failedAttempt(c);
      if (failure) throw failure;
      if (c.last_attempt?.finished || (!requireFinished && c.status === 'active')) return c;
    }
    return undefined;
  }

  function consentBody(redirectUrl: string | undefined, state: string) {
    const attempt: Record<string, unknown> = { fetch_scopes: FETCH_SCOPES, locale: 'en' };
    if (redirectUrl) {
      const back = new URL(redirectUrl);
      back.searchParams.set('state', state);
      attempt.return_to = back.toString();
    }
    return { consent: { scopes: SCOPES, period_days: SALT_EDGE_CONSENT_DAYS }, attempt };
  }

  return {
    ...SALT_EDGE_META,

    async verifyCredentials() {
      await api().call(CountriesResponse, 'GET', 'countries');
    },

    // The Connect page picks the bank (institutionChoice 'provider'): no catalogue of ours.
    async listInstitutions() {
      return [];
    },

    async getInstitution(id): Promise<Institution | undefined> {
      // A provider_code is all an account records; fakebank_*_xf sort under country XF.
      const country = /_([a-z]{2})$/.exec(id)?.[1]?.toUpperCase() ?? '';
      return { id, providerId: SALT_EDGE_META.id, name: id, country, beta: false, scaEveryFetch: false, stableTransactionIds: true, consentDays: SALT_EDGE_CONSENT_DAYS };
    },

    async beginConsent({ redirectUrl, state, existing }) {
      const customer = existing ? sessionOf(existing).customerId : await customerId();
      const before: Record<string, string> = {};
      for (const c of await connections(customer)) before[c.id] = c.last_attempt?.id ?? '';
      const body = consentBody(redirectUrl, state);
      let res;
      if (existing) {
        const id = sessionOf(existing).connectionId;
        res = await api().call(ConnectSessionResponse, 'POST', `connections/${encodeURIComponent(id)}/reconnect`, { json: { data: body } });
      } else {
        const fake = ctx.env.BANKSYNC_SALT_EDGE_FAKE_PROVIDERS === '1';
        res = await api().call(ConnectSessionResponse, 'POST', 'connections/connect', {
          json: { data: { customer_id: customer, ...body, ...(fake ? { provider: { include_fake_providers: true } } : {}) } },
        });
      }
      const st: ConsentState = { customerId: customer, before, ...(existing ? { connectionId: sessionOf(existing).connectionId } : {}) };
      return { url: res.data.connect_url, state: st as unknown as Record<string, unknown> };
    },

    async completeConsent(start, callback) {
      const st = start.state as unknown as ConsentState;
      // Salt Edge adds the connection id to return_to [unverified]; without it, the newest fresh one.
      const c = await finishedConnection(st, false, callback.connection_id);
      if (!c) throw new BanksyncError('NOT_READY', 'Salt Edge: the connection is not ready yet; finish it on the Salt Edge page and try again');
      return grant(c, st.customerId);
    },

    async pollConsent(start) {
      const st = start.state as unknown as ConsentState;
      const c = await finishedConnection(st, true);
      return c ? grant(c, st.customerId) : undefined;
    },

    async listAccounts(h) {
      const s = sessionOf(h);
      const out = [];
      let fromId: string | undefined;
      const today = isoDate(ctx.now());
      for (let page = 0; page < MAX_PAGES; page++) {
        const res = await api().call(AccountsResponse, 'GET', 'accounts', { query: { connection_id: s.connectionId, customer_id: s.customerId, from_id: fromId } });
        out.push(...res.data.map((a) => toAccount(a, { provider_code: s.providerCode, provider_name: s.providerName }, today)));
        fromId = res.meta?.next_id ?? undefined;
        if (!fromId) return out;
      }
      throw new BanksyncError('PROVIDER_ERROR', 'Salt Edge: the accounts list never ended');
    },

    fetchTransactions(h, req) {
      return (async function* (): AsyncGenerator<TransactionPage> {
        const s = sessionOf(h);
        const inWindow = (d: string) => d >= req.from && d <= req.to;
        // Booked lines first, then the pending ones (v6: the same route with pending=true [3p, unverified]);
        // the pending set is a snapshot: the union of these pages is all that is pending now.
        for (const pending of [false, true]) {
          let fromId: string | undefined;
          for (let n = 0; ; n++) {
            if (n >= MAX_PAGES) throw new BanksyncError('PROVIDER_ERROR', 'Salt Edge: the transactions list never ended');
            const res = await api().call(TransactionsResponse, 'GET', 'transactions', {
              query: { connection_id: s.connectionId, account_id: req.account.externalId, customer_id: s.customerId, from_id: fromId, ...(pending ? { pending: 'true' } : {}) },
            });
            const page: TransactionPage = { booked: [], pending: [], rejected: [] };
            for (const raw of res.data) {
              const line = toLine(raw);
              if ('rejected' in line) page.rejected!.push(line.rejected);
              else if ('pending' in line) page.pending!.push(line.pending);
              else if (!pending && inWindow(line.booked.bookingDate)) page.booked.push(line.booked);
            }
            yield page;
            const next = res.meta?.next_id ?? undefined;
            if (!next) break;
            if (next === fromId) throw new BanksyncError('PROVIDER_ERROR', `Salt Edge: next_id ${next} repeats; the transactions list does not move on`);
            fromId = next;
          }
        }
      })();
    },

    async refreshConnection(h, { requestInput }): Promise<RefreshOutcome> {
      const s = sessionOf(h);
      /** The attempt we started is over: its outcome, and the marker cleared. */
      const settle = async (c: Connection): Promise<RefreshOutcome> => {
        s.refreshing = false;
        await h.save();
        const failure = failedAttempt(c);
        if (!failure) return { status: 'done' };
        if (REFRESH_LIMITS.has(failure.errorClass)) return deferred(c, failure.message);
        throw failure;
      };
      const c = await connection(s.connectionId);
      const attempt = c.last_attempt;
      if (attempt && !attempt.finished) {
        if (attempt.stage === 'interactive') {
          const names = attempt.interactive_fields_names?.length ? attempt.interactive_fields_names : ['otp'];
          const fields: Record<string, string> = {};
          for (const field of names) {
            // The bank's HTML, reduced to its words; control characters never reach the terminal.
            const label =
              attempt.interactive_html
                ?.replace(/<[^>]*>/g, ' ')
                .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
                .replace(/\s+/g, ' ')
                .trim() || `the ${field} the bank sent`;
            fields[field] = await requestInput({ field, label, secret: true });
          }
          const after = (await api().call(ConnectionResponse, 'PUT', `connections/${encodeURIComponent(s.connectionId)}/interactive`, { json: { data: { credentials: fields } } })).data;
          if (after.last_attempt?.finished && s.refreshing) return settle(after);
        }
        return { status: 'pending', pollAfterMs: POLL_MS };
      }
      if (s.refreshing) return settle(c);
      const next = c.next_refresh_possible_at ? new Date(c.next_refresh_possible_at) : undefined;
      if (next && next.getTime() > ctx.now().getTime()) {
        return deferred(c, `the bank can be refreshed again at ${next.toISOString()}`);
      }
      let started: Connection;
      try {
        started = (await api().call(ConnectionResponse, 'PUT', `connections/${encodeURIComponent(s.connectionId)}/refresh`, { json: { data: { attempt: { fetch_scopes: FETCH_SCOPES } } } })).data;
      } catch (err) {
        if (err instanceof SaltEdgeError && REFRESH_LIMITS.has(err.errorClass)) return deferred(c, err.message, err.retryAt);
        throw err;
      }
      s.refreshing = true;
      await h.save();
      return started.last_attempt?.finished ? settle(started) : { status: 'pending', pollAfterMs: POLL_MS };
    },

    async revoke(h) {
      await api().call(RemovedResponse, 'DELETE', `connections/${encodeURIComponent(sessionOf(h).connectionId)}`);
    },
  };
}

/** Too soon, or today's background fetches are spent: what Salt Edge already holds is still worth fetching. */
function deferred(c: Connection, message: string, retryAt?: string): RefreshOutcome {
  const nextPossibleAt = c.next_refresh_possible_at ? new Date(c.next_refresh_possible_at).toISOString() : retryAt;
  return { status: 'deferred', message, fetchCached: true, ...(nextPossibleAt ? { nextPossibleAt } : {}) };
}
