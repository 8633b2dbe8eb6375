import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createYodleeProvider } from '../../../src/providers/yodlee/index.js';
import type { ConsentStart, Provider, SessionHandle, TransactionPage } from '../../../src/providers/types.js';
import { failure } from '../../helpers/failure.js';
import { startYodleeMock, type YodleeMockHandle } from '../../mocks/yodlee/server.js';

let clock = new Date('2026-10-01T12:00:00Z');
let mock: YodleeMockHandle;
let provider: Provider;
let stateStore: Map<string, unknown>;

function make(credentials: Record<string, string> = mock.credentials): Provider {
  return createYodleeProvider({
    now: () => clock,
    env: mock.fastLinkEnv,
    baseUrl: mock.url,
    credentials,
    state: { get: async (k) => stateStore.get(k), set: async (k, v) => void stateStore.set(k, v) },
  });
}
const handle = (data: Record<string, unknown>): SessionHandle => ({ data, save: async () => undefined });

/** The page's config block, as the browser would read it. */
function pageConfig(start: ConsentStart): { fastLinkURL: string; accessToken: string; params: Record<string, unknown>; state: string; callback: string } {
  const m = /<script type="application\/json" id="banksync-fastlink">([\s\S]*?)<\/script>/.exec(start.page ?? '');
  expect(m, 'the page carries its FastLink settings').not.toBeNull();
  return JSON.parse(m![1]!) as ReturnType<typeof pageConfig>;
}

/** Plays FastLink the way the mock's initialize.js does, then answers as the page would post to /callback. */
async function playFastLink(start: ConsentStart): Promise<Record<string, string>> {
  const cfg = pageConfig(start);
  const res = await fetch(`${mock.url}/fastlink/link`, {
    method: 'POST',
    headers: { 'api-version': '1.1', authorization: cfg.accessToken, 'content-type': 'application/json' },
    body: JSON.stringify({ params: cfg.params }),
  });
  const body = (await res.json()) as { providerAccountId: number; status: string };
  return { state: cfg.state, providerAccountId: String(body.providerAccountId), status: body.status };
}

async function connect(): Promise<SessionHandle> {
  const start = await provider.beginConsent({ state: 'st-1', redirectUrl: 'http://127.0.0.1:1/callback' });
  const grant = await provider.completeConsent(start, await playFastLink(start));
  return handle(grant.session);
}

async function lines(h: SessionHandle) {
  const booked = new Map<string, { amountMinor: number; date: string }>();
  const pending = new Map<string, { amountMinor: number; date: string }>();
  let pages = 0;
  for (const a of await provider.listAccounts(h)) {
    for await (const page of provider.fetchTransactions(h, {
      account: { externalId: a.externalId, institutionId: a.institutionId, meta: a.meta },
      from: '2024-01-01',
      to: '2026-12-31',
    }) as AsyncIterable<TransactionPage>) {
      pages++;
      expect(page.rejected ?? []).toEqual([]);
      for (const t of page.booked) booked.set(`${a.externalId}/${t.externalId}`, { amountMinor: t.amountMinor, date: t.bookingDate });
      for (const p of page.pending ?? []) pending.set(`${a.externalId}/${p.externalId}`, { amountMinor: p.amountMinor, date: p.date });
    }
  }
  return { booked, pending, pages };
}

function truth() {
  const booked = new Map<string, { amountMinor: number; date: string }>();
  const pending = new Map<string, { amountMinor: number; date: string }>();
  for (const a of mock.control.accounts().filter((x) => x.CONTAINER !== 'investment')) {
    for (const t of mock.control.truth(a.id)) {
      const cents = Math.round(t.amount * 100);
      (t.status === 'PENDING' ? pending : booked).set(`${a.id}/${t.id}`, { amountMinor: t.baseType === 'DEBIT' ? 0 - cents : cents, date: t.date });
    }
  }
  return { booked, pending };
}

beforeEach(async () => {
  clock = new Date('2026-10-01T12:00:00Z');
  mock = await startYodleeMock({ now: () => clock, historyDays: 700 });
  stateStore = new Map();
  provider = make();
});
afterEach(async () => {
  await mock.close();
});

describe('Yodlee adapter against the mock', () => {
  it('checks the three set-up credentials at entry and against /auth/token', async () => {
    expect((await failure(make({ client_id: 'a', secret: 'b', admin_login_name: '' }).verifyCredentials!())).code).toBe('NOT_CONFIGURED');
    const bad = await failure(make({ ...mock.credentials, secret: 'wrong' }).verifyCredentials!());
    expect(bad.code).toBe('CREDENTIALS_INVALID');
    expect(bad.message).toMatch(/Y301/);
    await make().verifyCredentials!();
  });

  it('registers one Yodlee user per installation, once, and keeps it in the provider state', async () => {
    await connect();
    await connect();
    expect(mock.control.users()).toHaveLength(1);
    expect(stateStore.get('login_name')).toBe(mock.control.users()[0]);
    expect(mock.requests.filter((r) => r.path === '/user/register')).toHaveLength(1);
  });

  it('serves FastLink on our page with the user token inside and the state to post back', async () => {
    const start = await provider.beginConsent({ state: 'st-9', redirectUrl: 'http://127.0.0.1:4242/callback' });
    expect(start.url).toBeUndefined();
    const cfg = pageConfig(start);
    expect(cfg).toMatchObject({ fastLinkURL: mock.fastLinkEnv.BANKSYNC_YODLEE_FASTLINK_URL, state: 'st-9', callback: 'http://127.0.0.1:4242/callback', params: { configName: 'Aggregation' } });
    expect(cfg.accessToken).toMatch(/^Bearer \S+/);
    expect(start.page).toContain(`src="${mock.fastLinkEnv.BANKSYNC_YODLEE_FASTLINK_SCRIPT}"`);
    // The token is in the page only, never in the state carried to completeConsent.
    expect(JSON.stringify(start.state)).not.toContain(cfg.accessToken.slice(7));
  });

  it('completes by polling provider accounts without the browser callback', async () => {
    const start = await provider.beginConsent({ state: 's', redirectUrl: 'http://127.0.0.1:1/callback' });
    expect(await provider.pollConsent!(start)).toBeUndefined();
    const id = mock.control.link(String(stateStore.get('login_name')));
    const grant = await provider.pollConsent!(start);
    expect(grant?.session).toMatchObject({ providerAccountId: String(id) });
  });

  it('refuses a callback naming a provider account this user does not have', async () => {
    const start = await provider.beginConsent({ state: 's', redirectUrl: 'http://127.0.0.1:1/callback' });
    expect((await failure(provider.completeConsent(start, { state: 's', providerAccountId: '999' }))).code).toBe('BAD_INPUT');
    expect((await failure(provider.completeConsent(start, { state: 's', error: 'fastlink_closed' }))).message).toMatch(/FastLink ended/);
  });

  it('lists bank and card accounts with their container, skips investment, money owed negative', async () => {
    const h = await connect();
    const accounts = await provider.listAccounts(h);
    expect(accounts.map((a) => [a.kind, a.meta?.container])).toEqual([
      ['checking', 'bank'],
      ['credit_card', 'creditCard'],
    ]);
    expect(accounts[0]).toMatchObject({ institutionName: 'Dag Site', institutionId: '16441', currency: 'USD', balance: { amountMinor: 4478 } });
    expect(accounts[1]!.balance?.amountMinor).toBe(-163644);
  });

  it('pages /transactions with skip/top 500 and container, and equals the mock truth with money out negative', async () => {
    const h = await connect();
    const got = await lines(h);
    const want = truth();
    expect(got.booked).toEqual(want.booked);
    expect(got.pending).toEqual(want.pending);
    expect([...got.booked.values()].some((l) => l.amountMinor < 0) && [...got.booked.values()].some((l) => l.amountMinor > 0)).toBe(true);
    const calls = mock.requests.filter((r) => r.path === '/transactions');
    expect(calls.some((r) => r.query.skip === '500')).toBe(true);
    expect(calls.every((r) => r.query.top === '500' && (r.query.container === 'bank' || r.query.container === 'creditCard'))).toBe(true);
  });

  it('reuses one user token until near expiry, from one refresher, and replaces a refused one once', async () => {
    const h = await connect();
    const issued = mock.control.tokensIssued();
    await Promise.all([provider.listAccounts(h), provider.listAccounts(h), provider.listAccounts(h)]);
    expect(mock.control.tokensIssued()).toBe(issued);
    mock.control.expireTokens();
    await provider.listAccounts(h);
    expect(mock.control.tokensIssued()).toBe(issued + 1);
    clock = new Date(clock.getTime() + 29 * 60_000);
    await Promise.all([provider.listAccounts(h), provider.listAccounts(h)]);
    expect(mock.control.tokensIssued()).toBe(issued + 2);
  });

  it('refreshes: PUT, IN_PROGRESS (pending), then SUCCESS (done); within 15 minutes: deferred with cached data', async () => {
    const h = await connect();
    clock = new Date(clock.getTime() + 86_400_000);
    const opts = { requestInput: async () => '', accounts: [] };
    expect(await provider.refreshConnection!(h, opts)).toEqual({ status: 'pending', pollAfterMs: 2000 });
    expect(mock.requests.filter((r) => r.method === 'PUT' && r.path === '/providerAccounts')).toHaveLength(1);
    expect(await provider.refreshConnection!(h, opts)).toEqual({ status: 'pending', pollAfterMs: 2000 });
    expect(await provider.refreshConnection!(h, opts)).toEqual({ status: 'done' });
    const again = await provider.refreshConnection!(h, opts);
    expect(again).toMatchObject({ status: 'deferred', fetchCached: true, nextPossibleAt: new Date(clock.getTime() + 15 * 60_000).toISOString() });
    expect(mock.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
  });

  it('a refresh not allowed now is deferred with what Yodlee holds', async () => {
    const h = await connect();
    mock.control.setEligibility(Number(h.data.providerAccountId), 'DISALLOW_UPDATE');
    clock = new Date(clock.getTime() + 86_400_000);
    expect(await provider.refreshConnection!(h, { requestInput: async () => '', accounts: [] })).toMatchObject({ status: 'deferred', fetchCached: true });
  });

  it('a bank that asks the person something needs a human: SCA_REQUIRED naming update-credentials (no API MFA)', async () => {
    const h = await connect();
    mock.control.needsHuman(Number(h.data.providerAccountId), 'ADDL_AUTHENTICATION_REQUIRED');
    let asked = false;
    const e = await failure(provider.refreshConnection!(h, { requestInput: async () => ((asked = true), '123'), accounts: [] }));
    expect(e.code).toBe('SCA_REQUIRED');
    expect(e.hint).toMatch(/update-credentials/);
    expect(asked).toBe(false);
    mock.control.needsHuman(Number(h.data.providerAccountId), 'INCORRECT_CREDENTIALS', 'FAILED');
    expect((await failure(provider.refreshConnection!(h, { requestInput: async () => '', accounts: [] }))).code).toBe('CREDENTIALS_INVALID');
  });

  it('update-credentials opens FastLink in edit mode for the same provider account and keeps it', async () => {
    const h = await connect();
    mock.control.needsHuman(Number(h.data.providerAccountId), 'INCORRECT_CREDENTIALS', 'FAILED');
    clock = new Date(clock.getTime() + 60_000);
    const start = await provider.beginConsent({ state: 'r', redirectUrl: 'http://127.0.0.1:1/callback', existing: h });
    expect(pageConfig(start).params).toEqual({ configName: 'Aggregation', flow: 'edit', providerAccountId: Number(h.data.providerAccountId) });
    expect(await provider.pollConsent!(start)).toBeUndefined();
    const answer = await playFastLink(start);
    const grant = await provider.completeConsent(start, answer);
    expect(grant.session).toEqual(h.data);
    expect(grant.supersedesExisting).toBeUndefined();
  });

  it('revoke deletes the provider account at Yodlee; a second revoke (Y807) is fine', async () => {
    const h = await connect();
    await provider.revoke!(h);
    expect(mock.control.providerAccounts().find((p) => String(p.id) === h.data.providerAccountId)?.deleted).toBe(true);
    await provider.revoke!(h);
    expect((await failure(provider.listAccounts(h).then(() => provider.refreshConnection!(h, { requestInput: async () => '', accounts: [] })))).code).toBe('CONSENT_EXPIRED');
  });
});
