import { isoDate } from '../../domain/clock.js';
import { BanksyncError } from '../../domain/errors.js';
import type { ConsentGrant, ConsentStart, Provider, ProviderContext, SessionHandle } from '../types.js';
import { PlaidApi } from './api.js';
import { PlaidError } from './errors.js';
import { PLAID_HISTORY_DAYS, PLAID_META } from './meta.js';
import { toAccount, toInstitution } from './map.js';
import {
  AccountsGetResponse,
  InstitutionsGetByIdResponse,
  ItemGetResponse,
  InstitutionsSearchResponse,
  LinkTokenCreateResponse,
  LinkTokenGetResponse,
  PublicTokenExchangeResponse,
  RequestIdOnly,
  type LinkSession,
} from './schema.js';
import { syncAccount } from './sync.js';

/** What a Plaid connection keeps (sealed in the secret store): one Item. */
interface Session {
  accessToken: string;
  itemId: string;
  institutionId?: string;
  institutionName?: string;
}

/** Countries Link offers and institution look-ups cover (Plaid's CountryCode list, North America first). */
const COUNTRIES = ['US', 'CA', 'GB', 'IE', 'FR', 'ES', 'NL', 'DE', 'IT', 'PL', 'DK', 'NO', 'SE', 'EE', 'LT', 'LV', 'PT', 'BE', 'AT', 'FI'];
const LINK_COUNTRIES = ['US', 'CA'];

export function createPlaidProvider(ctx: ProviderContext): Provider {
  let lazyApi: PlaidApi | undefined;
  // Built on first use: reading capabilities must not need credentials.
  const api = () => (lazyApi ??= new PlaidApi(ctx));
  const sessionOf = (h: SessionHandle) => h.data as unknown as Session;
  /** Update mode keeps the Item: the link token maps back to the session being renewed. */
  const renewing = new Map<string, Session>();

  /** Plaid wants a stable, non-identifying id for the end user; one per banksync install. */
  async function clientUserId(): Promise<string> {
    const known = await ctx.state?.get('client_user_id');
    if (typeof known === 'string') return known;
    const id = `banksync-${globalThis.crypto.randomUUID()}`;
    await ctx.state?.set('client_user_id', id);
    return id;
  }

  async function grantOf(start: ConsentStart): Promise<ConsentGrant | undefined> {
    const linkToken = String(start.state.linkToken);
    const res = await api().call(LinkTokenGetResponse, 'link/token/get', { link_token: linkToken });
    const sessions = res.link_sessions ?? [];
    const existing = renewing.get(linkToken);
    // Update mode: the same access token keeps working; nothing is exchanged.
    if (existing) return sessions.some((s) => finished(s) || (s.finished_at && !s.exit?.error)) ? withExpiry({ ...existing }) : undefined;
    const done = sessions.map(finished).find((x) => x !== undefined);
    if (!done) return undefined;
    const ex = await api().call(PublicTokenExchangeResponse, 'item/public_token/exchange', { public_token: done.publicToken });
    const session: Session = {
      accessToken: ex.access_token,
      itemId: ex.item_id,
      ...(done.institution?.institution_id ? { institutionId: done.institution.institution_id } : {}),
      ...(done.institution?.name ? { institutionName: done.institution.name } : {}),
    };
    return withExpiry(session);
  }

  /** EU and some US OAuth banks give the Item a consent end (consent_expiration_time): status shows it. */
  async function withExpiry(session: Session): Promise<ConsentGrant> {
    const { item } = await api().call(ItemGetResponse, 'item/get', { access_token: session.accessToken });
    return { session: { ...session }, ...(item.consent_expiration_time ? { expiresAt: item.consent_expiration_time } : {}) };
  }

  return {
    ...PLAID_META,

    async verifyCredentials() {
      await api().call(InstitutionsSearchResponse, 'institutions/search', { query: 'bank', country_codes: ['US'] });
    },

    // Plaid's catalogue is large and rate-limited (/institutions/get: 50 a minute): searched, not listed.
    async listInstitutions() {
      return [];
    },

    async searchInstitutions(query, country) {
      const res = await api().call(InstitutionsSearchResponse, 'institutions/search', {
        query,
        country_codes: country ? [country.toUpperCase()] : LINK_COUNTRIES,
        products: ['transactions'],
      });
      return res.institutions.map(toInstitution);
    },

    async getInstitution(id) {
      try {
        const res = await api().call(InstitutionsGetByIdResponse, 'institutions/get_by_id', { institution_id: id, country_codes: COUNTRIES });
        return toInstitution(res.institution);
      } catch (err) {
        if (err instanceof PlaidError && (err.plaidCode === 'INVALID_INSTITUTION' || err.plaidCode === 'INSTITUTION_NOT_FOUND')) return undefined;
        throw err;
      }
    },

    async beginConsent({ existing }) {
      const renew = existing ? sessionOf(existing) : undefined;
      const res = await api().call(LinkTokenCreateResponse, 'link/token/create', {
        client_name: 'banksync',
        language: 'en',
        country_codes: LINK_COUNTRIES,
        user: { client_user_id: await clientUserId() },
        // Hosted Link: Plaid serves the page; an empty object turns it on.
        hosted_link: {},
        ...(renew ? { access_token: renew.accessToken } : { products: ['transactions'], transactions: { days_requested: PLAID_HISTORY_DAYS } }),
      });
      if (!res.hosted_link_url) {
        throw new BanksyncError('PROVIDER_ERROR', 'Plaid gave no hosted_link_url: Hosted Link may not be enabled for this client id', {
          hint: 'ask Plaid to enable Hosted Link for your team',
        });
      }
      if (renew) renewing.set(res.link_token, renew);
      return { url: res.hosted_link_url, state: { linkToken: res.link_token, expiration: res.expiration } };
    },

    async completeConsent(start) {
      const grant = await grantOf(start);
      if (!grant) throw new BanksyncError('BAD_INPUT', 'Plaid: the Link session is not finished yet; finish it in the browser and try again');
      return grant;
    },

    pollConsent: grantOf,

    async listAccounts(h) {
      const s = sessionOf(h);
      const res = await api().call(AccountsGetResponse, 'accounts/get', { access_token: s.accessToken });
      const institution = { id: res.item.institution_id ?? s.institutionId, name: res.item.institution_name ?? s.institutionName };
      return res.accounts.map((a) => toAccount(a, institution, isoDate(ctx.now())));
    },

    fetchTransactions(h, req) {
      return (async function* () {
        const s = sessionOf(h);
        const now = ctx.now();
        yield await syncAccount(api(), { accessToken: s.accessToken, accountId: req.account.externalId, cursor: req.cursor, now, today: isoDate(now) });
      })();
    },

    async revoke(h) {
      await api().call(RequestIdOnly, 'item/remove', { access_token: sessionOf(h).accessToken });
    },
  };
}

/** A finished Link session's public token: Hosted Link puts it in results, the SDK flow in on_success. */
function finished(s: LinkSession): { publicToken: string; institution?: { name?: string; institution_id?: string } | null } | undefined {
  const added = s.results?.item_add_results?.find((r) => r.public_token);
  if (added) return { publicToken: added.public_token, institution: added.institution };
  if (s.on_success?.public_token) return { publicToken: s.on_success.public_token, institution: s.on_success.metadata?.institution };
  return undefined;
}
