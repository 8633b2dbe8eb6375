import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CliSandbox } from '../helpers/cli.js';
import { onTerminal } from '../helpers/terminal.js';
import { requireTools } from '../helpers/tools.js';

const NOW = { BANKSYNC_NOW: '2026-11-22T07:00:00Z' };

/** What cannot be undone asks to type the id (as `gh repo delete` does), and keeps a backup copy first. */
describe('typed confirmation at a terminal', () => {
  const cli = new CliSandbox();
  const banksync = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}`;
  const accounts = async () => (await cli.jsonAsync<{ accounts: { id: string; connection: string | null }[] }>(['accounts'])).accounts;
  const backups = () => readdirSync(cli.dir).filter((f) => f.includes('.backup-'));
  beforeAll(async () => {
    requireTools('script');
    // The second login at Sandbox Bank is the rare real case --allow-duplicate is for.
    for (const inst of ['sandbox-bank', 'sandbox-sca', 'sandbox-bank']) {
      expect((await cli.runAsync(['connect', '--provider', 'sandbox', '--institution', inst, '--accounts', 'all', '--yes', '--allow-duplicate'], NOW)).code).toBe(0);
    }
    expect((await cli.runAsync(['sync', 'c1'], NOW)).code).toBe(0);
  });
  afterAll(() => cli.cleanup());

  it('accounts delete: another answer than the id deletes nothing; the id deletes it after a backup', async () => {
    const wrong = await onTerminal(cli, `stty cols 120 rows 30; ${banksync} accounts delete a3`, NOW, [{ waitFor: /Type a3 to\s+confirm/, answer: 'y\r' }]);
    expect(wrong.code, wrong.output).toBe(2);
    expect(wrong.output).toContain('you typed "y", not a3: nothing was changed');
    expect((await accounts()).map((a) => a.id)).toContain('a3');
    expect(backups()).toEqual([]);

    const right = await onTerminal(cli, `stty cols 120 rows 30; ${banksync} accounts delete a3`, NOW, [{ waitFor: /Type a3 to\s+confirm/, answer: 'a3\r' }]);
    expect(right.code, right.output).toBe(0);
    expect(right.output).toMatch(/a3 \(Credit Card\) deleted with \d+ transactions/);
    expect(right.output).toMatch(/backup kept at \S+banksync\.db\.backup-\d{8}T\d{6}Z-delete-a3/);
    expect((await accounts()).map((a) => a.id)).not.toContain('a3');
    expect(backups()).toHaveLength(1);
  });

  it('without a terminal: accounts delete, accounts merge and disconnect --delete-history stop with exit 4 naming --yes', async () => {
    const before = await accounts();
    for (const args of [
      ['accounts', 'delete', 'a2'],
      ['accounts', 'merge', 'a5', 'a1'],
      ['disconnect', 'c2', '--delete-history'],
    ]) {
      const r = await cli.runAsync(args, NOW);
      expect(r.code, args.join(' ')).toBe(4);
      expect(r.stderr).toContain('pass --yes');
    }
    expect(await accounts()).toEqual(before);
    expect(backups()).toHaveLength(1);
  });

  it('disconnect --delete-history asks to type the connection id, keeps a backup and prints its path', async () => {
    const r = await onTerminal(cli, `stty cols 120 rows 30; ${banksync} disconnect c2 --delete-history`, NOW, [{ waitFor: /Type c2 to\s+confirm/, answer: 'c2\r' }]);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/c2 removed with 1 account and 0 transactions/);
    expect(r.output).toMatch(/backup kept at \S+banksync\.db\.backup-\d{8}T\d{6}Z-disconnect-c2/);
    expect((await accounts()).some((a) => a.connection === 'c2')).toBe(false);
  });

  it('disconnect without a flag: choosing "delete" in the list still needs the typed id', async () => {
    const steps = [
      { waitFor: /Keep its 3 account/, answer: '\u001b[B' },
      { waitFor: /delete the accounts/, answer: '\r' },
      { waitFor: /Type c3 to\s+confirm/, answer: 'c1\r' },
    ];
    const wrong = await onTerminal(cli, `stty cols 120 rows 30; ${banksync} disconnect c3`, NOW, steps);
    expect(wrong.code, wrong.output).toBe(2);
    expect(wrong.output).toContain('you typed "c1", not c3: nothing was changed');
    expect((await accounts()).some((a) => a.connection === 'c3')).toBe(true);
  });
});
