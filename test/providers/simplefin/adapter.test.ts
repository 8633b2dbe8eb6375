import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSimpleFinProvider, windowsFor } from '../../../src/providers/simplefin/index.js';
import type { ConnectionPage, Provider, SessionHandle, TransactionPage } from '../../../src/providers/types.js';
import { redact } from '../../../src/secrets/index.js';
import { failure } from '../../helpers/failure.js';
import { startSimpleFinMock, type SimpleFinMock } from '../../mocks/simplefin/server.js';

const CHECKING = 'CON-4f1c9a0e/1001';
const SAVINGS = 'CON-4f1c9a0e/1002';
const CARD = 'CON-8b27d3f5/1001';
const DAY = 86_400;

let clock = new Date('2026-11-20T15:30:00Z');
let mock: SimpleFinMock;
let provider: Provider;
const nowSec = () => Math.floor(clock.getTime() / 1000);
const b64 = (s: string) => Buffer.from(s).toString('base64');

function handle(data: Record<string, unknown>): SessionHandle & { saves: number } {
  const h = { data: { ...data }, saves: 0, save: async () => void h.saves++ };
  return h;
}

async function connect(): Promise<SessionHandle & { saves: number }> {
  const start = await provider.beginConsent({ state: 's', token: mock.control.newSetupToken() });
  const grant = await provider.completeConsent(start, {});
  return handle(grant.session);
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const accountsCalls = () => mock.requests.filter((r) => r.path === '/simplefin/accounts');

beforeAll(async () => {
  mock = await startSimpleFinMock({ now: () => clock });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => {
  clock = new Date(clock.getTime() + 2 * DAY * 1000);
  provider = createSimpleFinProvider({ now: () => clock, env: {}, credentials: {} });
  mock.requests.length = 0;
});

describe('SimpleFIN adapter: consent by setup token', () => {
  it('claims a setup token once and keeps only the Access URL in the session', async () => {
    const token = mock.control.newSetupToken();
    const start = await provider.beginConsent({ state: 's', token: `  ${token}\n` });
    expect(start.url).toBeUndefined();
    const grant = await provider.completeConsent(start, {});
    expect(Object.keys(grant.session)).toEqual(['accessUrl']);
    expect(grant.session.accessUrl).toMatch(/^http:\/\/u[0-9a-f]+:[0-9a-f]+@127\.0\.0\.1:\d+\/simplefin$/);
    const claims = mock.requests.filter((r) => r.path.includes('/claim/'));
    expect(claims.map((r) => [r.method, r.headers['content-length']])).toEqual([['POST', '0']]);
    // The Access URL and its password never reach printed text.
    const pass = new URL(String(grant.session.accessUrl)).password;
    expect(redact(`oops ${String(grant.session.accessUrl)} ${pass}`)).not.toContain(pass);

    const again = await failure(provider.completeConsent(await provider.beginConsent({ state: 's', token }), {}));
    expect(again.code).toBe('CREDENTIALS_INVALID');
    expect(again.message).toMatch(/already claimed/);
    expect(again.message).toMatch(/disable it at the SimpleFIN Bridge/);
    expect(again.message + (again.hint ?? '')).not.toContain(token);
  });

  it('refuses garbage with one clear line that never repeats the token', async () => {
    const cases: [string, RegExp][] = [
      ['', /needs a setup token/],
      ['not a token!', /not base64/],
      [b64('hello world'), /does not decode to a claim address/],
      [`${mock.root}/claim/abc`, /web address, not a setup token/],
      [b64('https://u:p@bridge.example/simplefin'), /credentials in it/],
      [b64('https://bridge.example/simplefin/accounts'), /claim address/],
      [b64('http://bridge.example/simplefin/claim/abcdef'), /must use https:\/\//],
    ];
    for (const [token, why] of cases) {
      const e = await failure(provider.beginConsent({ state: 's', token }));
      expect(e.code, token).toBe('BAD_INPUT');
      expect(e.message).toMatch(why);
      if (token) expect(e.message + (e.hint ?? '')).not.toContain(token);
    }
    expect(mock.requests).toHaveLength(0);
  });

  it('refuses a plain-http Access URL off loopback before sending anything', async () => {
    const e = await failure(provider.listAccounts(handle({ accessUrl: 'http://user:secretpassword@bridge.example/simplefin' })));
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toMatch(/https/);
    expect(e.message).not.toContain('secretpassword');
  });
});

describe('SimpleFIN adapter: accounts and transactions', () => {
  it('lists accounts keyed by connection + id, with their bank and balance, in one request', async () => {
    const h = await connect();
    const accounts = await provider.listAccounts(h);
    expect(accounts.map((a) => [a.externalId, a.institutionId, a.institutionName, a.name, a.kind, a.currency])).toEqual([
      [CHECKING, 'ORG-maplecu', 'Maple Credit Union', 'Everyday Checking', 'checking', 'USD'],
      [SAVINGS, 'ORG-maplecu', 'Maple Credit Union', 'High Yield Savings', 'savings', 'USD'],
      [CARD, 'ORG-npbank', 'Northern Plains Bank', 'Rewards Visa Card', 'credit_card', 'USD'],
    ]);
    expect(accounts.every((a) => a.balance && a.balance.date === clock.toISOString().slice(0, 10))).toBe(true);
    expect(accountsCalls()).toHaveLength(1);
    expect(Object.fromEntries(accountsCalls()[0]!.query)).toEqual({ 'balances-only': '1', version: '2' });
    expect(h.data.requestLog).toHaveLength(1);
  });

  it('reads every account in one version=2 call: posted lines dated by the UTC date of posted, deposits positive, pending apart', async () => {
    const h = await connect();
    const from = new Date(clock.getTime() - 89 * DAY * 1000).toISOString().slice(0, 10);
    const to = clock.toISOString().slice(0, 10);
    const pages = (await all(provider.fetchConnection!(h, { accounts: [CHECKING, SAVINGS, CARD].map((externalId) => ({ externalId, institutionId: '' })), from, to }))) as ConnectionPage[];
    expect(accountsCalls()).toHaveLength(1);
    const q = accountsCalls()[0]!.query;
    expect(q.get('version')).toBe('2');
    expect(q.get('pending')).toBe('1');
    expect(Number(q.get('start-date'))).toBe(Date.parse(`${from}T00:00:00Z`) / 1000);
    // end-date follows our clock (BANKSYNC_NOW in the CLI).
    expect(Number(q.get('end-date'))).toBe(nowSec());
    expect(q.getAll('account').sort()).toEqual(['1001', '1002']);
    expect(pages.map((p) => p.accountExternalId)).toEqual([CHECKING, SAVINGS, CARD]);
    for (const p of pages) {
      const truth = mock.control.truth(p.accountExternalId, Date.parse(`${from}T00:00:00Z`) / 1000, nowSec());
      expect(p.booked.map((t) => [t.externalId, t.bookingDate, t.amountMinor])).toEqual(truth.map((t) => [t.id, new Date(t.posted * 1000).toISOString().slice(0, 10), t.amountMinor]));
      expect(p.pendingMode).toBe('snapshot');
      expect(p.warnings).toBeUndefined();
      expect(p.balance?.date).toBe(to);
    }
    const card = pages[2]!;
    expect(card.booked.some((t) => t.amountMinor < 0 && t.type === 'debit') && card.booked.some((t) => t.amountMinor > 0 && t.type === 'credit')).toBe(true);
    const checking = pages[0]!;
    expect(checking.pending!.length).toBeGreaterThan(0);
    expect(checking.pending!.every((p) => p.externalId!.startsWith('PD-') && /^\d{4}-\d{2}-\d{2}$/.test(p.date))).toBe(true);
    expect(checking.booked.find((t) => t.payee === 'Acme Payroll')).toMatchObject({ amountMinor: 250_000, memo: 'ACME PAYROLL DIRECT DEP' });
    // A line posted in the last minutes of a UTC day keeps that day.
    const late = mock.control.truth(CHECKING, 0).find((t) => new Date(t.posted * 1000).getUTCHours() === 23 && t.posted >= Date.parse(`${from}T00:00:00Z`) / 1000);
    if (late) expect(checking.booked.find((t) => t.externalId === late.id)!.bookingDate).toBe(new Date(late.posted * 1000).toISOString().slice(0, 10));
  });

  it('cuts a long range into windows of at most 90 days, back to back, with no capping warning', async () => {
    const h = await connect();
    const from = new Date(clock.getTime() - 150 * DAY * 1000).toISOString().slice(0, 10);
    const pages = await all(provider.fetchConnection!(h, { accounts: [{ externalId: SAVINGS, institutionId: '' }], from, to: clock.toISOString().slice(0, 10) }));
    const calls = accountsCalls().map((r) => [Number(r.query.get('start-date')), Number(r.query.get('end-date'))] as const);
    expect(calls).toHaveLength(2);
    expect(calls.every(([s, e]) => e - s <= 90 * DAY)).toBe(true);
    expect(calls[1]![0]).toBe(calls[0]![1]);
    expect(calls[1]![1]).toBe(nowSec());
    expect(pages[0]!.warnings).toBeUndefined();
  });

  it('a single-account fetch asks with account=ID and keeps the account of the right bank', async () => {
    const h = await connect();
    const from = new Date(clock.getTime() - 30 * DAY * 1000).toISOString().slice(0, 10);
    const [page, ...rest] = await all(provider.fetchTransactions(h, { account: { externalId: CARD, institutionId: 'ORG-npbank' }, from, to: clock.toISOString().slice(0, 10) }));
    expect(rest).toHaveLength(0);
    expect(accountsCalls()[0]!.query.getAll('account')).toEqual(['1001']);
    const truth = mock.control.truth(CARD, Date.parse(`${from}T00:00:00Z`) / 1000, nowSec());
    expect(page!.booked.map((t) => t.externalId)).toEqual(truth.map((t) => t.id));
    expect('accountExternalId' in (page as TransactionPage)).toBe(false);
  });

  it("errlist: con.auth is a warning on that bank's accounts; an act.failed account gets no page (nothing stored, no pending judged)", async () => {
    const h = await connect();
    mock.control.connectionNeedsAuth('CON-8b27d3f5', true);
    mock.control.failAccount(SAVINGS, 'act.failed');
    try {
      const from = new Date(clock.getTime() - 10 * DAY * 1000).toISOString().slice(0, 10);
      const pages = (await all(
        provider.fetchConnection!(h, { accounts: [CHECKING, SAVINGS, CARD].map((externalId) => ({ externalId, institutionId: '' })), from, to: clock.toISOString().slice(0, 10) }),
      )) as ConnectionPage[];
      expect(pages.map((p) => p.accountExternalId)).toEqual([CHECKING, CARD]);
      const [checking, card] = pages;
      expect(checking!.warnings).toBeUndefined();
      expect(card!.warnings).toEqual(['SimpleFIN con.auth: Connection to Northern Plains Bank may need attention (the bank connection needs you to sign in again at the SimpleFIN Bridge)']);
      expect(card!.booked.length).toBeGreaterThan(0);
      // Asked alone, the account's failure is the answer, with SimpleFIN's reason.
      const e = await failure(all(provider.fetchTransactions(h, { account: { externalId: SAVINGS, institutionId: '' }, from, to: clock.toISOString().slice(0, 10) })));
      expect(e.code).toBe('PROVIDER_UNAVAILABLE');
      expect(e.message).toMatch(/^SimpleFIN act\.failed: Failed to get transactions for High Yield Savings.*nothing was stored for it/);
    } finally {
      mock.control.connectionNeedsAuth('CON-8b27d3f5', false);
      mock.control.failAccount(SAVINGS, undefined);
    }
  });

  it('act.missingdata: an incomplete listing is not stored either (its gap would hide behind the watermark)', async () => {
    const h = await connect();
    mock.control.failAccount(CHECKING, 'act.missingdata');
    try {
      const today = clock.toISOString().slice(0, 10);
      const pages = (await all(provider.fetchConnection!(h, { accounts: [CHECKING, SAVINGS].map((externalId) => ({ externalId, institutionId: '' })), from: today, to: today }))) as ConnectionPage[];
      expect(pages.map((p) => p.accountExternalId)).toEqual([SAVINGS]);
      const e = await failure(all(provider.fetchTransactions(h, { account: { externalId: CHECKING, institutionId: '' }, from: today, to: today })));
      expect(e.message).toMatch(/^SimpleFIN act\.missingdata/);
    } finally {
      mock.control.failAccount(CHECKING, undefined);
    }
  });

  it('keeps to 24 requests a rolling day per Access URL, deferring instead of asking', async () => {
    const h = await connect();
    const to = clock.toISOString().slice(0, 10);
    for (let i = 0; i < 24; i++) await all(provider.fetchTransactions(h, { account: { externalId: SAVINGS, institutionId: '' }, from: to, to }));
    expect(h.saves).toBe(24);
    const e = await failure(all(provider.fetchTransactions(h, { account: { externalId: SAVINGS, institutionId: '' }, from: to, to })));
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.retryAt).toBe(new Date(clock.getTime() + DAY * 1000).toISOString());
    expect(accountsCalls()).toHaveLength(24);
    expect(mock.control.used(new URL(String(h.data.accessUrl)).username)).toBe(24);
    // A long range that needs two requests is deferred whole when only one is left.
    clock = new Date(clock.getTime() + DAY * 1000 + 1000);
    h.data.requestLog = Array.from({ length: 23 }, () => clock.getTime() - 1000);
    const long = await failure(
      all(provider.fetchTransactions(h, { account: { externalId: SAVINGS, institutionId: '' }, from: new Date(clock.getTime() - 120 * DAY * 1000).toISOString().slice(0, 10), to })),
    );
    expect(long.code).toBe('RATE_LIMITED');
    expect(accountsCalls()).toHaveLength(24);
  });

  it("spends the engine's per-connection budget once per request, and defers a range it cannot finish", async () => {
    const h = await connect();
    let left = 2;
    let spent = 0;
    const budget = { remaining: async () => left, spend: async () => void (spent++, left--) };
    const from = new Date(clock.getTime() - 150 * DAY * 1000).toISOString().slice(0, 10);
    const req = { accounts: [{ externalId: SAVINGS, institutionId: '' }], from, to: clock.toISOString().slice(0, 10), budget };
    await all(provider.fetchConnection!(h, req));
    expect(spent).toBe(2);
    expect(accountsCalls()).toHaveLength(2);
    left = 1;
    const e = await failure(all(provider.fetchConnection!(h, req)));
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.retryAt).toBe(`${new Date(clock.getTime() + DAY * 1000).toISOString().slice(0, 10)}T00:00:00.000Z`);
    expect(accountsCalls()).toHaveLength(2);
  });

  it('a disabled Access URL (403) needs a human; a lapsed subscription (402) too', async () => {
    const h = await connect();
    const to = clock.toISOString().slice(0, 10);
    mock.control.paymentRequired(true);
    const paid = await failure(all(provider.fetchTransactions(h, { account: { externalId: SAVINGS, institutionId: '' }, from: to, to })));
    mock.control.paymentRequired(false);
    expect(paid.code).toBe('NOT_CONFIGURED');
    expect(paid.message).toMatch(/payment required/);
    mock.control.revoke(new URL(String(h.data.accessUrl)).username);
    const e = await failure(all(provider.fetchTransactions(h, { account: { externalId: SAVINGS, institutionId: '' }, from: to, to })));
    expect(e.code).toBe('CREDENTIALS_INVALID');
    expect(e.message).toMatch(/disabled at the Bridge/);
    expect(redact(e.message)).toBe(e.message);
  });
});

describe('SimpleFIN windows', () => {
  it('from midnight UTC of the first day to now (end exclusive), at most 90 days each', () => {
    const now = new Date('2026-03-10T12:00:00Z');
    expect(windowsFor('2026-03-10', '2026-03-10', now)).toEqual([{ start: Date.parse('2026-03-10T00:00:00Z') / 1000, end: now.getTime() / 1000 }]);
    expect(windowsFor('2026-03-01', '2026-03-05', now)).toEqual([{ start: Date.parse('2026-03-01T00:00:00Z') / 1000, end: Date.parse('2026-03-06T00:00:00Z') / 1000 }]);
    const w = windowsFor('2025-03-10', '2026-03-10', now);
    expect(w).toHaveLength(5);
    expect(w.every((x, i) => x.end - x.start <= 90 * DAY && (i === 0 || x.start === w[i - 1]!.end))).toBe(true);
    // 89 days back from today's midnight up to now is one request.
    expect(windowsFor('2025-12-11', '2026-03-10', new Date('2026-03-10T23:59:59Z'))).toHaveLength(1);
  });
});
