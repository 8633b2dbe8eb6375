import { afterAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli.js';

const NOW = { BANKSYNC_NOW: '2026-11-22T07:00:00Z' };
const connect = (cli: CliSandbox, inst: string) =>
  expect(cli.run(['connect', '--institution', inst, '--accounts', 'all', '--yes'], NOW).code).toBe(0);

describe('unattended runs and institutions that need a person (M13, M14, M17)', () => {
  const cli = new CliSandbox();
  afterAll(() => cli.cleanup());

  it('skips an SCA-every-fetch bank without a TTY, naming the fix; syncs it with --sca-code', () => {
    connect(cli, 'sandbox-sca');
    const r = cli.run(['sync', '--all', '--due', '--quiet'], NOW);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/needs a fresh SCA code.*--sca-code.*accounts disable a1/);
    expect(cli.run(['sync', 'c1', '--sca-code', '000000'], NOW).code).toBe(3);
    const ok = cli.json(['sync', 'c1', '--sca-code', '123456'], NOW);
    expect(ok.accounts[0].result).toBe('synced');
  });

  it('defers a second refresh the same day at a once-a-day bank, quietly, with the next time', () => {
    connect(cli, 'sandbox-daily');
    expect(cli.run(['sync', 'c2'], NOW).code).toBe(0);
    const again = cli.run(['--json', 'sync', 'c2'], { BANKSYNC_NOW: '2026-11-22T15:00:00Z' });
    expect(again.code).toBe(0);
    const r = JSON.parse(again.stdout).accounts[0];
    expect(r).toMatchObject({ result: 'deferred', nextRefreshAt: '2026-11-23T00:00:00.000Z' });
    expect(cli.run(['sync', 'c2'], { BANKSYNC_NOW: '2026-11-23T06:00:00Z' }).code).toBe(0);
  });

  it('a failing account records an error with a support ref and does not stop the others (exit 5)', () => {
    connect(cli, 'sandbox-bank');
    const r = cli.run(['--json', 'sync', 'c3'], { ...NOW, BANKSYNC_SANDBOX_FAULTS: 'fail-account=nl-savings' });
    expect(r.code).toBe(5);
    const results = JSON.parse(r.stdout).accounts;
    expect(results.map((a: { result: string }) => a.result)).toEqual(['synced', 'failed', 'synced']);
    const ref = results[1].ref;
    expect(ref).toMatch(/^E-[A-Z0-9]{6}$/);
    const status = cli.run(['status'], NOW).stdout;
    expect(status).toContain(ref);
    expect(status).toMatch(/failed/);
  });
});
