import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, dumpTransactionsAsync } from '../helpers/cli.js';
import { answerConsentPage, runLive } from '../mocks/consent-driver.js';
import { startGoCardlessMock } from '../mocks/gocardless/server.js';

/** The built CLI against the GoCardless mock over loopback: set-up → connect → sync → expiry → renewal. */
describe('GoCardless end to end', () => {
  let now = new Date('2026-11-20T10:00:00Z');
  let mock: Awaited<ReturnType<typeof startGoCardlessMock>>;
  const cli = new CliSandbox({ inProcess: true });
  const env = () => ({ BANKSYNC_GOCARDLESS_BASE_URL: mock.url, BANKSYNC_NOW: now.toISOString() });

  beforeAll(async () => {
    mock = await startGoCardlessMock({ now: () => now });
  });
  afterAll(async () => {
    await mock.close();
    cli.cleanup();
  });

  it('set-up checks the secrets at once, names the wrong one and stores nothing', async () => {
    const bad = await cli.runAsync(['providers', 'setup', 'gocardless', '--secret-id', 'sandbox-secret-id'], { ...env(), BANKSYNC_GOCARDLESS_SECRET_KEY: 'wrong-key-123' });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/^error: GoCardless rejected the secret id or secret key/m);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr + bad.stdout).not.toContain('wrong-key-123');
    const { providers } = await cli.jsonAsync(['providers'], env());
    expect(providers.find((p: { id: string }) => p.id === 'gocardless').ready).toBe(false);

    const noTty = await cli.runAsync(['providers', 'setup', 'gocardless'], env());
    expect(noTty.code).toBe(4);
    expect(noTty.stderr).toMatch(/--secret-id or BANKSYNC_GOCARDLESS_SECRET_ID/);

    const ok = await cli.runAsync(['providers', 'setup', 'gocardless', '--secret-id', 'sandbox-secret-id'], { ...env(), BANKSYNC_GOCARDLESS_SECRET_KEY: 'sandbox-secret-key' });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).not.toContain('next:');
    expect(ok.stderr).toMatch(/^next: banksync institutions --provider gocardless --country XX$/m);
    expect(ok.stdout).not.toContain('sandbox-secret-key');
    const after = (await cli.jsonAsync(['providers'], env())).providers.find((p: { id: string }) => p.id === 'gocardless');
    expect(after.credentials.map((c: { source: string }) => c.source)).toEqual(['stored', 'stored']);
  });

  it("lists the mock's Belgian institutions, then serves them from the local copy when GoCardless is unreachable", async () => {
    const { institutions } = await cli.jsonAsync(['institutions', '--provider', 'gocardless', '--country', 'BE'], env());
    expect(institutions.length).toBeGreaterThanOrEqual(4);
    expect(institutions.every((i: { providerId: string }) => i.providerId === 'gocardless')).toBe(true);
    expect(institutions.map((i: { id: string }) => i.id)).toContain('KBC_KREDBEBB');

    const offline = { BANKSYNC_GOCARDLESS_BASE_URL: 'http://127.0.0.1:9', BANKSYNC_NOW: now.toISOString() };
    expect((await cli.jsonAsync(['institutions', 'kbc', '--provider', 'gocardless', '--country', 'BE'], offline)).institutions).toHaveLength(1);
    const refreshed = await cli.runAsync(['--json', 'institutions', '--provider', 'gocardless', '--country', 'BE', '--refresh'], offline);
    expect(refreshed.code).toBe(0);
    expect(refreshed.stderr).toMatch(/cannot reach 127\.0\.0\.1:9.*showing the list saved 2026-11-20/);
    expect(JSON.parse(refreshed.stdout).institutions).toHaveLength(institutions.length);
  });

  it('connects through the consent page and the loopback redirect, then syncs', async () => {
    const run = runLive(cli, ['--json', 'connect', '--provider', 'gocardless', '--institution', 'SANDBOXFINANCE_SFIN0000', '--accounts', 'all', '--redirect-port', '0'], env());
    const url = await run.line(/^https?:\/\/\S+$/);
    expect(url).toContain(`${mock.url}/psd2/start/`);
    const answer = await answerConsentPage(url);
    expect(answer.callbackStatus).toBe(200);
    expect(answer.callbackUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback\?ref=/);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    const connected = JSON.parse(r.stdout);
    expect(connected.accounts).toHaveLength(2);
    expect(connected.consentExpiresAt.slice(0, 10)).toBe('2027-02-18');

    const sync = await cli.runAsync(['--json', 'sync', 'c1'], env());
    expect(sync.code, sync.stderr).toBe(0);
    const rows = await dumpTransactionsAsync(cli, env());
    expect(rows.length).toBeGreaterThan(50);
    // A second sync the same day changes nothing.
    expect((await cli.runAsync(['sync', 'c1'], env())).code).toBe(0);
    expect(await dumpTransactionsAsync(cli, env())).toEqual(rows);

    const status = await cli.jsonAsync(['status'], env());
    expect(status.connections[0].consentDaysLeft).toBe(90);
    expect(mock.openApiViolations).toEqual([]);
  });

  it('an expired agreement stops sync with the renewal command; update-credentials keeps accounts and history', async () => {
    const before = await dumpTransactionsAsync(cli, env());
    now = new Date('2027-02-20T10:00:00Z');
    const expired = await cli.runAsync(['sync', 'c1'], env());
    expect(expired.code).toBe(3);
    expect(expired.stdout + expired.stderr).toContain('banksync update-credentials c1');

    const superseded = mock.control.requisitions().map((r) => r.id);
    expect(superseded).toHaveLength(1);
    const run = runLive(cli, ['--json', 'update-credentials', 'c1', '--redirect-port', '0'], env());
    await answerConsentPage(await run.line(/^https?:\/\/\S+$/));
    const renewed = await run.done;
    expect(renewed.code, renewed.stderr).toBe(0);
    // The renewal made a new requisition; the superseded one is deleted at GoCardless.
    expect(mock.control.revoked()).toEqual(superseded);
    expect(mock.control.requisitions().map((r) => r.id)).not.toContain(superseded[0]);
    const body = JSON.parse(renewed.stdout);
    expect(body.accounts.map((a: { status: string }) => a.status)).toEqual(['kept', 'kept']);
    expect(body.newAccountsAvailable).toBe(0);

    const sync = await cli.runAsync(['sync', 'c1'], env());
    expect(sync.code, sync.stderr).toBe(0);
    const after = await dumpTransactionsAsync(cli, env());
    // Everything seen before is still there exactly once; the new consent only added later lines.
    const afterSet = new Set(after);
    expect(before.filter((r) => !afterSet.has(r))).toEqual([]);
    expect(new Set(after.map((r) => JSON.parse(r).id)).size).toBe(after.length);
    expect(mock.openApiViolations).toEqual([]);
  });

  it('disconnect deletes the requisition at GoCardless before removing the credentials', async () => {
    const [current] = mock.control.requisitions().map((r) => r.id);
    const r = await cli.runAsync(['--json', 'disconnect', 'c1', '--keep-history'], env());
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).revoked).toBe('revoked');
    expect(mock.control.revoked().at(-1)).toBe(current);
    expect(mock.control.requisitions()).toEqual([]);
    const del = mock.requests.filter((q) => q.method === 'DELETE');
    expect(del.at(-1)).toMatchObject({ path: `/api/v2/requisitions/${current}/`, status: 200 });
    expect(mock.openApiViolations).toEqual([]);
  });

  it('a revocation GoCardless refuses is a warning; the credentials are removed all the same', async () => {
    const run = runLive(cli, ['--json', 'connect', '--provider', 'gocardless', '--institution', 'SANDBOXFINANCE_SFIN0000', '--accounts', 'all', '--redirect-port', '0'], env());
    await answerConsentPage(await run.line(/^https?:\/\/\S+$/));
    expect((await run.done).code).toBe(0);
    const revokedBefore = mock.control.revoked().length;
    mock.control.failNext(/^\/api\/v2\/requisitions\/[^/]+\/$/, 403, { summary: 'IP address access denied', detail: "Your IP 127.0.0.1 isn't whitelisted to perform this action", status_code: 403 });
    const r = await cli.runAsync(['--json', 'disconnect', 'c2', '--keep-history'], env());
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).revoked).toBe('failed');
    expect(r.stderr).toMatch(/^warning: GoCardless Bank Account Data did not revoke the consent of c2: .*IP address access denied/m);
    expect(mock.control.revoked()).toHaveLength(revokedBefore);
    const sync = await cli.runAsync(['sync', 'c2'], env());
    expect(sync.stdout + sync.stderr).toMatch(/update-credentials c2/);
  });
});
