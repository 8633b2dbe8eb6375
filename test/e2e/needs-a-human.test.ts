import { afterAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli.js';

const NOW = { BANKSYNC_NOW: '2026-11-22T07:00:00Z' };
const connect = async (cli: CliSandbox, inst: string) => expect((await cli.runAsync(['connect', '--institution', inst, '--accounts', 'all', '--yes'], NOW)).code).toBe(0);

describe('unattended runs and institutions that need a person (M13, M14, M17)', () => {
  const cli = new CliSandbox({ inProcess: true });
  afterAll(() => cli.cleanup());

  it('skips an SCA-every-fetch bank without a TTY, naming the fix; syncs it with --sca-code', async () => {
    await connect(cli, 'sandbox-sca');
    const r = await cli.runAsync(['sync', '--all', '--due', '--quiet'], NOW);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/needs a fresh SCA code.*--sca-code.*accounts disable a1/);
    expect((await cli.runAsync(['sync', 'c1', '--sca-code', '000000'], NOW)).code).toBe(3);
    const ok = await cli.jsonAsync(['sync', 'c1', '--sca-code', '123456'], NOW);
    expect(ok.accounts[0].result).toBe('synced');
  });

  it('defers a second refresh the same day at a once-a-day bank, quietly, with the next time', async () => {
    await connect(cli, 'sandbox-daily');
    expect((await cli.runAsync(['sync', 'c2'], NOW)).code).toBe(0);
    const again = await cli.runAsync(['--json', 'sync', 'c2'], { BANKSYNC_NOW: '2026-11-22T15:00:00Z' });
    expect(again.code).toBe(0);
    const r = JSON.parse(again.stdout).accounts[0];
    expect(r).toMatchObject({ result: 'deferred', nextRefreshAt: '2026-11-23T00:00:00.000Z' });
    expect((await cli.runAsync(['sync', 'c2'], { BANKSYNC_NOW: '2026-11-23T06:00:00Z' })).code).toBe(0);
  });

  it('a failing account records an error with a support ref and does not stop the others (exit 5)', async () => {
    await connect(cli, 'sandbox-bank');
    const r = await cli.runAsync(['--json', 'sync', 'c3'], { ...NOW, BANKSYNC_SANDBOX_FAULTS: 'fail-account=nl-savings' });
    expect(r.code).toBe(5);
    const results = JSON.parse(r.stdout).accounts;
    expect(results.map((a: { result: string }) => a.result)).toEqual(['synced', 'failed', 'synced']);
    const ref = results[1].ref;
    expect(ref).toMatch(/^E-[A-Z0-9]{6}$/);
    const status = (await cli.runAsync(['status'], NOW)).stdout;
    expect(status).toContain(ref);
    expect(status).toMatch(/failed/);
  });
});
