import { createHash, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { chmodSync, closeSync, openSync, readdirSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONNECT_SANDBOX, type RunResult, sandboxPerTest } from '../helpers/cli.js';
import { startGoCardlessMock } from '../mocks/gocardless/server.js';
import { startSimpleFinMock } from '../mocks/simplefin/server.js';
import { LATEST_VERSION, MIGRATIONS } from '../../src/store/sqlite/migrations/index.js';

interface Check {
  id: string;
  status: 'ok' | 'warn' | 'fail';
  message: string;
  hint: string | null;
}

const NOW = { BANKSYNC_NOW: '2026-11-20T09:00:00Z', TZ: 'Europe/Amsterdam' };
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const doc = (r: RunResult) => JSON.parse(r.stdout) as { checks: Check[]; ok: boolean };
const byId = (r: RunResult, id: string) => doc(r).checks.find((c) => c.id === id);

/**
 * `banksync doctor` on the built CLI. Whether unattended sync is scheduled depends on the machine
 * (schedule status reads systemd and crontab), so tests take the schedule check as it comes and
 * derive the expected exit code from it: 0 when it is the only check and ok, 3 when it warns.
 */
describe('banksync doctor', () => {
  const fresh = sandboxPerTest({ inProcess: true });

  it('a healthy sandbox database passes every check (the schedule aside), one line each; --json has the same checks', async () => {
    const cli = fresh();
    expect((await cli.runAsync(CONNECT_SANDBOX, NOW)).code).toBe(0);
    expect((await cli.runAsync(['sync', '--all'], NOW)).code).toBe(0);
    const j = await cli.runAsync(['--json', 'doctor'], NOW);
    const { checks, ok } = doc(j);
    expect(checks.map((c) => c.id)).toEqual(['database', 'schema', 'secret-key', 'secrets', 'consents', 'accounts', 'coverage', 'warnings', 'archive', 'schedule', 'disk']);
    const schedule = checks.find((c) => c.id === 'schedule')!;
    expect(checks.filter((c) => c.id !== 'schedule' && c.status !== 'ok')).toEqual([]);
    expect(j.code).toBe(schedule.status === 'ok' ? 0 : 3);
    expect(ok).toBe(schedule.status === 'ok');
    if (schedule.status !== 'ok') expect(schedule).toMatchObject({ status: 'warn', hint: 'banksync schedule install' });
    expect(byId(j, 'secrets')!.message).toBe('1 stored credential checked: it opens with the key');
    expect(byId(j, 'accounts')!.message).toBe('3 accounts synced within their interval');
    expect(byId(j, 'archive')!.message).toMatch(/^raw archive: 3 fetches since .*, kept 400 days; banksync replay rebuilds from it$/);

    const h = await cli.runAsync(['doctor'], NOW);
    expect(h.code).toBe(j.code);
    const lines = h.stdout.trim().split('\n');
    expect(lines).toHaveLength(checks.length + 1);
    expect(lines[0]).toMatch(/^✓ .*banksync\.db: SQLite's quick check found every page intact/);
    expect(lines).toContain(`✓ schema ${LATEST_VERSION}, the latest this banksync knows`);
    expect(lines.at(-1)).toMatch(/^(all 11 checks ok|1 check of 11 needs attention)$/);
    expect(h.stderr).toBe('');
  });

  it('a wrong key fails the secrets check without printing any secret; exit 3', async () => {
    const cli = fresh();
    expect((await cli.runAsync(CONNECT_SANDBOX, NOW)).code).toBe(0);
    const key = randomBytes(32).toString('base64');
    const r = await cli.runAsync(['--json', 'doctor'], { ...NOW, BANKSYNC_SECRET_KEY: key });
    expect(r.code).toBe(3);
    expect(byId(r, 'secret-key')).toMatchObject({ status: 'ok', message: 'the secret key comes from BANKSYNC_SECRET_KEY' });
    const secrets = byId(r, 'secrets')!;
    expect(secrets.status).toBe('fail');
    expect(secrets.message).toBe('1 of 1 stored credential cannot be opened (c1): the key is not the one they were sealed with');
    expect(secrets.hint).toMatch(/^restore the key they were sealed with/);
    expect(r.stdout).not.toContain(key);
    const human = await cli.runAsync(['doctor'], { ...NOW, BANKSYNC_SECRET_KEY: key });
    expect(human.stdout).toMatch(/^✗ 1 of 1 stored credential cannot be opened \(c1\)/m);
    // The key file others can read: whoever copies it and the database reads every credential.
    const keyFile = join(cli.dir, 'config', 'secret.key');
    chmodSync(keyFile, 0o644);
    expect(byId(await cli.runAsync(['--json', 'doctor'], NOW), 'secret-key')).toEqual({
      id: 'secret-key',
      status: 'warn',
      message: `the key file ${keyFile} can be read by other users`,
      hint: `chmod 600 ${keyFile}`,
    });
  });

  it('a corrupt database file fails the integrity check with exit 7 and is left byte for byte as it was', async () => {
    const cli = fresh();
    expect((await cli.runAsync(CONNECT_SANDBOX, NOW)).code).toBe(0);
    expect((await cli.runAsync(['sync', '--all'], NOW)).code).toBe(0);
    const pages = statSync(cli.db).size / 4096;
    const fd = openSync(cli.db, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, Math.floor(pages / 2) * 4096);
    closeSync(fd);
    const before = sha(cli.db);
    const r = await cli.runAsync(['--json', 'doctor'], NOW);
    expect(r.code).toBe(7);
    const db = byId(r, 'database')!;
    expect(db.status).toBe('fail');
    expect(db.message).toMatch(new RegExp(`^${cli.db} is corrupt \\(SQLite: .+\\)$`));
    expect(db.hint).toBe(`banksync --db ${cli.db} status shows how to recover it`);
    // Nothing that needs the database ran on it.
    expect(doc(r).checks.map((c) => c.id)).toEqual(['database', 'secret-key', 'disk']);
    expect(sha(cli.db)).toBe(before);
    const h = await cli.runAsync(['doctor'], NOW);
    expect(h.code).toBe(7);
    expect(h.stdout).toMatch(/^✗ .* is corrupt \(SQLite: .+\) — banksync --db .* status shows how to recover it$/m);
  });

  it('a consent near its end warns with the renewal command, in local time; consent-warn-days moves the threshold', async () => {
    const cli = fresh();
    expect((await cli.runAsync(['connect', '--provider', 'sandbox', '--institution', 'sandbox-expiring', '--accounts', 'all', '--yes'], NOW)).code).toBe(0);
    expect((await cli.runAsync(['sync', '--all'], NOW)).code).toBe(0);
    const r = await cli.runAsync(['--json', 'doctor'], NOW);
    expect(r.code).toBe(3);
    expect(byId(r, 'consent:c1')).toEqual({
      id: 'consent:c1',
      status: 'warn',
      message: 'c1 Sandbox Expiring Bank (sandbox): consent ends in 10 days, 2026-11-30T09:00:00.000Z',
      hint: 'banksync update-credentials c1',
    });
    const h = await cli.runAsync(['doctor'], NOW);
    expect(h.stdout).toContain('! c1 Sandbox Expiring Bank (sandbox): consent ends in 10 days, 2026-11-30 10:00 CET — banksync update-credentials c1\n');
    // --quiet: only what needs attention (the schedule line too, where it is not installed).
    const quiet = await cli.runAsync(['--quiet', 'doctor'], NOW);
    expect(quiet.code).toBe(3);
    expect(
      quiet.stdout
        .trim()
        .split('\n')
        .filter((l) => !/schedule/.test(l)),
    ).toEqual(['! c1 Sandbox Expiring Bank (sandbox): consent ends in 10 days, 2026-11-30 10:00 CET — banksync update-credentials c1']);

    expect((await cli.runAsync(['config', 'consent-warn-days', '5'], NOW)).code).toBe(0);
    expect(byId(await cli.runAsync(['--json', 'doctor'], NOW), 'consents')).toMatchObject({ status: 'ok', message: '1 connection: no consent ends within 5 days' });

    // Three weeks on: the consent has ended and the account has not synced for days.
    const later = { ...NOW, BANKSYNC_NOW: '2026-12-11T09:00:00Z' };
    const after = await cli.runAsync(['--json', 'doctor'], later);
    expect(byId(after, 'consent:c1')).toMatchObject({ status: 'fail', hint: 'banksync update-credentials c1' });
    expect(byId(after, 'account:a1')).toMatchObject({
      status: 'fail',
      message: 'a1 Käyttötili at Sandbox Expiring Bank: last synced 2026-11-20T09:00:00.000Z, 21 days ago (every 12h expected)',
      hint: 'banksync update-credentials c1',
    });
  });

  it('a provider in use: credentials present and the mock answering; the mock down is unreachable (exit 3)', async () => {
    const cli = fresh();
    const mock = await startGoCardlessMock();
    const env = { ...NOW, BANKSYNC_GOCARDLESS_BASE_URL: mock.url, BANKSYNC_GOCARDLESS_SECRET_ID: 'sandbox-secret-id', BANKSYNC_GOCARDLESS_SECRET_KEY: 'sandbox-secret-key' };
    let up: RunResult;
    try {
      expect((await cli.runAsync(CONNECT_SANDBOX, NOW)).code).toBe(0);
      up = await cli.runAsync(['--json', 'doctor'], env);
      // One plain GET without credentials: no token asked for, no account data, no quota spent.
      expect(mock.requests.map((q) => [q.method, q.path, q.headers.authorization ?? null])).toEqual([['GET', new URL(mock.url).pathname.replace(/\/?$/, '/'), null]]);
    } finally {
      await mock.close();
    }
    const host = new URL(mock.url).host;
    expect(byId(up, 'credentials:gocardless')).toMatchObject({ status: 'ok', message: 'GoCardless Bank Account Data: all 2 credentials are set (environment)' });
    expect(byId(up, 'reach:gocardless')).toMatchObject({ status: 'ok', message: expect.stringMatching(new RegExp(`^GoCardless Bank Account Data: ${host} answered \\(HTTP \\d{3}\\)$`)) });
    expect(up.stdout).not.toContain('sandbox-secret-key');

    const down = await cli.runAsync(['--json', 'doctor'], env);
    expect(down.code).toBe(3);
    expect(byId(down, 'reach:gocardless')).toEqual({
      id: 'reach:gocardless',
      status: 'fail',
      message: `GoCardless Bank Account Data: cannot reach ${host} (ECONNREFUSED)`,
      hint: "BANKSYNC_GOCARDLESS_BASE_URL points there: start that server, or unset BANKSYNC_GOCARDLESS_BASE_URL to use GoCardless Bank Account Data's own address",
    });
    const missing = await cli.runAsync(['--json', 'doctor'], { ...env, BANKSYNC_GOCARDLESS_SECRET_KEY: '' });
    expect(byId(missing, 'credentials:gocardless')).toMatchObject({ status: 'fail', hint: 'banksync providers setup gocardless' });
  });

  it('an account is failing once two of its own sync intervals (at least a day) pass without a success; a disabled one is not watched', async () => {
    const cli = fresh();
    expect((await cli.runAsync(CONNECT_SANDBOX, NOW)).code).toBe(0);
    expect((await cli.runAsync(['sync', '--all'], NOW)).code).toBe(0);
    expect((await cli.runAsync(['accounts', 'set', 'a1', '--interval', '72'], NOW)).code).toBe(0);
    expect((await cli.runAsync(['accounts', 'disable', 'a3'], NOW)).code).toBe(0);
    const r = await cli.runAsync(['--json', 'doctor'], { ...NOW, BANKSYNC_NOW: '2026-11-24T09:00:00Z' });
    expect(r.code).toBe(3);
    const failing = doc(r).checks.filter((c) => c.id.startsWith('account'));
    expect(failing).toEqual([
      {
        id: 'account:a2',
        status: 'fail',
        message: 'a2 Savings at Sandbox Bank: last synced 2026-11-20T09:00:00.000Z, 4 days ago (every 12h expected)',
        hint: 'banksync sync a2; if that works, nothing runs the sync unattended: banksync schedule install',
      },
    ]);
  });

  it('a coverage gap (days never fetched) warns with the import command that fills it', async () => {
    const cli = fresh();
    expect((await cli.runAsync(CONNECT_SANDBOX, NOW)).code).toBe(0);
    expect((await cli.runAsync(['sync', '--all'], NOW)).code).toBe(0);
    // An old fetched range apart from the rest, as a lock date moved back later leaves behind.
    const db = new Database(cli.db);
    db.prepare('INSERT INTO coverage (account_id, from_date, to_date) VALUES (2, ?, ?)').run('2020-01-01', '2020-01-31');
    const first = (db.prepare('SELECT min(from_date) AS d FROM coverage WHERE account_id = 2 AND from_date > ?').get('2020-01-31') as { d: string }).d;
    db.close();
    const r = await cli.runAsync(['--json', 'doctor'], NOW);
    expect(r.code).toBe(3);
    const day = (iso: string, n: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
    expect(doc(r).checks.filter((c) => c.id.startsWith('gaps') || c.id === 'coverage')).toEqual([
      {
        id: 'gaps:a2',
        status: 'warn',
        message: `a2 Savings: 1 date range never fetched (2020-02-01…${day(first, -1)})`,
        hint: 'lines booked then may be missing: import a statement of those dates with banksync import FILE --account a2',
      },
    ]);
  });

  it('a line warning from the last 7 days warns with the command that lists it; older ones are only counted', async () => {
    const cli = fresh();
    expect((await cli.runAsync(CONNECT_SANDBOX, NOW)).code).toBe(0);
    expect((await cli.runAsync(['sync', '--all'], NOW)).code).toBe(0);
    expect((await cli.runAsync(['import', resolve(__dirname, '../../fixtures/import/trust/future-dated.csv'), '--account', 'a1'], NOW)).code).toBe(0);
    expect(byId(await cli.runAsync(['--json', 'doctor'], NOW), 'warnings')).toEqual({
      id: 'warnings',
      status: 'warn',
      message: '1 line warning in the last 7 days on a1 (1 in all)',
      hint: 'banksync warnings --account a1 shows each line and why',
    });
    const later = { ...NOW, BANKSYNC_NOW: '2026-11-28T09:00:00Z' };
    expect(byId(await cli.runAsync(['--json', 'doctor'], later), 'warnings')).toMatchObject({ status: 'ok', message: '1 line warning, none in the last 7 days (banksync warnings lists them)' });
  });

  it("SimpleFIN: the Bridge named by the connection's Access URL is asked one GET without credentials, so the token's daily quota is untouched", async () => {
    const cli = fresh();
    const mock = await startSimpleFinMock({ now: () => new Date(NOW.BANKSYNC_NOW) });
    try {
      const token = mock.control.newSetupToken();
      const c = await cli.runAsync(['connect', '--provider', 'simplefin', '--setup-token', token, '--accounts', 'all', '--no-input'], NOW);
      expect(c.code, c.stderr).toBe(0);
      const before = mock.requests.length;
      const r = await cli.runAsync(['--json', 'doctor'], NOW);
      const host = new URL(mock.url).host;
      expect(byId(r, 'reach:simplefin')).toEqual({
        id: 'reach:simplefin',
        status: 'ok',
        message: expect.stringMatching(new RegExp(`^SimpleFIN Bridge: ${host} answered \\(HTTP \\d{3}\\)$`)),
        hint: null,
      });
      const asked = mock.requests.slice(before);
      expect(asked.map((q) => [q.method, q.path, q.headers.authorization ?? null, q.user ?? null])).toEqual([['GET', '/', null, null]]);
      expect(r.stdout).not.toContain(mock.control.accessUsers()[0]!);
    } finally {
      await mock.close();
    }
  });

  it('an older schema is upgraded as by any command (a copy kept) and says so; a newer one fails with exit 7', async () => {
    const cli = fresh();
    const old = new Database(cli.db);
    for (const m of MIGRATIONS.slice(0, LATEST_VERSION - 1)) m.up(old);
    old.pragma('application_id = 0x42534e43');
    old.pragma(`user_version = ${LATEST_VERSION - 1}`);
    old.close();
    const r = await cli.runAsync(['--json', 'doctor'], NOW);
    expect(byId(r, 'schema')).toMatchObject({ status: 'ok', message: expect.stringMatching(new RegExp(`^schema ${LATEST_VERSION - 1} upgraded to ${LATEST_VERSION} just now`)) });
    expect(readdirSync(cli.dir).filter((f) => f.startsWith(`banksync.db.bak-v${LATEST_VERSION - 1}-`))).toHaveLength(1);

    const newer = new Database(cli.db);
    newer.pragma(`user_version = ${LATEST_VERSION + 1}`);
    newer.close();
    const n = await cli.runAsync(['--json', 'doctor'], NOW);
    expect(n.code).toBe(7);
    expect(byId(n, 'schema')).toMatchObject({ status: 'fail', hint: expect.stringMatching(/^upgrade banksync/) });
  });

  it('no database yet: says how to start, creates nothing, exit 3', async () => {
    const cli = fresh();
    const r = await cli.runAsync(['--json', 'doctor'], NOW);
    expect(r.code).toBe(3);
    expect(byId(r, 'database')).toMatchObject({ status: 'warn', message: `no database at ${cli.db} yet` });
    expect(() => statSync(cli.db)).toThrow();
  });
});
