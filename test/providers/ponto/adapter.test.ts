import { failure } from '../../helpers/failure.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { StrictMockAgent } from '../../helpers/strict-http.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPontoProvider } from '../../../src/providers/ponto/index.js';
import type { Institution, Provider, ProviderContext, SessionHandle, TransactionPage } from '../../../src/providers/types.js';

const API = 'https://api.ibanity.com';
const NOW = new Date('2026-06-15T10:00:00Z');
const ACC = '8804e34f-12b0-4b70-86bf-4ac6eb2bc0b5';
const FI = 'fd7d6d1a-6f5a-4d0e-9c8f-1f6f3a5e0b11';
const JSONAPI = { 'content-type': 'application/vnd.api+json' };
const JSON_HEADERS = { 'content-type': 'application/json' };
const certs = new URL('../../mocks/ponto/certs/', import.meta.url);
const pem = (name: string) => readFileSync(new URL(name, certs), 'utf8');
const CREDENTIALS = { client_id: 'client-1', client_secret: 'secret-1', certificate: pem('client.pem'), certificate_key: pem('client-key.pem') };
const BASIC = `Basic ${Buffer.from('client-1:secret-1').toString('base64')}`;
const INSTITUTION: Institution = { id: FI, providerId: 'ponto', name: 'KBC', country: 'BE', beta: false, scaEveryFetch: false, stableTransactionIds: true };

let agent: StrictMockAgent;
let api: ReturnType<StrictMockAgent['get']>;
let provider: Provider;

function context(extra: Partial<ProviderContext> = {}): ProviderContext {
  return { now: () => NOW, env: { BANKSYNC_PONTO_CUSTOMER_IP: '203.0.113.7' }, dispatcher: agent, credentials: CREDENTIALS, ...extra };
}

/** Matches a path and its query, whatever the order and encoding (page[limit] travels as page%5Blimit%5D). */
const norm = (p: string) => {
  const u = new URL(p, 'http://x');
  u.searchParams.sort();
  return decodeURIComponent(u.pathname + u.search);
};
const at = (expected: string) => (p: string) => norm(p) === norm(expected);

function session(extra: Record<string, unknown> = {}): SessionHandle & { saved: Record<string, unknown>[] } {
  const h = {
    data: { refreshToken: 'rt-1', accessToken: 'at-1', accessExpiresAt: '2026-06-15T10:20:00.000Z', ...extra } as Record<string, unknown>,
    saved: [] as Record<string, unknown>[],
    save: async () => void h.saved.push({ ...h.data }),
  };
  return h;
}

function account(id: string, attrs: Record<string, unknown> = {}) {
  return {
    type: 'account',
    id,
    attributes: {
      reference: 'BE68539007547034',
      referenceType: 'IBAN',
      subtype: 'checking',
      description: 'Business current account',
      product: 'Business Account',
      holderName: 'Mock BV',
      currency: 'EUR',
      currentBalance: 1234.56,
      currentBalanceReferenceDate: '2026-06-15T09:00:00.000Z',
      availableBalance: 1234.56,
      authorizedAt: '2026-01-01T00:00:00.000Z',
      authorizationExpirationExpectedAt: '2026-12-01T00:00:00.000Z',
      ...attrs,
    },
    relationships: { financialInstitution: { data: { type: 'financialInstitution', id: FI } } },
    meta: { availability: 'available' },
  };
}

function tx(id: string, day: string, amount: number, attrs: Record<string, unknown> = {}) {
  return {
    type: 'transaction',
    id,
    attributes: {
      amount,
      currency: 'EUR',
      valueDate: `${day}T00:00:00.000Z`,
      executionDate: `${day}T00:00:00.000Z`,
      description: 'SEPA credit transfer',
      remittanceInformation: `ref ${id}`,
      remittanceInformationType: 'unstructured',
      counterpartName: 'Proximus',
      counterpartReference: 'BE03310063090184',
      digest: 'abc',
      createdAt: `${day}T06:00:00.000Z`,
      updatedAt: `${day}T06:00:00.000Z`,
      ...attrs,
    },
  };
}

const page = (data: unknown[], next?: string) => ({ data, meta: { paging: { limit: 100 } }, links: { first: 'x', ...(next ? { next } : {}) } });

function bearer(token = 'at-1') {
  return { authorization: `Bearer ${token}` };
}

function sync(subtype: 'accountTransactions' | 'accountTransactionsWithUnsettled' | 'accountDetails', outcome: 'success' | 'recent' | 'error' = 'success', errorCode = 'authorizationExpired') {
  const body = (b: string) => {
    const a = JSON.parse(b).data.attributes;
    // customerIpAddress is required by Ponto on every synchronization.
    return a.subtype === subtype && a.resourceId === ACC && a.customerIpAddress === '203.0.113.7';
  };
  const post = api.intercept({ path: '/ponto-connect/synchronizations', method: 'POST', headers: bearer(), body });
  if (outcome === 'recent') {
    post.reply(400, { errors: [{ code: 'accountRecentlySynchronized', detail: 'already created recently', meta: {} }] }, { headers: JSONAPI });
    return;
  }
  const resource = (status: string, errors: unknown[] = []) => ({
    data: { type: 'synchronization', id: `sync-${subtype}`, attributes: { resourceType: 'account', resourceId: ACC, subtype, status, errors } },
  });
  post.reply(201, resource('pending'), { headers: JSONAPI });
  const final = outcome === 'success' ? resource('success') : resource('error', [{ code: errorCode, detail: 'The authorization to access this account has expired.', meta: {} }]);
  api.intercept({ path: `/ponto-connect/synchronizations/sync-${subtype}`, method: 'GET' }).reply(200, final, { headers: JSONAPI });
}

async function collect(p: Provider, h: SessionHandle, from = '2026-05-01'): Promise<TransactionPage[]> {
  const out: TransactionPage[] = [];
  for await (const pg of p.fetchTransactions(h, { account: { externalId: ACC, institutionId: FI }, from, to: '2026-06-15' })) out.push(pg);
  return out;
}

beforeEach(() => {
  agent = new StrictMockAgent();
  api = agent.get(API);
  provider = createPontoProvider(context());
});

afterEach(async () => {
  await agent.verify();
});

describe('Ponto adapter: institutions and credentials', () => {
  it("lists a country's institutions over two pages, with beta and experimental ones flagged beta", async () => {
    const fi = (id: string, name: string, status: string, country: string | null = 'BE') => ({ type: 'financialInstitution', id, attributes: { name, bic: null, country, status, deprecated: false } });
    api
      .intercept({ path: at('/ponto-connect/financial-institutions?page[limit]=100'), method: 'GET', headers: (h) => !('authorization' in h) })
      .reply(200, page([fi('fi-1', 'KBC', 'stable'), fi('fi-2', 'Argenta', 'beta')], `${API}/ponto-connect/financial-institutions?filter[country][eq]=BE&page[after]=fi-2&page[limit]=100`), {
        headers: JSONAPI,
      });
    api
      .intercept({ path: at('/ponto-connect/financial-institutions?filter[country][eq]=BE&page[after]=fi-2&page[limit]=100'), method: 'GET' })
      .reply(200, page([fi('fi-3', 'Sandbox FR', 'experimental', 'FR'), fi('fi-4', 'Crelan', 'experimental')]), { headers: JSONAPI });
    const list = await provider.listInstitutions('be');
    expect(list.map((i) => [i.id, i.name, i.country, i.beta])).toEqual([
      ['fi-1', 'KBC', 'BE', false],
      ['fi-2', 'Argenta', 'BE', true],
      ['fi-4', 'Crelan', 'BE', true],
    ]);
    expect(list[0]).toMatchObject({ providerId: 'ponto', stableTransactionIds: true, scaEveryFetch: false });
  });

  it('looks up one institution, and answers undefined for an unknown id', async () => {
    api
      .intercept({ path: '/ponto-connect/financial-institutions/fi-1', method: 'GET' })
      .reply(200, { data: { type: 'financialInstitution', id: 'fi-1', attributes: { name: 'KBC', country: 'BE', status: 'stable' } } }, { headers: JSONAPI });
    api
      .intercept({ path: '/ponto-connect/financial-institutions/nope', method: 'GET' })
      .reply(404, { errors: [{ code: 'resourceNotFound', detail: 'The requested financialInstitution was not found.', meta: {} }] }, { headers: JSONAPI });
    expect(await provider.getInstitution('fi-1')).toMatchObject({ id: 'fi-1', name: 'KBC', beta: false });
    expect(await provider.getInstitution('nope')).toBeUndefined();
  });

  it('verifies app credentials: a dummy refresh token refused as invalid_grant means they are fine', async () => {
    api
      .intercept({
        path: '/ponto-connect/oauth2/token',
        method: 'POST',
        headers: { authorization: BASIC },
        body: (b) => new URLSearchParams(b).get('grant_type') === 'refresh_token' && new URLSearchParams(b).get('client_id') === 'client-1',
      })
      .reply(400, { error: 'invalid_grant', error_description: 'The refresh token was not found' }, { headers: JSON_HEADERS });
    await expect(provider.verifyCredentials!()).resolves.toBeUndefined();
  });

  it('names the client id and secret when Ponto answers invalid_client', async () => {
    api
      .intercept({ path: '/ponto-connect/oauth2/token', method: 'POST' })
      .reply(401, { error: 'invalid_client', error_description: 'Client authentication failed' }, { headers: { ...JSON_HEADERS, 'www-authenticate': 'Basic' } });
    const e = await failure(provider.verifyCredentials!());
    expect(e.code).toBe('CREDENTIALS_INVALID');
    expect(e.message).toMatch(/client id or client secret/);
    expect(e.hint).toBe('banksync providers setup ponto');
    expect(e.message).not.toContain('secret-1');
  });

  it('names the certificate when the API refuses it, or when the key does not match it', async () => {
    api
      .intercept({ path: '/ponto-connect/oauth2/token', method: 'POST' })
      .reply(401, { errors: [{ code: 'unauthorizedClient', detail: 'A valid client certificate issued for this application is required (mutual TLS).', meta: {} }] }, { headers: JSONAPI });
    const e = await failure(provider.verifyCredentials!());
    expect(e.code).toBe('CREDENTIALS_INVALID');
    expect(e.message).toMatch(/client certificate/);
    const mismatched = createPontoProvider(context({ credentials: { ...CREDENTIALS, certificate_key: pem('wrong-client-key.pem') } }));
    const e2 = await failure(mismatched.verifyCredentials!());
    expect(e2.code).toBe('CREDENTIALS_INVALID');
    expect(e2.message).toMatch(/private key does not belong to the Ponto client certificate/);
    expect(e2.message).not.toContain('PRIVATE KEY');
  });
  it('takes a hang-up during the credential check as a refused certificate', async () => {
    api.intercept({ path: '/ponto-connect/oauth2/token', method: 'POST' }).replyWithError(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));
    const e = await failure(provider.verifyCredentials!());
    expect(e.code).toBe('CREDENTIALS_INVALID');
    expect(e.message).toMatch(/client certificate.*UND_ERR_SOCKET/);
  });

  it('checks its own certificate before the first mTLS call (no dispatcher given)', async () => {
    const own = createPontoProvider(context({ dispatcher: undefined, credentials: { ...CREDENTIALS, certificate: 'not a pem' } }));
    const e = await failure(own.listInstitutions('BE'));
    expect(e.code).toBe('CREDENTIALS_INVALID');
    expect(e.message).toMatch(/Ponto client certificate is not a PEM certificate/);
    const missing = createPontoProvider(context({ dispatcher: undefined, credentials: { client_id: 'client-1', client_secret: 'secret-1' } }));
    expect((await failure(missing.listInstitutions('BE'))).code).toBe('NOT_CONFIGURED');
  });
});

describe('Ponto adapter: consent', () => {
  it('builds the PKCE authorization URL and carries the verifier and our state', async () => {
    const start = await provider.beginConsent({ institution: INSTITUTION, redirectUrl: 'http://127.0.0.1:8765/callback', state: 'st-1' });
    const url = new URL(start.url!);
    expect(url.origin + url.pathname).toBe('https://authorization.myponto.com/oauth2/auth');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'client-1',
      redirect_uri: 'http://127.0.0.1:8765/callback',
      scope: 'ai offline_access',
      state: 'st-1',
      code_challenge_method: 'S256',
    });
    const verifier = String(start.state.codeVerifier);
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(url.searchParams.get('code_challenge')).toBe(createHash('sha256').update(verifier).digest('base64url'));
    expect(JSON.stringify(start.state)).not.toContain('secret-1');
    const custom = createPontoProvider(context({ env: { BANKSYNC_PONTO_AUTHORIZATION_URL: 'http://127.0.0.1:9999/oauth2/auth' } }));
    expect((await custom.beginConsent({ institution: INSTITUTION, redirectUrl: 'http://127.0.0.1:1/callback', state: 's' })).url).toMatch(/^http:\/\/127\.0\.0\.1:9999\/oauth2\/auth\?/);
  });

  it('exchanges the code (Basic auth, verifier) and reads the accounts for the consent expiry', async () => {
    const start = await provider.beginConsent({ institution: INSTITUTION, redirectUrl: 'http://127.0.0.1:8765/callback', state: 'st-1' });
    let form = new URLSearchParams();
    api
      .intercept({ path: '/ponto-connect/oauth2/token', method: 'POST', headers: { authorization: BASIC } })
      .reply(
        200,
        (opts) => ((form = new URLSearchParams(String(opts.body))), { access_token: 'at-new', expires_in: 1800, refresh_token: 'rt-new', scope: 'ai offline_access', token_type: 'bearer' }),
        { headers: JSON_HEADERS },
      );
    api
      .intercept({ path: at('/ponto-connect/accounts?page[limit]=100'), method: 'GET', headers: bearer('at-new') })
      .reply(200, page([account(ACC), account('acc-2', { authorizationExpirationExpectedAt: '2026-10-01T00:00:00.000Z' })]), { headers: JSONAPI });
    const grant = await provider.completeConsent(start, { code: 'code-1', state: 'st-1' });
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'authorization_code',
      code: 'code-1',
      redirect_uri: 'http://127.0.0.1:8765/callback',
      client_id: 'client-1',
      code_verifier: start.state.codeVerifier,
    });
    expect(grant.session).toEqual({ refreshToken: 'rt-new', accessToken: 'at-new', accessExpiresAt: '2026-06-15T10:30:00.000Z' });
    expect(grant.expiresAt).toBe('2026-10-01T00:00:00.000Z');
  });

  it('turns a refused code into a clean "start again"', async () => {
    const start = await provider.beginConsent({ institution: INSTITUTION, redirectUrl: 'http://127.0.0.1:8765/callback', state: 'st-1' });
    api.intercept({ path: '/ponto-connect/oauth2/token', method: 'POST' }).reply(400, { error: 'invalid_grant', error_description: 'code already used' }, { headers: JSON_HEADERS });
    const e = await failure(provider.completeConsent(start, { code: 'used', state: 'st-1' }));
    expect(e.code).toBe('BAD_INPUT');
    expect((await failure(provider.completeConsent(start, { code: 'c', state: 'other' }))).code).toBe('BAD_INPUT');
  });

  it('renews through a reauthorization request while the refresh token works, keeping the tokens', async () => {
    const h = session();
    api
      .intercept({ path: at('/ponto-connect/accounts?page[limit]=100'), method: 'GET', headers: bearer() })
      .reply(200, page([account(ACC, { authorizationExpirationExpectedAt: '2026-06-01T00:00:00.000Z' }), account('acc-2')]), { headers: JSONAPI });
    let redirectUri = '';
    api.intercept({ path: `/ponto-connect/accounts/${ACC}/reauthorization-requests`, method: 'POST', headers: bearer() }).reply(
      201,
      (opts) => {
        const body = JSON.parse(String(opts.body));
        expect(body.data.type).toBe('reauthorizationRequest');
        redirectUri = body.data.attributes.redirectUri;
        return { data: { type: 'reauthorizationRequest', id: 'rr-1', links: { redirect: 'https://authorization.myponto.com/reauthorize/rr-1' } } };
      },
      { headers: JSONAPI },
    );
    const start = await provider.beginConsent({ institution: INSTITUTION, redirectUrl: 'http://127.0.0.1:8765/callback', state: 'st-9', existing: h });
    expect(start.url).toBe('https://authorization.myponto.com/reauthorize/rr-1');
    // The registered address exactly: Ponto matches redirect URIs as registered.
    expect(redirectUri).toBe('http://127.0.0.1:8765/callback');
    expect(start.returnsWithoutState).toBe(true);
    api
      .intercept({ path: at('/ponto-connect/accounts?page[limit]=100'), method: 'GET', headers: bearer() })
      .reply(200, page([account(ACC, { authorizationExpirationExpectedAt: '2026-12-12T00:00:00.000Z' }), account('acc-2')]), { headers: JSONAPI });
    const grant = await provider.completeConsent(start, {});
    expect(grant.session).toMatchObject({ refreshToken: 'rt-1', accessToken: 'at-1' });
    expect(grant.expiresAt).toBe('2026-12-01T00:00:00.000Z');
  });

  it('falls back to a new OAuth consent when Ponto refuses the redirect URI', async () => {
    api.intercept({ path: at('/ponto-connect/accounts?page[limit]=100'), method: 'GET' }).reply(200, page([account(ACC)]), { headers: JSONAPI });
    api
      .intercept({ path: `/ponto-connect/accounts/${ACC}/reauthorization-requests`, method: 'POST' })
      .reply(400, { errors: [{ code: 'validationError', detail: 'redirectUri must be a redirect URI registered for the application.', meta: { attribute: 'redirectUri' } }] }, { headers: JSONAPI });
    const start = await provider.beginConsent({ institution: INSTITUTION, redirectUrl: 'http://127.0.0.1:8765/callback', state: 'st-3', existing: session() });
    expect(start.state.mode).toBe('oauth');
  });

  it('falls back to a new OAuth consent when the stored refresh token is refused', async () => {
    const h = session({ accessToken: undefined, accessExpiresAt: undefined });
    api.intercept({ path: '/ponto-connect/oauth2/token', method: 'POST' }).reply(400, { error: 'invalid_grant', error_description: 'revoked' }, { headers: JSON_HEADERS });
    const start = await provider.beginConsent({ institution: INSTITUTION, redirectUrl: 'http://127.0.0.1:8765/callback', state: 'st-2', existing: h });
    expect(start.state.mode).toBe('oauth');
    expect(start.url).toContain('/oauth2/auth?');
  });
});

describe('Ponto adapter: accounts and tokens', () => {
  it('maps accounts over two pages: IBAN, name, kind, balance in minor units, institution', async () => {
    api
      .intercept({ path: at('/ponto-connect/accounts?page[limit]=100'), method: 'GET', headers: bearer() })
      .reply(200, page([account(ACC)], `${API}/ponto-connect/accounts?page[after]=${ACC}&page[limit]=100`), { headers: JSONAPI });
    api
      .intercept({ path: at(`/ponto-connect/accounts?page[after]=${ACC}&page[limit]=100`), method: 'GET', headers: bearer() })
      .reply(200, page([account('card-1', { reference: 'XXXX XXXX XXXX 1234', referenceType: 'MASKEDPAN', subtype: 'card', description: null, product: 'Visa', currentBalance: -0.1 })]), {
        headers: JSONAPI,
      });
    const list = await provider.listAccounts(session());
    expect(list).toEqual([
      {
        externalId: ACC,
        institutionId: FI,
        name: 'Business current account',
        iban: 'BE68539007547034',
        number: undefined,
        currency: 'EUR',
        kind: 'checking',
        balance: { amountMinor: 123456, date: '2026-06-15' },
      },
      {
        externalId: 'card-1',
        institutionId: FI,
        name: 'Visa',
        iban: undefined,
        number: 'XXXX XXXX XXXX 1234',
        currency: 'EUR',
        kind: 'credit_card',
        balance: { amountMinor: -10, date: '2026-06-15' },
      },
    ]);
  });

  it('saves the rotated refresh token before the new access token is used', async () => {
    const h = session({ accessExpiresAt: '2026-06-15T09:59:00.000Z' });
    api
      .intercept({ path: '/ponto-connect/oauth2/token', method: 'POST', body: (b) => new URLSearchParams(b).get('refresh_token') === 'rt-1' })
      .reply(200, { access_token: 'at-2', expires_in: 1800, refresh_token: 'rt-2', token_type: 'bearer' }, { headers: JSON_HEADERS });
    api.intercept({ path: at('/ponto-connect/accounts?page[limit]=100'), method: 'GET', headers: bearer('at-2') }).reply(
      200,
      () => {
        expect(h.saved).toEqual([{ refreshToken: 'rt-2', accessToken: 'at-2', accessExpiresAt: '2026-06-15T10:30:00.000Z' }]);
        return page([]);
      },
      { headers: JSONAPI },
    );
    expect(await provider.listAccounts(h)).toEqual([]);
    expect(h.data.refreshToken).toBe('rt-2');
  });

  it('renews a refused access token once, and reports a revoked integration as CONSENT_EXPIRED', async () => {
    const h = session();
    api
      .intercept({ path: at('/ponto-connect/accounts?page[limit]=100'), method: 'GET', headers: bearer() })
      .reply(401, { errors: [{ code: 'unauthorized', detail: 'The access token is missing, invalid, expired or revoked.', meta: {} }] }, { headers: JSONAPI });
    api.intercept({ path: '/ponto-connect/oauth2/token', method: 'POST' }).reply(200, { access_token: 'at-2', expires_in: 1800, refresh_token: 'rt-2' }, { headers: JSON_HEADERS });
    api.intercept({ path: at('/ponto-connect/accounts?page[limit]=100'), method: 'GET', headers: bearer('at-2') }).reply(200, page([account(ACC)]), { headers: JSONAPI });
    expect(await provider.listAccounts(h)).toHaveLength(1);
    expect(h.saved.map((s) => s.refreshToken)).toEqual(['rt-2']);

    const revoked = session({ accessExpiresAt: '2026-06-15T09:00:00.000Z' });
    api.intercept({ path: '/ponto-connect/oauth2/token', method: 'POST' }).reply(400, { error: 'invalid_grant', error_description: 'revoked' }, { headers: JSON_HEADERS });
    const e = await failure(provider.listAccounts(revoked));
    expect(e.code).toBe('CONSENT_EXPIRED');
    expect(e.message).toMatch(/revoked or has expired/);
    expect(revoked.saved).toEqual([]);
  });

  it('maps 429 with a long Retry-After to RATE_LIMITED with its retry time', async () => {
    api
      .intercept({ path: at('/ponto-connect/accounts?page[limit]=100'), method: 'GET' })
      .reply(429, { errors: [{ code: 'tooManyRequests', detail: 'Too many requests', meta: {} }] }, { headers: { ...JSONAPI, 'retry-after': '120' } });
    const e = await failure(provider.listAccounts(session()));
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.retryAt).toBe('2026-06-15T10:02:00.000Z');
  });

  it("maps 5xx (after the client's retries) to PROVIDER_UNAVAILABLE", async () => {
    api
      .intercept({ path: at('/ponto-connect/accounts?page[limit]=100'), method: 'GET' })
      .reply(503, { errors: [{ code: 'serviceUnavailable', detail: 'down', meta: {} }] }, { headers: { ...JSONAPI, 'retry-after': '0' } })
      .times(3);
    expect((await failure(provider.listAccounts(session()))).code).toBe('PROVIDER_UNAVAILABLE');
  });

  it('maps a body of the wrong shape to PROVIDER_ERROR naming the field', async () => {
    api.intercept({ path: at('/ponto-connect/accounts?page[limit]=100'), method: 'GET' }).reply(200, page([account(ACC, { currentBalance: '12.30' })]), { headers: JSONAPI });
    const e = await failure(provider.listAccounts(session()));
    expect(e.code).toBe('PROVIDER_ERROR');
    expect(e.message).toMatch(/currentBalance/);
  });
});

describe('Ponto adapter: transactions', () => {
  const txPath = `/ponto-connect/accounts/${ACC}/transactions`;
  const pendingPath = `/ponto-connect/accounts/${ACC}/pending-transactions`;

  function accountGet() {
    api.intercept({ path: `/ponto-connect/accounts/${ACC}`, method: 'GET', headers: bearer() }).reply(200, { data: account(ACC) }, { headers: JSONAPI });
  }

  it('synchronizes, then maps a page: signed amounts, Ponto ids, dates, texts, pending and balance', async () => {
    sync('accountTransactionsWithUnsettled');
    sync('accountDetails');
    accountGet();
    api
      .intercept({ path: at(`${pendingPath}?page[limit]=100`), method: 'GET' })
      .reply(200, page([{ ...tx('p-1', '2026-06-15', -3.2, { counterpartReference: null, remittanceInformation: null, description: 'Card payment EXKI' }), type: 'pendingTransaction' }]), {
        headers: JSONAPI,
      });
    api
      .intercept({ path: at(`${txPath}?page[limit]=100`), method: 'GET', headers: bearer() })
      .reply(
        200,
        page([tx('t-3', '2026-06-14', 2850, { counterpartName: 'Mock Employer NV', valueDate: '2026-06-13T00:00:00.000Z' }), tx('t-2', '2026-06-01', -950), tx('t-1', '2026-04-30', -0.01)]),
        { headers: JSONAPI },
      );
    const pages = await collect(provider, session());
    expect(pages).toHaveLength(1);
    expect(pages[0]!.booked).toEqual([
      {
        externalId: 't-3',
        bookingDate: '2026-06-14',
        valueDate: '2026-06-13',
        amountMinor: 285000,
        currency: 'EUR',
        payee: 'Mock Employer NV',
        memo: 'ref t-3',
        counterpartyIban: 'BE03310063090184',
        type: 'credit',
      },
      {
        externalId: 't-2',
        bookingDate: '2026-06-01',
        valueDate: '2026-06-01',
        amountMinor: -95000,
        currency: 'EUR',
        payee: 'Proximus',
        memo: 'ref t-2',
        counterpartyIban: 'BE03310063090184',
        type: 'debit',
      },
    ]);
    expect(pages[0]!.pending).toEqual([{ externalId: 'p-1', date: '2026-06-15', amountMinor: -320, currency: 'EUR', payee: 'Proximus', memo: 'Card payment EXKI', counterpartyIban: undefined }]);
    expect(pages[0]!.balance).toEqual({ amountMinor: 123456, date: '2026-06-15' });
  });

  it("reads Ponto's cached copy when a sync is refused as too recent, and yields one empty page", async () => {
    sync('accountTransactionsWithUnsettled', 'recent');
    sync('accountDetails');
    api.intercept({ path: at(`${pendingPath}?page[limit]=100`), method: 'GET' }).reply(200, page([]), { headers: JSONAPI });
    api.intercept({ path: at(`${txPath}?page[limit]=100`), method: 'GET' }).reply(200, page([]), { headers: JSONAPI });
    const pages = await collect(provider, session());
    // One sync skipped, one fresh: their balance and lines are not from the same moment, so no balance.
    expect(pages).toEqual([{ booked: [], pending: [], balance: undefined }]);
  });

  it('follows links.next page by page and stops once a whole page predates the window', async () => {
    sync('accountTransactionsWithUnsettled', 'recent');
    sync('accountDetails', 'recent');
    accountGet();
    api.intercept({ path: at(`${pendingPath}?page[limit]=100`), method: 'GET' }).reply(200, page([]), { headers: JSONAPI });
    const next = (after: string) => `${API}${txPath}?page[after]=${after}&page[limit]=2`;
    api.intercept({ path: at(`${txPath}?page[limit]=100`), method: 'GET' }).reply(200, page([tx('t-6', '2026-06-10', -1), tx('t-5', '2026-06-01', -2)], next('t-5')), { headers: JSONAPI });
    api
      .intercept({ path: at(`${txPath}?page[after]=t-5&page[limit]=2`), method: 'GET' })
      .reply(200, page([tx('t-4', '2026-05-02', -3), tx('t-3', '2026-04-20', -4)], next('t-3')), { headers: JSONAPI });
    api
      .intercept({ path: at(`${txPath}?page[after]=t-3&page[limit]=2`), method: 'GET' })
      .reply(200, page([tx('t-2', '2026-04-10', -5), tx('t-1', '2026-04-01', -6)], next('t-1')), { headers: JSONAPI });
    // No interceptor for page[after]=t-1: asking for it fails the test (network is disabled).
    const pages = await collect(provider, session());
    expect(pages.map((p) => p.booked.map((t) => t.externalId))).toEqual([['t-6', 't-5'], ['t-4']]);
    expect(pages[0]!.balance).toBeDefined();
    expect(pages[1]!.pending).toBeUndefined();
  });

  it('reports an expired bank authorization from the synchronization as CONSENT_EXPIRED', async () => {
    sync('accountTransactionsWithUnsettled', 'error');
    sync('accountDetails', 'error');
    const e = await failure(collect(provider, session()));
    expect(e.code).toBe('CONSENT_EXPIRED');
  });

  it('reports authorizationExpired on the transactions list as CONSENT_EXPIRED', async () => {
    sync('accountTransactionsWithUnsettled', 'recent');
    sync('accountDetails', 'recent');
    accountGet();
    api
      .intercept({ path: at(`${pendingPath}?page[limit]=100`), method: 'GET' })
      .reply(403, { errors: [{ code: 'authorizationExpired', detail: 'The authorization to access this account has expired.', meta: { resource: 'account' } }] }, { headers: JSONAPI });
    const e = await failure(collect(provider, session()));
    expect(e.code).toBe('CONSENT_EXPIRED');
  });

  it('treats other bank-side sync failures as transient', async () => {
    sync('accountTransactionsWithUnsettled', 'error', 'financialInstitutionUnavailable');
    sync('accountDetails', 'recent');
    expect((await failure(collect(provider, session()))).code).toBe('PROVIDER_UNAVAILABLE');
  });

  it('names a malformed transaction as PROVIDER_ERROR', async () => {
    sync('accountTransactionsWithUnsettled', 'recent');
    sync('accountDetails', 'recent');
    accountGet();
    api.intercept({ path: at(`${pendingPath}?page[limit]=100`), method: 'GET' }).reply(200, page([]), { headers: JSONAPI });
    api.intercept({ path: at(`${txPath}?page[limit]=100`), method: 'GET' }).reply(200, page([tx('t-1', '2026-06-01', '-1.00' as unknown as number)]), { headers: JSONAPI });
    const e = await failure(collect(provider, session()));
    expect(e.code).toBe('PROVIDER_ERROR');
    expect(e.message).toMatch(/item 0.*amount/);
  });
});

describe('Ponto adapter: refreshConnection', () => {
  const txPath = `/ponto-connect/accounts/${ACC}/transactions`;
  const pendingPath = `/ponto-connect/accounts/${ACC}/pending-transactions`;
  const refresh = (h: SessionHandle) => provider.refreshConnection!(h, { requestInput: async () => '', accounts: [{ externalId: ACC, institutionId: FI }] });
  const emptyLists = () => {
    api.intercept({ path: at(`${pendingPath}?page[limit]=100`), method: 'GET' }).reply(200, page([]), { headers: JSONAPI });
    api.intercept({ path: at(`${txPath}?page[limit]=100`), method: 'GET' }).reply(200, page([]), { headers: JSONAPI });
  };

  it('synchronizes each account once, before the fetch, which then reads without synchronizing again', async () => {
    sync('accountTransactionsWithUnsettled');
    sync('accountDetails');
    const h = session();
    expect(await refresh(h)).toEqual({ status: 'done' });
    api.intercept({ path: `/ponto-connect/accounts/${ACC}`, method: 'GET', headers: bearer() }).reply(200, { data: account(ACC) }, { headers: JSONAPI });
    emptyLists();
    // No second POST /synchronizations is intercepted: one would fail the test (network is disabled).
    const pages = await collect(provider, h);
    expect(pages).toEqual([{ booked: [], pending: [], balance: { amountMinor: 123456, date: '2026-06-15' } }]);
  });

  it('answers deferred with the cached copy when Ponto refuses the synchronization as too recent', async () => {
    sync('accountTransactionsWithUnsettled', 'recent');
    sync('accountDetails', 'recent');
    const h = session();
    expect(await refresh(h)).toMatchObject({ status: 'deferred', fetchCached: true, message: expect.stringMatching(/a few minutes ago and Ponto allows no new synchronization this soon/) });
    api.intercept({ path: `/ponto-connect/accounts/${ACC}`, method: 'GET', headers: bearer() }).reply(200, { data: account(ACC) }, { headers: JSONAPI });
    emptyLists();
    // Both from Ponto's same copy: the balance is comparable.
    expect((await collect(provider, h))[0]!.balance).toBeDefined();
  });

  it("keeps an account's synchronization failure for that account's fetch", async () => {
    sync('accountTransactionsWithUnsettled', 'error');
    sync('accountDetails', 'error');
    const h = session();
    expect(await refresh(h)).toEqual({ status: 'done' });
    expect((await failure(collect(provider, h))).code).toBe('CONSENT_EXPIRED');
  });

  it('falls back to accountTransactions when the subtype with unsettled lines is refused', async () => {
    api
      .intercept({ path: '/ponto-connect/synchronizations', method: 'POST', body: (b) => JSON.parse(b).data.attributes.subtype === 'accountTransactionsWithUnsettled' })
      .reply(400, { errors: [{ code: 'validationError', detail: 'subtype is not supported for this account', meta: { attribute: 'subtype' } }] }, { headers: JSONAPI });
    sync('accountTransactions');
    sync('accountDetails');
    expect(await refresh(session())).toEqual({ status: 'done' });
  });
});

describe('customerIpAddress', () => {
  it('is BANKSYNC_PONTO_CUSTOMER_IP when given, else an address of this machine; a wrong one is one clear error', async () => {
    const { customerIpAddress } = await import('../../../src/providers/ponto/sync.js');
    const { isIP } = await import('node:net');
    expect(customerIpAddress({ BANKSYNC_PONTO_CUSTOMER_IP: '2001:db8::1' })).toBe('2001:db8::1');
    expect(isIP(customerIpAddress({}))).toBe(4);
    expect(() => customerIpAddress({ BANKSYNC_PONTO_CUSTOMER_IP: 'my-laptop' })).toThrow(/BANKSYNC_PONTO_CUSTOMER_IP is not an IP address: my-laptop/);
  });
  it('revokes with the refresh token alone in the form and HTTP Basic client authentication (RFC 7009)', async () => {
    api
      .intercept({ path: '/ponto-connect/oauth2/revoke', method: 'POST', headers: { authorization: BASIC, 'content-type': /application\/x-www-form-urlencoded/ }, body: (b) => b === 'token=rt-1' })
      .reply(200, '');
    await provider.revoke!(session());
  });
});
