import { generateKeyPairSync } from 'node:crypto';
import type { Interceptable } from 'undici';
import { StrictMockAgent } from '../../helpers/strict-http.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BanksyncError } from '../../../src/domain/errors.js';
import { mapEnableBankingError } from '../../../src/providers/enable-banking/errors.js';
import { createEnableBankingProvider } from '../../../src/providers/enable-banking/index.js';
import type { SessionHandle, TransactionPage } from '../../../src/providers/types.js';

const BASE = 'https://api.enablebanking.com';
const PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const JSON_HEADERS = { headers: { 'content-type': 'application/json' } };
const NOW = new Date('2025-06-15T10:00:00Z');
const UID = '11111111-1111-4111-8111-111111111111';
const TX_PATH = `/accounts/${UID}/transactions`;
const BAL_PATH = `/accounts/${UID}/balances`;
const WINDOW = { date_from: '2025-06-01', date_to: '2025-06-15' };

let agent: StrictMockAgent;
let api: Interceptable;
beforeEach(() => {
  agent = new StrictMockAgent();
  api = agent.get(BASE);
});
afterEach(async () => {
  await agent.verify();
});

const provider = () => createEnableBankingProvider({ now: () => NOW, env: {}, dispatcher: agent, credentials: { application_id: 'app-1', private_key: PEM } });
const session: SessionHandle = { data: { sessionId: 'sess-1', aspsp: { name: 'Nordea', country: 'FI' }, accounts: {} }, save: async () => {} };

/** to is after today: the adapter asks only up to today. */
async function fetchAll(): Promise<TransactionPage[]> {
  const pages: TransactionPage[] = [];
  for await (const p of provider().fetchTransactions(session, { account: { externalId: UID, institutionId: 'FI:Nordea' }, from: '2025-06-01', to: '2025-06-30' })) pages.push(p);
  return pages;
}

async function caught(p: Promise<unknown>): Promise<BanksyncError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BanksyncError);
  return err as BanksyncError;
}

const ownAccount = { iban: 'FI2112345600000785' };
const tx = (o: Record<string, unknown>) => ({
  entry_reference: '202506120001',
  merchant_category_code: null,
  transaction_amount: { currency: 'EUR', amount: '12.30' },
  creditor: { name: 'K-Market Kamppi', postal_address: null },
  creditor_account: null,
  creditor_agent: null,
  debtor: { name: 'Aino Virtanen' },
  debtor_account: ownAccount,
  credit_debit_indicator: 'DBIT',
  status: 'BOOK',
  booking_date: '2025-06-12',
  value_date: '2025-06-12',
  transaction_date: '2025-06-11',
  balance_after_transaction: null,
  reference_number: null,
  remittance_information: ['CARD PURCHASE', 'K-Market Kamppi'],
  bank_transaction_code: null,
  exchange_rate: null,
  note: null,
  transaction_id: 'dHJhbnNpZW50LTE=',
  ...o,
});
const SALARY = tx({
  entry_reference: '202506100007',
  transaction_amount: { currency: 'EUR', amount: '2850.00' },
  credit_debit_indicator: 'CRDT',
  debtor: { name: 'Acme Oy' },
  debtor_account: { iban: 'FI5810171000000122' },
  creditor: { name: 'Aino Virtanen' },
  creditor_account: ownAccount,
  booking_date: null,
  value_date: '2025-06-10',
  remittance_information: ['Palkka 2025-06'],
  transaction_id: 'dHJhbnNpZW50LTI=',
});
const RENT = tx({
  entry_reference: '202506010003',
  transaction_amount: { currency: 'EUR', amount: '950.00' },
  creditor: { name: 'Kiinteistö Oy Kotikulma' },
  creditor_account: { iban: 'FI4950009420028730' },
  booking_date: '2025-06-01',
  value_date: '2025-06-02',
  remittance_information: ['RF471234567', 'Vuokra'],
});
const PENDING = tx({ entry_reference: null, status: 'PDNG', booking_date: null, value_date: null, transaction_date: '2025-06-14', transaction_amount: { currency: 'EUR', amount: '4.50' } });
const CANCELLED = tx({ entry_reference: '202506130009', status: 'CNCL' });
const BALANCES = {
  balances: [
    {
      name: 'Available balance',
      balance_amount: { currency: 'EUR', amount: '1180.20' },
      balance_type: 'ITAV',
      last_change_date_time: '2025-06-15T09:00:00+00:00',
      reference_date: '2025-06-15',
      last_committed_transaction: null,
    },
    {
      name: 'Booked balance',
      balance_amount: { currency: 'EUR', amount: '-1184.70' },
      balance_type: 'CLBD',
      last_change_date_time: null,
      reference_date: '2025-06-14',
      last_committed_transaction: '202506120001',
    },
  ],
};

const txReply = (query: Record<string, string>, body: unknown, status = 200, headers: Record<string, string> = {}) =>
  api.intercept({ path: TX_PATH, method: 'GET', query }).reply(status, body as object, { headers: { 'content-type': 'application/json', ...headers } });
const balReply = (status = 200, body: unknown = BALANCES, headers: Record<string, string> = {}) =>
  api.intercept({ path: BAL_PATH, method: 'GET' }).reply(status, body as object, { headers: { 'content-type': 'application/json', ...headers } });

describe('transactions', () => {
  it('a real page: signs by indicator, entry_reference ids, pending lines, dropped statuses, booked balance', async () => {
    txReply(WINDOW, { transactions: [tx({}), SALARY, RENT, PENDING, CANCELLED], continuation_key: null });
    balReply();
    const pages = await fetchAll();
    expect(pages).toHaveLength(1);
    const [page] = pages;
    expect(page!.booked).toEqual([
      {
        externalId: '202506120001',
        bookingDate: '2025-06-12',
        valueDate: '2025-06-12',
        amountMinor: -1230,
        currency: 'EUR',
        payee: 'K-Market Kamppi',
        memo: 'CARD PURCHASE K-Market Kamppi',
        type: 'debit',
        counterpartyIban: undefined,
      },
      // No booking_date: the value date stands in; money in names the debtor.
      {
        externalId: '202506100007',
        bookingDate: '2025-06-10',
        valueDate: '2025-06-10',
        amountMinor: 285000,
        currency: 'EUR',
        payee: 'Acme Oy',
        memo: 'Palkka 2025-06',
        type: 'credit',
        counterpartyIban: 'FI5810171000000122',
      },
      {
        externalId: '202506010003',
        bookingDate: '2025-06-01',
        valueDate: '2025-06-02',
        amountMinor: -95000,
        currency: 'EUR',
        payee: 'Kiinteistö Oy Kotikulma',
        memo: 'RF471234567 Vuokra',
        type: 'debit',
        counterpartyIban: 'FI4950009420028730',
      },
    ]);
    expect(page!.pending).toEqual([{ externalId: undefined, date: '2025-06-14', amountMinor: -450, currency: 'EUR', payee: 'K-Market Kamppi', memo: 'CARD PURCHASE K-Market Kamppi' }]);
    expect(page!.balance).toEqual({ amountMinor: -118470, date: '2025-06-14' });
    // transaction_id changes between listings: never used as our id.
    expect(JSON.stringify(pages)).not.toMatch(/dHJhbnNpZW50/);
  });

  it('an empty result is one empty page', async () => {
    txReply(WINDOW, { transactions: [] });
    balReply();
    expect(await fetchAll()).toEqual([{ booked: [], pending: [], balance: { amountMinor: -118470, date: '2025-06-14' } }]);
  });

  it('follows continuation_key with the same dates, through an empty page that still carries a key', async () => {
    txReply(WINDOW, { transactions: [tx({})], continuation_key: 'key-1' });
    balReply();
    txReply({ ...WINDOW, continuation_key: 'key-1' }, { transactions: [], continuation_key: 'key-2' });
    txReply({ ...WINDOW, continuation_key: 'key-2' }, { transactions: [RENT] });
    const pages = await fetchAll();
    expect(pages.map((p) => p.booked.map((t) => t.externalId))).toEqual([['202506120001'], [], ['202506010003']]);
    expect(pages.map((p) => p.balance !== undefined)).toEqual([true, false, false]);
  });

  it('stops a continuation_key that never ends with PROVIDER_ERROR', async () => {
    txReply(WINDOW, { transactions: [], continuation_key: 'loop' });
    balReply();
    api
      .intercept({ path: TX_PATH, method: 'GET', query: { ...WINDOW, continuation_key: 'loop' } })
      .reply(200, { transactions: [], continuation_key: 'loop' }, JSON_HEADERS)
      .times(499);
    const err = await caught(fetchAll());
    expect(err.code).toBe('PROVIDER_ERROR');
    expect(err.message).toMatch(/500 pages/);
  });

  it('a rate-limited balance call does not fail the fetch', async () => {
    txReply(WINDOW, { transactions: [tx({})] });
    balReply(429, { message: 'ASPSP rate limit exceeded', code: 429, error: 'ASPSP_RATE_LIMIT_EXCEEDED', detail: null });
    const [page] = await fetchAll();
    expect(page!.booked).toHaveLength(1);
    expect(page!.balance).toBeUndefined();
  });
});

describe('errors', () => {
  it('an expired session is CONSENT_EXPIRED', async () => {
    txReply(WINDOW, { message: 'Session is expired', code: 401, error: 'EXPIRED_SESSION', detail: 'Session expired at 2025-06-01' }, 401);
    expect((await caught(fetchAll())).code).toBe('CONSENT_EXPIRED');
  });

  it('429 with a long Retry-After is RATE_LIMITED until then; without one, until the next UTC midnight', async () => {
    const body = { message: 'ASPSP rate limit exceeded', code: 429, error: 'ASPSP_RATE_LIMIT_EXCEEDED', detail: null };
    txReply(WINDOW, body, 429, { 'retry-after': '3600' });
    const err = await caught(fetchAll());
    expect(err.code).toBe('RATE_LIMITED');
    expect(Date.parse(err.retryAt!)).toBeGreaterThanOrEqual(Date.parse('2025-06-15T11:00:00Z'));
    txReply(WINDOW, body, 429);
    expect((await caught(fetchAll())).retryAt).toBe('2025-06-16T00:00:00.000Z');
  });

  it('5xx (after the client retries) and ASPSP_TIMEOUT are PROVIDER_UNAVAILABLE', async () => {
    api.intercept({ path: TX_PATH, method: 'GET', query: WINDOW }).reply(500, { message: 'Internal error', code: 500, error: 'ASPSP_ERROR', detail: null }, JSON_HEADERS).times(3);
    expect((await caught(fetchAll())).code).toBe('PROVIDER_UNAVAILABLE');
    txReply(WINDOW, { message: 'ASPSP timeout', code: 408, error: 'ASPSP_TIMEOUT', detail: null }, 408);
    expect((await caught(fetchAll())).code).toBe('PROVIDER_UNAVAILABLE');
  });

  it('a malformed body or transaction is PROVIDER_ERROR naming where', async () => {
    txReply(WINDOW, { transactions: 'nope' });
    expect((await caught(fetchAll())).code).toBe('PROVIDER_ERROR');
    txReply(WINDOW, { transactions: [tx({}), { status: 'BOOK', credit_debit_indicator: 'DBIT' }] });
    const err = await caught(fetchAll());
    expect(err.code).toBe('PROVIDER_ERROR');
    expect(err.message).toMatch(/transactions\[1\]/);
    txReply(WINDOW, '<html>gateway</html>', 200, { 'content-type': 'text/html' });
    expect((await caught(fetchAll())).code).toBe('PROVIDER_ERROR');
  });

  it('maps the documented error codes', () => {
    const map = (status: number, error: string | null) => mapEnableBankingError({ status, headers: {}, body: { message: 'm', code: status, error, detail: 'd' }, method: 'GET', path: '/x' }, NOW);
    expect(map(401, 'CLOSED_SESSION').code).toBe('CONSENT_EXPIRED');
    expect(map(401, 'REVOKED_SESSION').code).toBe('CONSENT_EXPIRED');
    expect(map(403, 'ACCESS_DENIED').code).toBe('CREDENTIALS_INVALID');
    expect(map(401, 'AUTHORIZATION_NOT_PROVIDED').hint).toMatch(/banksync providers setup enable-banking/);
    expect(map(400, 'WRONG_CREDENTIALS_PROVIDED').code).toBe('CREDENTIALS_INVALID');
    expect(map(400, 'ASPSP_PSU_ACTION_REQUIRED').code).toBe('SCA_REQUIRED');
    expect(map(503, null).code).toBe('PROVIDER_UNAVAILABLE');
    expect(map(422, 'WRONG_REQUEST_PARAMETERS').code).toBe('PROVIDER_ERROR');
    expect(map(404, 'SESSION_DOES_NOT_EXIST').message).toMatch(/m — d \(SESSION_DOES_NOT_EXIST\)/);
    expect(map(404, 'SESSION_DOES_NOT_EXIST').code).toBe('CONSENT_EXPIRED');
    expect(map(422, 'WRONG_TRANSACTIONS_PERIOD').message).toMatch(/WRONG_TRANSACTIONS_PERIOD/);
  });
});
