import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CliSandbox } from '../helpers/cli.js';
import { onTerminal } from '../helpers/terminal.js';
import { runLive } from '../mocks/consent-driver.js';
import { FAKE_OTP } from '../mocks/salt-edge/data.js';
import { startSaltEdgeMock, type SaltEdgeMock } from '../mocks/salt-edge/server.js';

const DIGITS: Record<string, number> = { EUR: 2, BHD: 3, JPY: 0 };

/** The mock's JSON number text → minor units, by string (the test must not share the adapter's code). */
function minor(text: string, currency: string): number {
  const [int, frac = ''] = text.replace('-', '').split('.');
  const v = Number(int! + frac.padEnd(DIGITS[currency]!, '0'));
  return text.startsWith('-') ? -v : v;
}

/**
 * The built CLI against the Salt Edge mock over loopback, the mock a Live client (every request
 * signed): set-up → connect with --no-input --no-browser (the printed address followed, the mock
 * playing the user) → 30 days of sync --all equal to the mock's truth → an OTP bank answered on a
 * terminal, deferred unattended → update-credentials (reconnect) → disconnect removes it.
 */
describe('Salt Edge end to end', () => {
  let now = new Date('2026-10-01T09:00:00Z');
  const day = (n: number) => new Date(Date.UTC(2026, 9, 1 + n, 9));
  let mock: SaltEdgeMock;
  const cli = new CliSandbox({ inProcess: true });
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyFile = join(cli.dir, 'salt-edge.pem');
  writeFileSync(keyFile, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const env = () => ({ BANKSYNC_SALT_EDGE_BASE_URL: mock.url, BANKSYNC_NOW: now.toISOString() });
  const banksync = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}`;

  async function stored(connection: string): Promise<string[]> {
    const names = new Map<string, string>();
    for (const c of (await cli.jsonAsync(['status'], env())).connections) if (c.id === connection) for (const a of c.accounts) names.set(a.id, a.name);
    const { transactions } = await cli.jsonAsync<{ transactions: { account: string; date: string; amountMinor: number; status: string }[] }>(['transactions'], env());
    return transactions
      .filter((t) => t.status === 'booked' && names.has(t.account))
      .map((t) => `${names.get(t.account)}|${t.date}|${t.amountMinor}`)
      .sort();
  }

  function truth(connectionId: string, names: Record<string, string>): string[] {
    return mock.control
      .accounts(connectionId)
      .flatMap((a) => mock.control.truth(a.id).map((t) => `${names[a.currency]}|${t.made_on}|${minor(t.amount, t.currency)}`))
      .sort();
  }
  const SIMPLE = { EUR: 'Fake checking', BHD: 'Fake savings (BHD)' } as Record<string, string>;

  /** Opens the printed address as a browser would: following the 302 to the CLI's listener. */
  async function openAndFollow(url: string): Promise<void> {
    const res = await fetch(url, { redirect: 'follow' });
    await res.text();
    expect(res.status).toBe(200);
  }

  async function connect(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; url: string }> {
    const run = runLive(cli, ['--json', ...args, '--no-input', '--no-browser', '--redirect-port', '0'], env());
    const url = await run.line(/^https?:\/\/\S+$/);
    await openAndFollow(url);
    return { ...(await run.done), url };
  }

  beforeAll(async () => {
    mock = await startSaltEdgeMock({ now: () => now, publicKeyPem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(), instantRefresh: true, pageSize: 5 });
  });
  afterAll(async () => {
    await mock.close();
    cli.cleanup();
  });

  it('set-up checks App-id, Secret and the signing key at once', async () => {
    const bad = await cli.runAsync(['providers', 'setup', 'salt-edge', '--app-id', 'test-app-id', '--private-key', keyFile], { ...env(), BANKSYNC_SALT_EDGE_SECRET: 'wrong-secret-7' });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('ApiKeyNotFound');
    expect(bad.stderr + bad.stdout).not.toContain('wrong-secret-7');
    const ok = await cli.runAsync(['providers', 'setup', 'salt-edge', '--app-id', 'test-app-id', '--private-key', keyFile], { ...env(), BANKSYNC_SALT_EDGE_SECRET: 'test-secret' });
    expect(ok.code, ok.stderr).toBe(0);
    expect(mock.requests.every((r) => r.status !== 401 || r.headers.secret === 'wrong-secret-7')).toBe(true);
  });

  it('connect --no-input --no-browser prints the Connect address and completes when it is followed', async () => {
    const r = await connect(['connect', '--provider', 'salt-edge', '--accounts', 'all']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.url).toMatch(/\/connect\/\w+$/);
    expect(JSON.parse(r.stdout).accounts).toHaveLength(2);
    expect(mock.control.customers()).toHaveLength(1);
    const { connections } = await cli.jsonAsync(['status'], env());
    expect(connections.map((c: { id: string; provider: string }) => [c.id, c.provider])).toEqual([['c1', 'salt-edge']]);
    // The consent's expires_at (90 days) is what status counts down.
    expect(connections[0].consentExpiresAt).toBe('2026-12-30T09:00:00.000Z');
  });

  it('30 simulated days of sync --all keep the stored set equal to what Salt Edge holds', async () => {
    const id = mock.control.connections()[0]!.id;
    for (let d = 1; d <= 30; d++) {
      now = day(d);
      const r = await cli.runAsync(['sync', '--all'], env());
      expect(r.code, `day ${d}: ${r.stderr}`).toBe(0);
      if (d % 10 === 0) expect(await stored('c1')).toEqual(truth(id, SIMPLE));
    }
    // Salt Edge fetched from the bank on the last day: the truth reaches the day before.
    expect(mock.control.connections()[0]!.lastSuccessAt).toBe(day(30).toISOString());
    expect((await stored('c1')).some((r) => r.includes('|2026-10-30|'))).toBe(true);
    expect((await stored('c1')).some((r) => /^Fake savings \(BHD\)\|.*\|-1234$/.test(r))).toBe(true);

    // Again within the hour: next_refresh_possible_at says not yet; what Salt Edge holds is synced.
    const refreshes = mock.requests.filter((q) => q.path.endsWith('/refresh')).length;
    const again = await cli.runAsync(['sync', '--all'], env());
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout + again.stderr).toMatch(/did not refresh .*refreshed again at 2026-10-31T10:00:00\.000Z.*synced what it already holds/s);
    expect(mock.requests.filter((q) => q.path.endsWith('/refresh')).length).toBe(refreshes);
  }, 300_000);

  it('an OTP bank: answered on a terminal, deferred with exit 3 when nobody is there', async () => {
    mock.control.setConnectProvider('fakebank_interactive_xf');
    const r = await connect(['connect', '--provider', 'salt-edge', '--accounts', 'all']);
    expect(r.code, r.stderr).toBe(0);
    now = day(31);
    const term = await onTerminal(cli, `stty cols 120 rows 40; ${banksync} sync c2`, env(), [{ waitFor: /Enter the code sent by SMS/, answer: `${FAKE_OTP}\r` }]);
    expect(term.code, term.output).toBe(0);
    expect(term.output).not.toContain(FAKE_OTP);
    const otp = mock.requests.filter((q) => q.path.endsWith('/interactive'));
    expect(otp).toHaveLength(1);
    expect(JSON.parse(otp[0]!.body).data.credentials.otp).toBe(FAKE_OTP);
    const id = mock.control.connections()[1]!.id;
    expect(await stored('c2')).toEqual(truth(id, { JPY: 'Fake card (JPY)' }));

    now = day(32);
    const unattended = await cli.runAsync(['sync', '--all'], env());
    expect(unattended.code).toBe(3);
    expect(unattended.stdout + unattended.stderr).toMatch(/banksync sync c2/);
  }, 120_000);

  it('update-credentials reconnects the same connection; disconnect removes it at Salt Edge', async () => {
    const before = mock.control.connections()[0]!;
    now = day(33);
    const r = await connect(['update-credentials', 'c1']);
    expect(r.code, r.stderr).toBe(0);
    expect(mock.requests.some((q) => q.path.endsWith(`/connections/${before.id}/reconnect`) && q.status === 200)).toBe(true);
    const after = mock.control.connections()[0]!;
    expect(after.id).toBe(before.id);
    expect(after.consentExpiresAt).toBe(new Date(day(33).getTime() + 90 * 86_400_000).toISOString());
    expect(after.removed).toBe(false);
    const { connections } = await cli.jsonAsync(['status'], env());
    expect(connections.find((c: { id: string }) => c.id === 'c1').consentExpiresAt).toBe(after.consentExpiresAt);

    const bye = await cli.runAsync(['disconnect', 'c1', '--keep-history'], env());
    expect(bye.code, bye.stderr).toBe(0);
    expect(mock.control.connections()[0]!.removed).toBe(true);
    expect(mock.requests.some((q) => q.method === 'DELETE' && q.path.endsWith(`/connections/${before.id}`) && q.status === 200)).toBe(true);
  });
});
