import { generateKeyPairSync } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEnableBankingMock, type EnableBankingMock, type EnableBankingMockOptions } from './server.js';

const START = Date.parse('2025-06-15T10:00:00Z');
const DAY = 86_400_000;
const REDIRECT = 'http://127.0.0.1:8765/callback';
const PSU = { 'Psu-Ip-Address': '192.0.2.10', 'Psu-User-Agent': 'vitest' };

let clock = START;
let mock: EnableBankingMock;

async function start(opts: EnableBankingMockOptions = {}) {
  mock = await startEnableBankingMock({ now: () => new Date(clock), ...opts });
}

beforeEach(() => {
  clock = START;
});
afterEach(async () => {
  await mock?.close();
});

interface JwtOverrides {
  pem?: string;
  kid?: string;
  iss?: string;
  aud?: string;
  iat?: number;
  exp?: number;
}

async function jwt(o: JwtOverrides = {}): Promise<string> {
  const iat = o.iat ?? Math.floor(clock / 1000);
  const key = await importPKCS8(o.pem ?? mock.privateKeyPem, 'RS256');
  return new SignJWT({})
    .setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: o.kid ?? mock.applicationId })
    .setIssuer(o.iss ?? 'enablebanking.com')
    .setAudience(o.aud ?? 'api.enablebanking.com')
    .setIssuedAt(iat)
    .setExpirationTime(o.exp ?? iat + 3600)
    .sign(key);
}

async function call(method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; token?: string | null } = {}) {
  const token = opts.token === undefined ? await jwt() : opts.token;
  const res = await fetch(`${mock.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(opts.body ? { 'content-type': 'application/json' } : {}), ...opts.headers },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

const authBody = (over: Record<string, unknown> = {}) => ({
  access: { valid_until: new Date(clock + 90 * DAY).toISOString(), balances: true, transactions: true },
  aspsp: { name: 'Mock ASPSP', country: 'FI' },
  state: 'st-123',
  redirect_url: REDIRECT,
  psu_type: 'personal',
  ...over,
});

/** What the browser test driver does: GET the consent page, post its hidden inputs + decision. */
async function decide(consentUrl: string, decision: 'approve' | 'deny'): Promise<URL> {
  const page = await fetch(consentUrl);
  expect(page.headers.get('content-type')).toContain('text/html');
  const html = await page.text();
  expect(html.match(/<form /g)).toHaveLength(1);
  expect(html).toContain('<button type="submit" name="decision" value="approve" id="approve">');
  expect(html).toContain('<button type="submit" name="decision" value="deny" id="deny">');
  const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!;
  const form = new URLSearchParams({ decision });
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.set(name!, value!);
  const res = await fetch(new URL(action, consentUrl), { method: 'POST', body: form, redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

async function connect(aspsp = { name: 'Mock ASPSP', country: 'FI' }) {
  const auth = await call('POST', '/auth', { body: authBody({ aspsp }) });
  expect(auth.status).toBe(200);
  const back = await decide(auth.body.url, 'approve');
  const session = await call('POST', '/sessions', { body: { code: back.searchParams.get('code') } });
  expect(session.status).toBe(200);
  return session.body;
}

async function allTransactions(uid: string, query = '', headers: Record<string, string> = PSU) {
  const pages: any[] = [];
  let key: string | undefined;
  do {
    const sep = query ? '&' : '';
    const res = await call('GET', `/accounts/${uid}/transactions?${query}${key ? `${sep}continuation_key=${encodeURIComponent(key)}` : ''}`, { headers });
    expect(res.status).toBe(200);
    pages.push(res.body);
    key = res.body.continuation_key;
  } while (key);
  return { pages, transactions: pages.flatMap((p) => p.transactions) };
}

function expectError(res: { status: number; body: any }, status: number, error: string) {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ message: expect.any(String), code: status, error });
  expect(Object.keys(res.body).sort()).toEqual(['code', 'detail', 'error', 'message']);
}

describe('JWT authentication', () => {
  beforeEach(() => start());

  it('accepts an RS256 JWT signed with the application key', async () => {
    const res = await call('GET', '/application');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kid: mock.applicationId, environment: 'SANDBOX', active: true, services: ['AIS'] });
    expect(res.body.redirect_urls).toContain(REDIRECT);
  });

  it('rejects a missing, foreign, expired, over-long or misaddressed token', async () => {
    expectError(await call('GET', '/application', { token: null }), 401, 'AUTHORIZATION_NOT_PROVIDED');
    const otherPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expectError(await call('GET', '/application', { token: await jwt({ pem: otherPem }) }), 401, 'UNAUTHORIZED_ACCESS');
    expectError(await call('GET', '/application', { token: await jwt({ kid: 'someone-else' }) }), 401, 'UNAUTHORIZED_ACCESS');
    const iat = Math.floor(clock / 1000) - 7200;
    expectError(await call('GET', '/application', { token: await jwt({ iat, exp: iat + 3600 }) }), 401, 'UNAUTHORIZED_ACCESS');
    expectError(await call('GET', '/application', { token: await jwt({ exp: Math.floor(clock / 1000) + 2 * 86_400 }) }), 401, 'UNAUTHORIZED_ACCESS');
    expectError(await call('GET', '/application', { token: await jwt({ aud: 'example.com' }) }), 401, 'UNAUTHORIZED_ACCESS');
    expectError(await call('GET', '/application', { token: await jwt({ iss: 'me' }) }), 401, 'UNAUTHORIZED_ACCESS');
    expectError(await call('GET', '/application', { token: 'not-a-jwt' }), 401, 'UNAUTHORIZED_ACCESS');
  });

  it('judges exp by the mock clock', async () => {
    const token = await jwt();
    clock += 2 * 3600_000;
    expectError(await call('GET', '/application', { token }), 401, 'UNAUTHORIZED_ACCESS');
  });
});

describe('ASPSPs and consent', () => {
  beforeEach(() => start());

  it('lists sandbox ASPSPs with filters, users and consent limits', async () => {
    const fi = await call('GET', '/aspsps?country=FI&psu_type=personal&service=AIS');
    expect(fi.body.aspsps.map((a: any) => a.name)).toEqual(['Mock ASPSP', 'Nordea', 'S-Pankki']);
    const sp = fi.body.aspsps.find((a: any) => a.name === 'S-Pankki');
    expect(sp).toMatchObject({ country: 'FI', beta: true, maximum_consent_validity: 90 * 86_400 });
    expect(sp.sandbox.users[0]).toEqual({ username: expect.any(String), password: expect.any(String), otp: expect.any(String) });
    const business = await call('GET', '/aspsps?psu_type=business');
    expect(business.body.aspsps.every((a: any) => a.psu_types.includes('business'))).toBe(true);
    expect((await call('GET', '/aspsps')).body.aspsps.map((a: any) => a.country)).toEqual(expect.arrayContaining(['FI', 'SE', 'DE']));
  });

  it('validates POST /auth', async () => {
    expectError(await call('POST', '/auth', { body: authBody({ redirect_url: 'http://127.0.0.1:9999/elsewhere' }) }), 400, 'REDIRECT_URI_NOT_ALLOWED');
    expectError(await call('POST', '/auth', { body: authBody({ aspsp: { name: 'Nordea', country: 'SE' } }) }), 400, 'WRONG_ASPSP_PROVIDED');
    const tooLong = authBody({ access: { valid_until: new Date(clock + 181 * DAY).toISOString() } });
    expectError(await call('POST', '/auth', { body: tooLong }), 422, 'WRONG_REQUEST_PARAMETERS');
    const past = authBody({ access: { valid_until: new Date(clock - 1000).toISOString() } });
    expectError(await call('POST', '/auth', { body: past }), 422, 'WRONG_REQUEST_PARAMETERS');
    const naive = authBody({ access: { valid_until: '2025-07-01T00:00:00' } });
    expectError(await call('POST', '/auth', { body: naive }), 422, 'WRONG_REQUEST_PARAMETERS');
    const sPankki90 = authBody({ aspsp: { name: 'S-Pankki', country: 'FI' }, access: { valid_until: new Date(clock + 120 * DAY).toISOString() } });
    expectError(await call('POST', '/auth', { body: sPankki90 }), 422, 'WRONG_REQUEST_PARAMETERS');
    const ok = await call('POST', '/auth', { body: authBody() });
    expect(ok.body).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/welcome\?sessionid=/), authorization_id: expect.any(String), psu_id_hash: expect.any(String) });
  });

  it('accepts redirect URLs allowed by the predicate option', async () => {
    await mock.close();
    await start({ redirectUrls: [], allowRedirect: (u) => u.startsWith('http://127.0.0.1:') });
    expect((await call('POST', '/auth', { body: authBody({ redirect_url: 'http://127.0.0.1:41234/callback' }) })).status).toBe(200);
    expectError(await call('POST', '/auth', { body: authBody({ redirect_url: 'https://evil.example/cb' }) }), 400, 'REDIRECT_URI_NOT_ALLOWED');
  });

  it('redirects with code+state on approve and an OAuth2 error on deny', async () => {
    const a = await call('POST', '/auth', { body: authBody() });
    const back = await decide(a.body.url, 'approve');
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('st-123');
    expect(back.searchParams.get('code')).toBeTruthy();
    const again = await fetch(a.body.url);
    expect(again.status).toBe(400);

    const b = await call('POST', '/auth', { body: authBody({ state: 'st-deny' }) });
    const denied = await decide(b.body.url, 'deny');
    expect(Object.fromEntries(denied.searchParams)).toEqual({ error: 'access_denied', error_description: expect.any(String), state: 'st-deny' });
  });

  it('makes codes one-time and short-lived', async () => {
    expectError(await call('POST', '/sessions', { body: { code: 'nope' } }), 400, 'WRONG_AUTHORIZATION_CODE');
    const a = await call('POST', '/auth', { body: authBody() });
    const code = (await decide(a.body.url, 'approve')).searchParams.get('code');
    expect((await call('POST', '/sessions', { body: { code } })).status).toBe(200);
    expectError(await call('POST', '/sessions', { body: { code } }), 400, 'ALREADY_AUTHORIZED');

    const b = await call('POST', '/auth', { body: authBody() });
    const late = (await decide(b.body.url, 'approve')).searchParams.get('code');
    clock += 11 * 60_000;
    expectError(await call('POST', '/sessions', { body: { code: late } }), 400, 'EXPIRED_AUTHORIZATION_CODE');
  });
});

describe('sessions and accounts', () => {
  beforeEach(() => start());

  it('gives new uids per session but stable identification hashes', async () => {
    const first = await connect();
    const second = await connect();
    expect(first.accounts).toHaveLength(3);
    const uids = (s: any) => s.accounts.map((a: any) => a.uid);
    const hashes = (s: any) => s.accounts.map((a: any) => a.identification_hash);
    expect(uids(first).some((u: string) => uids(second).includes(u))).toBe(false);
    expect(hashes(first)).toEqual(hashes(second));
    expect(first.aspsp).toEqual({ name: 'Mock ASPSP', country: 'FI' });

    const current = first.accounts.find((a: any) => a.cash_account_type === 'CACC');
    expect(current.account_id.iban).toMatch(/^FI\d{16}$/);
    const card = first.accounts.find((a: any) => a.cash_account_type === 'CARD');
    expect(card.account_id).toEqual({ other: { identification: expect.stringMatching(/^\d{6}\*{6}\d{4}$/), scheme_name: 'CPAN' } });
    expect(card.account_id.iban).toBeUndefined();
  });

  it('reports session status and closes on DELETE', async () => {
    const s = await connect();
    const got = await call('GET', `/sessions/${s.session_id}`);
    expect(got.body).toMatchObject({ status: 'AUTHORIZED', accounts: s.accounts.map((a: any) => a.uid), psu_type: 'personal' });
    expect(got.body.accounts_data[0]).toEqual({ uid: s.accounts[0].uid, identification_hash: s.accounts[0].identification_hash, identification_hashes: expect.any(Array) });

    expect((await call('DELETE', `/sessions/${s.session_id}`)).body).toEqual({ message: 'OK' });
    expect((await call('GET', `/sessions/${s.session_id}`)).body).toMatchObject({ status: 'CLOSED', closed: expect.any(String) });
    expectError(await call('GET', `/accounts/${s.accounts[0].uid}/balances`, { headers: PSU }), 401, 'CLOSED_SESSION');
    expectError(await call('GET', '/sessions/00000000-0000-4000-8000-000000000000'), 404, 'SESSION_DOES_NOT_EXIST');
  });

  it('expires sessions at valid_until by the mock clock', async () => {
    const s = await connect();
    const uid = s.accounts[0].uid;
    expect((await call('GET', `/accounts/${uid}/balances`, { headers: PSU })).status).toBe(200);
    clock += 91 * DAY;
    expectError(await call('GET', `/accounts/${uid}/transactions`, { headers: PSU }), 401, 'EXPIRED_SESSION');
    expect((await call('GET', `/sessions/${s.session_id}`)).body.status).toBe('EXPIRED');
  });

  it('expires sessions on control.expireSessions()', async () => {
    const s = await connect();
    mock.control.expireSessions();
    expect(mock.control.sessions()[0]).toMatchObject({ session_id: s.session_id, status: 'EXPIRED' });
    expectError(await call('GET', `/accounts/${s.accounts[0].uid}/details`, { headers: PSU }), 401, 'EXPIRED_SESSION');
  });

  it('rejects unknown and malformed account ids', async () => {
    expectError(await call('GET', '/accounts/00000000-0000-4000-8000-000000000000/balances', { headers: PSU }), 404, 'ACCOUNT_DOES_NOT_EXIST');
    expectError(await call('GET', '/accounts/xyz/balances', { headers: PSU }), 422, 'INVALID_ACCOUNT_ID');
  });

  it('serves details and balances with string amounts', async () => {
    const s = await connect();
    const uid = s.accounts[0].uid;
    const details = await call('GET', `/accounts/${uid}/details`, { headers: PSU });
    expect(details.body).toMatchObject({ uid, identification_hash: s.accounts[0].identification_hash, currency: 'EUR' });
    const bal = await call('GET', `/accounts/${uid}/balances`, { headers: PSU });
    expect(bal.body.balances.map((b: any) => b.balance_type)).toEqual(['CLBD', 'ITAV']);
    expect(bal.body.balances[0].balance_amount).toEqual({ currency: 'EUR', amount: expect.stringMatching(/^-?\d+\.\d{2}$/) });
  });
});

describe('transactions', () => {
  beforeEach(() => start());

  it('pages with continuation_key, including an empty page that carries a key', async () => {
    const s = await connect();
    const uid = s.accounts[0].uid;
    const { pages, transactions } = await allTransactions(uid);
    expect(pages.length).toBeGreaterThan(3);
    expect(pages[1]).toEqual({ transactions: [], continuation_key: expect.any(String) });
    expect(pages[0].transactions).toHaveLength(50);
    const booked = transactions.filter((t) => t.status === 'BOOK');
    expect(booked.length).toBeGreaterThan(120);
    expect(booked.length).toBeLessThan(190);
    expect(transactions.some((t) => t.status === 'PDNG')).toBe(true);
    expect(booked.some((t) => t.entry_reference === undefined)).toBe(true);
    for (const t of transactions) {
      expect(t.transaction_amount.amount).toMatch(/^\d+\.\d{2}$/);
      expect(['CRDT', 'DBIT']).toContain(t.credit_debit_indicator);
      expect(Array.isArray(t.remittance_information)).toBe(true);
    }
    const oldest = booked.map((t) => t.booking_date).sort()[0];
    expect(oldest >= '2024-12-17').toBe(true);
  });

  it('keeps entry_reference stable while transaction_id changes between listings', async () => {
    const s = await connect();
    const uid = s.accounts[0].uid;
    const a = (await allTransactions(uid)).transactions;
    const b = (await allTransactions(uid)).transactions;
    expect(a.map((t) => t.entry_reference)).toEqual(b.map((t) => t.entry_reference));
    expect(a[0].transaction_id).not.toBe(b[0].transaction_id);
    const again = await connect();
    const c = (await allTransactions(again.accounts[0].uid)).transactions;
    expect(c.map((t) => t.entry_reference)).toEqual(a.map((t) => t.entry_reference));
    const detail = await call('GET', `/accounts/${uid}/transactions/${b[3].transaction_id}`, { headers: PSU });
    expect(detail.body).toEqual(b[3]);
  });

  it('turns pending lines into booked ones as the clock moves', async () => {
    const s = await connect();
    const card = s.accounts.find((a: any) => a.cash_account_type === 'CARD').uid;
    const pending = (await allTransactions(card, 'transaction_status=PDNG')).transactions;
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.every((t) => t.status === 'PDNG' && t.booking_date === undefined && t.entry_reference === undefined)).toBe(true);
    clock += 5 * DAY;
    const booked = (await allTransactions(card, `date_from=2025-06-10`)).transactions;
    for (const p of pending) expect(booked.some((t) => t.transaction_date === p.transaction_date && t.transaction_amount.amount === p.transaction_amount.amount && t.status === 'BOOK')).toBe(true);
  });

  it('filters by date and validates the window', async () => {
    const s = await connect();
    const uid = s.accounts[0].uid;
    const june = (await allTransactions(uid, 'date_from=2025-06-01&date_to=2025-06-10&transaction_status=BOOK')).transactions;
    expect(june.length).toBeGreaterThan(0);
    expect(june.every((t) => t.booking_date >= '2025-06-01' && t.booking_date <= '2025-06-10')).toBe(true);
    expectError(await call('GET', `/accounts/${uid}/transactions?date_to=2025-06-10`, { headers: PSU }), 400, 'DATE_TO_WITHOUT_DATE_FROM');
    expectError(await call('GET', `/accounts/${uid}/transactions?date_from=2025-07-01`, { headers: PSU }), 400, 'DATE_FROM_IN_FUTURE');
    expectError(await call('GET', `/accounts/${uid}/transactions?date_from=2025-06-10&date_to=2025-06-01`, { headers: PSU }), 400, 'WRONG_DATE_INTERVAL');
    expectError(await call('GET', `/accounts/${uid}/transactions?date_from=10.06.2025`, { headers: PSU }), 422, 'WRONG_REQUEST_PARAMETERS');
  });

  it('refuses a period reaching more than 90 days back, unless strategy=longest', async () => {
    const s = await connect();
    const uid = s.accounts[0].uid;
    const back = (days: number) => new Date(clock - days * DAY).toISOString().slice(0, 10);
    expectError(await call('GET', `/accounts/${uid}/transactions?date_from=${back(120)}`, { headers: PSU }), 422, 'WRONG_TRANSACTIONS_PERIOD');
    expect((await call('GET', `/accounts/${uid}/transactions?date_from=${back(89)}`, { headers: PSU })).status).toBe(200);
    expect((await call('GET', `/accounts/${uid}/transactions?date_from=${back(120)}&strategy=longest`, { headers: PSU })).status).toBe(200);
  });

  it('rejects a continuation key from another account or query', async () => {
    const s = await connect();
    const [current, savings] = s.accounts.map((a: any) => a.uid);
    const first = await call('GET', `/accounts/${current}/transactions`, { headers: PSU });
    const key = encodeURIComponent(first.body.continuation_key);
    expectError(await call('GET', `/accounts/${savings}/transactions?continuation_key=${key}`, { headers: PSU }), 400, 'WRONG_CONTINUATION_KEY');
    expectError(await call('GET', `/accounts/${current}/transactions?date_from=2025-01-01&continuation_key=${key}`, { headers: PSU }), 400, 'WRONG_CONTINUATION_KEY');
    expectError(await call('GET', `/accounts/${current}/transactions?continuation_key=garbage`, { headers: PSU }), 400, 'WRONG_CONTINUATION_KEY');
  });
});

describe('bank rate limit', () => {
  it('allows unattendedDailyLimit unattended calls per account per UTC day; PSU headers are exempt', async () => {
    await start({ unattendedDailyLimit: 2 });
    const s = await connect();
    const [uid, other] = s.accounts.map((a: any) => a.uid);
    expect((await call('GET', `/accounts/${uid}/balances`)).status).toBe(200);
    const { pages } = await allTransactions(uid, '', {}); // continuation pages are part of one fetch
    expect(pages.length).toBeGreaterThan(1);
    expectError(await call('GET', `/accounts/${uid}/details`), 429, 'ASPSP_RATE_LIMIT_EXCEEDED');
    expect((await call('GET', `/accounts/${uid}/details`, { headers: PSU })).status).toBe(200);
    expect((await call('GET', `/accounts/${other}/details`)).status).toBe(200);

    // The counter follows the account (identification_hash), not the session's uid.
    const again = await connect();
    expectError(await call('GET', `/accounts/${again.accounts[0].uid}/balances`), 429, 'ASPSP_RATE_LIMIT_EXCEEDED');
    clock = Date.parse('2025-06-16T00:00:01Z');
    expect((await call('GET', `/accounts/${uid}/balances`)).status).toBe(200);
  });

  it('requires all of the ASPSP’s PSU headers or none', async () => {
    await start();
    const s = await connect();
    expectError(await call('GET', `/accounts/${s.accounts[0].uid}/balances`, { headers: { 'Psu-Ip-Address': '192.0.2.1' } }), 400, 'PSU_HEADER_NOT_PROVIDED');
  });
});

describe('faults, latency, concurrency and recording', () => {
  it('injects one-shot faults', async () => {
    await start();
    const s = await connect();
    const uid = s.accounts[0].uid;
    mock.control.failNext('/transactions', 408);
    mock.control.failNext(/\/balances$/, 500, { message: 'boom', code: 500, error: 'ASPSP_ERROR', detail: 'custom' });
    expectError(await call('GET', `/accounts/${uid}/transactions`, { headers: PSU }), 408, 'ASPSP_TIMEOUT');
    expect((await call('GET', `/accounts/${uid}/balances`, { headers: PSU })).body).toEqual({ message: 'boom', code: 500, error: 'ASPSP_ERROR', detail: 'custom' });
    expect((await call('GET', `/accounts/${uid}/transactions`, { headers: PSU })).status).toBe(200);
  });

  it('adds latency, tracks concurrency and answers 429 above maxConcurrency', async () => {
    await start({ latencyMs: 100, maxConcurrency: 2 });
    const token = await jwt();
    const t0 = Date.now();
    const results = await Promise.all(Array.from({ length: 5 }, () => call('GET', '/application', { token })));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
    expect(mock.maxConcurrent).toBe(5);
    expect(results.filter((r) => r.status === 429)).toHaveLength(3);
    expectError(results.find((r) => r.status === 429)!, 429, 'ASPSP_RATE_LIMIT_EXCEEDED');
    expect(mock.requests).toHaveLength(5);
    expect(mock.requests[0]).toMatchObject({ method: 'GET', path: '/application', query: {}, headers: expect.objectContaining({ authorization: `Bearer ${token}` }) });
  });
});
