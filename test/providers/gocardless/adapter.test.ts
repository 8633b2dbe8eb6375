import { failure } from '../../helpers/failure.js';
import { StrictMockAgent } from '../../helpers/strict-http.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGoCardlessProvider } from '../../../src/providers/gocardless/index.js';
import type { Provider, SessionHandle, TransactionPage } from '../../../src/providers/types.js';

const BASE = 'https://gc.test';
const NOW = new Date('2026-11-20T10:00:00Z');
const ACCOUNT = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const JSON_HEADERS = { 'content-type': 'application/json' };

let agent: StrictMockAgent;
let gc: ReturnType<StrictMockAgent['get']>;
let provider: Provider;

function session(extra: Record<string, unknown> = {}): SessionHandle & { saves: number } {
  const h = { data: { requisitionId: 'req-1', agreementId: 'eua-1', institutionId: 'SANDBOXFINANCE_SFIN0000', ...extra }, saves: 0, save: async () => void h.saves++ };
  return h;
}

function token(times = 1) {
  gc.intercept({ path: '/api/v2/token/new/', method: 'POST', body: JSON.stringify({ secret_id: 'id-1', secret_key: 'key-1' }) })
    .reply(200, { access: 'acc-token', access_expires: 86400, refresh: 'ref', refresh_expires: 2592000 }, { headers: JSON_HEADERS })
    .times(times);
}

const quota = (remaining: number) => ({
  ...JSON_HEADERS,
  'x-ratelimit-account-success-limit': '4',
  'x-ratelimit-account-success-remaining': String(remaining),
  'x-ratelimit-account-success-reset': '3600',
});

async function pages(p: Provider, h: SessionHandle): Promise<TransactionPage[]> {
  const out: TransactionPage[] = [];
  for await (const page of p.fetchTransactions(h, { account: { externalId: ACCOUNT, institutionId: 'SANDBOXFINANCE_SFIN0000' }, from: '2026-09-01', to: '2026-11-20' })) out.push(page);
  return out;
}

beforeEach(() => {
  agent = new StrictMockAgent();
  gc = agent.get(BASE);
  provider = createGoCardlessProvider({ now: () => NOW, env: {}, baseUrl: BASE, dispatcher: agent, credentials: { secret_id: 'id-1', secret_key: 'key-1' } });
});

afterEach(async () => {
  await agent.verify();
});

describe('GoCardless adapter', () => {
  it('names the secrets when GoCardless refuses them', async () => {
    gc.intercept({ path: '/api/v2/token/new/', method: 'POST' }).reply(
      401,
      { summary: 'Authentication failed', detail: 'No active account found with the given credentials', status_code: 401 },
      { headers: JSON_HEADERS },
    );
    const e = await failure(provider.verifyCredentials!());
    expect(e.code).toBe('CREDENTIALS_INVALID');
    expect(e.message).toMatch(/secret id or secret key/);
    expect(e.message).not.toContain('key-1');
  });

  it('lists institutions of a country with their history and consent limits', async () => {
    token();
    gc.intercept({ path: '/api/v2/institutions/?country=BE', method: 'GET', headers: { authorization: 'Bearer acc-token' } }).reply(
      200,
      [{ id: 'KBC_KREDBEBB', name: 'KBC', bic: 'KREDBEBB', transaction_total_days: '540', max_access_valid_for_days: '180', countries: ['BE'], logo: 'x' }],
      { headers: JSON_HEADERS },
    );
    const list = await provider.listInstitutions('BE');
    expect(list).toEqual([expect.objectContaining({ id: 'KBC_KREDBEBB', country: 'BE', historyDays: 540, consentDays: 180, beta: false })]);
  });

  it('starts consent with an agreement and a requisition whose reference is our state', async () => {
    token();
    gc.intercept({
      path: '/api/v2/agreements/enduser/',
      method: 'POST',
      body: (b) => JSON.parse(b).max_historical_days === 540 && JSON.parse(b).access_valid_for_days === 180,
    }).reply(201, { id: 'eua-1', max_historical_days: 540, access_valid_for_days: 180, accepted: null }, { headers: JSON_HEADERS });
    gc.intercept({
      path: '/api/v2/requisitions/',
      method: 'POST',
      body: (b) => JSON.parse(b).reference === 'st-1' && JSON.parse(b).redirect === 'http://127.0.0.1:9/callback' && JSON.parse(b).agreement === 'eua-1',
    }).reply(
      201,
      { id: 'req-1', status: 'CR', link: 'https://ob.gocardless.com/psd2/start/req-1/KBC_KREDBEBB', institution_id: 'KBC_KREDBEBB', agreement: 'eua-1', accounts: [] },
      { headers: JSON_HEADERS },
    );
    const inst = { id: 'KBC_KREDBEBB', providerId: 'gocardless', name: 'KBC', country: 'BE', beta: false, scaEveryFetch: false, historyDays: 540, consentDays: 180, stableTransactionIds: true };
    const start = await provider.beginConsent({ institution: inst, redirectUrl: 'http://127.0.0.1:9/callback', state: 'st-1' });
    expect(start.url).toBe('https://ob.gocardless.com/psd2/start/req-1/KBC_KREDBEBB');

    gc.intercept({ path: '/api/v2/requisitions/req-1/', method: 'GET' }).reply(
      200,
      { id: 'req-1', status: 'LN', link: 'x', institution_id: 'KBC_KREDBEBB', agreement: 'eua-1', accounts: [ACCOUNT] },
      { headers: JSON_HEADERS },
    );
    gc.intercept({ path: '/api/v2/agreements/enduser/eua-1/', method: 'GET' }).reply(200, { id: 'eua-1', access_valid_for_days: 180, accepted: '2026-11-20T10:00:00Z' }, { headers: JSON_HEADERS });
    const grant = await provider.completeConsent(start, { ref: 'st-1' });
    expect(grant.expiresAt).toBe('2027-05-19T10:00:00.000Z');
    expect(grant.session).toMatchObject({ requisitionId: 'req-1', agreementId: 'eua-1' });
  });

  it('reads a date range in one call: signed amounts, bank ids when given, pending apart, balance', async () => {
    token();
    gc.intercept({ path: `/api/v2/accounts/${ACCOUNT}/transactions/?date_from=2026-09-01&date_to=2026-11-20`, method: 'GET' }).reply(
      200,
      {
        transactions: {
          booked: [
            {
              transactionId: 'T1',
              bookingDate: '2026-11-02',
              valueDate: '2026-11-01',
              transactionAmount: { amount: '-12.30', currency: 'EUR' },
              creditorName: 'Bakery',
              creditorAccount: { iban: 'BE71096123456769' },
              remittanceInformationUnstructured: 'Bread',
            },
            { bookingDate: '2026-11-03', transactionAmount: { amount: '1500.00', currency: 'EUR' }, debtorName: 'Employer', remittanceInformationUnstructuredArray: ['Salary', 'Nov'] },
            { valueDateTime: '2026-11-04T08:00:00Z', transactionAmount: { amount: '-0.99', currency: 'EUR' }, additionalInformation: 'Fee' },
            { transactionAmount: { amount: '-5.00', currency: 'EUR' } },
          ],
          pending: [{ valueDate: '2026-11-19', transactionAmount: { amount: '-7.50', currency: 'EUR' }, creditorName: 'Cafe' }],
        },
        last_updated: '2026-11-20T09:00:00Z',
      },
      { headers: quota(3) },
    );
    gc.intercept({ path: `/api/v2/accounts/${ACCOUNT}/balances/`, method: 'GET' }).reply(
      200,
      {
        balances: [
          { balanceAmount: { amount: '657.49', currency: 'EUR' }, balanceType: 'interimAvailable', referenceDate: '2026-11-20' },
          { balanceAmount: { amount: '650.00', currency: 'EUR' }, balanceType: 'closingBooked', referenceDate: '2026-11-19' },
        ],
      },
      { headers: quota(3) },
    );
    const h = session();
    const [page, ...rest] = await pages(provider, h);
    expect(rest).toHaveLength(0);
    expect(page!.booked).toEqual([
      expect.objectContaining({
        externalId: 'T1',
        bookingDate: '2026-11-02',
        valueDate: '2026-11-01',
        amountMinor: -1230,
        payee: 'Bakery',
        memo: 'Bread',
        counterpartyIban: 'BE71096123456769',
        type: 'debit',
      }),
      expect.objectContaining({ externalId: undefined, amountMinor: 150000, payee: 'Employer', memo: 'Salary Nov', type: 'credit' }),
      expect.objectContaining({ bookingDate: '2026-11-04', amountMinor: -99, memo: 'Fee' }),
    ]);
    expect(page!.pending).toEqual([expect.objectContaining({ date: '2026-11-19', amountMinor: -750, payee: 'Cafe' })]);
    expect(page!.balance).toEqual({ amountMinor: 65000, date: '2026-11-19' });
    expect(h.saves).toBe(2);
  });

  it('an empty range is one empty page', async () => {
    token();
    gc.intercept({ path: `/api/v2/accounts/${ACCOUNT}/transactions/?date_from=2026-09-01&date_to=2026-11-20`, method: 'GET' }).reply(
      200,
      { transactions: { booked: [], pending: [] } },
      { headers: quota(3) },
    );
    gc.intercept({ path: `/api/v2/accounts/${ACCOUNT}/balances/`, method: 'GET' }).reply(200, { balances: [] }, { headers: quota(2) });
    const result = await pages(provider, session());
    expect(result).toEqual([{ booked: [], pending: [], balance: undefined }]);
  });

  it('defers without calling when the bank budget for today is used up', async () => {
    const h = session({ budget: { [`${ACCOUNT}:transactions`]: { remaining: 0, resetAt: '2026-11-21T00:00:00.000Z' } } });
    const e = await failure(pages(provider, h));
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.retryAt).toBe('2026-11-21T00:00:00.000Z');
  });

  it("maps the bank's daily limit (429 RateLimitError) to RATE_LIMITED with the reset time", async () => {
    token();
    gc.intercept({ path: `/api/v2/accounts/${ACCOUNT}/transactions/?date_from=2026-09-01&date_to=2026-11-20`, method: 'GET' }).reply(
      429,
      { summary: "Couldn't update account transactions", detail: 'Daily request limit set by the Institution has been exceeded.', type: 'RateLimitError', status_code: 429 },
      { headers: { ...quota(0), 'x-ratelimit-account-success-reset': '7200' } },
    );
    const e = await failure(pages(provider, session()));
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.retryAt).toBe('2026-11-20T12:00:00.000Z');
  });

  it('an expired agreement is CONSENT_EXPIRED', async () => {
    token();
    gc.intercept({ path: `/api/v2/accounts/${ACCOUNT}/transactions/?date_from=2026-09-01&date_to=2026-11-20`, method: 'GET' }).reply(
      401,
      {
        summary: 'End User Agreement (EUA) 3fa85f64 has expired',
        detail: 'EUA was valid for 90 days and it expired at 2026-11-01. The end user must connect the account once more with new EUA and Requisition',
        status_code: 401,
      },
      { headers: JSON_HEADERS },
    );
    expect((await failure(pages(provider, session()))).code).toBe('CONSENT_EXPIRED');
  });

  it('retries a 503 and then reports the institution as unavailable', async () => {
    token();
    gc.intercept({ path: `/api/v2/accounts/${ACCOUNT}/transactions/?date_from=2026-09-01&date_to=2026-11-20`, method: 'GET' })
      .reply(503, { summary: 'Institution service unavailable', detail: 'Please try again later', type: 'ServiceError', status_code: 503 }, { headers: JSON_HEADERS })
      .times(3);
    const e = await failure(pages(provider, session()));
    expect(e.code).toBe('PROVIDER_UNAVAILABLE');
    expect(e.message).toContain('Institution service unavailable');
  });

  it('a malformed body is a provider error, not a crash', async () => {
    token();
    gc.intercept({ path: `/api/v2/accounts/${ACCOUNT}/transactions/?date_from=2026-09-01&date_to=2026-11-20`, method: 'GET' }).reply(
      200,
      '{"transactions": {"booked": [{"bookingDate": "2026-11-02"}]}}',
      { headers: JSON_HEADERS },
    );
    const e = await failure(pages(provider, session()));
    expect(e.code).toBe('PROVIDER_ERROR');
    expect(e.message).toMatch(/booked\[0\]/);
    gc.intercept({ path: '/api/v2/institutions/?country=BE', method: 'GET' }).reply(200, '<html>oops', { headers: { 'content-type': 'text/html' } });
    expect((await failure(provider.listInstitutions('BE'))).code).toBe('PROVIDER_ERROR');
  });

  it('replaces a refused access token once and goes on', async () => {
    token(2);
    gc.intercept({ path: '/api/v2/institutions/?country=FI', method: 'GET' }).reply(
      401,
      { summary: 'Invalid token', detail: 'Token is invalid or expired', status_code: 401 },
      { headers: JSON_HEADERS },
    );
    gc.intercept({ path: '/api/v2/institutions/?country=FI', method: 'GET' }).reply(200, [], { headers: JSON_HEADERS });
    expect(await provider.listInstitutions('FI')).toEqual([]);
  });
  it('revokes by deleting the requisition; one already deleted counts as revoked, other refusals are errors', async () => {
    token();
    gc.intercept({ path: '/api/v2/requisitions/req-1/', method: 'DELETE', headers: { authorization: 'Bearer acc-token' } }).reply(
      200,
      { summary: 'Requisition deleted', detail: 'Requisition req-1 deleted with all its End User Agreements' },
      { headers: JSON_HEADERS },
    );
    await provider.revoke!(session());
    gc.intercept({ path: '/api/v2/requisitions/req-1/', method: 'DELETE' }).reply(404, { summary: 'Not found.', detail: 'Not found.', status_code: 404 }, { headers: JSON_HEADERS });
    await provider.revoke!(session());
    gc.intercept({ path: '/api/v2/requisitions/req-1/', method: 'DELETE' }).reply(
      403,
      { summary: 'IP address access denied', detail: "Your IP 1.2.3.4 isn't whitelisted to perform this action", status_code: 403 },
      { headers: JSON_HEADERS },
    );
    expect((await failure(provider.revoke!(session()))).message).toMatch(/IP address access denied/);
  });
});
