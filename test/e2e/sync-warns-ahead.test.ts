import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, CliSandbox } from '../helpers/cli.js';
import { onTerminal } from '../helpers/terminal.js';

/** Issue 15, "cron that warns ahead": consent warnings, the notify hook, quota left today. */

const connect = (institution: string) => ['connect', '--provider', 'sandbox', '--institution', institution, '--accounts', 'all', '--yes'];
// Sandbox Expiring Bank gives 10 days of consent; the clock is fixed so days left are exact.
const NOW = '2026-11-30T06:00:00.000Z';
const TZ = 'Europe/Amsterdam';
const CONSENT_LINE = /warning: consent for c1 \(Sandbox Expiring Bank\) ends in 10 days \(2026-12-10 07:00 CET\): renew it with banksync update-credentials c1/;

describe('consent warnings on every sync', () => {
  let cli: CliSandbox;
  beforeEach(async () => {
    cli = new CliSandbox({ inProcess: true });
    expect((await cli.runAsync(connect('sandbox-expiring'), { BANKSYNC_NOW: NOW })).code).toBe(0);
  });
  afterEach(() => cli.cleanup());

  it('says it on stderr in every mode, also when nothing is due, and in the JSON document', async () => {
    const env = { BANKSYNC_NOW: NOW, TZ };
    for (const args of [['sync'], ['--quiet', 'sync'], ['--quiet', 'sync', '--all', '--due'], ['--quiet', 'sync', '--all', '--due']]) {
      const r = await cli.runAsync(args, env);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stderr.match(new RegExp(CONSENT_LINE, 'g')) ?? [], args.join(' ')).toHaveLength(1);
    }
    // The second --due run had nothing to sync: still warned (asserted above); quiet means no stdout.
    expect((await cli.runAsync(['--quiet', 'sync', '--all', '--due'], env)).stdout).toBe('');
    const json = await cli.runAsync(['--json', 'sync', '--all', '--due'], env);
    expect(json.stderr).toMatch(CONSENT_LINE);
    expect(JSON.parse(json.stdout).consentWarnings).toEqual([
      {
        connection: 'c1',
        provider: 'sandbox',
        institution: 'Sandbox Expiring Bank',
        consentExpiresAt: '2026-12-10T06:00:00.000Z',
        daysLeft: 10,
        expired: false,
        command: 'banksync update-credentials c1',
      },
    ]);
  });

  it('follows consent-warn-days (0 turns it off), says an ended consent, and never warns for a disconnected connection', async () => {
    expect((await cli.runAsync(['config', 'consent-warn-days', '7'])).code).toBe(0);
    expect((await cli.runAsync(['sync'], { BANKSYNC_NOW: NOW, TZ })).stderr).not.toMatch(/consent for c1/);
    expect((await cli.runAsync(['sync'], { BANKSYNC_NOW: '2026-12-04T06:00:00.000Z', TZ })).stderr).toMatch(/consent for c1 \(Sandbox Expiring Bank\) ends in 6 days/);
    const ended = await cli.runAsync(['--quiet', 'sync', '--all', '--due'], { BANKSYNC_NOW: '2026-12-11T06:00:00.000Z', TZ });
    expect(ended.stderr).toMatch(/consent for c1 \(Sandbox Expiring Bank\) ended on 2026-12-10 07:00 CET: renew it with banksync update-credentials c1/);
    expect((await cli.runAsync(['config', 'consent-warn-days', '0'])).code).toBe(0);
    expect((await cli.runAsync(['sync'], { BANKSYNC_NOW: NOW, TZ })).stderr).not.toMatch(/consent for/);
    expect((await cli.runAsync(['config', 'consent-warn-days', '14'])).code).toBe(0);
    expect((await cli.runAsync(['disconnect', 'c1', '--keep-history'], { BANKSYNC_NOW: NOW })).code).toBe(0);
    const after = await cli.runAsync(['--json', 'sync', '--all', '--due'], { BANKSYNC_NOW: NOW, TZ });
    expect(after.stderr).not.toMatch(/consent for/);
    expect(JSON.parse(after.stdout).consentWarnings).toEqual([]);
  });
});

describe('notify-command', () => {
  let cli: CliSandbox;
  let out: string;
  beforeEach(() => {
    // Spawned: the hook writes to the process's file descriptor 2, which in process is vitest's.
    cli = new CliSandbox();
    out = join(cli.dir, 'hook out.json');
  });
  afterEach(() => cli.cleanup());
  const hookTo = (file: string) => `cat > '${file}'; echo hook-said-this >&2`;

  it('gets a JSON summary on stdin after an unattended sync that needs someone; its output goes to stderr', async () => {
    expect((await cli.runAsync(connect('sandbox-expiring'), { BANKSYNC_NOW: NOW })).code).toBe(0);
    expect((await cli.runAsync(['config', 'notify-command', hookTo(out)])).code).toBe(0);
    const r = await cli.runAsync(['--json', 'sync', '--all', '--due'], { BANKSYNC_NOW: NOW });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('hook-said-this');
    expect(() => JSON.parse(r.stdout)).not.toThrow(); // stdout stays the one JSON document
    const summary = JSON.parse(readFileSync(out, 'utf8'));
    expect(summary).toMatchObject({ db: cli.db, exitCode: 0, accounts: [], error: null, consentWarnings: [{ connection: 'c1', daysLeft: 10, command: 'banksync update-credentials c1' }] });
    expect(summary.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(typeof summary.host).toBe('string');
    expect(Date.parse(summary.startedAt)).toBeLessThanOrEqual(Date.parse(summary.finishedAt));
  });

  it('lists the accounts that need a human, with the exit code', async () => {
    expect((await cli.runAsync(connect('sandbox-lapsed'), { BANKSYNC_NOW: NOW })).code).toBe(0);
    expect((await cli.runAsync(['config', 'notify-command', hookTo(out)])).code).toBe(0);
    const r = await cli.runAsync(['--quiet', 'sync', '--all', '--due'], { BANKSYNC_NOW: NOW });
    expect(r.code).toBe(3);
    const summary = JSON.parse(readFileSync(out, 'utf8'));
    expect(summary.exitCode).toBe(3);
    expect(summary.accounts[0]).toMatchObject({ id: 'a1', institution: 'Sandbox Lapsed Bank', result: 'skipped', code: 'CONSENT_EXPIRED', hint: 'renew it: banksync update-credentials c1' });
    expect(summary.accounts[0]).toHaveProperty('name');
    expect(summary.accounts[0]).toHaveProperty('message');
  });

  it('is not run when all is well, nor with a person at the terminal', async () => {
    expect((await cli.runAsync(['connect', '--provider', 'sandbox', '--institution', 'sandbox-bank', '--accounts', 'all', '--yes'])).code).toBe(0);
    expect((await cli.runAsync(['config', 'notify-command', hookTo(out)])).code).toBe(0);
    expect((await cli.runAsync(['--quiet', 'sync', '--all', '--due'])).code).toBe(0);
    expect(existsSync(out)).toBe(false);

    const lapsed = new CliSandbox();
    try {
      expect((await lapsed.runAsync(connect('sandbox-lapsed'), { BANKSYNC_NOW: NOW })).code).toBe(0);
      expect((await lapsed.runAsync(['config', 'notify-command', hookTo(out)])).code).toBe(0);
      const t = await onTerminal(lapsed, `${process.execPath} ${BIN} sync`, { BANKSYNC_NOW: NOW });
      expect(t.output).toMatch(/CONSENT_EXPIRED|expired/);
      expect(existsSync(out)).toBe(false);
      // The same run without a person (--no-input) does notify.
      const t2 = await onTerminal(lapsed, `${process.execPath} ${BIN} --no-input sync`, { BANKSYNC_NOW: NOW });
      expect(t2.code).toBe(3);
      expect(existsSync(out)).toBe(true);
    } finally {
      lapsed.cleanup();
    }
  });

  it('a failing or missing hook is one warning and never changes the exit code', async () => {
    expect((await cli.runAsync(connect('sandbox-lapsed'), { BANKSYNC_NOW: NOW })).code).toBe(0);
    expect((await cli.runAsync(['config', 'notify-command', 'cat >/dev/null; exit 9'])).code).toBe(0);
    const failing = await cli.runAsync(['--quiet', 'sync'], { BANKSYNC_NOW: NOW });
    expect(failing.code).toBe(3);
    expect(failing.stderr).toMatch(/warning: notify-command failed: it exited 9/);
    expect((await cli.runAsync(['config', 'notify-command', 'no-such-notifier-xyz --now'])).code).toBe(0);
    const missing = await cli.runAsync(['--quiet', 'sync'], { BANKSYNC_NOW: NOW });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/warning: notify-command failed: the command was not found/);
  });
});

describe('quota left today', () => {
  let cli: CliSandbox;
  beforeEach(() => (cli = new CliSandbox({ inProcess: true })));
  afterEach(() => cli.cleanup());

  it('a manual sync of a once-a-day bank says what is left, and --json carries it', async () => {
    expect((await cli.runAsync(connect('sandbox-daily'), { BANKSYNC_NOW: NOW })).code).toBe(0);
    const r = await cli.runAsync(['sync', 'c1'], { BANKSYNC_NOW: NOW, TZ });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('0 of 1 refresh left today for a1 (the count starts again 2026-12-01 01:00 CET)');
    const again = JSON.parse((await cli.runAsync(['--json', 'sync', 'c1'], { BANKSYNC_NOW: NOW })).stdout);
    expect(again.accounts[0]).toMatchObject({ result: 'deferred', quota: { unit: 'refreshes', of: 'a1', perDay: 1, left: 0, resetsAt: '2026-12-01T00:00:00.000Z' } });
    // The next day the count starts again; --quiet (cron) does not say it.
    const next = await cli.runAsync(['--quiet', 'sync', 'c1'], { BANKSYNC_NOW: '2026-12-01T06:00:00.000Z', TZ });
    expect(next.stdout).toBe('');
    const json = JSON.parse((await cli.runAsync(['--json', 'sync', 'c1'], { BANKSYNC_NOW: '2026-12-02T06:00:00.000Z' })).stdout);
    expect(json.accounts[0].quota.left).toBe(0);
  });

  it('a bank without a daily limit has no quota', async () => {
    expect((await cli.runAsync(connect('sandbox-bank'), { BANKSYNC_NOW: NOW })).code).toBe(0);
    const json = JSON.parse((await cli.runAsync(['--json', 'sync', 'c1'], { BANKSYNC_NOW: NOW })).stdout);
    expect(json.accounts.every((a: { quota?: unknown }) => a.quota === undefined)).toBe(true);
  });
});
