import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, dumpTransactionsAsync } from '../helpers/cli.js';
import { answerConsentPage, runLive } from '../mocks/consent-driver.js';
import { startPontoMock } from '../mocks/ponto/server.js';

/** The built CLI against the Ponto mock over mutual TLS: set-up, PKCE consent, synchronization, expiry, reauthorization. */
describe('Ponto end to end', () => {
  let now = new Date('2026-11-20T10:00:00Z');
  let mock: Awaited<ReturnType<typeof startPontoMock>>;
  const cli = new CliSandbox();
  const env = () => ({
    BANKSYNC_PONTO_BASE_URL: mock.url,
    BANKSYNC_PONTO_AUTHORIZATION_URL: mock.authorizationUrl,
    // The mock's server certificate is signed by a test CA the CLI must trust, as a proxy's would be.
    NODE_EXTRA_CA_CERTS: `${mock.certsDir}ca.pem`,
    BANKSYNC_NOW: now.toISOString(),
  });

  // Ponto only redirects to a registered address, matched exactly: one fixed loopback port here.
  let port = 0;
  let redirect = '';
  beforeAll(async () => {
    port = await freePort();
    redirect = `http://127.0.0.1:${port}/callback`;
    mock = await startPontoMock({ now: () => now, allowRedirect: (u) => u === redirect });
  });
  afterAll(async () => {
    await mock.close();
    cli.cleanup();
  });

  it('set-up names a certificate from the wrong CA, then stores the right credentials', async () => {
    const base = ['providers', 'setup', 'ponto', '--client-id', 'ponto-test-client'];
    const wrong = await cli.runAsync([...base, '--certificate', `${mock.certsDir}wrong-client.pem`, '--certificate-key', `${mock.certsDir}wrong-client-key.pem`], {
      ...env(),
      BANKSYNC_PONTO_CLIENT_SECRET: 'ponto-test-secret',
    });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/certificate/i);
    const badSecret = await cli.runAsync([...base, '--certificate', `${mock.certsDir}client.pem`, '--certificate-key', `${mock.certsDir}client-key.pem`], {
      ...env(),
      BANKSYNC_PONTO_CLIENT_SECRET: 'nope-nope',
    });
    expect(badSecret.code).toBe(3);
    expect(badSecret.stderr).toMatch(/client (id|secret)/i);
    expect(badSecret.stderr).not.toContain('nope-nope');
    const ok = await cli.runAsync([...base, '--certificate', `${mock.certsDir}client.pem`, '--certificate-key', `${mock.certsDir}client-key.pem`], {
      ...env(),
      BANKSYNC_PONTO_CLIENT_SECRET: 'ponto-test-secret',
    });
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('connects with PKCE through the loopback redirect and syncs through a synchronization', async () => {
    const { institutions } = await cli.jsonAsync(['institutions', '--provider', 'ponto', '--country', 'BE'], env());
    expect(institutions.length).toBeGreaterThan(0);
    const bank = institutions.find((i: { name: string }) => i.name === 'Sandbox Bank BE').id;
    const run = runLive(cli, ['--json', 'connect', '--provider', 'ponto', '--institution', bank, '--accounts', 'all', '--redirect-port', String(port)], env());
    const answer = await answerConsentPage(await run.line(/^https?:\/\/\S+$/));
    expect(answer.callbackUrl).toMatch(/\/callback\?code=.*state=/);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    const connected = JSON.parse(r.stdout);
    expect(connected.accounts.length).toBeGreaterThan(0);
    expect(connected.consentExpiresAt.slice(0, 10)).toBe('2027-05-19');

    const sync = await cli.runAsync(['sync', 'c1'], env());
    expect(sync.code, sync.stderr).toBe(0);
    const rows = await dumpTransactionsAsync(cli, env());
    expect(rows.length).toBeGreaterThan(100);
    // Once per connection, before any fetch: lines (with pending ones) and details, for each account once.
    const posts = () => mock.requests.filter((q) => q.method === 'POST' && q.path.endsWith('/synchronizations')).length;
    expect(posts()).toBe(2 * connected.accounts.length);
    // Again at once: Ponto's cooldown answers accountRecentlySynchronized; banksync reads the cached data and says so.
    const again = await cli.runAsync(['sync', 'c1'], env());
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(
      'Ponto Connect did not refresh from Sandbox Bank BE now (its accounts were synchronized from the bank a few minutes ago and Ponto allows no new synchronization this soon): synced what it already holds',
    );
    expect(posts()).toBe(4 * connected.accounts.length);
    expect(await dumpTransactionsAsync(cli, env())).toEqual(rows);
  });

  it('an expired bank authorization needs update-credentials; reauthorization keeps everything', async () => {
    const before = await dumpTransactionsAsync(cli, env());
    mock.control.expireAuthorizations();
    now = new Date(now.getTime() + 3_600_000);
    const expired = await cli.runAsync(['sync', 'c1'], env());
    expect(expired.code).toBe(3);
    expect(expired.stdout + expired.stderr, expired.stdout + expired.stderr).toContain('banksync update-credentials c1');

    const run = runLive(cli, ['--json', 'update-credentials', 'c1', '--redirect-port', String(port)], env());
    await answerConsentPage(await run.line(/^https?:\/\/\S+$/));
    const renewed = await run.done;
    expect(renewed.code, renewed.stderr).toBe(0);
    now = new Date(now.getTime() + 3_600_000);
    const sync = await cli.runAsync(['sync', 'c1'], env());
    expect(sync.code, sync.stderr).toBe(0);
    const after = new Set(await dumpTransactionsAsync(cli, env()));
    expect(before.filter((r) => !after.has(r))).toEqual([]);
  });
  it('one lapsed account is renewed in place by a reauthorization request to the registered address', async () => {
    const before = await dumpTransactionsAsync(cli, env());
    const { accounts } = await cli.jsonAsync(['accounts'], env());
    const first = accounts.find((a: { connection: string }) => a.connection === 'c1');
    const wire = (mock.control.accounts() as { id: string; attributes: { reference: string } }[]).find((a) => a.attributes.reference === first.iban);
    expect(wire, 'the mock account behind c1').toBeDefined();
    mock.control.expireAuthorizations([wire!.id]);
    now = new Date(now.getTime() + 3_600_000);
    expect((await cli.runAsync(['sync', 'c1'], env())).code).toBe(3);

    const from = mock.requests.length;
    const run = runLive(cli, ['--json', 'update-credentials', 'c1', '--redirect-port', String(port)], env());
    const url = await run.line(/^https?:\/\/\S+$/);
    expect(url).toContain('/reauthorize/');
    const answer = await answerConsentPage(url);
    // Back at the registered address exactly, without parameters: banksync checks the account itself.
    expect(answer.callbackUrl).toBe(redirect);
    const renewed = await run.done;
    expect(renewed.code, renewed.stderr).toBe(0);
    const reauth = mock.requests.slice(from).find((q) => q.method === 'POST' && q.path.endsWith('/reauthorization-requests'));
    expect(reauth).toBeDefined();
    now = new Date(now.getTime() + 3_600_000);
    const sync = await cli.runAsync(['sync', 'c1'], env());
    expect(sync.code, sync.stderr).toBe(0);
    const after = new Set(await dumpTransactionsAsync(cli, env()));
    expect(before.filter((r) => !after.has(r))).toEqual([]);
    // A reauthorization keeps the integration: nothing was revoked.
    expect(mock.control.revoked()).toEqual([]);
  });

  it('disconnect revokes the refresh token at Ponto (the integration ends) before removing the credentials', async () => {
    const r = await cli.runAsync(['--json', 'disconnect', 'c1', '--keep-history'], env());
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).revoked).toBe('revoked');
    expect(mock.control.revoked()).toHaveLength(1);
    const revoke = mock.requests.filter((q) => q.path === '/ponto-connect/oauth2/revoke');
    expect(revoke).toHaveLength(1);
    expect(revoke[0]!.headers.authorization).toBe(`Basic ${Buffer.from('ponto-test-client:ponto-test-secret').toString('base64')}`);
    // The integration is gone at Ponto too: the stored token could not sync any more, and it is deleted here.
    const sync = await cli.runAsync(['sync', 'c1'], env());
    expect(sync.stdout + sync.stderr).toMatch(/update-credentials c1/);
  });
});

/** A loopback port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
