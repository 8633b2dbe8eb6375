import { afterEach, describe, expect, it } from 'vitest';
import { CONNECT_SANDBOX, dumpTransactionsAsync, referenceSandboxRows, sandboxPerTest } from '../helpers/cli.js';
import { freshPgUrl, STORE_KINDS, type StoreKind } from '../helpers/stores.js';

const NOW = { BANKSYNC_NOW: '2026-11-22T07:00:00Z' };
const CONNECT = CONNECT_SANDBOX;

const expected = referenceSandboxRows(NOW);

describe.each(STORE_KINDS)('crash safety and concurrency on %s', (kind: StoreKind) => {
  const sandbox = sandboxPerTest();
  const drops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const drop of drops.splice(0)) await drop();
  });
  /** A CLI sandbox whose database is of this kind: on PostgreSQL, a new database of the test server. */
  const fresh = async () => {
    const cli = sandbox();
    if (kind === 'postgres') {
      const pg = await freshPgUrl();
      drops.push(pg.drop);
      const run = cli.runAsync.bind(cli);
      cli.runAsync = (args, extra = {}, input) => run(args, { BANKSYNC_DB: pg.url, ...extra }, input);
    }
    return cli;
  };

  it.each([1, 20, 46, 70])('kill -9 after %i pages, then a re-run, gives the same rows as an uninterrupted run', async (pages) => {
    const cli = await fresh();
    expect((await cli.runAsync(CONNECT, NOW)).code).toBe(0);
    const killed = await cli.runAsync(['sync', '--all'], { ...NOW, BANKSYNC_SANDBOX_FAULTS: `kill-after-pages=${pages}` });
    expect(killed.signal).toBe('SIGKILL');
    const st = await cli.jsonAsync(['status'], NOW);
    const states = st.connections[0].accounts.map((a: { state: string }) => a.state);
    expect(states).not.toContain('syncing'); // a dead owner's "syncing" is shown as interrupted
    const rerun = await cli.runAsync(['sync', '--all'], NOW);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(await dumpTransactionsAsync(cli, NOW)).toEqual(expected);
  });

  it('two syncs at once never double a line; a locked account is reported busy', async () => {
    const cli = await fresh();
    expect((await cli.runAsync(CONNECT, NOW)).code).toBe(0);
    const slow = { ...NOW, BANKSYNC_SANDBOX_FAULTS: 'latency-ms=100' };
    const [a, b] = await Promise.all([cli.runAsync(['--json', 'sync', 'c1'], slow), cli.runAsync(['--json', 'sync', 'c1'], slow)]);
    for (const r of [a, b]) expect([0, 6], r.stderr).toContain(r.code);
    const results = [a, b].flatMap((r) => JSON.parse(r.stdout).accounts.map((x: { result: string }) => x.result));
    expect(results).toContain('busy');
    expect(results.filter((x: string) => x === 'synced').length).toBeGreaterThanOrEqual(3);
    expect(await dumpTransactionsAsync(cli, NOW)).toEqual(expected);
  });
});
