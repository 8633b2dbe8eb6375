import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, type CliSandbox, dumpTransactionsAsync, sandboxPerTest } from '../helpers/cli.js';
import { freshPgUrl, STORE_KINDS, type StoreKind } from '../helpers/stores.js';

const NOW = { BANKSYNC_NOW: '2026-11-22T07:00:00Z' };
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

    await expectSameAsOneSync(cli, env);
  });

  /** The lines of this store are those one `sync --all` gives on a store of its own. */
  const expectSameAsOneSync = async (cli: CliSandbox, env: NodeJS.ProcessEnv) => {
    const reference = await connected();
    const refEnv = { ...NOW, ...reference.env };
    expect((await reference.cli.runAsync(['sync', '--all'], refEnv)).code).toBe(0);
    const ours = await dumpTransactionsAsync(cli, { ...NOW, ...env });
    expect(ours.length).toBeGreaterThan(0);
    expect(ours).toEqual(await dumpTransactionsAsync(reference.cli, refEnv));
  };

  it.runIf(kind === 'postgres')('three workers at once share the connections: each synced by exactly one of them', async () => {
    const { cli, env } = await connected();
    const slow = { ...NOW, ...env, BANKSYNC_SANDBOX_FAULTS: 'latency-ms=40' };
    const summaries = await Promise.all([1, 2, 3].map(() => worker(cli, slow, '--once', '--concurrency', '2')));
    const all = summaries.flatMap((w) => w.connections).sort();
    expect(all).toEqual(['c1', 'c2', 'c3', 'c4']); // every one, none twice
    expect(summaries.every((w) => w.failed === 0)).toBe(true);
    await expectSameAsOneSync(cli, env);
  });

  it.runIf(kind === 'postgres')('a worker killed outright: its claimed connections are taken by the next worker on this machine at once', async () => {
    const { cli, env } = await connected();
    const url = env.BANKSYNC_DB as string;
    const child = spawn(process.execPath, [BIN, 'worker', '--concurrency', '2'], {
      env: cli.env({ ...NOW, ...env, BANKSYNC_SANDBOX_FAULTS: 'latency-ms=300' }),
      stdio: 'ignore',
    });
    await until(async () => (await claimedBy(url)) === 2);
    child.kill('SIGKILL');
    await new Promise((done) => child.on('close', done));
    expect(await claimedBy(url)).toBe(2); // left behind, its lease still running
    const next = await worker(cli, { ...NOW, ...env }, '--once', '--concurrency', '8');
    expect(next.connections.sort()).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(await claimedBy(url)).toBe(0);
    await expectSameAsOneSync(cli, env);
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

/** How many connections some worker has claimed, read straight from the server. */
async function claimedBy(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ n: string }>('SELECT count(*) AS n FROM connection_claims WHERE owner IS NOT NULL');
    return Number(r.rows[0]?.n);
  } finally {
    await client.end();
  }
}

/** Polls until `check` is true: as long as the machine needs, bounded only by the test's timeout. */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await sleep(20);
}
