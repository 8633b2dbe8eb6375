import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli.js';
import { runLive } from '../mocks/consent-driver.js';
import { addDays } from '../mocks/yodlee/data.js';
import { startYodleeMock, type YodleeMockHandle } from '../mocks/yodlee/server.js';

/**
 * The built CLI against the Yodlee mock over loopback: set-up checks the three credentials →
 * connect through our local FastLink page (fetched and followed as the widget would) → 30
 * simulated days of sync --all equal to the mock's truth, each refreshing first → a bank that
 * asks a question needs a human → update-credentials (FastLink edit) → disconnect deletes the
 * provider account at the mock.
 */
describe('Yodlee end to end', () => {
  const START = '2026-10-01';
  let now = new Date(`${START}T09:00:00Z`);
  let mock: YodleeMockHandle;
  const cli = new CliSandbox({ inProcess: true });
  const env = () => ({ BANKSYNC_YODLEE_BASE_URL: mock.url, ...mock.fastLinkEnv, BANKSYNC_NOW: now.toISOString() });
  const SECRET = { BANKSYNC_YODLEE_SECRET: 'yodlee-test-secret' };

  async function stored(): Promise<string[]> {
    const accounts = new Map<string, string>();
    for (const c of (await cli.jsonAsync(['status'], env())).connections) for (const a of c.accounts) accounts.set(a.id, a.name);
    const { transactions } = await cli.jsonAsync<{ transactions: { account: string; date: string; amountMinor: number; status: string }[] }>(['transactions'], env());
    return transactions
      .filter((t) => t.status === 'booked')
      .map((t) => `${accounts.get(t.account)}|${t.date}|${t.amountMinor}`)
      .sort();
  }

  /** The mock's posted lines, DEBIT negative, in cents. */
  function truth(): string[] {
    return mock.control
      .accounts()
      .filter((a) => a.CONTAINER !== 'investment')
      .flatMap((a) =>
        mock.control
          .truth(a.id)
          .filter((t) => t.status === 'POSTED')
          .map((t) => `${a.accountName}|${t.date}|${(t.baseType === 'DEBIT' ? -1 : 1) * Math.round(t.amount * 100)}`),
      )
      .sort();
  }

  /** Opens our /connect page and does what it does: FastLink (the mock's stand-in), then POST /callback. */
  async function followPage(address: string): Promise<number> {
    const html = await (await fetch(address)).text();
    const cfg = JSON.parse(/<script type="application\/json" id="banksync-fastlink">([\s\S]*?)<\/script>/.exec(html)![1]!) as { accessToken: string; params: unknown; state: string; callback: string };
    const linked = (await (
      await fetch(`${mock.url}/fastlink/link`, {
        method: 'POST',
        headers: { 'api-version': '1.1', authorization: cfg.accessToken, 'content-type': 'application/json' },
        body: JSON.stringify({ params: cfg.params }),
      })
    ).json()) as { providerAccountId: number; status: string; providerName: string };
    const answer = await fetch(cfg.callback, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ state: cfg.state, providerAccountId: String(linked.providerAccountId), status: linked.status, providerName: linked.providerName }),
    });
    await answer.text();
    expect(answer.status).toBe(200);
    return linked.providerAccountId;
  }

  beforeAll(async () => {
    mock = await startYodleeMock({ now: () => now, historyDays: 60, refreshPolls: 0 });
  });
  afterAll(async () => {
    await mock.close();
    cli.cleanup();
  });

  it('set-up checks client id, secret and admin login name together and stores them', async () => {
    const args = ['providers', 'setup', 'yodlee', '--client-id', 'yodlee-test-client', '--admin-login-name', 'yodlee-admin'];
    const bad = await cli.runAsync(args, { ...env(), BANKSYNC_YODLEE_SECRET: 'wrong-secret-9' });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/Y301, referenceCode \w+/);
    expect(bad.stderr + bad.stdout).not.toContain('wrong-secret-9');
    const ok = await cli.runAsync(args, { ...env(), ...SECRET });
    expect(ok.code, ok.stderr).toBe(0);
    const { providers } = await cli.jsonAsync(['providers'], env());
    expect(providers.find((p: { id: string }) => p.id === 'yodlee')).toMatchObject({ ready: true, institutionChoice: 'provider' });
  });

  it('connects on our local page: the address carries no token; one Yodlee user is registered', async () => {
    const run = runLive(cli, ['--json', 'connect', '--provider', 'yodlee', '--accounts', 'all', '--no-input', '--no-browser', '--redirect-port', '0'], env());
    const address = await run.line(/^http:\/\/127\.0\.0\.1:\d+\/connect$/);
    await followPage(address);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).accounts.map((a: { name: string }) => a.name)).toEqual(['TESTDATA checking', 'TESTDATA card']);
    expect(mock.control.users()).toHaveLength(1);
    expect(r.stdout + r.stderr).not.toMatch(/Bearer/);
  });

  it('30 simulated days of sync --all, each refreshing first, equal the truth with money out negative', async () => {
    for (let day = 1; day <= 30; day++) {
      now = new Date(`${addDays(START, day)}T09:00:00Z`);
      const r = await cli.runAsync(['sync', '--all'], env());
      expect(r.code, `day ${day}: ${r.stderr}`).toBe(0);
      if (day % 10 === 0) expect(await stored()).toEqual(truth());
    }
    expect(mock.requests.filter((q) => q.method === 'PUT' && q.path === '/providerAccounts')).toHaveLength(30);
    // Each account is read with its stored container (ProviderAccount.meta handed back).
    expect(
      mock.requests
        .filter((q) => q.path === '/transactions')
        .map((q) => q.query.container)
        .sort(),
    ).toEqual(expect.arrayContaining(['bank', 'creditCard']));
    expect(mock.requests.filter((q) => q.path === '/transactions').every((q) => q.query.container === 'bank' || q.query.container === 'creditCard')).toBe(true);
    // The open pending lines are the mock's PENDING ones (the last two days).
    const accounts = new Map<string, string>();
    for (const c of (await cli.jsonAsync(['status'], env())).connections) for (const a of c.accounts) accounts.set(a.id, a.name);
    const { transactions: pending } = await cli.jsonAsync<{ transactions: { account: string; date: string; amountMinor: number; status: string }[] }>(['transactions', '--pending'], env());
    const wantPending = mock.control
      .accounts()
      .filter((a) => a.CONTAINER !== 'investment')
      .flatMap((a) =>
        mock.control
          .truth(a.id)
          .filter((t) => t.status === 'PENDING')
          .map((t) => `${a.accountName}|${t.date}|${(t.baseType === 'DEBIT' ? -1 : 1) * Math.round(t.amount * 100)}`),
      )
      .sort();
    expect(
      pending
        .filter((t) => t.status === 'pending')
        .map((t) => `${accounts.get(t.account)}|${t.date}|${t.amountMinor}`)
        .sort(),
    ).toEqual(wantPending);
    const rows = await stored();
    expect(rows.some((x) => x.startsWith('TESTDATA card|') && Number(x.split('|')[2]) < 0)).toBe(true);
    expect(rows.some((x) => x.startsWith('TESTDATA checking|') && Number(x.split('|')[2]) > 0)).toBe(true);
  }, 300_000);

  it('a bank question needs a human (exit 3, update-credentials); FastLink edit renews the same link; disconnect deletes it', async () => {
    const id = mock.control.providerAccounts()[0]!.id;
    mock.control.needsHuman(id, 'ADDL_AUTHENTICATION_REQUIRED');
    now = new Date(`${addDays(START, 31)}T09:00:00Z`);
    const blocked = await cli.runAsync(['sync', '--all'], env());
    expect(blocked.code).toBe(3);
    expect(blocked.stdout + blocked.stderr).toMatch(/update-credentials/);

    const run = runLive(cli, ['--json', 'update-credentials', 'c1', '--no-input', '--no-browser', '--redirect-port', '0'], env());
    const address = await run.line(/^http:\/\/127\.0\.0\.1:\d+\/connect$/);
    expect(await followPage(address)).toBe(id);
    const renewed = await run.done;
    expect(renewed.code, renewed.stderr).toBe(0);
    expect(mock.control.providerAccounts().filter((p) => !p.deleted)).toHaveLength(1);

    now = new Date(`${addDays(START, 32)}T09:00:00Z`);
    const sync = await cli.runAsync(['sync', '--all'], env());
    expect(sync.code, sync.stderr).toBe(0);
    expect(await stored()).toEqual(truth());

    const bye = await cli.runAsync(['disconnect', 'c1', '--keep-history'], env());
    expect(bye.code, bye.stderr).toBe(0);
    expect(mock.control.providerAccounts().find((p) => p.id === id)?.deleted).toBe(true);
    expect(mock.requests.some((q) => q.method === 'DELETE' && q.path === `/providerAccounts/${id}` && q.status === 204)).toBe(true);
  });

  it('connect also completes by polling Yodlee when the page never reports back; the same Yodlee user', async () => {
    const run = runLive(cli, ['--json', 'connect', '--provider', 'yodlee', '--accounts', 'all', '--no-input', '--no-browser', '--redirect-port', '0'], env());
    await run.line(/^http:\/\/127\.0\.0\.1:\d+\/connect$/);
    // FastLink finished at Yodlee, but the tab was closed before it could post to /callback.
    const id = mock.control.link(mock.control.users()[0]!);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).accounts).toHaveLength(2);
    expect(mock.control.users()).toHaveLength(1);
    const bye = await cli.runAsync(['disconnect', 'c2', '--keep-history'], env());
    expect(bye.code, bye.stderr).toBe(0);
    expect(mock.control.providerAccounts().find((p) => p.id === id)?.deleted).toBe(true);
  });
});
