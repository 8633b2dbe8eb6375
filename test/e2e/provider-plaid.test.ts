import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli.js';
import { runLive } from '../mocks/consent-driver.js';
import { addDays, startPlaidMock, type PlaidMockHandle } from '../mocks/plaid/server.js';

/**
 * The built CLI against the Plaid mock over loopback: set-up → Hosted Link connect without a
 * browser → 30 simulated days of cursor syncs (equal to the mock's truth, money out negative) →
 * a kill -9 mid-pagination → ITEM_LOGIN_REQUIRED → update mode → disconnect removes the Item.
 */
describe('Plaid end to end', () => {
  const START = '2026-10-01';
  let now = new Date(`${START}T09:00:00Z`);
  let mock: PlaidMockHandle;
  const cli = new CliSandbox({ inProcess: true });
  const env = () => ({ BANKSYNC_PLAID_BASE_URL: mock.url, BANKSYNC_NOW: now.toISOString() });

  /** Stored booked rows as `account name|date|amount|payee`, sorted. */
  async function stored(): Promise<string[]> {
    const accounts = new Map<string, string>();
    for (const c of (await cli.jsonAsync(['status'], env())).connections) for (const a of c.accounts) accounts.set(a.id, a.name);
    const { transactions } = await cli.jsonAsync<{ transactions: { account: string; date: string; amountMinor: number; payee?: string; status: string }[] }>(['transactions'], env());
    return transactions
      .filter((t) => t.status === 'booked')
      .map((t) => `${accounts.get(t.account)}|${t.date}|${t.amountMinor}|${t.payee ?? ''}`)
      .sort();
  }

  /** The mock's posted lines in the same shape, amount = −(Plaid amount). */
  function truth(): string[] {
    const names = new Map(mock.control.accounts().map((a) => [a.account_id, a.name]));
    return mock.control
      .truth()
      .filter((t) => !t.pending)
      .map((t) => `${names.get(t.account_id)}|${t.date}|${0 - Math.round(t.amount * 100)}|${t.merchant_name ?? t.name}`)
      .sort();
  }

  beforeAll(async () => {
    mock = await startPlaidMock({ now: () => now, pageLimit: 10 });
  });
  afterAll(async () => {
    await mock.close();
    cli.cleanup();
  });

  it('set-up checks the client id and secret at once and stores them', async () => {
    const bad = await cli.runAsync(['providers', 'setup', 'plaid', '--client-id', 'test-client-id', '--env', 'sandbox'], { ...env(), BANKSYNC_PLAID_SECRET: 'wrong-secret-9' });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/INVALID_API_KEYS, request_id \w+/);
    expect(bad.stderr + bad.stdout).not.toContain('wrong-secret-9');
    const ok = await cli.runAsync(['providers', 'setup', 'plaid', '--client-id', 'test-client-id', '--env', 'sandbox'], { ...env(), BANKSYNC_PLAID_SECRET: 'test-sandbox-secret' });
    expect(ok.code, ok.stderr).toBe(0);
    // Plaid's own page picks the bank: the next step is connect, not an institution search.
    expect(ok.stderr).toMatch(/^next: banksync connect --provider plaid$/m);
    const { providers } = await cli.jsonAsync(['providers'], env());
    expect(providers.find((p: { id: string }) => p.id === 'plaid').ready).toBe(true);
  });

  it('connects through Hosted Link with --no-input --no-browser: the URL on stderr, finished elsewhere', async () => {
    const run = runLive(cli, ['--json', 'connect', '--provider', 'plaid', '--accounts', 'all', '--no-input', '--no-browser'], env());
    const url = await run.line(/^https?:\/\/\S+$/);
    expect(url).toMatch(new RegExp(`^${mock.url}/hosted-link/link-sandbox-`));
    await mock.control.completeLink(url);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).accounts).toHaveLength(4);
    const { connections } = await cli.jsonAsync(['status'], env());
    expect(connections.map((c: { id: string; provider: string }) => [c.id, c.provider])).toEqual([['c1', 'plaid']]);
    // The access token lives in the secrets store only.
    const token = mock.control.items()[0]!.access_token;
    expect(r.stdout + r.stderr).not.toContain(token);
  });

  it('a kill -9 mid-pagination, then a re-run, gives the same rows as the truth', async () => {
    const first = await cli.runAsync(['sync', '--all'], env()); // Plaid is still preparing: deferred
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout + first.stderr).toMatch(/still preparing/);
    now = new Date(`${START}T10:00:00Z`);
    const stall = mock.control.stallNextContinuation();
    const run = runLive(cli, ['sync', '--all'], env());
    await stall.reached;
    run.child.kill('SIGKILL');
    const killed = await run.done;
    stall.release();
    expect(killed.signal).toBe('SIGKILL');
    const again = await cli.runAsync(['sync', '--all'], env());
    expect(again.code, again.stderr).toBe(0);
    expect(await stored()).toEqual(truth());
  });

  it('30 simulated days of sync --all keep the stored set equal to the truth, money out negative', async () => {
    for (let day = 1; day <= 30; day++) {
      now = new Date(`${addDays(START, day)}T09:00:00Z`);
      const r = await cli.runAsync(['sync', '--all'], env());
      expect(r.code, `day ${day}: ${r.stderr}`).toBe(0);
      if (day % 10 === 0) expect(await stored()).toEqual(truth());
    }
    const rows = await stored();
    // Card purchases (Plaid: positive) are stored negative; paydays positive.
    expect(rows.some((r) => r.startsWith('Plaid Credit Card|') && Number(r.split('|')[2]) < 0)).toBe(true);
    expect(rows.some((r) => /^Plaid Checking\|.*\|250000\|ACME Corp$/.test(r))).toBe(true);
    // The export names Plaid's own account names.
    const csv = await cli.runAsync(['export', '--format', 'csv', '--columns', 'account_name,date,amount'], env());
    expect(csv.code, csv.stderr).toBe(0);
    expect(
      new Set(
        csv.stdout
          .trim()
          .split('\n')
          .slice(1)
          .map((l) => l.split(',')[0]),
      ),
    ).toEqual(new Set(['Plaid Checking', 'Plaid Saving', 'Plaid Credit Card', 'Plaid Student Loan']));
    expect(mock.openApiViolations).toEqual([]);
    // Thirty CLI runs: a budget for a loaded machine, not a speed assertion.
  }, 300_000);

  it('ITEM_LOGIN_REQUIRED exits 3 naming update-credentials; update mode keeps the Item; disconnect removes it', async () => {
    mock.control.requireLogin();
    now = new Date(`${addDays(START, 31)}T09:00:00Z`);
    const blocked = await cli.runAsync(['sync', '--all'], env());
    expect(blocked.code).toBe(3);
    expect(blocked.stdout + blocked.stderr).toContain('banksync update-credentials c1');
    expect(blocked.stdout + blocked.stderr).toMatch(/ITEM_LOGIN_REQUIRED/);

    const run = runLive(cli, ['--json', 'update-credentials', 'c1', '--no-input', '--no-browser'], env());
    const url = await run.line(/^https?:\/\/\S+$/);
    await mock.control.completeLink(url);
    const renewed = await run.done;
    expect(renewed.code, renewed.stderr).toBe(0);
    const updateCreate = mock.requests.filter((q) => q.path === '/link/token/create').pop()!.body as Record<string, unknown>;
    expect(updateCreate.access_token).toBe(mock.control.items()[0]!.access_token);
    expect(mock.control.items()).toHaveLength(1);
    expect(mock.control.items()[0]!.removed).toBe(false);

    const sync = await cli.runAsync(['sync', '--all'], env());
    expect(sync.code, sync.stderr).toBe(0);
    expect(await stored()).toEqual(truth());

    const bye = await cli.runAsync(['disconnect', 'c1', '--keep-history'], env());
    expect(bye.code, bye.stderr).toBe(0);
    expect(mock.control.items()[0]!.removed).toBe(true);
    expect(mock.requests.some((q) => q.path === '/item/remove' && q.status === 200)).toBe(true);
    expect(mock.openApiViolations).toEqual([]);
  });
});
