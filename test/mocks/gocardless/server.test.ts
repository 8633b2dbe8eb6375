// Tests of the GoCardless mock itself, over real loopback HTTP. They keep the
// mock faithful to the facts (README §2) and to openapi.json.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OpenAPIBackend } from 'openapi-backend';
import { accountTemplates } from './accounts-data.js';
import { isValidIban } from './iban.js';
import { allInstitutions } from './institutions.js';
import { createSpecBackend } from './openapi.js';
import { startGoCardlessMock, type GoCardlessMockHandle, type GoCardlessMockOptions } from './server.js';

const DAY = 86_400_000;
const SANDBOX = 'SANDBOXFINANCE_SFIN0000';
const AMOUNT = /^-?\d+\.\d{2}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

let spec: OpenAPIBackend;
beforeAll(async () => {
  spec = await createSpecBackend();
});

/** Asserts a response body matches the spec's schema for that operation and status. */
function expectSpecResponse(operationId: string, status: number, body: unknown) {
  const result = spec.validateResponse(body, operationId, status);
  expect(result.errors ?? []).toEqual([]);
}

/** A mock clock tests can move. Midday UTC, so "today" is unambiguous. */
function clock(start = Date.UTC(2025, 5, 15, 12)) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

let mock: GoCardlessMockHandle | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

async function start(opts: GoCardlessMockOptions = {}) {
  mock = await startGoCardlessMock(opts);
  return mock;
}

interface Res {
  status: number;
  headers: Headers;
  body: any;
}

async function call(m: GoCardlessMockHandle, method: string, path: string, opts: { token?: string; body?: unknown } = {}): Promise<Res> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${m.url}${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

async function token(m: GoCardlessMockHandle): Promise<string> {
  const res = await call(m, 'POST', '/api/v2/token/new/', { body: { secret_id: 'sandbox-secret-id', secret_key: 'sandbox-secret-key' } });
  expect(res.status).toBe(200);
  return res.body.access;
}

/** What the headless-browser driver does: GET the link, find the form, POST it with a decision. */
async function consent(link: string, decision: 'approve' | 'deny') {
  const page = await fetch(link);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  const html = await page.text();
  expect(html.match(/<form /g)).toHaveLength(1);
  expect(html).toContain('<button type="submit" name="decision" value="approve" id="approve">');
  expect(html).toContain('<button type="submit" name="decision" value="deny" id="deny">');
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';
  const form = new URLSearchParams({ decision });
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.set(name!, value!);
  const res = await fetch(new URL(action, link), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    redirect: 'manual',
  });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location') ?? '');
}

async function linkedRequisition(m: GoCardlessMockHandle, access: string, body: Record<string, unknown> = {}) {
  const created = await call(m, 'POST', '/api/v2/requisitions/', {
    token: access,
    body: { redirect: 'http://127.0.0.1:9999/callback', institution_id: SANDBOX, ...body },
  });
  expect(created.status).toBe(201);
  const location = await consent(created.body.link, 'approve');
  const requisition = await call(m, 'GET', `/api/v2/requisitions/${created.body.id}/`, { token: access });
  return { created: created.body, location, requisition: requisition.body };
}

describe('authentication', () => {
  it('issues a token pair for the sandbox secrets', async () => {
    const m = await start();
    const res = await call(m, 'POST', '/api/v2/token/new/', { body: { secret_id: 'sandbox-secret-id', secret_key: 'sandbox-secret-key' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ access_expires: 86400, refresh_expires: 2592000 });
    expect(res.body.access.split('.')).toHaveLength(3);
    expectSpecResponse('Obtain new access/refresh token pair', 200, res.body);
  });

  it('rejects wrong secrets with the documented body', async () => {
    const m = await start();
    const res = await call(m, 'POST', '/api/v2/token/new/', { body: { secret_id: 'nope', secret_key: 'nope' } });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ summary: 'Authentication failed', detail: 'No active account found with the given credentials', status_code: 401 });
  });

  it('requires a valid bearer token elsewhere', async () => {
    const m = await start();
    const invalid = { summary: 'Invalid token', detail: 'Token is invalid or expired', status_code: 401 };
    expect((await call(m, 'GET', '/api/v2/institutions/')).body).toEqual(invalid);
    const res = await call(m, 'GET', '/api/v2/institutions/', { token: 'garbage' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(invalid);
  });

  it('expires access tokens on the mock clock and refreshes them', async () => {
    const c = clock();
    const m = await start({ now: c.now });
    const pair = (await call(m, 'POST', '/api/v2/token/new/', { body: { secret_id: 'sandbox-secret-id', secret_key: 'sandbox-secret-key' } })).body;
    expect((await call(m, 'GET', '/api/v2/institutions/', { token: pair.access })).status).toBe(200);
    c.advance(86_400_000);
    expect((await call(m, 'GET', '/api/v2/institutions/', { token: pair.access })).status).toBe(401);
    const refreshed = await call(m, 'POST', '/api/v2/token/refresh/', { body: { refresh: pair.refresh } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.access_expires).toBe(86400);
    expectSpecResponse('Get a new access token', 200, refreshed.body);
    expect((await call(m, 'GET', '/api/v2/institutions/', { token: refreshed.body.access })).status).toBe(200);
    c.advance(30 * DAY);
    expect((await call(m, 'POST', '/api/v2/token/refresh/', { body: { refresh: pair.refresh } })).status).toBe(401);
  });

  it('limits token/new to 100 per hour', async () => {
    const c = clock();
    const m = await start({ now: c.now });
    for (let i = 0; i < 100; i++) await token(m);
    const res = await call(m, 'POST', '/api/v2/token/new/', { body: { secret_id: 'sandbox-secret-id', secret_key: 'sandbox-secret-key' } });
    expect(res.status).toBe(429);
    expect(res.body).toEqual({ summary: 'Rate limit exceeded', detail: 'The rate limit for this resource is 100/hour. Please try again in 3600 seconds', status_code: 429 });
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    c.advance(3_600_000);
    await token(m);
  });
});

describe('institutions', () => {
  it('filters by country and always lists the sandbox', async () => {
    const m = await start();
    const access = await token(m);
    const be = await call(m, 'GET', '/api/v2/institutions/?country=BE', { token: access });
    expect(be.status).toBe(200);
    expectSpecResponse('retrieve all supported Institutions in a given country', 200, be.body);
    const ids = be.body.map((i: { id: string }) => i.id);
    expect(ids).toEqual(expect.arrayContaining([SANDBOX, 'BELFIUS_GKCCBEBB', 'KBC_KREDBEBB', 'ING_BBRUBEBB', 'BNP_BE_GEBABEBB']));
    for (const i of be.body) {
      expect(i.countries).toContain('BE');
      expect(i.transaction_total_days).toMatch(/^\d+$/);
      expect(i.max_access_valid_for_days).toMatch(/^\d+$/);
      expect(i).not.toHaveProperty('beta');
    }
    const sandbox = be.body.find((i: { id: string }) => i.id === SANDBOX);
    expect(sandbox).toMatchObject({ name: 'Sandbox Finance', transaction_total_days: '90', max_access_valid_for_days: '90' });
    const all = await call(m, 'GET', '/api/v2/institutions/', { token: access });
    expect(all.body.map((i: { id: string }) => i.id)).toContain(SANDBOX);
    for (const country of ['DE', 'NL', 'FI', 'GB']) {
      const list = (await call(m, 'GET', `/api/v2/institutions/?country=${country}`, { token: access })).body;
      expect(list.length).toBeGreaterThan(2);
      expect(list.map((i: { id: string }) => i.id)).toContain(SANDBOX);
    }
  });

  it('answers a bad country with the documented 400', async () => {
    const m = await start();
    const res = await call(m, 'GET', '/api/v2/institutions/?country=GBA', { token: await token(m) });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ summary: 'Invalid country choice.', detail: 'GBA is not a valid choice.', status_code: 400 });
  });

  it('applies boolean feature filters', async () => {
    const m = await start();
    const access = await token(m);
    const yes = (await call(m, 'GET', '/api/v2/institutions/?country=BE&pending_transactions_supported=true', { token: access })).body;
    const no = (await call(m, 'GET', '/api/v2/institutions/?country=BE&pending_transactions_supported=false', { token: access })).body;
    expect(yes.map((i: { id: string }) => i.id)).not.toContain('ING_BBRUBEBB');
    expect(no.map((i: { id: string }) => i.id)).toContain('ING_BBRUBEBB');
    for (const i of yes) expect(i.supported_features).toContain('pending_transactions');
  });

  it('backs every institution with accounts whose IBANs pass the checksum', () => {
    for (const institution of allInstitutions()) {
      const templates = accountTemplates(institution.id);
      expect(templates.length).toBeGreaterThan(0);
      for (const t of templates) expect(isValidIban(t.iban), t.iban).toBe(true);
    }
  });

  it('retrieves one institution or 404s', async () => {
    const m = await start();
    const access = await token(m);
    const one = await call(m, 'GET', '/api/v2/institutions/N26_NTSBDEB1/', { token: access });
    expect(one.status).toBe(200);
    expectSpecResponse('retrieve institution', 200, one.body);
    const missing = await call(m, 'GET', '/api/v2/institutions/NOPE_XXXX/', { token: access });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ detail: 'Not found.', summary: 'Not found.', status_code: 404 });
  });
});

describe('agreements', () => {
  it('creates with defaults, lists with limit/offset, enforces institution caps', async () => {
    const m = await start();
    const access = await token(m);
    const created = await call(m, 'POST', '/api/v2/agreements/enduser/', { token: access, body: { institution_id: SANDBOX } });
    expect(created.status).toBe(201);
    expectSpecResponse('create EUA', 201, created.body);
    expect(created.body).toMatchObject({ max_historical_days: 90, access_valid_for_days: 90, access_scope: ['balances', 'details', 'transactions'], accepted: null, institution_id: SANDBOX });

    for (let i = 0; i < 4; i++) {
      await call(m, 'POST', '/api/v2/agreements/enduser/', { token: access, body: { institution_id: 'KBC_KREDBEBB', max_historical_days: 730, access_valid_for_days: 180 } });
    }
    const page1 = await call(m, 'GET', '/api/v2/agreements/enduser/?limit=2', { token: access });
    expectSpecResponse('retrieve all agreements', 200, page1.body);
    expect(page1.body).toMatchObject({ count: 5, previous: null, next: `${m.url}/api/v2/agreements/enduser/?limit=2&offset=2` });
    expect(page1.body.results).toHaveLength(2);
    const page3 = await call(m, 'GET', '/api/v2/agreements/enduser/?limit=2&offset=4', { token: access });
    expect(page3.body).toMatchObject({ count: 5, next: null, previous: `${m.url}/api/v2/agreements/enduser/?limit=2&offset=2` });
    expect(page3.body.results).toHaveLength(1);

    const tooLong = await call(m, 'POST', '/api/v2/agreements/enduser/', { token: access, body: { institution_id: SANDBOX, max_historical_days: 180 } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toEqual({
      max_historical_days: [{ summary: 'Incorrect max_historical_days', detail: `max_historical_days must be > 0 and <= ${SANDBOX} transaction_total_days (90)` }],
      status_code: 400,
    });
    const tooValid = await call(m, 'POST', '/api/v2/agreements/enduser/', { token: access, body: { institution_id: 'BNP_BE_GEBABEBB', access_valid_for_days: 180 } });
    expect(tooValid.body).toEqual({ access_valid_for_days: [{ summary: 'Incorrect access_valid_for_days', detail: 'access_valid_for_days must be > 0 and <= 90' }], status_code: 400 });
    const unknown = await call(m, 'POST', '/api/v2/agreements/enduser/', { token: access, body: { institution_id: 'NOPE' } });
    expect(unknown.body.institution_id.summary).toBe('Unknown Institution ID NOPE');
  });

  it('gets and deletes only accepted agreements', async () => {
    const m = await start();
    const access = await token(m);
    const eua = (await call(m, 'POST', '/api/v2/agreements/enduser/', { token: access, body: { institution_id: SANDBOX } })).body;
    const got = await call(m, 'GET', `/api/v2/agreements/enduser/${eua.id}/`, { token: access });
    expectSpecResponse('retrieve EUA by id', 200, got.body);
    const del = await call(m, 'DELETE', `/api/v2/agreements/enduser/${eua.id}/`, { token: access });
    expect(del.status).toBe(400);
    expect(del.body.summary).toBe('End user agreement needs to be accepted.');
    const bad = await call(m, 'GET', '/api/v2/agreements/enduser/not-a-uuid/', { token: access });
    expect(bad.body).toEqual({ summary: 'Invalid ID', detail: 'not-a-uuid is not a valid UUID.', status_code: 400 });
  });
});

describe('requisitions and the consent page', () => {
  it('creates CR requisitions with a mock link and a default agreement', async () => {
    const m = await start();
    const access = await token(m);
    const res = await call(m, 'POST', '/api/v2/requisitions/', { token: access, body: { redirect: 'http://localhost:3000/results', institution_id: SANDBOX, reference: 'ref-1' } });
    expect(res.status).toBe(201);
    expectSpecResponse('Create requisition', 201, res.body);
    expect(res.body).toMatchObject({ status: 'CR', accounts: [], reference: 'ref-1', institution_id: SANDBOX });
    expect(res.body.link).toBe(`${m.url}/psd2/start/${res.body.id}/${SANDBOX}`);
    const eua = await call(m, 'GET', `/api/v2/agreements/enduser/${res.body.agreement}/`, { token: access });
    expect(eua.body).toMatchObject({ max_historical_days: 90, access_valid_for_days: 90, accepted: null });

    const dup = await call(m, 'POST', '/api/v2/requisitions/', { token: access, body: { redirect: 'http://localhost:3000/results', institution_id: SANDBOX, reference: 'ref-1' } });
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual({ reference: { summary: 'Client reference must be unique', detail: 'Client reference: ref-1 already exists' }, status_code: 400 });
  });

  it('approve links accounts, accepts the agreement and redirects with ?ref=', async () => {
    const c = clock();
    const m = await start({ now: c.now });
    const access = await token(m);
    const { created, location, requisition } = await linkedRequisition(m, access);
    expect(`${location.origin}${location.pathname}`).toBe('http://127.0.0.1:9999/callback');
    expect(location.searchParams.get('ref')).toBe(created.id);
    expectSpecResponse('requisition by id', 200, requisition);
    expect(requisition.status).toBe('LN');
    expect(requisition.accounts).toHaveLength(2);
    const eua = await call(m, 'GET', `/api/v2/agreements/enduser/${created.agreement}/`, { token: access });
    expect(eua.body.accepted).toBe(c.now().toISOString().replace('Z', '000Z'));

    // Re-consent: new account UUIDs, same IBANs.
    const again = await linkedRequisition(m, access);
    expect(again.requisition.accounts.filter((id: string) => requisition.accounts.includes(id))).toEqual([]);
    const ibans = async (ids: string[]) => Promise.all(ids.map(async (id) => (await call(m, 'GET', `/api/v2/accounts/${id}/`, { token: access })).body.iban));
    expect(await ibans(again.requisition.accounts)).toEqual(await ibans(requisition.accounts));
  });

  it('deny rejects the requisition and redirects with an error', async () => {
    const m = await start();
    const access = await token(m);
    const created = (await call(m, 'POST', '/api/v2/requisitions/', { token: access, body: { redirect: 'http://127.0.0.1:9999/cb?x=1', institution_id: SANDBOX, reference: 'my-ref' } })).body;
    const location = await consent(created.link, 'deny');
    expect(location.searchParams.get('x')).toBe('1');
    expect(location.searchParams.get('ref')).toBe('my-ref');
    expect(location.searchParams.get('error')).toBe('UserCancelledSession');
    const after = await call(m, 'GET', `/api/v2/requisitions/${created.id}/`, { token: access });
    expect(after.body).toMatchObject({ status: 'RJ', accounts: [] });
    expect((await fetch(created.link)).status).toBe(400);
  });

  it('lists requisitions with pagination and deletes them', async () => {
    const m = await start();
    const access = await token(m);
    for (let i = 0; i < 3; i++) await call(m, 'POST', '/api/v2/requisitions/', { token: access, body: { redirect: 'http://localhost/cb', institution_id: SANDBOX } });
    const list = await call(m, 'GET', '/api/v2/requisitions/?limit=2&offset=0', { token: access });
    expectSpecResponse('retrieve all requisitions', 200, list.body);
    expect(list.body.count).toBe(3);
    expect(list.body.next).toBe(`${m.url}/api/v2/requisitions/?limit=2&offset=2`);
    const id = list.body.results[0].id;
    const del = await call(m, 'DELETE', `/api/v2/requisitions/${id}/`, { token: access });
    expect(del.body).toEqual({ summary: 'Requisition deleted', detail: `Requisition ${id} deleted with all its End User Agreements` });
    expect((await call(m, 'GET', `/api/v2/requisitions/${id}/`, { token: access })).status).toBe(404);
  });
});

describe('account data', () => {
  it('serves metadata, details and balances in the spec shapes', async () => {
    const c = clock();
    const m = await start({ now: c.now });
    const access = await token(m);
    const [current, savings] = (await linkedRequisition(m, access)).requisition.accounts;
    const meta = await call(m, 'GET', `/api/v2/accounts/${current}/`, { token: access });
    expectSpecResponse('retrieve account metadata', 200, meta.body);
    expect(meta.body).toMatchObject({ id: current, status: 'READY', institution_id: SANDBOX, iban: 'GL3343697694912188' });
    expect(meta.body.owner_name).toBeTruthy();

    const details = await call(m, 'GET', `/api/v2/accounts/${savings}/details/`, { token: access });
    expectSpecResponse('retrieve account details', 200, details.body);
    expect(details.body.account).toMatchObject({ currency: 'EUR', cashAccountType: 'SVGS', iban: 'GL0865354374424724' });
    for (const key of ['resourceId', 'ownerName', 'name', 'product']) expect(details.body.account[key]).toBeTruthy();

    const balances = await call(m, 'GET', `/api/v2/accounts/${current}/balances/`, { token: access });
    expectSpecResponse('retrieve account balances', 200, balances.body);
    expect(balances.body.balances.map((b: { balanceType: string }) => b.balanceType)).toEqual(['interimAvailable', 'closingBooked']);
    for (const b of balances.body.balances) {
      expect(b.balanceAmount.amount).toMatch(AMOUNT);
      expect(b.referenceDate).toMatch(DATE);
    }
  });

  it('returns ~120 booked and a few pending transactions with realistic gaps', async () => {
    const c = clock();
    const m = await start({ now: c.now });
    const access = await token(m);
    const [current] = (await linkedRequisition(m, access)).requisition.accounts;
    const res = await call(m, 'GET', `/api/v2/accounts/${current}/transactions/`, { token: access });
    expect(res.status).toBe(200);
    expectSpecResponse('retrieve account transactions', 200, res.body);
    const { booked, pending } = res.body.transactions;
    expect(booked.length).toBeGreaterThan(100);
    expect(booked.length).toBeLessThan(140);
    expect(pending.length).toBeGreaterThanOrEqual(1);
    expect(res.body.last_updated).toBeTruthy();

    const floor = new Date(c.now().getTime() - 89 * DAY).toISOString().slice(0, 10);
    for (const tx of booked) {
      expect(tx.transactionAmount.amount).toMatch(AMOUNT);
      expect(tx.internalTransactionId).toBeTruthy();
      expect(tx.valueDate).toMatch(DATE);
      expect((tx.bookingDate ?? tx.valueDate) >= floor).toBe(true);
      const outflow = tx.transactionAmount.amount.startsWith('-');
      if (tx.creditorName || tx.debtorName) expect(outflow ? tx.creditorName : tx.debtorName).toBeTruthy();
    }
    expect(booked.filter((tx: object) => !('transactionId' in tx)).length).toBeGreaterThan(0);
    expect(booked.filter((tx: object) => 'transactionId' in tx).length).toBeGreaterThan(booked.length / 2);
    expect(booked.some((tx: object) => !('bookingDate' in tx))).toBe(true);
    expect(booked.some((tx: { creditorAccount?: unknown }) => tx.creditorAccount)).toBe(true);
    expect(booked.some((tx: { debtorAccount?: unknown }) => tx.debtorAccount)).toBe(true);
    for (const tx of pending) {
      expect(tx).not.toHaveProperty('transactionId');
      expect(tx).not.toHaveProperty('bookingDate');
      expect(tx.valueDate).toMatch(DATE);
    }

    // Same day, same data.
    const again = await call(m, 'GET', `/api/v2/accounts/${current}/transactions/`, { token: access });
    expect(again.body.transactions).toEqual(res.body.transactions);
  });

  it('honours date_from/date_to and rejects an inverted range', async () => {
    const c = clock();
    const m = await start({ now: c.now });
    const access = await token(m);
    const [current] = (await linkedRequisition(m, access)).requisition.accounts;
    const res = await call(m, 'GET', `/api/v2/accounts/${current}/transactions/?date_from=2025-06-01&date_to=2025-06-10`, { token: access });
    const dates = res.body.transactions.booked.map((tx: { bookingDate?: string; valueDate: string }) => tx.bookingDate ?? tx.valueDate);
    expect(dates.length).toBeGreaterThan(0);
    for (const d of dates) expect(d >= '2025-06-01' && d <= '2025-06-10').toBe(true);
    const bad = await call(m, 'GET', `/api/v2/accounts/${current}/transactions/?date_from=2025-06-10&date_to=2025-06-01`, { token: access });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      summary: 'Incorrect date range',
      detail: "Starting date '2025-06-10' is greater than end date '2025-06-01'. When specifying date range, starting date must precede the end date",
      status_code: 400,
    });
  });

  it('cuts history at the agreement max_historical_days', async () => {
    const c = clock();
    const m = await start({ now: c.now });
    const access = await token(m);
    const eua = (await call(m, 'POST', '/api/v2/agreements/enduser/', { token: access, body: { institution_id: SANDBOX, max_historical_days: 30 } })).body;
    const [current] = (await linkedRequisition(m, access, { agreement: eua.id })).requisition.accounts;
    const res = await call(m, 'GET', `/api/v2/accounts/${current}/transactions/?date_from=2024-01-01`, { token: access });
    const oldest = new Date(c.now().getTime() - 29 * DAY).toISOString().slice(0, 10);
    for (const tx of res.body.transactions.booked) expect((tx.bookingDate ?? tx.valueDate) >= oldest).toBe(true);
    expect(res.body.transactions.booked.length).toBeLessThan(60);
  });

  it('moves pending lines into booked as the clock advances, keeping balances consistent', async () => {
    const c = clock();
    const m = await start({ now: c.now, accountDailyLimit: 100 });
    const access = await token(m);
    const [current] = (await linkedRequisition(m, access)).requisition.accounts;
    const before = (await call(m, 'GET', `/api/v2/accounts/${current}/balances/`, { token: access })).body.balances;
    c.advance(5 * DAY);
    const fresh = await token(m);
    const tx = (await call(m, 'GET', `/api/v2/accounts/${current}/transactions/`, { token: fresh })).body.transactions;
    const after = (await call(m, 'GET', `/api/v2/accounts/${current}/balances/`, { token: fresh })).body.balances;
    const closingBefore = Number(before[1].balanceAmount.amount);
    const closingAfter = Number(after[1].balanceAmount.amount);
    const bookedBetween = tx.booked
      .filter((t: { bookingDate?: string; valueDate: string }) => {
        const d = t.bookingDate ?? t.valueDate;
        return d > before[1].referenceDate && d <= after[1].referenceDate;
      })
      .reduce((s: number, t: { transactionAmount: { amount: string } }) => s + Number(t.transactionAmount.amount), 0);
    expect(closingAfter - closingBefore).toBeCloseTo(bookedBetween, 2);
  });
});

describe('limits, expiry and faults', () => {
  it('allows accountDailyLimit successful calls per account and scope per UTC day', async () => {
    const c = clock();
    const m = await start({ now: c.now });
    const access = await token(m);
    const [current] = (await linkedRequisition(m, access)).requisition.accounts;
    for (let i = 0; i < 4; i++) {
      const ok = await call(m, 'GET', `/api/v2/accounts/${current}/transactions/`, { token: access });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('x-ratelimit-account-success-limit')).toBe('4');
      expect(ok.headers.get('x-ratelimit-account-success-remaining')).toBe(String(3 - i));
      expect(ok.headers.get('x-ratelimit-account-success-reset')).toBe(String(12 * 3600));
      expect(ok.headers.get('x-ratelimit-limit')).toBe('100');
    }
    const limited = await call(m, 'GET', `/api/v2/accounts/${current}/transactions/`, { token: access });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      summary: "Couldn't update account transactions",
      detail: 'Daily request limit set by the Institution has been exceeded.',
      type: 'RateLimitError',
      status_code: 429,
    });
    expect(limited.headers.get('x-ratelimit-account-success-remaining')).toBe('0');
    // Scopes are counted separately.
    expect((await call(m, 'GET', `/api/v2/accounts/${current}/balances/`, { token: access })).status).toBe(200);
    c.advance(12 * 3600 * 1000);
    expect((await call(m, 'GET', `/api/v2/accounts/${current}/transactions/`, { token: access })).status).toBe(200);
  });

  it('limits /accounts/* to 100 per minute', async () => {
    const c = clock();
    const m = await start({ now: c.now });
    const access = await token(m);
    const [current] = (await linkedRequisition(m, access)).requisition.accounts;
    for (let i = 0; i < 100; i++) await call(m, 'GET', `/api/v2/accounts/${current}/`, { token: access });
    const res = await call(m, 'GET', `/api/v2/accounts/${current}/`, { token: access });
    expect(res.status).toBe(429);
    expect(res.body).toEqual({ summary: 'Rate limit exceeded', detail: 'The rate limit for this resource is 100/minute. Please try again in 60 seconds', status_code: 429 });
    c.advance(60_000);
    expect((await call(m, 'GET', `/api/v2/accounts/${current}/`, { token: access })).status).toBe(200);
  });

  it('expires access after access_valid_for_days with EUAExpiredError and requisition EX', async () => {
    const c = clock();
    const m = await start({ now: c.now });
    const access = await token(m);
    const { created, requisition } = await linkedRequisition(m, access);
    const acceptedDay = c.now().toISOString().slice(0, 10);
    c.advance(90 * DAY);
    const fresh = await token(m);
    const res = await call(m, 'GET', `/api/v2/accounts/${requisition.accounts[0]}/transactions/`, { token: fresh });
    expect(res.status).toBe(401);
    const expiredAt = new Date(Date.parse(acceptedDay) + 90 * DAY).toISOString().slice(0, 10);
    expect(res.body).toEqual({
      summary: `End User Agreement (EUA) ${created.agreement} has expired`,
      detail: `EUA was valid for 90 days and it expired at ${expiredAt}. The end user must connect the account once more with new EUA and Requisition`,
      status_code: 401,
    });
    expect((await call(m, 'GET', `/api/v2/requisitions/${created.id}/`, { token: fresh })).body.status).toBe('EX');
  });

  it('control.expireAgreements() ends access immediately', async () => {
    const m = await start();
    const access = await token(m);
    const { created, requisition } = await linkedRequisition(m, access);
    m.control.expireAgreements();
    expect((await call(m, 'GET', `/api/v2/accounts/${requisition.accounts[0]}/balances/`, { token: access })).status).toBe(401);
    expect(m.control.requisitions().find((r) => r.id === created.id)?.status).toBe('EX');
  });

  it('answers 409 with the account object while the account is not READY', async () => {
    const m = await start();
    const access = await token(m);
    const [current] = (await linkedRequisition(m, access)).requisition.accounts;
    m.control.setAccountStatus(current, 'PROCESSING');
    const res = await call(m, 'GET', `/api/v2/accounts/${current}/details/`, { token: access });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ id: current, status: 'PROCESSING', iban: 'GL3343697694912188', aspsp_identifier: SANDBOX });
    m.control.setAccountStatus(current, 'READY');
    expect((await call(m, 'GET', `/api/v2/accounts/${current}/details/`, { token: access })).status).toBe(200);
  });

  it('answers bad and unknown account ids as documented', async () => {
    const m = await start();
    const access = await token(m);
    const bad = await call(m, 'GET', '/api/v2/accounts/123/details/', { token: access });
    expect(bad.body).toEqual({ summary: 'Invalid Account ID', detail: '123 is not a valid Account UUID. ', status_code: 400 });
    const id = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
    const missing = await call(m, 'GET', `/api/v2/accounts/${id}/`, { token: access });
    expect(missing.status).toBe(404);
    expect(missing.body.summary).toBe(`Account ID ${id} not found`);
  });

  it('injects one-shot faults with failNext', async () => {
    const m = await start();
    const access = await token(m);
    const [current] = (await linkedRequisition(m, access)).requisition.accounts;
    const body = { summary: "Couldn't update account transactions", detail: 'Institution service unavailable', type: 'ServiceError', status_code: 503 };
    m.control.failNext(/\/transactions\/$/, 503, body);
    const failed = await call(m, 'GET', `/api/v2/accounts/${current}/transactions/`, { token: access });
    expect(failed.status).toBe(503);
    expect(failed.body).toEqual(body);
    expect((await call(m, 'GET', `/api/v2/accounts/${current}/transactions/`, { token: access })).status).toBe(200);
  });
});

describe('OpenAPI conformance of requests', () => {
  it('has a live response validator (so the spec-shape checks above mean something)', () => {
    const result = spec.validateResponse({ transactions: { booked: [{ valueDate: '2025-01-01' }] } }, 'retrieve account transactions', 200);
    expect(result.errors?.length).toBeGreaterThan(0);
  });

  it('records a missing bearer token as a violation', async () => {
    const m = await start();
    await call(m, 'GET', '/api/v2/institutions/');
    expect(m.openApiViolations).toEqual(['GET /api/v2/institutions/: missing Authorization header (security scheme jwtAuth, bearer)']);
  });

  it('records nothing for a well-behaved client', async () => {
    const m = await start();
    const access = await token(m);
    const [current] = (await linkedRequisition(m, access, { reference: 'ok', user_language: 'EN' })).requisition.accounts;
    await call(m, 'GET', `/api/v2/accounts/${current}/transactions/?date_from=2025-01-01`, { token: access });
    expect(m.openApiViolations).toEqual([]);
  });

  it('answers 400 in the field-error shape and records violations', async () => {
    const m = await start();
    const access = await token(m);
    const missing = await call(m, 'POST', '/api/v2/requisitions/', { token: access, body: { reference: 'x' } });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ institution_id: ['This field is required.'], redirect: ['This field is required.'], status_code: 400 });
    const badRedirect = await call(m, 'POST', '/api/v2/requisitions/', { token: access, body: { redirect: 'not a uri', institution_id: SANDBOX } });
    expect(badRedirect.body).toEqual({ redirect: [{ summary: 'Invalid redirect URI', detail: 'Redirect URI must have a valid URI structure' }], status_code: 400 });
    const badDate = await call(m, 'GET', '/api/v2/accounts/3fa85f64-5717-4562-b3fc-2c963f66afa6/transactions/?date_from=2025-13-01', { token: access });
    expect(badDate.status).toBe(400);
    expect(badDate.body.date_from).toBeDefined();
    const unknownParam = await call(m, 'GET', '/api/v2/requisitions/?page=2', { token: access });
    expect(unknownParam.body).toEqual({ summary: 'Unknown fields', detail: "Unknown fields {'page'} in query", status_code: 400 });
    const noSlash = await call(m, 'GET', '/api/v2/institutions', { token: access });
    expect(noSlash.status).toBe(404);
    expect(m.openApiViolations).toHaveLength(5);
    expect(m.openApiViolations[0]).toMatch(/^POST \/api\/v2\/requisitions\/: .*institution_id/);
    expect(m.openApiViolations[4]).toContain('ends with "/"');
  });
});

describe('benchmark support', () => {
  it('adds latency and tracks the highest concurrency', async () => {
    // Long enough that all five are in flight together even on a loaded machine (with 50 ms one
    // could finish before the fifth arrived: "expected 4 to be 5"). Not a speed check.
    const m = await start({ latencyMs: 1000 });
    const access = await token(m);
    const started = Date.now();
    await Promise.all(Array.from({ length: 5 }, () => call(m, 'GET', '/api/v2/institutions/', { token: access })));
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(m.maxConcurrent).toBe(5);
    expect(m.requests.filter((r) => r.path === '/api/v2/institutions/')).toHaveLength(5);
    expect(m.requests[0]).toMatchObject({ method: 'POST', path: '/api/v2/token/new/', query: {} });
  });

  it('answers 429 above maxConcurrency', async () => {
    const m = await start({ latencyMs: 1000, maxConcurrency: 2 }); // all four in flight together, as above
    const access = await token(m);
    const results = await Promise.all(Array.from({ length: 4 }, () => call(m, 'GET', '/api/v2/institutions/', { token: access })));
    const limited = results.filter((r) => r.status === 429);
    expect(limited.length).toBe(2);
    expect(limited[0]?.body.summary).toBe('Rate limit exceeded');
  });
});
