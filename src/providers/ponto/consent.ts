import { createHash, randomBytes } from 'node:crypto';
import { BanksyncError } from '../../domain/errors.js';
import type { ConsentGrant, ConsentStart, Institution, ProviderContext, SessionHandle } from '../types.js';
import { parse, type PontoApi, type Session } from './api.js';
import { describe, mapPontoError } from './errors.js';
import { earliestExpiry } from './map.js';
import { Account, ReauthorizationRequest, Token } from './schema.js';
import { chosenInstitution } from '../chosen-institution.js';

export const AUTHORIZATION_URL = 'https://authorization.myponto.com/oauth2/auth';
/** ai = account information; offline_access = a refresh token, so syncs need no browser. */
const SCOPE = 'ai offline_access';

/** Every account the integration may read (all pages). */
export async function wireAccounts(api: PontoApi, h: SessionHandle): Promise<Account[]> {
  const out: Account[] = [];
  for await (const page of api.pages(Account, h, 'ponto-connect/accounts', { 'page[limit]': 100 })) out.push(...page);
  return out;
}

const ofInstitution = (accounts: Account[], institutionId: unknown) => accounts.filter((a) => a.relationships.financialInstitution.data.id === institutionId);
/** The connection's accounts decide its expiry; other banks in the same Ponto consent do not. */
const expiryOf = (accounts: Account[], institutionId: unknown) => earliestExpiry(ofInstitution(accounts, institutionId).length > 0 ? ofInstitution(accounts, institutionId) : accounts);
const expiresAtMs = (a: Account) => Date.parse(a.attributes.authorizationExpirationExpectedAt ?? '') || 0;
const memory = (data: Record<string, unknown>): SessionHandle => ({ data, save: async () => undefined });

export function consentFlow(api: PontoApi, ctx: ProviderContext) {
  function authorizationEndpoint(): URL {
    const raw = ctx.env.BANKSYNC_PONTO_AUTHORIZATION_URL || AUTHORIZATION_URL;
    if (!URL.canParse(raw)) throw new BanksyncError('BAD_INPUT', `BANKSYNC_PONTO_AUTHORIZATION_URL is not a URL: ${raw}`);
    const url = new URL(raw);
    if (url.pathname === '/') url.pathname = '/oauth2/auth';
    return url;
  }

  /** OAuth2 authorization code with PKCE S256; the verifier never leaves this process. */
  function oauthStart(institution: Institution, redirectUrl: string, state: string): ConsentStart {
    const codeVerifier = randomBytes(32).toString('base64url');
    const url = authorizationEndpoint();
    const params = {
      response_type: 'code',
      client_id: api.credential('client_id'),
      redirect_uri: redirectUrl,
      scope: SCOPE,
      state,
      code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
      code_challenge_method: 'S256',
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return { url: url.toString(), state: { mode: 'oauth', codeVerifier, redirectUri: redirectUrl, state, institutionId: institution.id } };
  }

  /**
   * Renewal of a still-working integration: a reauthorization request renews the bank authorization
   * of the connection's account that lapses first, and the tokens stay. Undefined when the refresh
   * token is refused or no account of this bank is left: then only a new consent helps.
   */
  async function reauthorizationStart(existing: SessionHandle, institution: Institution, redirectUrl: string): Promise<ConsentStart | undefined> {
    let own: Account[];
    try {
      own = ofInstitution(await wireAccounts(api, existing), institution.id);
    } catch (err) {
      if (err instanceof BanksyncError && err.code === 'CONSENT_EXPIRED') return undefined;
      throw err;
    }
    const target = own.sort((a, b) => expiresAtMs(a) - expiresAtMs(b))[0];
    // A reauthorization request renews one account; when several have lapsed, one full consent renews them all.
    const lapsed = own.filter((a) => expiresAtMs(a) <= ctx.now().getTime());
    if (!target || lapsed.length > 1) return undefined;
    // Redirect URIs are registered exactly, so the registered one goes as it is; Ponto returns
    // to it without parameters, and complete() re-reads the account to see the renewal.
    const path = `ponto-connect/accounts/${encodeURIComponent(target.id)}/reauthorization-requests`;
    const res = await api.callRaw(existing, 'POST', path, {
      json: { data: { type: 'reauthorizationRequest', attributes: { redirectUri: redirectUrl } } },
      accept: [400],
    });
    if (res.status === 400) {
      // A redirect address Ponto does not know for this app: a new consent reports it clearly.
      const { code, detail } = describe(res.body);
      if (code === 'validationError' && /redirect/i.test(detail)) return undefined;
      throw mapPontoError({ ...res, method: 'POST', path: `/${path}` }, ctx.now());
    }
    const body = parse(ReauthorizationRequest, res, 'reauthorization-requests');
    return { url: body.data.links.redirect, returnsWithoutState: true, state: { mode: 'reauthorize', accountId: target.id, institutionId: institution.id, session: { ...existing.data } } };
  }

  async function begin(r: { institution?: Institution; redirectUrl?: string; state: string; existing?: SessionHandle }): Promise<ConsentStart> {
    if (!r.redirectUrl) throw new BanksyncError('INTERNAL', 'Ponto consent needs a redirect address');
    const institution = chosenInstitution('ponto', r.institution);
    if (r.existing && typeof r.existing.data.refreshToken === 'string') {
      const renewal = await reauthorizationStart(r.existing, institution, r.redirectUrl);
      if (renewal) return renewal;
    }
    return oauthStart(institution, r.redirectUrl, r.state);
  }

  async function complete(start: ConsentStart, callback: Record<string, string>): Promise<ConsentGrant> {
    const s = start.state;
    if (s.mode === 'reauthorize') {
      const handle = memory({ ...(s.session as Session) });
      const accounts = await wireAccounts(api, handle);
      const renewed = accounts.find((a) => a.id === s.accountId);
      if (!renewed || expiresAtMs(renewed) <= ctx.now().getTime()) {
        throw new BanksyncError('BAD_INPUT', 'Ponto: the bank authorization was not renewed; nothing was changed', { hint: 'run the command again and finish the page at your bank' });
      }
      return { session: handle.data, expiresAt: expiryOf(accounts, s.institutionId) };
    }
    if (!callback.code) throw new BanksyncError('BAD_INPUT', 'Ponto: the consent page sent no authorization code; nothing was changed');
    if (callback.state !== undefined && callback.state !== s.state) throw new BanksyncError('BAD_INPUT', 'Ponto: the consent answer belongs to another request; start again');
    let res;
    try {
      res = await api.token({ grant_type: 'authorization_code', code: callback.code, redirect_uri: String(s.redirectUri), code_verifier: String(s.codeVerifier) });
    } catch (err) {
      // invalid_grant here is about the code (expired, used, PKCE mismatch), not a revoked integration.
      if (err instanceof BanksyncError && err.code === 'CONSENT_EXPIRED') {
        throw new BanksyncError('BAD_INPUT', 'Ponto refused the authorization code (expired or already used); nothing was changed', { hint: 'run the command again' });
      }
      throw err;
    }
    const handle = memory({ ...api.sessionFrom(parse(Token, res, 'oauth2/token')) });
    // The bank authorizations' expiry is read right away; the fresh access token needs no refresh.
    const accounts = await wireAccounts(api, handle);
    return { session: handle.data, expiresAt: expiryOf(accounts, s.institutionId) };
  }

  return { begin, complete };
}
