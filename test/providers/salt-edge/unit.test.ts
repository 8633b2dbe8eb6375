import { createPublicKey, createVerify, generateKeyPairSync } from 'node:crypto';
import type { Interceptable } from 'undici';
import { StrictMockAgent } from '../../helpers/strict-http.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signatureBase } from '../../../src/providers/salt-edge/api.js';
import { mapSaltEdgeError } from '../../../src/providers/salt-edge/errors.js';
import { createSaltEdgeProvider } from '../../../src/providers/salt-edge/index.js';
import { amountMinor } from '../../../src/providers/salt-edge/map.js';
import type { SessionHandle, TransactionPage } from '../../../src/providers/types.js';
import { failure } from '../../helpers/failure.js';

const ORIGIN = 'https://www.saltedge.com';
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const JSON_HEADERS = { headers: { 'content-type': 'application/json' } };
const NOW = new Date('2026-03-01T09:00:00Z');

let agent: StrictMockAgent;
let api: Interceptable;
beforeEach(() => {
  agent = new StrictMockAgent();
  api = agent.get(ORIGIN);
});
afterEach(async () => {
  await agent.verify();
});

const provider = () => createSaltEdgeProvider({ now: () => NOW, env: {}, dispatcher: agent, credentials: { app_id: 'app', secret: 'sec', private_key: PEM } });
const session: SessionHandle = { data: { connectionId: '11', customerId: '22', providerCode: 'bank_xf', providerName: 'Bank' }, save: async () => undefined };
const tx = (id: string, amount: number, extra: Record<string, unknown> = {}) => ({ id, made_on: '2026-02-27', amount, currency_code: 'EUR', description: `line ${id}`, status: 'posted', ...extra });

async function drain(from = '2026-01-01', to = '2026-03-01'): Promise<TransactionPage[]> {
  const out: TransactionPage[] = [];
  for await (const p of provider().fetchTransactions(session, { account: { externalId: '33', institutionId: 'bank_xf' }, from, to })) out.push(p);
  return out;
}

describe('amounts: JSON numbers to exact minor units', () => {
  it.each([
    [0.1, 'EUR', 10],
    [0.2, 'EUR', 20],
    [0.3, 'EUR', 30],
    [12.3, 'EUR', 1230],
    [-45.67, 'EUR', -4567],
    [1234567890123.45, 'EUR', 123456789012345],
    [1500, 'JPY', 1500],
    [-1, 'JPY', -1],
    [12.005, 'BHD', 12005],
    [-0.001, 'BHD', -1],
    [250, 'BHD', 250000],
  ])('%s %s → %s', (v, cur, minor) => {
    expect(amountMinor(v, cur)).toBe(minor);
  });

  it.each([
    [0.1 + 0.2, 'EUR', /more decimals than EUR/], // 0.30000000000000004: float arithmetic upstream, which cent is a guess
    [1.5, 'JPY', /more decimals than JPY has \(0\)/],
    [1.2345, 'BHD', /more decimals than BHD/],
    [1e-7, 'EUR', /cannot be an exact/], // String gives 1e-7: toFixed would silently make it 0.00
    [1e22, 'EUR', /cannot be an exact/],
    [Number.NaN, 'EUR', /finite/],
  ])('%s %s is refused', (v, cur, why) => {
    expect(() => amountMinor(v, cur)).toThrow(why);
  });
});

describe('requests', () => {
  it('signs Expires-at|METHOD|full URL|body| with RSA-SHA256 and sends App-id/Secret', async () => {
    let seen: Record<string, string> = {};
    api.intercept({ path: '/api/v6/accounts?connection_id=11&customer_id=22', method: 'GET' }).reply((o) => {
      seen = o.headers as Record<string, string>;
      return { statusCode: 200, data: { data: [], meta: { next_id: null } }, responseOptions: JSON_HEADERS };
    });
    expect(await provider().listAccounts(session)).toEqual([]);
    expect(seen['app-id']).toBe('app');
    expect(seen.secret).toBe('sec');
    const exp = Math.floor(NOW.getTime() / 1000) + 60;
    expect(seen['expires-at']).toBe(String(exp));
    const base = signatureBase(exp, 'GET', `${ORIGIN}/api/v6/accounts?connection_id=11&customer_id=22`, '');
    expect(base).toBe(`${exp}|GET|${ORIGIN}/api/v6/accounts?connection_id=11&customer_id=22||`);
    expect(createVerify('RSA-SHA256').update(base).verify(createPublicKey(PEM), seen.signature!, 'base64')).toBe(true);
  });
});

describe('transaction pages', () => {
  it('follows next_id as from_id to the end, then the pending list; keeps the window', async () => {
    const q = (from?: string, pending = false) => `/api/v6/transactions?connection_id=11&account_id=33&customer_id=22${from ? `&from_id=${from}` : ''}${pending ? '&pending=true' : ''}`;
    api.intercept({ path: q() }).reply(200, { data: [tx('1', -1.1), tx('2', 2, { made_on: '2025-12-31' })], meta: { next_id: '3', next_page: '/x' } }, JSON_HEADERS);
    api.intercept({ path: q('3') }).reply(200, { data: [tx('3', 0.3, { extra: { payer: 'Employer' } })], meta: { next_id: null } }, JSON_HEADERS);
    api.intercept({ path: q(undefined, true) }).reply(200, { data: [tx('p1', -5, { status: 'pending' })], meta: { next_id: null } }, JSON_HEADERS);
    const pages = await drain();
    expect(pages.map((p) => p.booked.map((b) => [b.externalId, b.amountMinor]))).toEqual([[['1', -110]], [['3', 30]], []]);
    expect(pages[1]!.booked[0]!.payee).toBe('Employer');
    expect(pages[2]!.pending).toEqual([{ externalId: 'p1', date: '2026-02-27', amountMinor: -500, currency: 'EUR', memo: 'line p1' }]);
  });

  it('an empty answer is an empty page, not an error', async () => {
    api
      .intercept({ path: /\/api\/v6\/transactions/ })
      .reply(200, { data: [], meta: { next_id: null } }, JSON_HEADERS)
      .times(2);
    const pages = await drain();
    expect(pages.map((p) => [p.booked.length, p.pending!.length, p.rejected!.length])).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it('a next_id that repeats is refused instead of looping', async () => {
    api
      .intercept({ path: /\/api\/v6\/transactions/ })
      .reply(200, { data: [tx('1', 1)], meta: { next_id: '5' } }, JSON_HEADERS)
      .times(2);
    const err = await failure(drain());
    expect(err.message).toContain('next_id 5 repeats');
  });

  it('a line without a usable date or amount is quarantined with its fields; the rest stays', async () => {
    api
      .intercept({ path: /\/api\/v6\/transactions/ })
      .reply(
        200,
        { data: [tx('1', 1), { id: '2', made_on: '27/02/2026', amount: 1, currency_code: 'EUR' }, { id: '3', made_on: '2026-02-27', amount: '1.00', currency_code: 'EUR' }], meta: { next_id: null } },
        JSON_HEADERS,
      );
    api.intercept({ path: /pending=true/ }).reply(200, { data: [], meta: { next_id: null } }, JSON_HEADERS);
    const [page] = await drain();
    expect(page!.booked.map((b) => b.externalId)).toEqual(['1']);
    expect(page!.rejected!.map((r) => [r.externalId, r.date, r.reason])).toEqual([
      ['2', '27/02/2026', 'Salt Edge line has no usable date (made_on "27/02/2026")'],
      ['3', '2026-02-27', 'Salt Edge line has an unexpected shape (amount: Expected number, received string)'],
    ]);
  });

  it('non-JSON and wrong-shaped bodies are one PROVIDER_ERROR line', async () => {
    api.intercept({ path: /\/api\/v6\/transactions/ }).reply(200, '{"data": [', JSON_HEADERS);
    expect((await failure(drain())).message).toMatch(/not valid JSON/);
    api.intercept({ path: /\/api\/v6\/transactions/ }).reply(200, { data: 'nope' }, JSON_HEADERS);
    const err = await failure(drain());
    expect(err.code).toBe('PROVIDER_ERROR');
    expect(err.message).toContain('unexpected shape (data');
  });
});

describe('errors: {error: {class, message}} → typed errors, in one place', () => {
  const f = (status: number, body: unknown, headers: Record<string, string> = {}) => mapSaltEdgeError({ status, body, headers, method: 'GET', path: '/api/v6/x' }, NOW);
  const body = (cls: string) => ({ error: { class: cls, message: `msg of ${cls}`, documentation_url: 'https://docs' }, request: {} });
  it.each([
    ['InvalidCredentials', 'CREDENTIALS_INVALID'],
    ['InvalidInteractiveCredentials', 'CREDENTIALS_INVALID'],
    ['ConsentExpired', 'CONSENT_EXPIRED'],
    ['AispConsentRevoked', 'CONSENT_EXPIRED'],
    ['ProviderUnavailable', 'PROVIDER_UNAVAILABLE'],
    ['TooManyRequests', 'RATE_LIMITED'],
    ['BackgroundFetchLimitExceeded', 'RATE_LIMITED'],
    ['InteractiveAdapterTimeout', 'SCA_REQUIRED'],
    ['WrongSecret', 'CREDENTIALS_INVALID'],
    ['ExpiresAtInvalid', 'PROVIDER_ERROR'],
    ['Unheard', 'PROVIDER_ERROR'],
  ])('%s → %s', (cls, code) => {
    const e = f(406, body(cls));
    expect(e.code).toBe(code);
    expect(e.errorClass).toBe(cls);
    expect(e.message).toContain(`msg of ${cls}`);
  });

  it('retry times: TooManyRequests a minute, the background limit six hours, Retry-After wins', () => {
    expect(f(429, body('TooManyRequests')).retryAt).toBe('2026-03-01T09:01:00.000Z');
    expect(f(406, body('BackgroundFetchLimitExceeded')).retryAt).toBe('2026-03-01T15:00:00.000Z');
    expect(f(429, body('TooManyRequests'), { 'retry-after': '120' }).retryAt).toBe('2026-03-01T09:02:00.000Z');
  });

  it('bodies without a Salt Edge error are judged by status', () => {
    expect(f(502, '<html>bad gateway</html>').code).toBe('PROVIDER_UNAVAILABLE');
    expect(f(429, undefined).code).toBe('RATE_LIMITED');
    expect(f(400, { error: 'x' }).code).toBe('PROVIDER_ERROR');
  });
});
