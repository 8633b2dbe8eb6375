import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BIN, CONNECT_SANDBOX, CliSandbox } from '../helpers/cli.js';
import { onTerminal } from '../helpers/terminal.js';
import { requireTools } from '../helpers/tools.js';

const NOW = { BANKSYNC_NOW: '2026-11-22T07:00:00Z', TERM: 'xterm' };

describe('long output goes through the pager on a terminal', () => {
  const cli = new CliSandbox();
  const banksync = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}`;
  const log = join(cli.dir, 'pager.log');
  const pager = join(cli.dir, 'pager.sh');
  // A stand-in pager: records that it ran and what it got; with PAGER_WAIT it holds the terminal
  // until a line is typed, ignoring Ctrl-C as less does.
  const env = (extra: NodeJS.ProcessEnv = {}) => ({ ...NOW, PAGER: pager, PAGER_LOG: log, ...extra });
  const ran = () => (existsSync(log) ? readFileSync(log, 'utf8') : '');
  const given = () => readFileSync(`${log}.in`, 'utf8');

  beforeAll(async () => {
    requireTools('script', 'less');
    writeFileSync(
      pager,
      [
        '#!/bin/sh',
        'echo ran >> "$PAGER_LOG"',
        'cat > "$PAGER_LOG.in"',
        'if [ -n "$PAGER_WAIT" ]; then',
        '  trap \'echo "pager: interrupt"\' INT',
        '  echo "pager waiting"',
        '  until read line < /dev/tty; do :; done',
        '  echo "pager end"',
        'fi',
        '',
      ].join('\n'),
    );
    chmodSync(pager, 0o755);
    expect((await cli.runAsync(CONNECT_SANDBOX, NOW)).code).toBe(0);
    expect((await cli.runAsync(['sync', '--all'], NOW)).code).toBe(0);
  });
  beforeEach(() => rmSync(log, { force: true }));
  afterAll(() => cli.cleanup());

  it.each([['transactions'], ['statements'], ['warnings'], ['accounts']])('%s: the pager gets exactly what a pipe gets', async (command) => {
    const piped = await cli.runAsync([command], NOW);
    expect(piped.code).toBe(0);
    const r = await onTerminal(cli, `${banksync} ${command}`, env());
    expect(r.code, r.output.slice(-500)).toBe(0);
    expect(ran()).toBe('ran\n');
    expect(given()).toBe(piped.stdout);
  });

  it('piped, under --json, with --no-pager, or with PAGER empty or cat: no pager', async () => {
    const r = await onTerminal(
      cli,
      `${banksync} transactions | cat > /dev/null; ${banksync} --json transactions > /dev/null; ${banksync} --no-pager transactions; ` +
        `PAGER= ${banksync} statements; PAGER=cat ${banksync} warnings; echo "end:$?"`,
      env(),
    );
    expect(r.output).toContain('end:0');
    expect(r.output).toMatch(/ACCOUNT +DATE +AMOUNT/); // --no-pager printed the table itself
    expect(ran()).toBe('');
  });

  it('BANKSYNC_PAGER wins over PAGER; set but empty, it turns paging off', async () => {
    await onTerminal(cli, `PAGER=false ${banksync} statements`, env({ BANKSYNC_PAGER: pager }));
    expect(ran()).toBe('ran\n');
    rmSync(log);
    const r = await onTerminal(cli, `${banksync} statements`, env({ BANKSYNC_PAGER: '' }));
    expect(r.output).toMatch(/ACCOUNT +PERIOD/);
    expect(ran()).toBe('');
  });

  it('waits for the pager to exit; Ctrl-C belongs to the pager, not to banksync', async () => {
    // The shell itself survives the Ctrl-C (a trap, which its children do not inherit) to report.
    const r = await onTerminal(cli, `trap : INT; ${banksync} transactions; echo "banksync exit $?"`, env({ PAGER_WAIT: '1' }), [
      { waitFor: /pager waiting/, answer: '\u0003' },
      { waitFor: /pager: interrupt/, answer: 'done\r' },
    ]);
    expect(r.output).toMatch(/pager end[\s\S]*banksync exit 0/);
    expect(r.output).not.toMatch(/banksync exit[\s\S]*pager end/);
  });

  it('quitting the pager before the end is exit 0 (no EPIPE error), also for less', async () => {
    // Far more than a pipe buffer: the pager quits while banksync is still writing.
    const early = await onTerminal(cli, `${banksync} transactions; echo "banksync exit $?"`, env({ PAGER: 'head -n 2' }));
    expect(early.output).toMatch(/ACCOUNT +DATE/);
    expect(early.output).toContain('banksync exit 0');
    expect(early.output).not.toMatch(/error/i);
    const less = await onTerminal(cli, `stty rows 20 cols 120; ${banksync} transactions; echo "banksync exit $?"`, { ...NOW }, [{ waitFor: /ACCOUNT +DATE/, answer: 'q' }]);
    expect(less.output).toContain('banksync exit 0');
    expect(less.output).not.toMatch(/error/i);
  });

  it('a pager that cannot be started: the output is printed instead', async () => {
    const r = await onTerminal(cli, `${banksync} statements; echo "banksync exit $?"`, env({ PAGER: 'no-such-pager-here --flag' }));
    expect(r.output).toMatch(/ACCOUNT +PERIOD/);
    expect(r.output).toContain('banksync exit 0');
    // The default (less) missing from PATH: printed too, without a word about it.
    const bare = await onTerminal(cli, `PATH=/nonexistent ${banksync} statements; echo "banksync exit $?"`, { ...NOW });
    expect(bare.output).toMatch(/ACCOUNT +PERIOD/);
    expect(bare.output).toContain('banksync exit 0');
    expect(bare.output).not.toMatch(/not found|error/i);
  });
});
