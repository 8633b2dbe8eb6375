import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimpleFinMock, type SimpleFinMock } from './server.js';

/** The mock's own behaviour, checked over plain HTTP: what the adapter tests rely on it to do. */
describe('SimpleFIN mock Bridge', () => {
  let clock = new Date('2026-11-20T15:00:00Z');
  let mock: SimpleFinMock;
  const nowSec = () => Math.floor(clock.getTime() / 1000);

  beforeAll(async () => {
    mock = await startSimpleFinMock({ now: () => clock });
  });
  afterAll(async () => {
    await mock.close();
  });

  const claim = async (token: string) => fetch(Buffer.from(token, 'base64').toString('utf8'), { method: 'POST', headers: { 'content-length': '0' } });
  async function accounts(accessUrl: string, query: Record<string, string | string[]>) {
    const u = new URL(`${accessUrl}/accounts`);
    const auth = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
    u.username = '';
    u.password = '';
    for (const [k, v] of Object.entries(query)) for (const x of [v].flat()) u.searchParams.append(k, x);
    const res = await fetch(u, { headers: { authorization: auth } });
    return { status: res.status, body: res.status === 200 ? ((await res.json()) as any) : await res.text() };
  }

  it('a setup token is the base64 of a claim URL, claimable once; the demo token again and again', async () => {
    const token = mock.control.newSetupToken();
    expect(Buffer.from(token, 'base64').toString()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/simplefin\/claim\/[0-9a-f]+$/);
    const first = await claim(token);
    expect(first.status).toBe(200);
    expect(await first.text()).toMatch(/^http:\/\/u[0-9a-f]+:[0-9a-f]{48}@127\.0\.0\.1:\d+\/simplefin$/);
    expect((await claim(token)).status).toBe(403);
    const demo1 = await (await claim(mock.demoToken)).text();
    const demo2 = await (await claim(mock.demoToken)).text();
    expect(demo1).toBe(demo2);
    expect(demo1).toContain('//demo:demo@');
    expect((await fetch(Buffer.from(token, 'base64').toString(), { method: 'GET' })).status).toBe(405);
  });

  it('answers v2 with errlist, connections and conn-scoped ids; v1 with org objects and errors', async () => {
    const accessUrl = await (await claim(mock.control.newSetupToken())).text();
    const v2 = await accounts(accessUrl, { version: '2', 'balances-only': '1' });
    expect(v2.status).toBe(200);
    expect(v2.body.errlist).toEqual([]);
    expect(v2.body.connections.map((c: { org_id: string }) => c.org_id)).toEqual(['ORG-maplecu', 'ORG-npbank']);
    const ids = v2.body.accounts.map((a: { conn_id: string; id: string }) => `${a.conn_id}/${a.id}`);
    expect(ids).toHaveLength(3);
    // The same account id at two banks.
    expect(v2.body.accounts.filter((a: { id: string }) => a.id === '1001')).toHaveLength(2);
    expect(v2.body.accounts[0].transactions).toBeUndefined();
    const v1 = await accounts(accessUrl, { 'start-date': String(nowSec() - 10 * 86_400) });
    expect(v1.body.errlist).toBeUndefined();
    expect(v1.body.errors).toEqual([]);
    expect(v1.body.accounts[2].org).toMatchObject({ domain: 'npbank.example', name: 'Northern Plains Bank' });
    expect(v1.body.accounts[2].conn_id).toBeUndefined();
  });

  it('filters by start-date (inclusive) and end-date (exclusive), by account, and adds pending lines only with pending=1', async () => {
    const accessUrl = await (await claim(mock.control.newSetupToken())).text();
    const start = nowSec() - 40 * 86_400;
    const all = await accounts(accessUrl, { version: '2', 'start-date': String(start), 'end-date': String(nowSec()), account: '1001' });
    expect(all.body.accounts).toHaveLength(2);
    const lines = all.body.accounts.flatMap((a: { transactions: { posted: number }[] }) => a.transactions);
    expect(lines.length).toBeGreaterThan(20);
    expect(lines.every((l: { posted: number; pending?: boolean }) => l.posted >= start && l.posted < nowSec() && !l.pending)).toBe(true);
    const pivot = lines[5].posted as number;
    const before = await accounts(accessUrl, { version: '2', 'start-date': String(start), 'end-date': String(pivot), account: '1001' });
    const after = await accounts(accessUrl, { version: '2', 'start-date': String(pivot), 'end-date': String(nowSec()), account: '1001' });
    const count = (r: typeof all) => r.body.accounts.reduce((n: number, a: { transactions: unknown[] }) => n + a.transactions.length, 0);
    expect(count(before) + count(after)).toBe(lines.length);
    const withPending = await accounts(accessUrl, { version: '2', 'start-date': String(start), pending: '1' });
    const pending = withPending.body.accounts.flatMap((a: { transactions: { pending?: boolean; posted: number; id: string }[] }) => a.transactions.filter((t) => t.pending));
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.every((t: { posted: number; id: string }) => t.posted === 0 && t.id.startsWith('PD-'))).toBe(true);
  });

  it('caps a window longer than 90 days and says so in errlist (gen.api) and errors', async () => {
    const accessUrl = await (await claim(mock.control.newSetupToken())).text();
    const start = nowSec() - 120 * 86_400;
    const r = await accounts(accessUrl, { version: '2', 'start-date': String(start), 'end-date': String(nowSec()) });
    expect(r.body.errlist).toEqual([{ code: 'gen.api', msg: 'Requested date range exceeds limit of 90 days and was capped.' }]);
    expect(r.body.errors).toEqual(['Requested date range exceeds limit of 90 days and was capped.']);
    const latest = Math.max(...r.body.accounts.flatMap((a: { transactions: { posted: number }[] }) => a.transactions.map((t) => t.posted)));
    expect(latest).toBeLessThan(start + 90 * 86_400);
  });

  it('errlist faults: act.failed leaves the account out, con.auth names the connection; 402 and 403 on revoke', async () => {
    const accessUrl = await (await claim(mock.control.newSetupToken())).text();
    mock.control.failAccount('CON-4f1c9a0e/1002', 'act.failed');
    mock.control.connectionNeedsAuth('CON-8b27d3f5', true);
    const r = await accounts(accessUrl, { version: '2', 'balances-only': '1' });
    mock.control.failAccount('CON-4f1c9a0e/1002', undefined);
    mock.control.connectionNeedsAuth('CON-8b27d3f5', false);
    expect(r.body.accounts.map((a: { id: string; conn_id: string }) => `${a.conn_id}/${a.id}`)).toEqual(['CON-4f1c9a0e/1001', 'CON-8b27d3f5/1001']);
    expect(r.body.errlist).toEqual([
      { code: 'con.auth', msg: 'Connection to Northern Plains Bank may need attention', conn_id: 'CON-8b27d3f5' },
      { code: 'act.failed', msg: 'Failed to get transactions for High Yield Savings. Try again later.', account_id: '1002', conn_id: 'CON-4f1c9a0e' },
    ]);
    mock.control.paymentRequired(true);
    expect((await accounts(accessUrl, { version: '2' })).status).toBe(402);
    mock.control.paymentRequired(false);
    const user = new URL(accessUrl).username;
    mock.control.revoke(user);
    expect((await accounts(accessUrl, { version: '2' })).status).toBe(403);
    const wrong = new URL(accessUrl);
    wrong.password = 'nope';
    expect((await accounts(wrong.toString().replace(/\/$/, ''), { version: '2' })).status).toBe(403);
  });

  it('counts requests per Access URL over a rolling day: warns past 24, disables past 96', async () => {
    const accessUrl = await (await claim(mock.control.newSetupToken())).text();
    const user = new URL(accessUrl).username;
    for (let i = 0; i < 24; i++) expect((await accounts(accessUrl, { version: '2', 'balances-only': '1' })).body.errors).toEqual([]);
    const over = await accounts(accessUrl, { version: '2', 'balances-only': '1' });
    expect(over.body.errors[0]).toMatch(/25 requests in the last 24 hours/);
    expect(mock.control.used(user)).toBe(25);
    clock = new Date(clock.getTime() + 86_400_000);
    expect(mock.control.used(user)).toBe(0);
    for (let i = 0; i < 96; i++) await accounts(accessUrl, { version: '2', 'balances-only': '1' });
    expect((await accounts(accessUrl, { version: '2', 'balances-only': '1' })).status).toBe(403);
    clock = new Date(clock.getTime() + 2 * 86_400_000);
    expect((await accounts(accessUrl, { version: '2', 'balances-only': '1' })).status).toBe(403);
  });

  it('balance is the opening balance plus every posted line; the truth lists posted lines only', async () => {
    const accessUrl = await (await claim(mock.control.newSetupToken())).text();
    const r = await accounts(accessUrl, { version: '2', 'start-date': String(nowSec() - 89 * 86_400) });
    const card = r.body.accounts.find((a: { conn_id: string }) => a.conn_id === 'CON-8b27d3f5');
    const truth = mock.control.truth('CON-8b27d3f5/1001', nowSec() - 89 * 86_400);
    expect(card.transactions.map((t: { id: string }) => t.id)).toEqual(truth.map((t) => t.id));
    expect(truth.some((t) => t.amountMinor < 0) && truth.some((t) => t.amountMinor > 0)).toBe(true);
    expect(card['balance-date']).toBe(nowSec());
  });
});
