import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { BIN, CliSandbox, CONNECT_SANDBOX } from '../helpers/cli.js';
import { onTerminal } from '../helpers/terminal.js';
import { requireTools } from '../helpers/tools.js';

const NOW = { BANKSYNC_NOW: '2026-11-22T07:00:00Z' };

describe('shell completion', () => {
  const cli = new CliSandbox({ inProcess: true });
  // The scripts call `banksync` from PATH, as an installed one would be.
  const bin = join(cli.dir, 'bin');
  const env = (extra: NodeJS.ProcessEnv = {}) => cli.env({ ...NOW, PATH: `${bin}:${process.env.PATH}`, ...extra });

  beforeAll(async () => {
    mkdirSync(bin);
    writeFileSync(join(bin, 'banksync'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`);
    chmodSync(join(bin, 'banksync'), 0o755);
    expect((await cli.runAsync(CONNECT_SANDBOX, NOW)).code).toBe(0);
  });
  afterAll(() => cli.cleanup());

  /** What bash offers for `banksync <words…>`, the last word being the one under the cursor. */
  const bash = (words: string[], extra: NodeJS.ProcessEnv = {}) => {
    const quoted = ['banksync', ...words].map((w) => `'${w}'`).join(' ');
    const script = `source <(banksync completion bash) || exit 9; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length}; _banksync; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = spawnSync('bash', ['-c', script], { env: env(extra), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    return r.stdout.split('\n').filter(Boolean);
  };

  it('offers every visible command, read from the program itself', () => {
    const visible = buildProgram({}, {})
      .commands.filter((c) => !(c as unknown as { _hidden: boolean })._hidden)
      .map((c) => c.name());
    expect(bash([''])).toEqual(visible);
    expect(bash([''])).not.toContain('__complete');
  });

  it.each([
    [['sy'], ['sync']],
    [['accounts', 'dis'], ['disable']],
    [
      ['accounts', 'disable', ''],
      ['a1', 'a2', 'a3'],
    ],
    [
      ['accounts', 'disable', 'a1', ''],
      ['a1', 'a2', 'a3'],
    ],
    [['sync', ''], ['c1']],
    [
      ['sync', '--account', ''],
      ['a1', 'a2', 'a3'],
    ],
    [
      ['--json', 'sync', '--account', 'a'],
      ['a1', 'a2', 'a3'],
    ],
    [['sync', '--con'], ['--concurrency']],
    [['status', '--j'], ['--json']],
    [
      ['import', '--format', 'c'],
      ['csv', 'camt'],
    ],
    [
      ['completion', ''],
      ['bash', 'zsh', 'fish'],
    ],
    [['fetch-accounts', ''], ['c1']],
  ])('bash: banksync %j', (words, offered) => {
    expect(bash(words)).toEqual(offered);
  });

  it('without a database: no ids, no new file, no error', () => {
    const missing = join(cli.dir, 'none', 'banksync.db');
    expect(bash(['sync', '--account', ''], { BANKSYNC_DB: missing })).toEqual([]);
    expect(bash(['--db', join(cli.dir, 'other.db'), 'sync', '--account', ''])).toEqual([]);
    expect(existsSync(missing)).toBe(false);
    expect(existsSync(join(cli.dir, 'other.db'))).toBe(false);
    // The command names still come: they need no database.
    expect(bash(['acc'], { BANKSYNC_DB: missing })).toEqual(['accounts']);
  });

  it('__complete is silent on words it does not know and never fails', async () => {
    for (const words of [['nonsense', '--x', ''], ['--db'], ['sync', '--account']]) {
      const r = await cli.runAsync(['__complete', '--', ...words]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
    }
  });

  it('zsh and fish get a script their shell parses', async () => {
    for (const shell of ['zsh', 'fish'] as const) {
      const r = await cli.runAsync(['completion', shell]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('banksync __complete --');
      requireTools(shell); // .ci/run installs both: a check that skips proves nothing
      const file = join(cli.dir, `banksync.${shell}`);
      writeFileSync(file, r.stdout);
      const parsed = spawnSync(shell, ['-n', file], { encoding: 'utf8' });
      expect(parsed.status, parsed.stderr).toBe(0);
    }
  });

  it('fish completes subcommands and ids through the script', () => {
    const r = spawnSync('fish', ['-c', 'banksync completion fish | source; complete -C "banksync accounts dis"; complete -C "banksync sync --account "'], {
      env: env({ XDG_CONFIG_HOME: join(cli.dir, 'xdg') }),
      encoding: 'utf8',
    });
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      'disable\tswitch syncing off for accounts (history is kept)',
      'a1\tSandbox Bank · Checking',
      'a2\tSandbox Bank · Savings',
      'a3\tSandbox Bank · Credit Card',
    ]);
  });

  it('zsh completes subcommands and ids through the script, on a terminal', async () => {
    const script = join(cli.dir, '_banksync');
    writeFileSync(script, (await cli.runAsync(['completion', 'zsh'])).stdout);
    // zsh -f: no rc files; each step waits for the line editor to be ready (bracketed paste on).
    const ready = /\[\?2004h$/;
    const r = await onTerminal(cli, 'stty cols 100 rows 30; zsh -f -i', { ...NOW, PATH: `${bin}:${process.env.PATH}` }, [
      { waitFor: ready, answer: `autoload -Uz compinit && compinit -u -D; source ${script}; echo SOURCED\r` },
      { waitFor: /SOURCED[\s\S]*\[\?2004h$/, answer: 'banksync accounts dis\t' },
      { waitFor: /banksync accounts disable/, answer: '\x15banksync sync --account \t' },
      // The first Tab inserts what all ids share ("a"), the second lists them.
      { waitFor: /--account a$/, answer: '\t' },
      { waitFor: /a1 +-- Sandbox Bank · Checking/, answer: '\x15exit\r' },
    ]);
    expect(r.code, r.output.slice(-500)).toBe(0);
    expect(r.output).toMatch(/a3 +-- Sandbox Bank · Credit Card/);
  });

  it('a bad shell name is a usage error naming the choices', async () => {
    const r = await cli.runAsync(['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('one of: bash, zsh, fish');
  });
});
