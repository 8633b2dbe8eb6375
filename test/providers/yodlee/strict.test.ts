import type { Interceptable } from 'undici';
import { StrictMockAgent } from '../../helpers/strict-http.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { amountToMinor } from '../../../src/providers/http.js';
import { createYodleeProvider } from '../../../src/providers/yodlee/index.js';
import { mapYodleeError } from '../../../src/providers/yodlee/errors.js';
import { toLine } from '../../../src/providers/yodlee/map.js';
import type { SessionHandle, TransactionPage } from '../../../src/providers/types.js';
import { failure } from '../../helpers/failure.js';

const BASE = 'https://sandbox.api.yodlee.com';
const JSON_HEADERS = { headers: { 'content-type': 'application/json;charset=UTF-8' } };
const CREDS = { client_id: 'cid', secret: 'sec', admin_login_name: 'admin' };
const USER = 'banksync-user';

let now = new Date('2026-03-01T10:00:00Z');
let agent: StrictMockAgent;
let api: Interceptable;

beforeEach(() => {
  now = new Date('2026-03-01T10:00:00Z');
  agent = new StrictMockAgent();
  api = agent.get(BASE);
});
afterEach(async () => {
  await agent.verify();
});

const provider = () => createYodleeProvider({ now: () => now, env: {}, dispatcher: agent, credentials: CREDS, state: { get: async () => undefined, set: async () => undefined } });
const session: SessionHandle = { data: { providerAccountId: '777', loginName: USER }, save: async () => undefined };

function token(value = 'tok-1', expiresIn = 1800) {
  api
    .intercept({ path: '/ysl/auth/token', method: 'POST', headers: { loginname: USER, 'api-version': '1.1' }, body: 'clientId=cid&secret=sec' })
    .reply(201, { token: { accessToken: value, issuedAt: now.toISOString(), expiresIn } }, JSON_HEADERS);
}

const tx = (id: number, amount: number, baseType: 'DEBIT' | 'CREDIT', status = 'POSTED', date = '2026-02-20') => ({
  CONTAINER: 'bank',
  id,
  accountId: 55,
  amount: { amount, currency: 'USD' },
  baseType,
  status,
  date,
  description: { original: `LINE ${id}` },
});

async function pages(p = provider(), from = '2026-01-01', to = '2026-03-01'): Promise<TransactionPage[]> {
  const out: TransactionPage[] = [];
  for await (const page of p.fetchTransactions(session, { account: { externalId: '55', institutionId: '16441', meta: { container: 'bank' } }, from, to })) out.push(page);
  return out;
}

const txPath = (skip: number) => `/ysl/transactions?accountId=55&container=bank&fromDate=2026-01-01&toDate=2026-03-01&skip=${skip}&top=500`;

describe('Yodlee transactions over HTTP (strict)', () => {
  it('pages with skip/top until a short page; one token for all pages, sent as Bearer with Api-Version 1.1', async () => {
    token();
    const full = Array.from({ length: 500 }, (_, i) => tx(1000 + i, 1, 'DEBIT'));
    api.intercept({ path: txPath(0), method: 'GET', headers: { authorization: 'Bearer tok-1', 'api-version': '1.1' } }).reply(200, { transaction: full }, JSON_HEADERS);
    api.intercept({ path: txPath(500), method: 'GET', headers: { authorization: 'Bearer tok-1' } }).reply(200, { transaction: [tx(1, 19.99, 'CREDIT'), tx(2, 0.3, 'DEBIT', 'PENDING')] }, JSON_HEADERS);
    const got = await pages();
    expect(got).toHaveLength(2);
    expect(got[0]!.booked).toHaveLength(500);
    expect(got[1]!.booked).toEqual([{ externalId: '1', bookingDate: '2026-02-20', amountMinor: 1999, currency: 'USD', payee: 'LINE 1', type: 'credit' }]);
    expect(got[1]!.pending).toEqual([{ externalId: '2', date: '2026-02-20', amountMinor: -30, currency: 'USD', payee: 'LINE 2' }]);
  });

  it("an empty answer is Yodlee's `{}`: one empty snapshot page", async () => {
    token();
    api.intercept({ path: txPath(0), method: 'GET' }).reply(200, {}, JSON_HEADERS);
    expect(await pages()).toEqual([{ booked: [], pending: [], pendingMode: 'snapshot' }]);
  });

  it("a body that is not JSON, or not the expected shape, is the provider's fault (PROVIDER_ERROR)", async () => {
    token();
    const p = provider();
    api.intercept({ path: txPath(0), method: 'GET' }).reply(200, '{"transaction": [', JSON_HEADERS);
    expect((await failure(pages(p))).code).toBe('PROVIDER_ERROR');
    api.intercept({ path: txPath(0), method: 'GET' }).reply(200, { transaction: 'nope' }, JSON_HEADERS);
    const e = await failure(pages(p));
    expect(e.code).toBe('PROVIDER_ERROR');
    expect(e.message).toMatch(/unexpected shape/);
  });

  it('a malformed line is quarantined, not the page', async () => {
    token();
    api.intercept({ path: txPath(0), method: 'GET' }).reply(200, { transaction: [tx(1, 5, 'DEBIT'), { id: 2, amount: { amount: 'x' }, baseType: 'DEBIT', status: 'POSTED' }] }, JSON_HEADERS);
    const [page] = await pages();
    expect(page!.booked).toHaveLength(1);
    expect(page!.rejected).toEqual([expect.objectContaining({ externalId: '2', reason: expect.stringMatching(/malformed/) })]);
  });

  it('a refused (expired) token is replaced once, then the call repeats', async () => {
    token('old');
    api
      .intercept({ path: txPath(0), method: 'GET', headers: { authorization: 'Bearer old' } })
      .reply(401, { errorCode: 'Y008', errorMessage: 'Invalid token in authorization header', referenceCode: 'r1' }, JSON_HEADERS);
    token('new');
    api.intercept({ path: txPath(0), method: 'GET', headers: { authorization: 'Bearer new' } }).reply(200, {}, JSON_HEADERS);
    expect(await pages()).toHaveLength(1);
  });

  it('concurrent calls share one in-flight token request', async () => {
    token();
    api.intercept({ path: '/ysl/accounts?providerAccountId=777', method: 'GET' }).reply(200, {}, JSON_HEADERS).times(3);
    const p = provider();
    await Promise.all([p.listAccounts(session), p.listAccounts(session), p.listAccounts(session)]);
  });

  it("error bodies become typed errors naming Yodlee's code and referenceCode", async () => {
    token();
    api.intercept({ path: txPath(0), method: 'GET' }).reply(400, { errorCode: 'Y809', errorMessage: 'Invalid date range', referenceCode: 'ref-9' }, JSON_HEADERS);
    const e = await failure(pages());
    expect(e.code).toBe('PROVIDER_ERROR');
    expect(e.message).toContain('Y809, referenceCode ref-9');
  });
});

describe('Yodlee errors (one file)', () => {
  const f = (status: number, body: unknown, headers: Record<string, string> = {}) => mapYodleeError({ status, headers, body, method: 'GET', path: '/ysl/x' }, now);
  it.each([
    [400, 'Y301', 'CREDENTIALS_INVALID'],
    [400, 'Y303', 'CREDENTIALS_INVALID'],
    [401, 'Y008', 'CREDENTIALS_INVALID'],
    [401, 'Y023', 'CREDENTIALS_INVALID'],
    [400, 'Y305', 'CREDENTIALS_INVALID'],
    [400, 'Y807', 'CONSENT_EXPIRED'],
    [400, 'Y800', 'PROVIDER_ERROR'],
    [400, 'Y013', 'PROVIDER_ERROR'],
    [400, 'Y901', 'NOT_CONFIGURED'],
    [500, 'Y902', 'PROVIDER_UNAVAILABLE'],
    [400, 'Y868', 'NOT_READY'],
    [429, 'Y999', 'RATE_LIMITED'],
  ])('HTTP %i %s → %s', (status, errorCode, code) => {
    expect(f(status, { errorCode, errorMessage: 'm', referenceCode: 'r' }).code).toBe(code);
  });
  it('without a Yodlee body: by status; a 429 carries its retry time', () => {
    expect(f(503, '<html>').code).toBe('PROVIDER_UNAVAILABLE');
    expect(f(429, '', { 'retry-after': '30' }).retryAt).toBe(new Date(now.getTime() + 30_000).toISOString());
    expect(f(400, 'x').code).toBe('PROVIDER_ERROR');
  });
});

describe('Yodlee lines', () => {
  it.each([
    [19.99, 'DEBIT', -1999],
    [0.3, 'CREDIT', 30],
    [1234.05, 'DEBIT', -123405],
    [0.07, 'DEBIT', -7],
    [1e21, 'CREDIT', undefined],
    [0, 'DEBIT', 0],
  ])('%s %s → %s minor units exactly', (amount, baseType, minor) => {
    const l = toLine(tx(1, amount, baseType as 'DEBIT'));
    if (minor === undefined) expect(l.kind).toBe('rejected');
    else {
      expect(l.kind).toBe('booked');
      expect(Object.is((l.line as { amountMinor: number }).amountMinor, minor)).toBe(true);
    }
  });
  it('float-ish values convert by text, never by multiplying', () => {
    expect(19.99 * 100).not.toBe(1999);
    expect(amountToMinor(19.99, 'USD')).toBe(1999);
    expect(toLine({ ...tx(9, 1.005, 'DEBIT'), amount: { amount: 1.005, currency: 'USD' } }).kind).toBe('rejected');
    expect(toLine({ ...tx(9, 500, 'DEBIT'), amount: { amount: 500, currency: 'JPY' } }).line).toMatchObject({ amountMinor: -500 });
    expect(toLine({ ...tx(9, 1.234, 'CREDIT'), amount: { amount: 1.234, currency: 'BHD' } }).line).toMatchObject({ amountMinor: 1234 });
  });
  it('PENDING is pending, SCHEDULED and FAILED are quarantined, a negative "unsigned" amount is refused', () => {
    expect(toLine(tx(1, 5, 'DEBIT', 'PENDING')).kind).toBe('pending');
    expect(toLine(tx(1, 5, 'DEBIT', 'CLEARED')).kind).toBe('booked');
    expect(toLine(tx(1, 5, 'DEBIT', 'SCHEDULED')).line).toMatchObject({ reason: expect.stringMatching(/SCHEDULED/) });
    expect(toLine(tx(1, 5, 'DEBIT', 'FAILED')).kind).toBe('rejected');
    expect(toLine(tx(1, -5, 'DEBIT')).kind).toBe('rejected');
    expect(toLine({ ...tx(1, 5, 'DEBIT'), amount: { amount: 5 } }).line).toMatchObject({ reason: expect.stringMatching(/currency/) });
    expect(toLine({ ...tx(1, 5, 'DEBIT'), baseType: 'OTHER' }).kind).toBe('rejected');
  });
});
