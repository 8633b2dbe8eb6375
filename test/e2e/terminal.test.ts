import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CliSandbox } from '../helpers/cli.js';
import { onTerminal } from '../helpers/terminal.js';
import { requireTools } from '../helpers/tools.js';

const NOW = { BANKSYNC_NOW: '2026-11-22T07:00:00Z' };

describe('at a terminal', () => {
  const cli = new CliSandbox();
  const banksync = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}`;
  beforeAll(async () => {
    requireTools('script');
    for (const inst of ['sandbox-bank', 'sandbox-sca']) {
      expect((await cli.runAsync(['connect', '--institution', inst, '--accounts', 'all', '--yes'], NOW)).code).toBe(0);
    }
  });
  afterAll(() => cli.cleanup());

  it('asks for the SCA code with the spinner stopped, then syncs every account', async () => {
    const r = await onTerminal(cli, `stty cols 100 rows 30; ${banksync} sync --all`, NOW, [{ waitFor: /SCA code sent by/, answer: '123456\r' }]);
    expect(r.output.length).toBeLessThan(100_000);
    expect(r.code, r.output.slice(-500)).toBe(0);
    expect(r.output.match(/ synced: /g)?.length).toBe(4); // three sandbox-bank accounts and the SCA bank's one
    expect(r.output).not.toContain('123456');
  });

  it('a terminal of zero columns (unsized pty, as under cron with script) gets no spinner and ends', async () => {
    const r = await onTerminal(cli, `${banksync} sync c1`, NOW);
    expect(r.output.length).toBeLessThan(100_000);
    expect(r.code, r.output.slice(-500)).toBe(0);
    expect(r.output).toMatch(/ synced: /);
  });
});
