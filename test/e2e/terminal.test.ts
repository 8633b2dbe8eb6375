import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CliSandbox } from '../helpers/cli.js';
import { requireTools } from '../helpers/tools.js';

const NOW = { BANKSYNC_NOW: '2026-11-22T07:00:00Z' };

/** Runs the CLI on a pseudo-terminal (util-linux `script`), typing `input` once `waitFor` shows up. */
function onTerminal(cli: CliSandbox, shellCommand: string, input?: { waitFor: RegExp; text: string }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', shellCommand, '/dev/null'], { env: cli.env(NOW) });
    let output = '';
    let typed = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no end after 30 s; ${output.length} bytes of output, last: ${JSON.stringify(output.slice(-300))}`));
    }, 30_000);
    child.stdout.on('data', (d) => {
      output += d;
      // A runaway spinner writes without end: stop it rather than fill the disk.
      if (output.length > 1_000_000) child.kill('SIGKILL');
      if (input && !typed && input.waitFor.test(output)) {
        typed = true;
        child.stdin.write(input.text);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('at a terminal', () => {
  const cli = new CliSandbox();
  const banksync = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}`;
  beforeAll(() => {
    requireTools('script');
    for (const inst of ['sandbox-bank', 'sandbox-sca']) {
      expect(cli.run(['connect', '--institution', inst, '--accounts', 'all', '--yes'], NOW).code).toBe(0);
    }
  });
  afterAll(() => cli.cleanup());

  it('asks for the SCA code with the spinner stopped, then syncs every account', async () => {
    const r = await onTerminal(cli, `stty cols 100 rows 30; ${banksync} sync --all`, { waitFor: /SCA code sent by/, text: '123456\r' });
    expect(r.output.length).toBeLessThan(100_000);
    expect(r.code, r.output.slice(-500)).toBe(0);
    expect(r.output.match(/ synced: /g)?.length).toBe(4); // three sandbox-bank accounts and the SCA bank's one
    expect(r.output).not.toContain('123456');
  });

  it('a terminal of zero columns (unsized pty, as under cron with script) gets no spinner and ends', async () => {
    const r = await onTerminal(cli, `${banksync} sync c1`);
    expect(r.output.length).toBeLessThan(100_000);
    expect(r.code, r.output.slice(-500)).toBe(0);
    expect(r.output).toMatch(/ synced: /);
  });
});
