import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli.js';
import { startSimpleFinMock, type SimpleFinMock } from '../mocks/simplefin/server.js';

/**
 * The built CLI against the SimpleFIN mock Bridge: setup-token connect (no --institution), a
 * month of daily `sync --all` whose booked set must equal the Bridge's truth, the request budget
 * and windows on the wire, a disabled token (exit 3, update-credentials), renewal, disconnect.
 */
describe('SimpleFIN end to end', () => {
  const DAY_MS = 86_400_000;
  let now = new Date('2026-10-01T06:00:00Z');
  let mock: SimpleFinMock;
  const cli = new CliSandbox({ inProcess: true });
  const env = () => ({ BANKSYNC_NOW: now.toISOString() });
  const nowSec = () => Math.floor(now.getTime() / 1000);
  const firstFrom: Record<string, string> = {};
  let token = '';
  let accounts: { id: string; name: string }[] = [];

  beforeAll(async () => {
    mock = await startSimpleFinMock({ now: () => now });
  });
  afterAll(async () => {
    await mock.close();
    cli.cleanup();
  });

  const keyOf = (name: string) => mock.control.accounts().find((a) => a.name === name)!.key;
  const accessUsers = () => mock.control.accessUsers();

  async function storedVersusTruth(): Promise<void> {
    const { transactions } = await cli.jsonAsync<{ transactions: { id: string; account: string; date: string; amountMinor: number; payee: string; memo: string }[] }>(['transactions'], env());
    expect(new Set(transactions.map((t) => t.id)).size).toBe(transactions.length);
    for (const a of accounts) {
      const from = Date.parse(`${firstFrom[a.id]}T00:00:00Z`) / 1000;
      const truth = mock.control
        .truth(keyOf(a.name), from, nowSec())
        .map((l) => `${new Date(l.posted * 1000).toISOString().slice(0, 10)}|${l.amountMinor}|${l.payee}|${l.description}`)
        .sort();
      const stored = transactions
        .filter((t) => t.account === a.id)
        .map((t) => `${t.date}|${t.amountMinor}|${t.payee}|${t.memo}`)
        .sort();
      expect(stored.length, a.name).toBe(truth.length);
      expect(stored, a.name).toEqual(truth);
    }
  }

  it('connects with a pasted setup token, no --institution, and never shows the token or the Access URL', async () => {
    token = mock.control.newSetupToken();
    const r = await cli.runAsync(['--json', 'connect', '--provider', 'simplefin', '--setup-token', token, '--accounts', 'all', '--no-input'], env());
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.accounts.map((a: { name: string }) => a.name).sort()).toEqual(['Everyday Checking', 'High Yield Savings', 'Rewards Visa Card']);
    const [user] = accessUsers();
    const code = Buffer.from(token, 'base64').toString().split('/').pop()!;
    for (const secret of [token, code, user!]) expect(r.stdout + r.stderr).not.toContain(secret);
    const status = await cli.jsonAsync<{ connections: { id: string; provider: string }[] }>(['status'], env());
    expect(status.connections).toEqual([expect.objectContaining({ id: 'c1', provider: 'simplefin' })]);
    accounts = (await cli.jsonAsync<{ accounts: { id: string; name: string }[] }>(['accounts'], env())).accounts;
    expect(accounts).toHaveLength(3);
    // A claimed token cannot be claimed twice: the second connect is refused, nothing stored.
    const again = await cli.runAsync(['connect', '--provider', 'simplefin', '--setup-token', token, '--accounts', 'all', '--no-input'], env());
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/already claimed/);
    expect(again.stderr).not.toContain(token);
  });

  it('refuses a garbage token with one line and exit 2', async () => {
    const r = await cli.runAsync(['connect', '--provider', 'simplefin', '--setup-token', 'not-a-token!!', '--accounts', 'all', '--no-input'], env());
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toContain('not-a-token!!');
  });

  it('30 simulated days of sync --all: the booked set equals the Bridge truth, within 24 requests a day, windows ≤ 90 days', async () => {
    const savings = () => mock.control.accounts().find((a) => a.name === 'High Yield Savings')!.key;
    for (let day = 0; day < 30; day++) {
      now = new Date(now.getTime() + DAY_MS);
      const before = mock.requests.length;
      // Day 10: a bank connection needs a sign-in at the Bridge (con.auth): a warning, data still comes.
      mock.control.connectionNeedsAuth('CON-8b27d3f5', day === 10);
      // Days 15-16: the Bridge cannot read the savings account (act.failed): it fails, nothing is lost.
      mock.control.failAccount(savings(), day === 15 || day === 16 ? 'act.failed' : undefined);
      const r = await cli.runAsync(['--json', 'sync', '--all'], env());
      if (day === 15 || day === 16) {
        expect(r.code, r.stderr).toBe(5);
        const failed = JSON.parse(r.stdout).accounts.filter((a: { result: string }) => a.result === 'failed');
        expect(failed.map((a: { name: string }) => a.name)).toEqual(['High Yield Savings']);
      } else {
        expect(r.code, `${now.toISOString()} ${r.stderr}`).toBe(0);
      }
      if (day === 10) expect(r.stderr).toMatch(/con\.auth: Connection to Northern Plains Bank may need attention/);
      for (const a of JSON.parse(r.stdout).accounts) if (a.window && !firstFrom[a.account]) firstFrom[a.account] = a.window.from;
      const calls = mock.requests.slice(before).filter((q) => q.path === '/simplefin/accounts');
      // One request a day answers for all three accounts (connection-level fetch).
      expect(calls).toHaveLength(1);
      for (const q of calls) {
        expect(q.query.get('version')).toBe('2');
        const start = Number(q.query.get('start-date'));
        const end = Number(q.query.get('end-date'));
        expect(end - start).toBeLessThanOrEqual(90 * 86_400);
        expect(end).toBe(nowSec());
      }
      for (const user of accessUsers()) expect(mock.control.used(user)).toBeLessThanOrEqual(24);
    }
    // The first sync reached at least 60 days back.
    for (const a of accounts) expect(Date.parse('2026-10-02') - Date.parse(firstFrom[a.id]!)).toBeGreaterThanOrEqual(60 * DAY_MS);
    await storedVersusTruth();
    // Pending lines post under new ids with no link: the engine's matching pairs them (tips included).
    const { transactions: pending } = await cli.jsonAsync<{ transactions: { status: string; payee: string }[] }>(['transactions', '--pending'], env());
    expect(pending.filter((p) => p.status === 'booked').length).toBeGreaterThan(20);
    expect(pending.filter((p) => p.status === 'vanished')).toEqual([]);
    // The export names each account as SimpleFIN does.
    const csv = await cli.runAsync(['export', '--format', 'csv', '--columns', 'account_name,date,amount'], env());
    expect(csv.code, csv.stderr).toBe(0);
    expect(
      new Set(
        csv.stdout
          .trim()
          .split('\n')
          .slice(1)
          .map((l) => l.split(',').at(-3)),
      ),
    ).toEqual(new Set(['Everyday Checking', 'High Yield Savings', 'Rewards Visa Card']));
    // Right sign: card purchases are money out.
    const { transactions } = await cli.jsonAsync<{ transactions: { account: string; payee: string; amountMinor: number }[] }>(['transactions'], env());
    const card = accounts.find((a) => a.name === 'Rewards Visa Card')!;
    expect(transactions.filter((t) => t.account === card.id && t.payee === 'Payment').every((t) => t.amountMinor > 0)).toBe(true);
    expect(transactions.filter((t) => t.account === card.id && t.payee !== 'Payment').every((t) => t.amountMinor < 0)).toBe(true);
    // 30 syncs one after another: about 15 s on an idle machine, minutes on a loaded one.
  }, 300_000);

  it('a disabled token stops sync with exit 3 and the update-credentials command; a new token renews it', async () => {
    mock.control.revoke();
    now = new Date(now.getTime() + DAY_MS);
    const stopped = await cli.runAsync(['sync', '--all'], env());
    expect(stopped.code).toBe(3);
    expect(stopped.stdout + stopped.stderr).toContain('banksync update-credentials c1');

    const fresh = mock.control.newSetupToken();
    const renewed = await cli.runAsync(['--json', 'update-credentials', 'c1', '--setup-token', fresh, '--no-input'], env());
    expect(renewed.code, renewed.stderr).toBe(0);
    expect(renewed.stdout + renewed.stderr).not.toContain(fresh);
    const after = (await cli.jsonAsync<{ accounts: { id: string; name: string }[] }>(['accounts'], env())).accounts;
    expect(after.map((a) => a.id).sort()).toEqual(accounts.map((a) => a.id).sort());
    const before = mock.requests.length;
    const r = await cli.runAsync(['sync', '--all'], env());
    expect(r.code, r.stderr).toBe(0);
    // The new Access URL is the one in use.
    const users = new Set(
      mock.requests
        .slice(before)
        .filter((q) => q.path === '/simplefin/accounts')
        .map((q) => q.user),
    );
    expect([...users]).toEqual([accessUsers().at(-1)]);
    await storedVersusTruth();
  });

  it('disconnect forgets the connection; the Access URL is no longer used', async () => {
    const r = await cli.runAsync(['--json', 'disconnect', 'c1', '--keep-history', '--no-input'], env());
    expect(r.code, r.stderr).toBe(0);
    // SimpleFIN has no revoke endpoint: the user disables the token at the Bridge.
    expect(JSON.parse(r.stdout).revoked).toBe('not supported');
    const before = mock.requests.length;
    now = new Date(now.getTime() + DAY_MS);
    await cli.runAsync(['sync', '--all'], env());
    expect(mock.requests.slice(before).filter((q) => q.path === '/simplefin/accounts')).toHaveLength(0);
  });
});

/** `npm run mock -- simplefin`: the mock on its own, with a setup token a person can paste. */
describe('npm run mock -- simplefin', () => {
  const cli = new CliSandbox({ inProcess: true });
  afterAll(() => cli.cleanup());

  it('prints its address and a one-time setup token; the CLI connects and syncs with it', async () => {
    const child = spawn('npm', ['run', '--silent', 'mock', '--', 'simplefin', '--port', '0'], { cwd: resolve(__dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      // Waits for a line on a stream, however the output is chunked.
      const lineOn = (stream: NodeJS.ReadableStream, re: RegExp) =>
        new Promise<RegExpExecArray>((done, fail) => {
          let text = '';
          stream.setEncoding('utf8');
          stream.on('data', (chunk: string) => {
            text += chunk;
            const m = re.exec(text);
            if (m) done(m);
          });
          child.once('exit', (code) => fail(new Error(`mock exited (${code}) early: ${text}`)));
        });
      const [, token] = await Promise.all([lineOn(child.stdout!, /^listening on http:\/\/127\.0\.0\.1:\d+$/m), lineOn(child.stderr!, /^setup token \(one use\): (\S+)$/m)]).then(([, m]) => m);
      expect(token).toMatch(/^[A-Za-z0-9+/]+=*$/);
      const c = await cli.runAsync(['connect', '--provider', 'simplefin', '--setup-token', token!, '--accounts', 'all', '--no-input']);
      expect(c.code, c.stderr).toBe(0);
      const s = await cli.runAsync(['sync', '--all']);
      expect(s.code, s.stderr).toBe(0);
      expect((await cli.jsonAsync<{ transactions: unknown[] }>(['transactions'])).transactions.length).toBeGreaterThan(50);
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
