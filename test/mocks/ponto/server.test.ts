// Keeps the Ponto mock honest: every behaviour the adapter relies on, over real loopback mTLS.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { startPontoMock, type PontoMockHandle, type PontoMockOptions } from './server.js';

const REDIRECT = 'http://127.0.0.1:53682/callback';
const BASIC = `Basic ${Buffer.from('ponto-test-client:ponto-test-secret').toString('base64')}`;
const DAY = 86_400_000;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: any;
  text: string;
}

let clock: Date;
let mock: PontoMockHandle;
let agent: Agent;

async function start(opts: PontoMockOptions = {}): Promise<void> {
  mock = await startPontoMock({ now: () => clock, redirectUris: [REDIRECT], ...opts });
  agent = new Agent({ connect: { ca: mock.caPem, cert: mock.clientCertPem, key: mock.clientKeyPem } });
}

beforeEach(async () => {
  clock = new Date('2026-03-15T10:00:00Z');
  await start();
});

afterEach(async () => {
  await agent.close();
  await mock.close();
});

async function call(path: string, init: { method?: string; token?: string; headers?: Record<string, string>; body?: string; dispatcher?: Agent } = {}): Promise<Reply> {
  const headers: Record<string, string> = { accept: 'application/vnd.api+json', ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const url = path.startsWith('http') ? path : `${mock.url}/ponto-connect${path}`;
  const res = await request(url, { method: (init.method ?? 'GET') as 'GET', headers, body: init.body, dispatcher: init.dispatcher ?? agent });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: text?.startsWith('{') ? JSON.parse(text) : undefined };
}

const jsonApi = (data: unknown): { headers: Record<string, string>; body: string } => ({
  headers: { 'content-type': 'application/vnd.api+json' },
  body: JSON.stringify({ data }),
});

const form = (fields: Record<string, string>, auth = BASIC): { method: string; headers: Record<string, string>; body: string } => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth },
  body: new URLSearchParams(fields).toString(),
});

/** Plain HTTP on the browser listener; redirects are not followed so tests can read Location. */
async function browse(url: string, body?: string): Promise<{ status: number; location: string | undefined; html: string }> {
  const res = await request(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  const location = res.headers.location;
  return { status: res.statusCode, location: typeof location === 'string' ? location : undefined, html: await res.body.text() };
}

/** What the shared consent-page driver does: find the one form, post its hidden inputs + a decision. */
async function submitConsent(pageUrl: string, decision: 'approve' | 'deny', keep?: (name: string, value: string) => boolean): Promise<string> {
  const page = await browse(pageUrl);
  expect(page.status).toBe(200);
  const forms = page.html.match(/<form method="post" action="([^"]+)">/g) ?? [];
  expect(forms).toHaveLength(1);
  expect(page.html).toContain('<button type="submit" name="decision" value="approve" id="approve">');
  expect(page.html).toContain('<button type="submit" name="decision" value="deny" id="deny">');
  const action = /action="([^"]+)"/.exec(forms[0] ?? '')?.[1] ?? '';
  const fields = new URLSearchParams({ decision });
  for (const m of page.html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    if (!keep || keep(m[1] ?? '', m[2] ?? '')) fields.append(m[1] ?? '', m[2] ?? '');
  }
  const posted = await browse(new URL(action, pageUrl).toString(), fields.toString());
  expect(posted.status).toBe(302);
  return posted.location ?? '';
}

function authorizeUrl(params: Record<string, string>): { url: string; verifier: string } {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(mock.authorizationUrl);
  const all = {
    response_type: 'code',
    client_id: 'ponto-test-client',
    redirect_uri: REDIRECT,
    scope: 'offline_access ai name',
    state: 'st4te-xyz',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...params,
  };
  for (const [k, v] of Object.entries(all)) url.searchParams.set(k, v);
  return { url: url.toString(), verifier };
}

/** The whole connect flow: consent page → code → tokens. */
async function connect(opts: { scope?: string; keep?: (name: string, value: string) => boolean } = {}): Promise<any> {
  const { url, verifier } = authorizeUrl(opts.scope === undefined ? {} : { scope: opts.scope });
  const location = new URL(await submitConsent(url, 'approve', opts.keep));
  expect(location.origin + location.pathname).toBe(REDIRECT);
  expect(location.searchParams.get('state')).toBe('st4te-xyz');
  const token = await call(
    '/oauth2/token',
    form({
      grant_type: 'authorization_code',
      code: location.searchParams.get('code') ?? '',
      redirect_uri: REDIRECT,
      client_id: 'ponto-test-client',
      code_verifier: verifier,
    }),
  );
  expect(token.status).toBe(200);
  return token.json;
}

async function refreshAccess(refreshToken: string): Promise<string> {
  const reply = await call('/oauth2/token', form({ grant_type: 'refresh_token', refresh_token: refreshToken }));
  expect(reply.status).toBe(200);
  return reply.json.access_token;
}

async function firstAccountId(token: string): Promise<string> {
  return (await call('/accounts', { token })).json.data[0].id;
}

async function allPages(path: string, token: string): Promise<any[]> {
  const items: any[] = [];
  let next: string | undefined = path;
  while (next) {
    const page = await call(next, { token });
    expect(page.status).toBe(200);
    items.push(...page.json.data);
    next = page.json.links.next;
  }
  return items;
}

function expectJsonApiError(reply: Reply, status: number, code: string): void {
  expect(reply.status).toBe(status);
  expect(reply.json.errors).toHaveLength(1);
  expect(reply.json.errors[0]).toMatchObject({ code, detail: expect.any(String), meta: { requestId: reply.headers['ibanity-request-id'] } });
}

describe('mutual TLS', () => {
  it('serves the links map to the application certificate, with the base URL the client used', async () => {
    const root = await call('');
    expect(root.status).toBe(200);
    expect(root.headers['ibanity-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(root.json.links.accounts).toBe(`${mock.url}/ponto-connect/accounts/{accountId}`);
    expect(root.json.links.account.transactions).toBe(`${mock.url}/ponto-connect/accounts/{accountId}/transactions/{transactionId}`);
    expect(root.json.links.oauth2).toEqual({ token: `${mock.url}/ponto-connect/oauth2/token`, revoke: `${mock.url}/ponto-connect/oauth2/revoke` });
  });

  it('answers 401 unauthorizedClient without a client certificate or with one from another CA', async () => {
    const wrong = new Agent({
      connect: { ca: mock.caPem, cert: readFileSync(`${mock.certsDir}wrong-client.pem`), key: readFileSync(`${mock.certsDir}wrong-client-key.pem`) },
    });
    const none = new Agent({ connect: { ca: mock.caPem } });
    try {
      expectJsonApiError(await call('/financial-institutions', { dispatcher: none }), 401, 'unauthorizedClient');
      expectJsonApiError(await call('/financial-institutions', { dispatcher: wrong }), 401, 'unauthorizedClient');
    } finally {
      await Promise.all([wrong.close(), none.close()]);
    }
  });
});

describe('financial institutions', () => {
  it('is a public, paged catalogue with beta and sandbox institutions', async () => {
    const page = await call('/financial-institutions');
    expect(page.status).toBe(200);
    expect(page.json.data).toHaveLength(10);
    expect(page.json.meta.paging).toEqual({ limit: 10 });
    expect(page.json.links.next).toContain('page[after]=');
    const all = await allPages('/financial-institutions?page[limit]=5', '');
    expect(all.map((fi) => fi.attributes.name)).toEqual(expect.arrayContaining(['Sandbox Bank BE', 'Sandbox Bank NL', 'Sandbox Bank FR', 'KBC', 'Belfius']));
    expect(all.some((fi) => fi.attributes.status === 'beta')).toBe(true);
    expect(all.some((fi) => fi.attributes.country === null)).toBe(true);
  });

  it('filters on country and name, keeping the filter on the paging links', async () => {
    const be = await allPages('/financial-institutions?filter[country][eq]=BE&page[limit]=3', '');
    expect(be.length).toBeGreaterThan(3);
    expect(be.every((fi) => fi.attributes.country === 'BE')).toBe(true);
    const sandbox = await call('/financial-institutions?filter[name][contains]=sandbox');
    expect(sandbox.json.data.map((fi: any) => fi.attributes.name)).toEqual(['Sandbox Bank BE', 'Sandbox Bank NL', 'Sandbox Bank FR']);
    expectJsonApiError(await call('/financial-institutions?filter[logoUrl][eq]=x'), 400, 'validationError');
  });

  it('finds one by id and 404s resourceNotFound otherwise', async () => {
    const id = (await call('/financial-institutions')).json.data[1].id;
    const one = await call(`/financial-institutions/${id}`);
    expect(one.json.data).toMatchObject({ type: 'financialInstitution', id, attributes: { name: 'Sandbox Bank NL', status: 'beta' } });
    const missing = await call('/financial-institutions/00000000-0000-4000-8000-000000000000');
    expectJsonApiError(missing, 404, 'resourceNotFound');
    expect(missing.json.errors[0].meta.resource).toBe('financialInstitution');
  });
});

describe('authorization (consent page + token endpoint)', () => {
  it('issues tokens for an approved consent with PKCE; the code is one-time', async () => {
    const { url, verifier } = authorizeUrl({});
    const code = new URL(await submitConsent(url, 'approve')).searchParams.get('code') ?? '';
    const exchange = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier };
    const tokens = await call('/oauth2/token', form(exchange));
    expect(tokens.status).toBe(200);
    expect(tokens.headers['content-type']).toBe('application/json');
    expect(tokens.json).toEqual({
      access_token: expect.any(String),
      expires_in: 1800,
      refresh_token: expect.any(String),
      scope: 'offline_access ai name',
      token_type: 'bearer',
    });
    const again = await call('/oauth2/token', form(exchange));
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ error: 'invalid_grant', error_description: expect.any(String), error_hint: expect.any(String) });
  });

  it('rejects a wrong code_verifier, a different redirect_uri and bad client credentials', async () => {
    const { url, verifier } = authorizeUrl({});
    const code = new URL(await submitConsent(url, 'approve')).searchParams.get('code') ?? '';
    const wrongVerifier = await call('/oauth2/token', form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: 'x'.repeat(43) }));
    expect(wrongVerifier.json).toMatchObject({ error: 'invalid_grant', error_hint: expect.stringContaining('PKCE') });
    const wrongRedirect = await call('/oauth2/token', form({ grant_type: 'authorization_code', code, redirect_uri: `${REDIRECT}2`, code_verifier: verifier }));
    expect(wrongRedirect.json.error).toBe('invalid_grant');
    const badClient = await call(
      '/oauth2/token',
      form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }, `Basic ${Buffer.from('ponto-test-client:nope').toString('base64')}`),
    );
    expect(badClient.status).toBe(401);
    expect(badClient.json).toMatchObject({ error: 'invalid_client', error_description: expect.any(String), error_hint: expect.any(String) });
    const noAuth = await call('/oauth2/token', { ...form({ grant_type: 'refresh_token', refresh_token: 'x' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(noAuth.status).toBe(401);
  });

  it('redirects a denial with error=access_denied and the state', async () => {
    const location = new URL(await submitConsent(authorizeUrl({}).url, 'deny'));
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('st4te-xyz');
    expect(location.searchParams.has('code')).toBe(false);
  });

  it('shows an error page for an unknown client or unregistered redirect URI, and redirects other mistakes', async () => {
    const badRedirect = await browse(authorizeUrl({ redirect_uri: 'http://127.0.0.1:1/elsewhere' }).url);
    expect(badRedirect.status).toBe(400);
    expect(badRedirect.location).toBeUndefined();
    expect((await browse(authorizeUrl({ client_id: 'someone-else' }).url)).status).toBe(400);
    const noPkce = await browse(authorizeUrl({ code_challenge: '' }).url);
    expect(noPkce.status).toBe(302);
    expect(new URL(noPkce.location ?? '').searchParams.get('error')).toBe('invalid_request');
    const badScope = await browse(authorizeUrl({ scope: 'ai everything' }).url);
    expect(new URL(badScope.location ?? '').searchParams.get('error')).toBe('invalid_scope');
  });

  it('accepts redirect URIs through the allowRedirect predicate', async () => {
    await agent.close();
    await mock.close();
    await start({ redirectUris: undefined, allowRedirect: (u) => u.startsWith('http://127.0.0.1:') });
    const page = await browse(authorizeUrl({ redirect_uri: 'http://127.0.0.1:40000/cb' }).url);
    expect(page.status).toBe(200);
  });

  it('rotates refresh tokens: the old one becomes invalid_grant', async () => {
    const first = await connect();
    const second = await call('/oauth2/token', form({ grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: 'ponto-test-client' }));
    expect(second.status).toBe(200);
    expect(second.json.refresh_token).not.toBe(first.refresh_token);
    const reused = await call('/oauth2/token', form({ grant_type: 'refresh_token', refresh_token: first.refresh_token }));
    expect(reused.status).toBe(400);
    expect(reused.json.error).toBe('invalid_grant');
    expect((await call('/oauth2/token', form({ grant_type: 'refresh_token', refresh_token: second.json.refresh_token }))).status).toBe(200);
  });

  it('issues no refresh token without offline_access', async () => {
    const tokens = await connect({ scope: 'ai' });
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.scope).toBe('ai');
  });

  it('expires access tokens by the mock clock and revokes the integration with its refresh token', async () => {
    const tokens = await connect();
    expect((await call('/accounts', { token: tokens.access_token })).status).toBe(200);
    clock = new Date(clock.getTime() + 1801_000);
    expectJsonApiError(await call('/accounts', { token: tokens.access_token }), 401, 'unauthorized');
    const refreshed = await call('/oauth2/token', form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }));
    const revoke = await call('/oauth2/revoke', form({ token: refreshed.json.refresh_token }));
    expect(revoke.status).toBe(200);
    expectJsonApiError(await call('/accounts', { token: refreshed.json.access_token }), 401, 'unauthorized');
    expect((await call('/oauth2/token', form({ grant_type: 'refresh_token', refresh_token: refreshed.json.refresh_token }))).json.error).toBe('invalid_grant');
  });

  it('tells who the organization is; the name only with the name scope', async () => {
    const withName = await call('/userinfo', { token: (await connect()).access_token });
    expect(withName.json).toEqual({ sub: expect.any(String), name: 'Mock Organization BV', paymentsActivated: false, paymentsActivationRequested: false, onboardingComplete: true });
    const without = await call('/userinfo', { token: (await connect({ scope: 'ai offline_access' })).access_token });
    expect(without.json.name).toBeUndefined();
  });
});

describe('accounts', () => {
  it('lists only the accounts shared at consent, with 180-day authorization and sync meta', async () => {
    const shared = mock.control.accounts()[0].id as string;
    const { access_token: token } = await connect({ keep: (name, value) => name !== 'account' || value === shared });
    const list = await call('/accounts', { token });
    expect(list.json.data).toHaveLength(1);
    const account = list.json.data[0];
    expect(account).toMatchObject({
      type: 'account',
      id: shared,
      attributes: {
        referenceType: 'IBAN',
        subtype: 'checking',
        currency: 'EUR',
        holderName: 'Mock Organization BV',
        currentBalance: expect.any(Number),
        availableBalance: expect.any(Number),
        authorizedAt: clock.toISOString(),
        authorizationExpirationExpectedAt: new Date(clock.getTime() + 180 * DAY).toISOString(),
      },
      relationships: { financialInstitution: { data: { type: 'financialInstitution', id: expect.any(String) } } },
      meta: { availability: 'available', synchronizedAt: expect.any(String), latestSynchronization: { type: 'synchronization' } },
    });
    expect(account.attributes.reference).toMatch(/^BE\d{14}$/);
    expect(list.json.meta.paging).toEqual({ limit: 10 });
    const other = mock.control.accounts()[1].id as string;
    expectJsonApiError(await call(`/accounts/${other}`, { token }), 404, 'resourceNotFound');
    expect((await call(`/accounts/${shared}/`, { token })).json.data.id).toBe(shared);
  });

  it('DELETE revokes an account from the integration', async () => {
    const { access_token: token } = await connect();
    const id = await firstAccountId(token);
    expect((await call(`/accounts/${id}`, { method: 'DELETE', token })).json.data).toEqual({ type: 'account', id });
    expect((await call('/accounts', { token })).json.data.map((a: any) => a.id)).not.toContain(id);
    expectJsonApiError(await call(`/accounts/${id}/transactions`, { token }), 404, 'resourceNotFound');
  });

  it('needs the ai scope', async () => {
    const { access_token: token } = await connect({ scope: 'offline_access' });
    expectJsonApiError(await call('/accounts', { token }), 403, 'insufficientScope');
  });
});

describe('transactions', () => {
  it('pages ~200 booked lines newest first through links.next, and 2 pending', async () => {
    const { access_token: token } = await connect();
    const id = await firstAccountId(token);
    const first = await call(`/accounts/${id}/transactions`, { token });
    expect(first.json.data).toHaveLength(10);
    expect(first.json.links.prev).toBeUndefined();
    const all = await allPages(`/accounts/${id}/transactions/?page[limit]=100`, token);
    expect(all).toHaveLength(200);
    expect(new Set(all.map((t) => t.id)).size).toBe(200);
    const dates = all.map((t) => t.attributes.executionDate as string);
    expect([...dates].sort().reverse()).toEqual(dates);
    expect(new Date(dates.at(-1) ?? '').getTime()).toBeGreaterThan(clock.getTime() - 201 * DAY);
    const t = all[0];
    expect(t).toMatchObject({ type: 'transaction', relationships: { account: { data: { type: 'account', id } } } });
    expect(Object.keys(t.attributes)).toEqual(
      expect.arrayContaining([
        'amount',
        'currency',
        'valueDate',
        'executionDate',
        'description',
        'remittanceInformation',
        'remittanceInformationType',
        'counterpartName',
        'counterpartReference',
        'bankTransactionCode',
        'digest',
        'createdAt',
        'updatedAt',
      ]),
    );
    expect(all.every((x) => typeof x.attributes.amount === 'number')).toBe(true);
    expect(all.some((x) => x.attributes.amount > 0) && all.some((x) => x.attributes.amount < 0)).toBe(true);
    expect(all.some((x) => x.attributes.remittanceInformationType === 'structured' && /^\+\+\+\d{3}\/\d{4}\/\d{5}\+\+\+$/.test(x.attributes.remittanceInformation))).toBe(true);
    const digests = all.map((x) => x.attributes.digest);
    const twins = all.filter((x) => digests.indexOf(x.attributes.digest) !== digests.lastIndexOf(x.attributes.digest));
    expect(twins).toHaveLength(2);
    expect(twins[0].id).not.toBe(twins[1].id);
    const pending = await call(`/accounts/${id}/pending-transactions`, { token });
    expect(pending.json.data).toHaveLength(2);
    expect(pending.json.data[0].type).toBe('pendingTransaction');
  });

  it('pages with page[after] (older) and page[before] (newer) and echoes them in meta.paging', async () => {
    const { access_token: token } = await connect();
    const id = await firstAccountId(token);
    const all = await allPages(`/accounts/${id}/transactions?page[limit]=100`, token);
    const after = await call(`/accounts/${id}/transactions?page[after]=${all[4].id}&page[limit]=3`, { token });
    expect(after.json.data.map((t: any) => t.id)).toEqual(all.slice(5, 8).map((t: any) => t.id));
    expect(after.json.meta.paging).toEqual({ limit: 3, after: all[4].id });
    expect(after.json.links.prev).toContain(`page[before]=${all[5].id}`);
    const before = await call(`/accounts/${id}/transactions?page[before]=${all[5].id}&page[limit]=3`, { token });
    expect(before.json.data.map((t: any) => t.id)).toEqual(all.slice(2, 5).map((t: any) => t.id));
    expect(before.json.meta.paging).toEqual({ limit: 3, before: all[5].id });
    const last = await call(`/accounts/${id}/transactions?page[after]=${all[197].id}&page[limit]=100`, { token });
    expect(last.json.data).toHaveLength(2);
    expect(last.json.links.next).toBeUndefined();
  });

  it('rejects page[limit] above 100 with a JSON:API validation error', async () => {
    const { access_token: token } = await connect();
    const id = await firstAccountId(token);
    const tooMany = await call(`/accounts/${id}/transactions?page[limit]=101`, { token });
    expectJsonApiError(tooMany, 400, 'validationError');
    expect(tooMany.json.errors[0].meta.attribute).toBe('page[limit]');
  });
});

describe('synchronizations', () => {
  async function createSync(token: string, accountId: string, subtype: string, headers: Record<string, string> = {}): Promise<Reply> {
    const body = jsonApi({ type: 'synchronization', attributes: { resourceType: 'account', resourceId: accountId, subtype, customerIpAddress: '127.0.0.1' } });
    return call('/synchronizations', { method: 'POST', token, headers: { ...body.headers, ...headers }, body: body.body });
  }

  it("requires customerIpAddress (the customer's IP address)", async () => {
    const { access_token: token } = await connect();
    const id = await firstAccountId(token);
    for (const attributes of [
      { resourceType: 'account', resourceId: id, subtype: 'accountDetails' },
      { resourceType: 'account', resourceId: id, subtype: 'accountDetails', customerIpAddress: 'laptop' },
    ]) {
      const r = await call('/synchronizations', { method: 'POST', token, ...jsonApi({ type: 'synchronization', attributes }) });
      expect(r.status).toBe(400);
      expect(r.json.errors[0]).toMatchObject({ code: 'validationError' });
      expect(JSON.stringify(r.json.errors[0])).toContain('customerIpAddress');
    }
  });

  it('goes pending → running → success; a second one within the cooldown is accountRecentlySynchronized', async () => {
    const { access_token: token } = await connect();
    const id = await firstAccountId(token);
    const created = await createSync(token, id, 'accountTransactions');
    expect(created.status).toBe(201);
    expect(created.json.data).toMatchObject({ type: 'synchronization', attributes: { status: 'pending', resourceId: id, subtype: 'accountTransactions', errors: [] } });
    const syncUrl = `/synchronizations/${created.json.data.id}`;
    expect((await call(syncUrl, { token })).json.data.attributes.status).toBe('running');
    expect((await call(syncUrl, { token })).json.data.attributes.status).toBe('success');
    const tooSoon = await createSync(token, id, 'accountTransactions');
    expectJsonApiError(tooSoon, 400, 'accountRecentlySynchronized');
    expect(tooSoon.json.errors[0].detail).toContain('already created recently');
    expect((await createSync(token, id, 'accountDetails')).status).toBe(201);
    clock = new Date(clock.getTime() + 5 * 60_000 + 1);
    expect((await createSync(token, id, 'accountTransactions')).status).toBe(201);
  });

  it('finishes by mock time when syncDurationMs is set', async () => {
    await agent.close();
    await mock.close();
    await start({ syncDurationMs: 0 });
    const { access_token: token } = await connect();
    const created = await createSync(token, await firstAccountId(token), 'accountDetails');
    expect(created.json.data.attributes.status).toBe('pending');
    expect((await call(`/synchronizations/${created.json.data.id}`, { token })).json.data.attributes.status).toBe('success');
  });

  it('shows new bank lines only after a successful transactions sync, and the balance after accountDetails', async () => {
    const tokens = await connect();
    const id = await firstAccountId(tokens.access_token);
    const balance = (await call(`/accounts/${id}`, { token: tokens.access_token })).json.data.attributes.currentBalance;
    clock = new Date(clock.getTime() + DAY);
    const token = await refreshAccess(tokens.refresh_token);
    mock.control.addTransactions(id, 3);
    expect(await allPages(`/accounts/${id}/transactions?page[limit]=100`, token)).toHaveLength(200);
    const sync = await createSync(token, id, 'accountTransactions');
    await call(`/synchronizations/${sync.json.data.id}`, { token });
    const done = await call(`/synchronizations/${sync.json.data.id}`, { token });
    expect(done.json.data.attributes.status).toBe('success');
    const all = await allPages(`/accounts/${id}/transactions?page[limit]=100`, token);
    expect(all).toHaveLength(203);
    const updated = await call(`/synchronizations/${sync.json.data.id}/updated-transactions`, { token });
    expect(updated.json.data.map((t: any) => t.id).sort()).toEqual(
      all
        .slice(0, 3)
        .map((t) => t.id)
        .sort(),
    );
    expect(all[0].attributes.executionDate).toBe('2026-03-16T00:00:00.000Z');
    const added = all.slice(0, 3).reduce((s, t) => s + Math.round(t.attributes.amount * 100), 0);
    expect((await call(`/accounts/${id}`, { token })).json.data.attributes.currentBalance).toBe(balance);
    const details = await createSync(token, id, 'accountDetails');
    await call(`/synchronizations/${details.json.data.id}`, { token });
    await call(`/synchronizations/${details.json.data.id}`, { token });
    const account = (await call(`/accounts/${id}`, { token })).json.data;
    expect(Math.round(account.attributes.currentBalance * 100)).toBe(Math.round(balance * 100) + added);
    expect(account.meta.latestSynchronization.id).toBe(details.json.data.id);
  });

  it('replays a create with the same Ibanity-Idempotency-Key instead of hitting the cooldown', async () => {
    const { access_token: token } = await connect();
    const id = await firstAccountId(token);
    const key = { 'ibanity-idempotency-key': 'f1d2c3b4-0000-4000-8000-000000000001' };
    const one = await createSync(token, id, 'accountTransactions', key);
    const two = await createSync(token, id, 'accountTransactions', key);
    expect(two.status).toBe(201);
    expect(two.json.data.id).toBe(one.json.data.id);
  });

  it('validates the body', async () => {
    const { access_token: token } = await connect();
    const bad = await createSync(token, await firstAccountId(token), 'everything');
    expectJsonApiError(bad, 400, 'validationError');
    expect(bad.json.errors[0].meta.attribute).toBe('subtype');
  });
});

describe('authorization expiry and reauthorization', () => {
  it('fails syncs and transaction reads once expired; a reauthorization renews it under the same account id', async () => {
    const tokens = await connect();
    const id = await firstAccountId(tokens.access_token);
    clock = new Date(clock.getTime() + 181 * DAY);
    // The integration outlives the bank authorization: refreshing still works.
    const fresh = await refreshAccess(tokens.refresh_token);
    expectJsonApiError(await call(`/accounts/${id}/transactions`, { token: fresh }), 403, 'authorizationExpired');
    const sync = await call('/synchronizations', {
      method: 'POST',
      token: fresh,
      ...jsonApi({ type: 'synchronization', attributes: { resourceType: 'account', resourceId: id, subtype: 'accountTransactions', customerIpAddress: '127.0.0.1' } }),
    });
    await call(`/synchronizations/${sync.json.data.id}`, { token: fresh });
    const failed = (await call(`/synchronizations/${sync.json.data.id}`, { token: fresh })).json.data.attributes;
    expect(failed.status).toBe('error');
    expect(failed.errors[0].code).toBe('authorizationExpired');
    expect((await call(`/accounts/${id}`, { token: fresh })).status).toBe(200);

    const reauth = await call(`/accounts/${id}/reauthorization-requests`, {
      method: 'POST',
      token: fresh,
      ...jsonApi({ type: 'reauthorizationRequest', attributes: { redirectUri: REDIRECT } }),
    });
    expect(reauth.status).toBe(201);
    expect(reauth.json.data).toMatchObject({ type: 'reauthorizationRequest', id: expect.any(String), links: { redirect: expect.stringContaining('/reauthorize/') } });
    expect(await submitConsent(reauth.json.data.links.redirect, 'approve')).toBe(REDIRECT);
    const account = (await call(`/accounts/${id}`, { token: fresh })).json.data;
    expect(account.id).toBe(id);
    expect(account.attributes.authorizationExpirationExpectedAt).toBe(new Date(clock.getTime() + 180 * DAY).toISOString());
    expect((await call(`/accounts/${id}/transactions`, { token: fresh })).status).toBe(200);
  });

  it('control.expireAuthorizations ends every bank authorization now; a denied reauthorization keeps it expired', async () => {
    const { access_token: token } = await connect();
    const id = await firstAccountId(token);
    mock.control.expireAuthorizations();
    expectJsonApiError(await call(`/accounts/${id}/pending-transactions`, { token }), 403, 'authorizationExpired');
    const reauth = await call(`/accounts/${id}/reauthorization-requests`, {
      method: 'POST',
      token,
      ...jsonApi({ type: 'reauthorizationRequest', attributes: { redirectUri: REDIRECT } }),
    });
    expect(await submitConsent(reauth.json.data.links.redirect, 'deny')).toBe(REDIRECT);
    expect((await call(`/accounts/${id}/transactions`, { token })).status).toBe(403);
  });

  it('rejects an unregistered reauthorization redirectUri', async () => {
    const { access_token: token } = await connect();
    const bad = await call(`/accounts/${await firstAccountId(token)}/reauthorization-requests`, {
      method: 'POST',
      token,
      ...jsonApi({ type: 'reauthorizationRequest', attributes: { redirectUri: 'https://evil.example/cb' } }),
    });
    expectJsonApiError(bad, 400, 'validationError');
  });
});

describe('load, faults and recording', () => {
  it('answers 429 with Retry-After above maxConcurrency and tracks maxConcurrent', async () => {
    await agent.close();
    await mock.close();
    await start({ latencyMs: 100, maxConcurrency: 2 });
    agent = new Agent({ connections: 10, connect: { ca: mock.caPem, cert: mock.clientCertPem, key: mock.clientKeyPem } });
    const started = Date.now();
    const replies = await Promise.all(Array.from({ length: 6 }, () => call('/financial-institutions')));
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    const limited = replies.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expectJsonApiError(limited[0] as Reply, 429, 'tooManyRequests');
    expect(limited[0]?.headers['retry-after']).toBe('1');
    expect(mock.maxConcurrent).toBeGreaterThan(2);
  });

  it('injects one failure with control.failNext', async () => {
    mock.control.failNext('/financial-institutions', 503, { errors: [{ code: 'serviceUnavailable', detail: 'down', meta: {} }] });
    expect((await call('/financial-institutions')).status).toBe(503);
    expect((await call('/financial-institutions')).status).toBe(200);
  });

  it('records every request', async () => {
    await call('/financial-institutions?filter[country][eq]=BE');
    const last = mock.requests.at(-1);
    expect(last).toMatchObject({ method: 'GET', path: '/ponto-connect/financial-institutions', query: { 'filter[country][eq]': 'BE' } });
    expect(last?.headers.accept).toBe('application/vnd.api+json');
  });

  it('generates the same data on every start', async () => {
    const before = mock.control.accounts().map((a) => [a.id, a.attributes.reference, a.attributes.currentBalance]);
    await agent.close();
    await mock.close();
    await start();
    expect(mock.control.accounts().map((a) => [a.id, a.attributes.reference, a.attributes.currentBalance])).toEqual(before);
  });
});
