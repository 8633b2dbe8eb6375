import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, dumpTransactionsAsync } from '../helpers/cli.js';
import { answerConsentPage, runLive } from '../mocks/consent-driver.js';
import { startEnableBankingMock } from '../mocks/enable-banking/server.js';

/** The built CLI against the Enable Banking mock: JWT set-up, whitelisted redirect, paging, renewal with new account ids. */
describe('Enable Banking end to end', () => {
  let now = new Date('2026-11-20T10:00:00Z');
  let mock: Awaited<ReturnType<typeof startEnableBankingMock>>;
  const cli = new CliSandbox({ inProcess: true });
  const keyFile = join(cli.dir, 'app.pem');
  const env = () => ({ BANKSYNC_ENABLE_BANKING_BASE_URL: mock.url, BANKSYNC_NOW: now.toISOString() });

  beforeAll(async () => {
    // Real Enable Banking only redirects to registered URLs; the test's port is the registered one.
    mock = await startEnableBankingMock({ now: () => now, allowRedirect: (u) => /^http:\/\/127\.0\.0\.1:\d+\/callback$/.test(u) });
    writeFileSync(keyFile, mock.privateKeyPem, { mode: 0o600 });
  });
  afterAll(async () => {
    await mock.close();
    cli.cleanup();
  });

  it('set-up rejects a key the application does not have, then stores the right one', async () => {
    const other = join(cli.dir, 'other.pem');
    writeFileSync(other, '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n');
    const bad = await cli.runAsync(['providers', 'setup', 'enable-banking', '--application-id', mock.applicationId, '--private-key', other], env());
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/private key/i);
    expect(bad.stderr).not.toContain('not a key');
    const missing = await cli.runAsync(['providers', 'setup', 'enable-banking', '--application-id', mock.applicationId, '--private-key', join(cli.dir, 'nope.pem')], env());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.pem/);
    const ok = await cli.runAsync(['providers', 'setup', 'enable-banking', '--application-id', mock.applicationId, '--private-key', keyFile], env());
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout + ok.stderr).not.toContain('PRIVATE KEY');
  });

  it('lists ASPSPs with their beta flag and connects through the redirect', async () => {
    const { institutions } = await cli.jsonAsync(['institutions', '--provider', 'enable-banking', '--country', 'FI'], env());
    expect(institutions.find((i: { id: string }) => i.id === 'FI:S-Pankki').beta).toBe(true);

    const run = runLive(cli, ['--json', 'connect', '--provider', 'enable-banking', '--institution', 'FI:Mock ASPSP', '--accounts', 'all', '--redirect-port', '0'], env());
    const answer = await answerConsentPage(await run.line(/^https?:\/\/\S+$/));
    expect(answer.callbackUrl).toMatch(/\/callback\?code=.*state=/);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    const connected = JSON.parse(r.stdout);
    expect(connected.accounts.length).toBeGreaterThanOrEqual(2);
    expect(connected.consentExpiresAt).toBeTruthy();

    const sync = await cli.runAsync(['sync', 'c1'], env());
    expect(sync.code, sync.stderr).toBe(0);
    expect((await dumpTransactionsAsync(cli, env())).length).toBeGreaterThan(100);
  });

  it('after expiry, renewal hands out new account ids; accounts are re-matched (cards by identification hash) and nothing is duplicated', async () => {
    const before = await dumpTransactionsAsync(cli, env());
    const accountsBefore = (await cli.jsonAsync(['accounts'], env())).accounts;
    mock.control.expireSessions();
    now = new Date(now.getTime() + 86_400_000);
    const expired = await cli.runAsync(['sync', 'c1'], env());
    expect(expired.code).toBe(3);
    expect(expired.stdout + expired.stderr).toContain('banksync update-credentials c1');

    const [old] = mock.control.sessions().map((s) => s.session_id);
    const run = runLive(cli, ['--json', 'update-credentials', 'c1', '--redirect-port', '0'], env());
    await answerConsentPage(await run.line(/^https?:\/\/\S+$/));
    const renewed = await run.done;
    expect(renewed.code, renewed.stderr).toBe(0);
    // The renewal is a new session: the superseded one is closed at Enable Banking.
    expect(mock.requests.filter((q) => q.method === 'DELETE').map((q) => q.path)).toEqual([`/sessions/${old}`]);
    expect(mock.control.sessions().find((s) => s.session_id === old)?.closed).toBeDefined();
    expect(JSON.parse(renewed.stdout).accounts.every((a: { status: string }) => a.status === 'kept')).toBe(true);
    expect((await cli.jsonAsync(['accounts'], env())).accounts.map((a: { id: string }) => a.id)).toEqual(accountsBefore.map((a: { id: string }) => a.id));

    expect((await cli.runAsync(['sync', 'c1'], env())).code).toBe(0);
    const after = await dumpTransactionsAsync(cli, env());
    const afterSet = new Set(after);
    expect(before.filter((r) => !afterSet.has(r))).toEqual([]);
    expect(new Set(after.map((r) => JSON.parse(r).id)).size).toBe(after.length);
  });

  it('disconnect closes the session at Enable Banking before removing the credentials', async () => {
    const open = mock.control.sessions().filter((s) => s.status === 'AUTHORIZED');
    expect(open).toHaveLength(1);
    const r = await cli.runAsync(['--json', 'disconnect', 'c1', '--delete-history', '--yes'], env());
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).revoked).toBe('revoked');
    expect(mock.requests.filter((q) => q.method === 'DELETE').at(-1)?.path).toBe(`/sessions/${open[0]!.session_id}`);
    expect(mock.control.sessions().find((s) => s.session_id === open[0]!.session_id)?.status).toBe('CLOSED');
    expect((await cli.jsonAsync(['status'], env())).connections).toEqual([]);
  });
});
