import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, CliSandbox } from '../helpers/cli.js';

/**
 * `schedule install|remove|status` against a fake systemctl and crontab on PATH: shell scripts
 * that record their argv and answer as the real ones do.
 */

function fakeTools(dir: string, systemd: boolean): string {
  const bin = join(dir, 'fake-bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'systemctl'),
    `#!/bin/sh
echo "$*" >> '${dir}/systemctl.log'
${systemd ? '' : `echo "Failed to connect to bus: No medium found" >&2; exit 1`}
case "$*" in
  *"show banksync-sync.timer"*) printf 'ActiveState=active\\nLastTriggerUSec=@1764482400\\nNextElapseUSecRealtime=@1764525600\\n';;
  *"show banksync-sync.service"*) printf 'ExecMainStatus=3\\nExecMainStartTimestampMonotonic=12345\\n';;
esac
exit 0
`,
  );
  writeFileSync(
    join(bin, 'crontab'),
    `#!/bin/sh
echo "$*" >> '${dir}/crontab.log'
if [ "$1" = "-l" ]; then
  if [ -f '${dir}/tab' ]; then cat '${dir}/tab'; exit 0; fi
  echo "no crontab for tester" >&2; exit 1
fi
if [ "$1" = "-" ]; then cat > '${dir}/tab'; exit 0; fi
exit 2
`,
  );
  chmodSync(join(bin, 'systemctl'), 0o755);
  chmodSync(join(bin, 'crontab'), 0o755);
  return bin;
}

/** ExecStart= as systemd splits it: double-quoted words, \\ and \\" escapes, %% and $$ undoubled. */
function execArgv(unit: string): string[] {
  const line = unit
    .split('\n')
    .find((l) => l.startsWith('ExecStart='))!
    .slice('ExecStart='.length);
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1').replace(/%%/g, '%').replace(/\$\$/g, '$'));
}

describe('schedule with systemd', () => {
  let cli: CliSandbox;
  let env: NodeJS.ProcessEnv;
  let units: string;
  beforeEach(() => {
    cli = new CliSandbox({ inProcess: true });
    env = { PATH: `${fakeTools(cli.dir, true)}:${process.env.PATH}`, XDG_CONFIG_HOME: join(cli.dir, 'xdg config'), TZ: 'Europe/Amsterdam' };
    units = join(cli.dir, 'xdg config', 'systemd', 'user');
  });
  afterEach(() => cli.cleanup());

  it('writes a service and a timer with absolute paths and the database given, then enables it', async () => {
    const db = join(cli.dir, 'my "bank" db', '100%.db');
    const r = await cli.runAsync(['--db', db, 'schedule', 'install', '--every', '6h'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('installed the systemd user timer banksync-sync.timer');
    const service = readFileSync(join(units, 'banksync-sync.service'), 'utf8');
    const timer = readFileSync(join(units, 'banksync-sync.timer'), 'utf8');
    expect(execArgv(service)).toEqual([process.execPath, realpathSync(BIN), '--db', db, 'sync', '--all', '--due', '--quiet']);
    expect(service).toContain('%%.db'); // a lone % would be a systemd specifier
    expect(service).toContain(`Environment="BANKSYNC_DB=${cli.db}"`);
    expect(service).toContain(`Environment="BANKSYNC_CONFIG_DIR=${join(cli.dir, 'config')}"`);
    expect(service).toMatch(/^Type=oneshot$/m);
    expect(timer).toMatch(/^OnCalendar=\*-\*-\* 00\/6:00:00$/m);
    expect(timer).toMatch(/^Persistent=true$/m);
    expect(timer).toMatch(/^RandomizedDelaySec=\S+$/m);
    expect(timer).toMatch(/^WantedBy=timers.target$/m);
    expect(readFileSync(join(cli.dir, 'systemctl.log'), 'utf8').split('\n')).toEqual(expect.arrayContaining(['--user daemon-reload', '--user enable --now banksync-sync.timer']));
  });

  it('the ExecStart it writes really runs a sync of that database', async () => {
    const db = join(cli.dir, 'with space', 'b.db');
    mkdirSync(join(cli.dir, 'with space'));
    expect((await cli.runAsync(['--db', db, 'schedule', 'install'], env)).code).toBe(0);
    const [cmd, ...args] = execArgv(readFileSync(join(units, 'banksync-sync.service'), 'utf8'));
    const r = spawnSync(cmd!, args, { env: cli.env(), encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(existsSync(db)).toBe(true);
  });

  it('status reads the timer back, with its last and next run; remove disables and deletes it', async () => {
    expect(await cli.jsonAsync(['schedule', 'status'], env)).toMatchObject({ installed: false, via: null });
    expect((await cli.runAsync(['schedule', 'install'], env)).code).toBe(0);
    const status = await cli.jsonAsync(['schedule', 'status'], env);
    expect(status).toMatchObject({ installed: true, via: 'systemd', every: '12h', active: true, lastRunAt: '2025-11-30T06:00:00.000Z', nextRunAt: '2025-11-30T18:00:00.000Z', lastExitCode: 3 });
    const human = (await cli.runAsync(['schedule', 'status'], env)).stdout;
    expect(human).toContain('last run:  2025-11-30 07:00 CET (exit 3)');
    expect(human).toContain('next run:  2025-11-30 19:00 CET');
    const removed = await cli.runAsync(['schedule', 'remove'], env);
    expect(removed.code).toBe(0);
    expect(existsSync(join(units, 'banksync-sync.timer'))).toBe(false);
    expect(existsSync(join(units, 'banksync-sync.service'))).toBe(false);
    expect(readFileSync(join(cli.dir, 'systemctl.log'), 'utf8')).toContain('--user disable --now banksync-sync.timer');
    expect(await cli.jsonAsync(['schedule', 'status'], env)).toMatchObject({ installed: false });
    expect((await cli.runAsync(['schedule', 'remove'], env)).stdout).toContain('nothing was scheduled');
  });

  it('--every takes hours that divide a day or 1 to 7 days', async () => {
    for (const [every, calendar] of [
      ['1h', '*-*-* 00/1:00:00'],
      ['24h', '*-*-* 00:00:00'],
      ['1d', '*-*-* 00:00:00'],
      ['7d', 'Mon *-*-* 00:00:00'],
      ['120m', '*-*-* 00/2:00:00'],
    ]) {
      expect((await cli.runAsync(['schedule', 'install', '--every', every!], env)).code, every).toBe(0);
      expect(readFileSync(join(units, 'banksync-sync.timer'), 'utf8')).toContain(`OnCalendar=${calendar}`);
    }
    for (const bad of ['30m', '5h', '8d', '0h', 'often']) {
      const r = await cli.runAsync(['schedule', 'install', '--every', bad], env);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toMatch(/--every takes hours that divide a day/);
    }
  });
});

describe('schedule without systemd: cron', () => {
  let cli: CliSandbox;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    cli = new CliSandbox({ inProcess: true });
    env = { PATH: `${fakeTools(cli.dir, false)}:${process.env.PATH}`, XDG_CONFIG_HOME: join(cli.dir, 'xdg') };
  });
  afterEach(() => cli.cleanup());

  it('prints a crontab line with absolute paths and does not touch the crontab', async () => {
    const db = join(cli.dir, "it's my db", 'b.db');
    const r = await cli.runAsync(['schedule', 'install', '--every', '6h'], { ...env, BANKSYNC_DB: db });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/systemd user timers are not available here.*crontab -e/);
    expect(r.stderr).toContain('banksync schedule install --crontab');
    const line = r.stdout.trim();
    expect(line).toMatch(
      new RegExp(
        `^\\d{1,2} \\*/6 \\* \\* \\* BANKSYNC_DB='.*' .*${process.execPath.replace(/[/.]/g, '\\$&')} ${realpathSync(BIN).replace(/[/.]/g, '\\$&')} sync --all --due --quiet # banksync-schedule every=6h$`,
      ),
    );
    expect(existsSync(join(cli.dir, 'tab'))).toBe(false);
    // Read (to see what is installed), never written.
    expect(
      readFileSync(join(cli.dir, 'crontab.log'), 'utf8')
        .trim()
        .split('\n')
        .every((l) => l === '-l'),
    ).toBe(true);
    expect(existsSync(join(cli.dir, 'xdg', 'systemd'))).toBe(false);
    // What cron would run (its five time fields off): the quoted path reaches banksync intact.
    mkdirSync(join(cli.dir, "it's my db"));
    const command = line.split(' ').slice(5).join(' ');
    const run = spawnSync('/bin/sh', ['-c', command], { env: { ...cli.env(), BANKSYNC_DB: undefined, PATH: '/usr/bin:/bin' }, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(db)).toBe(true);
  });

  it('--crontab adds it keeping the other lines, replaces it on a new interval; status and remove find it', async () => {
    writeFileSync(join(cli.dir, 'tab'), 'MAILTO=me@example.org\n0 5 * * * /usr/local/bin/backup --all\n');
    expect(await cli.jsonAsync(['schedule', 'status'], env)).toMatchObject({ installed: false });
    expect((await cli.runAsync(['schedule', 'install', '--crontab'], env)).code).toBe(0);
    expect((await cli.runAsync(['schedule', 'install', '--crontab', '--every', '1d'], env)).code).toBe(0);
    const tab = readFileSync(join(cli.dir, 'tab'), 'utf8').trimEnd().split('\n');
    expect(tab.slice(0, 2)).toEqual(['MAILTO=me@example.org', '0 5 * * * /usr/local/bin/backup --all']);
    expect(tab).toHaveLength(3);
    expect(tab[2]).toMatch(/^\d{1,2} 0 \* \* \* .* sync --all --due --quiet # banksync-schedule every=1d$/);
    expect(await cli.jsonAsync(['schedule', 'status'], env)).toMatchObject({ installed: true, via: 'cron', every: '1d', cronLine: tab[2] });
    expect((await cli.runAsync(['schedule', 'remove'], env)).stdout).toContain('removed the banksync line from your crontab');
    expect(readFileSync(join(cli.dir, 'tab'), 'utf8')).toBe('MAILTO=me@example.org\n0 5 * * * /usr/local/bin/backup --all\n');
    expect(await cli.jsonAsync(['schedule', 'status'], env)).toMatchObject({ installed: false });
  });

  it('an empty crontab ("no crontab for you") is fine', async () => {
    expect((await cli.runAsync(['schedule', 'install', '--crontab'], env)).code).toBe(0);
    expect(readFileSync(join(cli.dir, 'tab'), 'utf8').trimEnd().split('\n')).toHaveLength(1);
  });
});
