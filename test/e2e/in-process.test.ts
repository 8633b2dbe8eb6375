import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { CliSandbox, CONNECT_SANDBOX, type RunResult } from '../helpers/cli.js';

/**
 * The in-process runner (CliSandbox.runInProcess) stands in for the built binary in many e2e
 * tests: it must be indistinguishable for what they read. Two sandboxes take the same steps,
 * one spawning the binary and one running the CLI in this process; every step's exit code,
 * stdout and stderr must be the same, once each sandbox's own directory and the random support
 * reference of an error are named alike.
 */
const DAY1 = { BANKSYNC_NOW: '2026-11-20T09:00:00Z' };
const DAY3 = { BANKSYNC_NOW: '2026-11-22T09:00:00Z' };
const OFX = join(__dirname, '../../fixtures/import/ofx');

type Step = [args: string[], env?: NodeJS.ProcessEnv, input?: string];

const STEPS: Step[] = [
  // Before any database: help, version, usage errors (exit 2).
  [['--version']],
  [['--json', '--version']],
  [['--help']],
  [['sync', '--help']],
  [['accounts']],
  [['rules']],
  [['help', 'snyc']],
  [['nope']],
  [['--json', 'nope']],
  [['sync', '--bogus']],
  [['export', '--format', 'xml']],
  [['completion', 'bash']],
  [['completion', 'fish']],
  [['providers']],
  [['--json', 'providers']],
  [['institutions', 'sandbox'], DAY1],
  // Prompts without a terminal (exit 4), then a bank with nothing authorized (exit 3).
  [['connect'], DAY1],
  [['connect', '--institution', 'sandbox-beta', '--accounts', 'all'], DAY1],
  [['connect', '--institution', 'sandbox-partner', '--accounts', 'all', '--yes'], DAY1],
  [CONNECT_SANDBOX, DAY1],
  [['sync', '--all'], DAY1],
  [['--json', 'sync', '--all'], DAY3],
  [['sync', 'c1'], { ...DAY3, BANKSYNC_SANDBOX_FAULTS: 'fail-account=nl-savings' }],
  [['--json', 'sync', 'c1'], { ...DAY3, BANKSYNC_SANDBOX_FAULTS: 'fail-account=nl-savings' }],
  [['sync', 'c99'], DAY3],
  [['status'], DAY3],
  [['--json', 'status'], DAY3],
  [['--quiet', 'status'], DAY3],
  [['accounts'], DAY3],
  [['--json', 'accounts'], DAY3],
  [['accounts', 'set', 'a1', '--period', 'year'], DAY3],
  [['transactions', '--account', 'a1', '--from', '2026-11-01'], DAY3],
  [['--json', 'transactions'], DAY3],
  [['transactions', '--pending'], DAY3],
  [['transactions', '--account', 'a99'], DAY3],
  [['transfers'], DAY3],
  [['statements', '--account', 'a1'], DAY3],
  [['warnings'], DAY3],
  [['--json', 'warnings'], DAY3],
  [['export', '--format', 'csv'], DAY3],
  [['export', '--format', 'ofx', '--account', 'a1'], DAY3],
  [['export', '--format', 'beancount'], DAY3],
  [['export', '--format', 'csv', '--from', '2026-02-30'], DAY3],
  [['report'], DAY3],
  [['--json', 'report'], DAY3],
  [['rules', 'add', '--payee', 'coffee', '--category', 'Food'], DAY3],
  [['rules', 'edit', '--file', '-'], DAY3, 'payee "rent" -> Housing\n'],
  [['rules', 'list'], DAY3],
  [['rules', 'suggest'], DAY3],
  [['config'], DAY3],
  [['config', 'lock-date', '2026-01-01'], DAY3],
  [['--json', 'config'], DAY3],
  [['import', join(OFX, 'minimal-sgml.ofx'), '--account', 'new:Checking:EUR'], DAY3],
  [['doctor'], DAY3],
  [['--json', 'doctor'], DAY3],
  [['__complete', 'sync', ''], DAY3],
  [['replay', '--dry-run'], DAY3],
  [['disconnect', 'c1'], DAY3],
  [['schedule', 'show'], DAY3],
  [['backup', '--help'], DAY3],
];

describe('the in-process runner gives what the built binary gives', () => {
  const spawned = new CliSandbox();
  const here = new CliSandbox({ inProcess: true });
  afterAll(() => [spawned, here].forEach((c) => c.cleanup()));

  const same = (r: RunResult, cli: CliSandbox) => {
    const text = (s: string) =>
      s
        .split(cli.dir)
        .join('<sandbox>')
        .replace(/E-[0-9A-Z]{6}\b/g, 'E-REF');
    return { code: r.code, signal: r.signal, stdout: text(r.stdout), stderr: text(r.stderr) };
  };

  // One test per step (they run in order, on the same two databases): a step is seconds on a
  // loaded machine, sixty of them in one test outlast any timeout.
  const codes = new Set<number | null>();
  it.each(STEPS.map((step) => [step[0].join(' '), step] as const))('banksync %s', async (_shown, [args, env = {}, input]) => {
    const a = await spawned.spawnAsync(args, env, input);
    const b = await here.runInProcess(args, env, input);
    expect(same(b, here)).toEqual(same(a, spawned));
    codes.add(a.code);
  });

  it('the steps met every exit code a run without a terminal can give here', () => {
    expect([...codes].sort()).toEqual([0, 2, 3, 4, 5]);
  });

  it('a database that is a directory (exit 7) and a sync holding a lock (exit 6)', async () => {
    for (const cli of [spawned, here]) mkdirSync(join(cli.dir, 'data'));
    const dirDb = (cli: CliSandbox) => ['--db', join(cli.dir, 'data'), 'status'];
    expect(same(await here.runInProcess(dirDb(here)), here)).toEqual(same(await spawned.spawnAsync(dirDb(spawned)), spawned));
    const backup = (cli: CliSandbox) => ['backup', join(cli.dir, 'copy.db')];
    expect(same(await here.runInProcess(backup(here)), here)).toEqual(same(await spawned.spawnAsync(backup(spawned)), spawned));
    for (const cli of [spawned, here]) {
      const db = new Database(cli.db);
      db.prepare('INSERT INTO sync_locks (account_id, owner, pid, expires_at) VALUES (1, ?, ?, ?)').run('test', process.pid, '2999-01-01T00:00:00Z');
      db.close();
    }
    const restore = (cli: CliSandbox) => ['restore', join(cli.dir, 'copy.db'), '--yes'];
    const a = await spawned.spawnAsync(restore(spawned));
    expect(same(await here.runInProcess(restore(here)), here)).toEqual(same(a, spawned));
    expect(a.code).toBe(6);
  });
});
