import { generateKeyPairSync } from 'node:crypto';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSaltEdgeProvider } from '../../../src/providers/salt-edge/index.js';
import type { InputRequest, Provider, SessionHandle, TransactionPage } from '../../../src/providers/types.js';
import { failure } from '../../helpers/failure.js';
import { FAKE_OTP } from '../../mocks/salt-edge/data.js';
import { startSaltEdgeMock, type SaltEdgeMock } from '../../mocks/salt-edge/server.js';

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PUBLIC = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const CREDS = { app_id: 'test-app-id', secret: 'test-secret', private_key: PRIVATE };
const REDIRECT = 'http://127.0.0.1:45999/callback';

let clock: Date;
let mock: SaltEdgeMock;
let provider: Provider;
let stateStore: Map<string, unknown>;

function make(credentials: Record<string, string> = CREDS): Provider {
  return createSaltEdgeProvider({ now: () => clock, env: {}, baseUrl: mock.url, credentials, state: { get: async (k) => stateStore.get(k), set: async (k, v) => void stateStore.set(k, v) } });
}

function handle(data: Record<string, unknown>): SessionHandle & { saves: number } {
  const h = { data, saves: 0, save: async () => void h.saves++ };
  return h;
}

/** Opens the connect_url like a browser that does not follow redirects; returns the Location. */
async function playUser(url: string): Promise<URL> {
  const res = await request(url);
  await res.body.text();
  expect(res.statusCode).toBe(302);
  return new URL(String(res.headers.location));
}

async function connect(bank = 'fakebank_simple_xf') {
  mock.control.setConnectProvider(bank);
  const start = await provider.beginConsent({ state: 'st-1', redirectUrl: REDIRECT });
  const back = await playUser(start.url!);
  const callback = Object.fromEntries(back.searchParams);
  const grant = await provider.completeConsent(start, callback);
  return { start, back, grant, h: handle(grant.session) };
}

async function drain(h: SessionHandle, account: string, from = '2000-01-01', to = '2100-01-01'): Promise<TransactionPage[]> {
  const pages: TransactionPage[] = [];
  for await (const p of provider.fetchTransactions(h, { account: { externalId: account, institutionId: 'x' }, from, to })) pages.push(p);
  return pages;
}

const noInput = async (q: InputRequest): Promise<string> => {
  throw new Error(`unexpected question ${q.field}`);
};

beforeEach(async () => {
  clock = new Date('2026-10-01T12:00:00Z');
  stateStore = new Map();
  mock = await startSaltEdgeMock({ now: () => clock, publicKeyPem: PUBLIC, pageSize: 4 });
  provider = make();
});
afterEach(async () => mock.close());

describe('salt-edge adapter against the mock', () => {
  it('signs every request (the mock verifies it) and sends App-id and Secret', async () => {
    await provider.verifyCredentials!();
    const r = mock.requests.at(-1)!;
    expect(r.status).toBe(200);
    expect(r.headers['app-id']).toBe('test-app-id');
    expect(Number(r.headers['expires-at'])).toBe(Math.floor(clock.getTime() / 1000) + 60);
  });

  it('a key the dashboard does not know is refused as CREDENTIALS_INVALID naming the set-up', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const err = await failure(make({ ...CREDS, private_key: other }).verifyCredentials!());
    expect(err.code).toBe('CREDENTIALS_INVALID');
    expect(err.message).toContain('SignatureNotMatch');
    expect(err.hint).toContain('providers setup salt-edge');
  });

  it('a signature dated by a clock two hours off is refused (ExpiresAtInvalid) with a hint about the clock', async () => {
    const late = createSaltEdgeProvider({ now: () => new Date(clock.getTime() - 2 * 3_600_000), env: {}, baseUrl: mock.url, credentials: CREDS });
    const err = await failure(late.verifyCredentials!());
    expect(err.message).toContain('ExpiresAtInvalid');
    expect(err.hint).toMatch(/clock/);
  });

  it('checks the set-up at entry: missing fields and a non-RSA key are NOT_CONFIGURED before any request', async () => {
    expect((await failure(make({ ...CREDS, secret: '' }).verifyCredentials!())).message).toContain('Secret');
    expect((await failure(make({ ...CREDS, private_key: 'not a key' }).verifyCredentials!())).code).toBe('NOT_CONFIGURED');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect((await failure(make({ ...CREDS, private_key: ec }).verifyCredentials!())).message).toMatch(/RSA/);
    expect(mock.requests).toHaveLength(0);
  });

  it('connect: one customer per installation, connect_url, redirect with state back to us, consent expiry', async () => {
    const { start, back, grant } = await connect();
    expect(start.url).toMatch(/\/connect\//);
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('st-1');
    expect(grant.expiresAt).toBe('2026-12-30T12:00:00.000Z'); // 90 days
    expect(mock.control.customers()).toHaveLength(1);
    expect(stateStore.get('customer_id')).toBe(mock.control.customers()[0]);
    // A second connection reuses the customer.
    await connect('fakebank_interactive_xf');
    expect(mock.control.customers()).toHaveLength(1);
    const connectBody = JSON.parse(mock.requests.find((r) => r.path.endsWith('/connections/connect'))!.body);
    expect(connectBody.data.attempt.return_to).toBe(`${REDIRECT}?state=st-1`);
    expect(connectBody.data.consent.scopes).toEqual(['accounts', 'transactions']);
  });

  it('pollConsent sees the connection finish without the redirect', async () => {
    const start = await provider.beginConsent({ state: 's', redirectUrl: REDIRECT });
    expect(await provider.pollConsent!(start)).toBeUndefined();
    await playUser(start.url!);
    const grant = await provider.pollConsent!(start);
    expect(grant?.session.connectionId).toBe(mock.control.connections()[0]!.id);
  });

  it('accounts by connection, with the bank as institution, exact balances and kinds', async () => {
    const { h } = await connect();
    const accounts = await provider.listAccounts(h);
    expect(accounts.map((a) => [a.currency, a.kind, a.institutionId, a.institutionName])).toEqual([
      ['EUR', 'checking', 'fakebank_simple_xf', 'Fake Bank Simple'],
      ['BHD', 'savings', 'fakebank_simple_xf', 'Fake Bank Simple'],
    ]);
    expect(accounts[0]!.iban).toBe('XF00000000000001');
  });

  it('transactions follow from_id/next_id to the end; amounts exact in EUR, BHD (3) and JPY (0); pending apart', async () => {
    const { h, grant } = await connect();
    for (const a of mock.control.accounts(String(grant.session.connectionId))) {
      const pages = await drain(h, a.id);
      const booked = pages.flatMap((p) => p.booked);
      const truth = mock.control.truth(a.id);
      expect(truth.length).toBeGreaterThan(8);
      expect(pages.length).toBeGreaterThan(2);
      expect(booked.map((b) => [b.externalId, b.bookingDate, b.amountMinor])).toEqual(
        truth.map((t) => [t.id, t.made_on, Math.round(Number(t.amount) * 10 ** (a.currency === 'BHD' ? 3 : a.currency === 'JPY' ? 0 : 2))]),
      );
      expect(pages.flatMap((p) => p.rejected ?? [])).toEqual([]);
    }
    const fromIds = mock.requests.filter((r) => r.path.endsWith('/transactions')).map((r) => r.query.get('from_id'));
    expect(fromIds.filter(Boolean).length).toBeGreaterThan(2);
  });

  it('0.1 and 0.2 arrive as 10 and 20 cents; 0.30000000000000004 in the JSON text is refused, not rounded', async () => {
    const { h, grant } = await connect();
    const acc = mock.control.accounts(String(grant.session.connectionId))[0]!.id;
    const line = (id: string, amount: string, cur = 'EUR') => `{"id":"${id}","made_on":"2026-09-30","amount":${amount},"currency_code":"${cur}","status":"posted"}`;
    mock.control.rawNext(
      /^GET transactions$/,
      200,
      `{"data":[${line('a', '0.1')},${line('b', '0.2')},${line('c', '0.30000000000000004')},${line('d', '12.30')},${line('e', '1.5', 'JPY')},${line('f', '-0.001', 'BHD')}],"meta":{"next_id":null}}`,
    );
    const pages = await drain(h, acc);
    expect(pages[0]!.booked.map((b) => [b.externalId, b.amountMinor])).toEqual([
      ['a', 10],
      ['b', 20],
      ['d', 1230],
      ['f', -1],
    ]);
    expect(pages[0]!.rejected!.map((r) => [r.externalId, r.amount])).toEqual([
      ['c', '0.30000000000000004'],
      ['e', '1.5'],
    ]);
    expect(pages[0]!.rejected![0]!.reason).toContain('more decimals than EUR');
  });

  it('a malformed body is one PROVIDER_ERROR naming the route; an empty list is an empty page', async () => {
    const { h, grant } = await connect();
    const acc = mock.control.accounts(String(grant.session.connectionId))[0]!.id;
    mock.control.rawNext(/^GET transactions$/, 200, '{"data": {"oops": 1}}');
    const err = await failure(drain(h, acc));
    expect(err.code).toBe('PROVIDER_ERROR');
    expect(err.message).toContain('/api/v6/transactions');
    mock.control.rawNext(/^GET transactions$/, 200, '{"data":[],"meta":{"next_id":null}}');
    mock.control.rawNext(/^GET transactions$/, 200, '{"data":[],"meta":{"next_id":null}}');
    const pages = await drain(h, acc);
    expect(pages.map((p) => p.booked.length + (p.pending?.length ?? 0))).toEqual([0, 0]);
  });

  it('refresh: done after polling; then deferred by next_refresh_possible_at with fetchCached', async () => {
    const { h } = await connect();
    clock = new Date(clock.getTime() + 2 * 3_600_000);
    expect(await provider.refreshConnection!(h, { requestInput: noInput, accounts: [] })).toEqual({ status: 'pending', pollAfterMs: 2000 });
    expect(h.data.refreshing).toBe(true);
    expect(h.saves).toBe(1);
    expect(await provider.refreshConnection!(h, { requestInput: noInput, accounts: [] })).toEqual({ status: 'done' });
    const outcome = await provider.refreshConnection!(h, { requestInput: noInput, accounts: [] });
    expect(outcome).toMatchObject({ status: 'deferred', fetchCached: true, nextPossibleAt: '2026-10-01T15:00:00.000Z' });
  });

  it('a refresh that finishes within the request is done at once, and a failed one is its typed error', async () => {
    await mock.close();
    mock = await startSaltEdgeMock({ now: () => clock, publicKeyPem: PUBLIC, instantRefresh: true });
    provider = make();
    stateStore.clear();
    const { h } = await connect();
    clock = new Date(clock.getTime() + 2 * 3_600_000);
    expect(await provider.refreshConnection!(h, { requestInput: noInput, accounts: [] })).toEqual({ status: 'done' });
    expect(h.data.refreshing).toBe(false);
    expect(mock.control.connections()[0]!.lastSuccessAt).toBe(clock.toISOString());
  });

  it('the background-fetch limit defers instead of failing', async () => {
    const { h } = await connect();
    clock = new Date(clock.getTime() + 2 * 3_600_000);
    mock.control.failNext(/^PUT connections\/\d+\/refresh$/, 'BackgroundFetchLimitExceeded');
    const outcome = await provider.refreshConnection!(h, { requestInput: noInput, accounts: [] });
    expect(outcome).toMatchObject({ status: 'deferred', fetchCached: true });
    expect((outcome as { message: string }).message).toContain('BackgroundFetchLimitExceeded');
  });

  it('an interactive bank: the OTP is asked (secret) and sent through the interactive route', async () => {
    const { h } = await connect('fakebank_interactive_xf');
    clock = new Date(clock.getTime() + 2 * 3_600_000);
    const asked: InputRequest[] = [];
    const answer = async (q: InputRequest) => (asked.push(q), FAKE_OTP);
    const outcomes = [];
    for (let i = 0; i < 5; i++) {
      const o = await provider.refreshConnection!(h, { requestInput: answer, accounts: [] });
      outcomes.push(o.status);
      if (o.status !== 'pending') break;
    }
    expect(outcomes).toEqual(['pending', 'pending', 'done']);
    expect(asked).toEqual([{ field: 'otp', label: 'Enter the code sent by SMS', secret: true }]);
    const sent = mock.requests.find((r) => r.path.endsWith('/interactive'))!;
    expect(JSON.parse(sent.body)).toEqual({ data: { credentials: { otp: FAKE_OTP } } });
  });

  it('unattended, the needs-a-human error of requestInput goes through untouched; a timed-out attempt is SCA_REQUIRED', async () => {
    const { h, grant } = await connect('fakebank_interactive_xf');
    clock = new Date(clock.getTime() + 2 * 3_600_000);
    await provider.refreshConnection!(h, { requestInput: noInput, accounts: [] });
    const unattended = async () => {
      throw Object.assign(new Error('needs a human'), { code: 'SCA_REQUIRED' });
    };
    await expect(provider.refreshConnection!(h, { requestInput: unattended, accounts: [] })).rejects.toThrow('needs a human');
    mock.control.timeoutInteractive(String(grant.session.connectionId));
    const err = await failure(provider.refreshConnection!(h, { requestInput: noInput, accounts: [] }));
    expect(err.code).toBe('SCA_REQUIRED');
    expect(err.message).toContain('InteractiveAdapterTimeout');
  });

  it('an expired consent is CONSENT_EXPIRED; reconnect renews the same connection with a new expiry', async () => {
    const { h, grant } = await connect();
    const id = String(grant.session.connectionId);
    clock = new Date(clock.getTime() + 2 * 3_600_000);
    mock.control.expireConsent(id);
    const err = await failure(provider.refreshConnection!(h, { requestInput: noInput, accounts: [] }));
    expect(err.code).toBe('CONSENT_EXPIRED');
    clock = new Date('2026-11-01T00:00:00Z');
    const start = await provider.beginConsent({ state: 'r', redirectUrl: REDIRECT, existing: h });
    expect(mock.requests.some((r) => r.path.endsWith(`/connections/${id}/reconnect`))).toBe(true);
    // The old attempt is not taken for the renewal: polling waits for a new one.
    expect(await provider.pollConsent!(start)).toBeUndefined();
    const renewed = await provider.completeConsent(start, Object.fromEntries((await playUser(start.url!)).searchParams));
    expect(renewed.session.connectionId).toBe(id);
    expect(renewed.supersedesExisting).toBeUndefined();
    expect(renewed.expiresAt).toBe('2027-01-30T00:00:00.000Z');
  });

  it('revoke removes the connection at Salt Edge', async () => {
    const { h } = await connect();
    await provider.revoke!(h);
    expect(mock.control.connections()[0]!.removed).toBe(true);
    expect((await failure(provider.listAccounts(h))).code).toBe('CONSENT_EXPIRED');
  });

  it.each([
    ['InvalidCredentials', 'CREDENTIALS_INVALID'],
    ['ConsentExpired', 'CONSENT_EXPIRED'],
    ['TooManyRequests', 'RATE_LIMITED'],
    ['InteractiveAdapterTimeout', 'SCA_REQUIRED'],
    ['SomethingNew', 'PROVIDER_ERROR'],
  ])('error class %s → %s', async (cls, code) => {
    const { h } = await connect();
    mock.control.failNext(/^GET accounts$/, cls);
    const err = await failure(provider.listAccounts(h));
    expect(err.code).toBe(code);
    expect(err.message).toContain(cls);
    if (code === 'RATE_LIMITED') expect(err.retryAt).toBe('2026-10-01T12:01:00.000Z');
  });

  it('ProviderUnavailable (503) is retried, then PROVIDER_UNAVAILABLE', async () => {
    const { h } = await connect();
    mock.control.failNext(/^GET accounts$/, 'ProviderUnavailable', 1);
    expect(await provider.listAccounts(h)).toHaveLength(2);
    mock.control.failNext(/^GET accounts$/, 'ProviderUnavailable', 3);
    expect((await failure(provider.listAccounts(h))).code).toBe('PROVIDER_UNAVAILABLE');
  });
});
