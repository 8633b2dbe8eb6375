import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { BIN, type CliSandbox, CONNECT_SANDBOX, dumpTransactionsAsync, referenceSandboxRows, sandboxPerTest } from '../helpers/cli.js';
import { onTerminal } from '../helpers/terminal.js';
import { requireTools } from '../helpers/tools.js';

const NOW = { BANKSYNC_NOW: '2026-11-22T07:00:00Z' };

/** The status a shell shows in `$?`: the exit code, or 128 + the signal that ended the process. */
const shellStatus = (code: number | null, signal: NodeJS.Signals | null) => code ?? 128 + constants.signals[signal!];

/**
 * Runs a sync that stops before its sixth page (sandbox fault hang-after-pages) and sends
 * `signal` once the sandbox says it is holding that page: always mid-sync, with a lock held.
 */
function interruptedSync(cli: CliSandbox, signal: NodeJS.Signals, args: string[]) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; locksWhileHeld: number }>((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cli.env({ ...NOW, BANKSYNC_SANDBOX_FAULTS: 'hang-after-pages=5' }) });
    let stdout = '';
    let stderr = '';
    let locksWhileHeld = -1;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (locksWhileHeld === -1 && /holding page 6/.test(stderr)) {
        locksWhileHeld = locks(cli);
        child.kill(signal);
      }
    });
    child.on('close', (code, sig) => done({ code, signal: sig, stdout, stderr, locksWhileHeld }));
  });
}

function locks(cli: CliSandbox): number {
  const db = new Database(cli.db, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM sync_locks').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('Ctrl-C and SIGTERM', () => {
  const fresh = sandboxPerTest();
  const expected = referenceSandboxRows(NOW);

  it('SIGINT mid-sync: "cancelled" (no red error), status 130, locks released; the next sync completes without a duplicate', async () => {
    const cli = fresh();
    expect((await cli.runAsync(CONNECT_SANDBOX, NOW)).code).toBe(0);
    const r = await interruptedSync(cli, 'SIGINT', ['sync', '--all']);
    expect(r.locksWhileHeld).toBe(1);
    expect(shellStatus(r.code, r.signal), r.stderr).toBe(130);
    expect(r.stderr).toMatch(/^cancelled — what was stored so far is kept; the next sync completes it$/m);
    expect(r.stderr).not.toContain('error');
    expect(locks(cli)).toBe(0);
    const st = await cli.jsonAsync(['status'], NOW);
    expect(st.connections[0].accounts.map((a: { state: string }) => a.state)).not.toContain('syncing');
    const rerun = await cli.runAsync(['sync', '--all'], NOW);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(await dumpTransactionsAsync(cli, NOW)).toEqual(expected);
  });

  it('SIGTERM mid-sync under --json: the {"error"} document with exitCode 143, status 143; the next sync completes', async () => {
    const cli = fresh();
    expect((await cli.runAsync(CONNECT_SANDBOX, NOW)).code).toBe(0);
    const r = await interruptedSync(cli, 'SIGTERM', ['--json', 'sync', '--all']);
    expect(shellStatus(r.code, r.signal), r.stderr).toBe(143);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'TERMINATED', exitCode: 143 });
    expect(r.stderr).toMatch(/^stopped by SIGTERM/m);
    expect(locks(cli)).toBe(0);
    const rerun = await cli.runAsync(['sync', '--all'], NOW);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(await dumpTransactionsAsync(cli, NOW)).toEqual(expected);
  });

  it('Ctrl-C at a prompt: "cancelled", exit 130, no red error', async () => {
    requireTools('script');
    const cli = fresh();
    expect((await cli.runAsync(['connect', '--institution', 'sandbox-sca', '--accounts', 'all', '--yes'], NOW)).code).toBe(0);
    const banksync = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}`;
    const r = await onTerminal(cli, `stty cols 100 rows 30; ${banksync} sync c1`, NOW, [{ waitFor: /SCA code sent by/, answer: '\x03' }]);
    expect(r.code, r.output.slice(-500)).toBe(130);
    expect(r.output).toMatch(/cancelled/);
    expect(r.output).not.toMatch(/error/i);
  });
});
