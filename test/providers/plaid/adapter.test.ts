import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPlaidProvider } from '../../../src/providers/plaid/index.js';
import type { ConsentStart, Provider, SessionHandle, TransactionPage } from '../../../src/providers/types.js';
import { failure } from '../../helpers/failure.js';
import { plaidError } from '../../mocks/plaid/errors.js';
import { addDays, startPlaidMock, type PlaidMockHandle } from '../../mocks/plaid/server.js';

let clock = new Date('2026-10-01T12:00:00Z');
let mock: PlaidMockHandle;
let provider: Provider;
const stateStore = new Map<string, unknown>();

function make(credentials: Record<string, string> = { client_id: 'test-client-id', secret: 'test-sandbox-secret', env: 'sandbox' }): Provider {
  return createPlaidProvider({ now: () => clock, env: {}, baseUrl: mock.url, credentials, state: { get: async (k) => stateStore.get(k), set: async (k, v) => void stateStore.set(k, v) } });
}

function handle(data: Record<string, unknown>): SessionHandle {
  return { data, save: async () => undefined };
}

async function connect(): Promise<SessionHandle> {
  const start = await provider.beginConsent({ state: 'x', redirectUrl: 'http://127.0.0.1:1/callback' });
  expect(await provider.pollConsent!(start)).toBeUndefined();
  await mock.control.completeLink(start.url!);
  const grant = await provider.pollConsent!(start);
  return handle(grant!.session);
}

/** What the engine keeps, applied the way a cursor feed's pages say (booked lines only; ours sign). */
class Ledger {
  booked = new Map<string, { amountMinor: number; date: string; payee?: string; pendingRef?: string }>();
  pending = new Map<string, { amountMinor: number; date: string }>();
  cursors = new Map<string, string>();
  apply(account: string, page: TransactionPage) {
    for (const t of [...page.booked, ...(page.modified ?? [])]) {
      this.booked.set(t.externalId!, { amountMinor: t.amountMinor, date: t.bookingDate, payee: t.payee, pendingRef: t.pendingRef });
      if (t.pendingRef) this.pending.delete(t.pendingRef);
    }
    for (const p of page.pending ?? []) this.pending.set(p.externalId!, { amountMinor: p.amountMinor, date: p.date });
    for (const id of page.removedExternalIds ?? []) this.booked.delete(id);
    for (const id of page.removedPendingIds ?? []) this.pending.delete(id);
    if (page.nextCursor) this.cursors.set(account, page.nextCursor);
  }
}

async function syncAll(h: SessionHandle, ledger: Ledger): Promise<void> {
  for (const a of await provider.listAccounts(h)) {
    for await (const page of provider.fetchTransactions(h, {
      account: { externalId: a.externalId, institutionId: a.institutionId },
      from: '2000-01-01',
      to: '2100-01-01',
      cursor: ledger.cursors.get(a.externalId),
    })) {
      ledger.apply(a.externalId, page);
    }
  }
}

/** The mock's truth, in our sign: −(Plaid amount), in cents. */
function truth() {
  const booked = new Map<string, { amountMinor: number; date: string }>();
  const pending = new Map<string, { amountMinor: number; date: string }>();
  for (const t of mock.control.truth()) (t.pending ? pending : booked).set(t.transaction_id, { amountMinor: 0 - Math.round(t.amount * 100), date: t.date });
  return { booked, pending };
}

const pick = (m: Map<string, { amountMinor: number; date: string }>) => new Map([...m].map(([k, v]) => [k, { amountMinor: v.amountMinor, date: v.date }]));

beforeEach(async () => {
  clock = new Date('2026-10-01T12:00:00Z');
  mock = await startPlaidMock({ now: () => clock, pageLimit: 40 });
  provider = make();
});

afterEach(async () => {
  expect(mock.openApiViolations).toEqual([]);
  await mock.close();
});

describe('Plaid adapter against the sandbox mock', () => {
  it('links through Hosted Link: token with hosted_link and 730 days, polling /link/token/get, then the exchange', async () => {
    const start: ConsentStart = await provider.beginConsent({ state: 's', redirectUrl: 'http://127.0.0.1:1/callback' });
    expect(start.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hosted-link\//);
    expect(await provider.pollConsent!(start)).toBeUndefined();
    await mock.control.completeLink(start.url!);
    const grant = await provider.pollConsent!(start);
    const item = mock.control.items()[0]!;
    expect(grant!.session).toMatchObject({ accessToken: item.access_token, itemId: item.item_id, institutionId: 'ins_109508', institutionName: 'First Platypus Bank' });
    const create = mock.requests.find((r) => r.path === '/link/token/create')!.body as Record<string, unknown>;
    expect(create).toMatchObject({ client_id: 'test-client-id', secret: 'test-sandbox-secret', hosted_link: {}, products: ['transactions'], transactions: { days_requested: 730 } });
    expect(create.access_token).toBeUndefined();
    expect(mock.requests.map((r) => r.path)).toEqual(['/link/token/create', '/link/token/get', '/link/token/get', '/item/public_token/exchange', '/item/get']);
  });

  it('keeps waiting when the Link session ended in an error, and names no secret', async () => {
    const start = await provider.beginConsent({ state: 's' });
    await mock.control.completeLink(start.url!, { password: 'error_INVALID_CREDENTIALS' });
    expect(await provider.pollConsent!(start)).toBeUndefined();
    const e = await failure(provider.completeConsent(start, {}));
    expect(e.code).toBe('BAD_INPUT');
  });

  it('lists accounts with masks only, our kinds, and owed balances negative', async () => {
    const h = await connect();
    const accounts = await provider.listAccounts(h);
    expect(accounts.map((a) => [a.name, a.kind, a.number, a.balance?.amountMinor])).toEqual([
      ['Plaid Checking', 'checking', '••0000', 11094],
      ['Plaid Saving', 'savings', '••1111', 21017],
      ['Plaid Credit Card', 'credit_card', '••3333', -41050],
      ['Plaid Student Loan', 'loan', '••7777', -6526200],
    ]);
    expect(accounts.every((a) => a.institutionId === 'ins_109508' && a.institutionName === 'First Platypus Bank' && a.iban === undefined)).toBe(true);
  });

  it('defers the first sync while Plaid prepares data (NOT_READY), then 30 days of cursor syncs equal the truth', async () => {
    const h = await connect();
    const ledger = new Ledger();
    const [first] = await provider.listAccounts(h);
    const e = await failure(provider.fetchTransactions(h, { account: first!, from: '', to: '' })[Symbol.asyncIterator]().next());
    expect(e.code).toBe('NOT_READY');
    expect(e.message).toMatch(/NOT_READY/);
    expect(Date.parse(e.retryAt!)).toBeGreaterThan(clock.getTime());
    for (let day = 0; day < 30; day++) {
      clock = new Date(Date.parse(`${addDays('2026-10-01', day)}T12:00:00Z`));
      await syncAll(h, ledger);
      const t = truth();
      expect(pick(ledger.booked)).toEqual(t.booked);
      expect(pick(ledger.pending)).toEqual(t.pending);
    }
    // Paging happened (pageLimit 40), every call asked count 500 with its account's own stream.
    const syncs = mock.requests.filter((r) => r.path === '/transactions/sync').map((r) => r.body as { count: number; cursor?: string; options: { account_id: string } });
    expect(syncs.every((b) => b.count === 500 && typeof b.options.account_id === 'string')).toBe(true);
    expect(syncs.length).toBeGreaterThan(30 * 4);
    // The month saw lines modified and removed (not only pending ones), and the ledger followed them.
    const seen = mock.control.changes();
    expect(seen.modified).toBeGreaterThan(0);
    expect(seen.removed).toBeGreaterThan(0);
    // Posted lines that replaced a pending one say so.
    expect([...ledger.booked.values()].some((b) => b.pendingRef)).toBe(true);
    // Money out is negative: card purchases, whatever the account type.
    const card = mock.control.accounts()[2]!;
    const cardTruth = mock.control.truth().filter((t) => t.account_id === card.account_id && !t.pending && t.amount > 0);
    expect(cardTruth.length).toBeGreaterThan(0);
    for (const t of cardTruth) expect(ledger.booked.get(t.transaction_id)!.amountMinor).toBeLessThan(0);
  });

  it.each(['seed-a', 'seed-b', 'seed-c'])('other bank data (%s): a month of cursor syncs, pages of 7, still equals the truth', async (seed) => {
    await mock.close();
    mock = await startPlaidMock({ now: () => clock, pageLimit: 7, seed, notReadyCalls: 0 });
    provider = make();
    const h = await connect();
    const ledger = new Ledger();
    for (let day = 0; day < 30; day += 3) {
      clock = new Date(Date.parse(`${addDays('2026-10-01', day)}T12:00:00Z`));
      await syncAll(h, ledger);
    }
    expect(pick(ledger.booked)).toEqual(truth().booked);
    expect(pick(ledger.pending)).toEqual(truth().pending);
  });

  it('restarts the has_more loop from the cursor it began with after TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION', async () => {
    const h = await connect();
    const ledger = new Ledger();
    await failure(syncAll(h, ledger)); // NOT_READY
    clock = new Date('2026-10-03T12:00:00Z');
    mock.control.mutateDuringPagination();
    const before = mock.requests.length;
    await syncAll(h, ledger);
    const t = truth().booked;
    const diff = [...new Set([...t.keys(), ...ledger.booked.keys()])].filter((k) => JSON.stringify(t.get(k)) !== JSON.stringify(pick(ledger.booked).get(k)));
    expect(diff.map((k) => [k, t.get(k), ledger.booked.get(k)])).toEqual([]);
    const calls = mock.requests.slice(before).filter((r) => r.path === '/transactions/sync');
    const failedAt = calls.findIndex((r) => r.status === 400);
    expect(failedAt).toBeGreaterThan(0);
    // The call after the failure starts the same account's loop again: no cursor, as the loop did.
    const loopStart = calls
      .slice(0, failedAt)
      .reverse()
      .find((r) => (r.body as { cursor?: string }).cursor === undefined)!;
    expect((calls[failedAt + 1]!.body as { cursor?: string; options: object }).cursor).toBe((loopStart.body as { cursor?: string }).cursor);
    expect((calls[failedAt + 1]!.body as { options: object }).options).toEqual((loopStart.body as { options: object }).options);
  });

  it('ITEM_LOGIN_REQUIRED needs a human (request_id kept); update mode keeps the same Item and access token', async () => {
    const h = await connect();
    const ledger = new Ledger();
    await failure(syncAll(h, ledger));
    await syncAll(h, ledger);
    mock.control.requireLogin();
    const e = await failure(syncAll(h, ledger));
    expect(e.code).toBe('CREDENTIALS_INVALID');
    expect(e.message).toMatch(/ITEM_LOGIN_REQUIRED, request_id [A-Za-z0-9]+/);
    const start = await provider.beginConsent({ state: 'u', existing: h });
    const create = mock.requests.filter((r) => r.path === '/link/token/create').pop()!.body as Record<string, unknown>;
    expect(create.access_token).toBe(h.data.accessToken);
    expect(create.products).toBeUndefined();
    expect(await provider.pollConsent!(start)).toBeUndefined();
    await mock.control.completeLink(start.url!);
    const grant = await provider.pollConsent!(start);
    expect(grant!.session).toEqual(h.data);
    expect(mock.control.items()).toHaveLength(1);
    expect(mock.requests.filter((r) => r.path === '/item/public_token/exchange')).toHaveLength(1);
    clock = new Date('2026-10-05T12:00:00Z');
    await syncAll(h, ledger);
    expect(pick(ledger.booked)).toEqual(truth().booked);
  });

  it('revoke removes the Item at Plaid', async () => {
    const h = await connect();
    await provider.revoke!(h);
    expect(mock.control.items()[0]!.removed).toBe(true);
    const e = await failure(provider.listAccounts(h));
    expect(e.code).toBe('CREDENTIALS_INVALID');
    expect(e.message).toMatch(/ITEM_NOT_FOUND/);
  });

  it('maps Plaid error bodies to typed errors with the request_id', async () => {
    const h = await connect();
    const cases: [ReturnType<typeof plaidError>, string][] = [
      [plaidError(429, 'RATE_LIMIT_EXCEEDED', 'ACCOUNTS_LIMIT', 'rate limit exceeded for attempts to access this item. please try again later'), 'RATE_LIMITED'],
      [plaidError(400, 'INSTITUTION_ERROR', 'INSTITUTION_DOWN', 'this institution is not currently responding to this request. please try again soon'), 'PROVIDER_UNAVAILABLE'],
      [plaidError(500, 'API_ERROR', 'INTERNAL_SERVER_ERROR', 'an unexpected error occurred'), 'PROVIDER_UNAVAILABLE'],
      [plaidError(400, 'ITEM_ERROR', 'PRODUCT_NOT_READY', 'the requested product is not yet ready. please provide a webhook or try the request again later'), 'NOT_READY'],
      [plaidError(400, 'ITEM_ERROR', 'PENDING_EXPIRATION', 'consent is about to expire'), 'CONSENT_EXPIRED'],
    ];
    for (const [reply, code] of cases) {
      mock.control.failNext(/accounts\/get/, reply);
      const e = await failure(provider.listAccounts(h));
      expect([e.code, e.message.includes(`request_id ${(reply.body as { request_id: string }).request_id}`)]).toEqual([code, true]);
      if (code === 'RATE_LIMITED' || code === 'NOT_READY') expect(e.retryAt).toBeDefined();
    }
  });

  it('refuses wrong keys as credentials, and a bad environment before any call', async () => {
    provider = make({ client_id: 'test-client-id', secret: 'wrong', env: 'sandbox' });
    const e = await failure(provider.verifyCredentials!());
    expect(e.code).toBe('CREDENTIALS_INVALID');
    expect(e.message).toMatch(/INVALID_API_KEYS/);
    expect(e.message).not.toContain('wrong');
    provider = make({ client_id: 'a', secret: 'b', env: 'development' });
    const f = await failure(provider.searchInstitutions!('bank'));
    expect(f.code).toBe('NOT_CONFIGURED');
  });

  it('searches institutions and looks one up by id', async () => {
    const found = await provider.searchInstitutions!('platypus');
    expect(found.map((i) => i.id)).toEqual(['ins_109508', 'ins_127287']);
    expect((await provider.searchInstitutions!('tartan', 'CA')).map((i) => [i.id, i.country])).toEqual([['ins_43', 'CA']]);
    expect((await provider.getInstitution('ins_109511'))?.name).toBe('Tartan Bank');
    expect(await provider.getInstitution('ins_nope')).toBeUndefined();
  });
});

describe('the mock checks requests against the official spec', () => {
  it('flags a field the spec does not define', async () => {
    const res = await fetch(`${mock.url}/institutions/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'test-client-id', secret: 'test-sandbox-secret', query: 'x', country_codes: ['US'], colour: 'red' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error_type: string }).error_type).toBe('INVALID_REQUEST');
    expect(mock.openApiViolations.join('\n')).toMatch(/colour is not a field of the spec/);
    mock.openApiViolations.length = 0;
  });
});

describe('the mock checks its own answers against the official spec', () => {
  it('finds a response without a required field', async () => {
    const { createSpecBackend, operationIdOf, responseProblems } = await import('../../mocks/plaid/openapi.js');
    const api = await createSpecBackend();
    const op = operationIdOf(api, '/transactions/sync')!;
    expect(responseProblems(api, op, 200, { added: [], modified: [], removed: [], next_cursor: 'x', has_more: false, request_id: 'r', transactions_update_status: 'NOT_READY', accounts: [] })).toEqual(
      [],
    );
    expect(responseProblems(api, op, 200, { added: [], modified: [], removed: [], next_cursor: 'x', request_id: 'r', transactions_update_status: 'NOT_READY', accounts: [] }).join()).toMatch(
      /has_more/,
    );
    expect(responseProblems(api, op, 400, { error_type: 'ITEM_ERROR', error_code: 'X', error_message: 'm' }).join()).toMatch(/display_message/);
  });
});
