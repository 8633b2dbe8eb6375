import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, type CliSandbox, dumpTransactionsAsync, sandboxPerTest } from '../helpers/cli.js';
import { freshPgUrl, STORE_KINDS, type StoreKind } from '../helpers/stores.js';

const NOW = { BANKSYNC_NOW: '2026-11-22T07:00:00Z' };
/** After the claims' lease (2 minutes) of a worker that died at NOW. */
const AFTER_LEASE = { BANKSYNC_NOW: '2026-11-22T07:05:00Z' };
const BANKS = ['sandbox-bank', 'sandbox-short', 'sandbox-yen', 'sandbox-beta'];

interface Summary {
  rounds: number;
  synced: number;
  failed: number;
  connections: string[];
}

describe.each(STORE_KINDS)('banksync worker on %s', (kind: StoreKind) => {
  const sandbox = sandboxPerTest();
  const drops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const drop of drops.splice(0)) await drop();
  });
  /** A sandbox with the four banks connected, its database of this kind. */
  const connected = async (): Promise<{ cli: CliSandbox; env: NodeJS.ProcessEnv }> => {
    const cli = sandbox();
    const env: NodeJS.ProcessEnv = {};
    if (kind === 'postgres') {
      const pg = await freshPgUrl();
      drops.push(pg.drop);
      env.BANKSYNC_DB = pg.url;
    }
    for (const bank of BANKS) {
      const r = await cli.runAsync(['connect', '--provider', 'sandbox', '--institution', bank, '--accounts', 'all', '--yes'], { ...NOW, ...env });
      expect(r.code, r.stderr).toBe(0);
    }
    return { cli, env };
  };
  const worker = async (cli: CliSandbox, env: NodeJS.ProcessEnv, ...args: string[]): Promise<Summary> => {
    const r = await cli.spawnAsync(['--json', 'worker', ...args], env);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Summary;
  };

  it('syncs every due connection once in a round; the next round finds nothing due; the lines are those of sync --all', async () => {
    const { cli, env } = await connected();
    const first = await worker(cli, { ...NOW, ...env }, '--once', '--concurrency', '8');
    expect(first.connections.sort()).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(first.failed).toBe(0);
    const again = await worker(cli, { ...NOW, ...env }, '--once');
    expect(again).toMatchObject({ rounds: 1, synced: 0, connections: [] });

    const reference = (await connected()).cli;
    const refEnv = kind === 'postgres' ? { ...NOW, BANKSYNC_DB: (await dbOf(reference, env)) } : NOW;
    expect((await reference.runAsync(['sync', '--all'], refEnv)).code).toBe(0);
    expect(await dumpTransactionsAsync(cli, { ...NOW, ...env })).toEqual(await dumpTransactionsAsync(reference, refEnv));
  });

  it('finishes its round on SIGTERM and exits 0', async () => {
    const { cli, env } = await connected();
    const child = spawn(process.execPath, [BIN, 'worker', '--concurrency', '1', '--idle-seconds', '1'], {
      env: cli.env({ ...NOW, ...env, BANKSYNC_SANDBOX_FAULTS: 'latency-ms=50' }),
    });
    let stderr = '';
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const firstRound = new Promise<void>((done) =>
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        if (/1 connection: /.test(stderr)) done();
      }),
    );
    await firstRound;
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/stopping after this round/);
    expect(stdout).toMatch(/^worker stopped after \d+ rounds?: \d+ accounts? synced, 0 failed$/m);
  });
});

/** The reference sandbox's own database: a second PostgreSQL database when the store is one. */
async function dbOf(_cli: CliSandbox, env: NodeJS.ProcessEnv): Promise<string> {
  void env;
  const pg = await freshPgUrl();
  return pg.url;
}
