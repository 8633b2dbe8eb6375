import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { CliSandbox } from '../helpers/cli.js';

const { version } = JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')) as { version: string };

/** Every group of subcommands in the program, the root included: new groups are tested as they come. */
function groups(cmd: Command, path: string[] = []): { path: string[]; sub: string }[] {
  const subs = cmd.commands.filter((c) => !(c as unknown as { _hidden: boolean })._hidden);
  return [...(subs.length ? [{ path, sub: subs.find((c) => c.name().length > 3)!.name() }] : []), ...subs.flatMap((c) => groups(c, [...path, c.name()]))];
}

/** The last two letters swapped: "disable" → "disabel". */
// The last two letters swapped; a word ending in a double letter ("install") loses one instead.
const typo = (word: string) => (word.at(-1) === word.at(-2) ? word.slice(0, -1) : `${word.slice(0, -2)}${word.at(-1)}${word.at(-2)}`);

describe('usage mistakes', () => {
  const cli = new CliSandbox({ inProcess: true });
  afterAll(() => cli.cleanup());

  it.each([
    ['an unknown command', ['snyc'], /^unknown command "snyc" for "banksync"$/],
    ['an unknown option', ['sync', '--bogus'], /^unknown option "--bogus" for "banksync sync"$/],
    ['a missing argument', ['accounts', 'set'], /^missing required argument "account" for "banksync accounts set"$/],
    ['an option without its value', ['export', '--format'], /^option "--format <format>" argument missing for "banksync export"$/],
    ['a value not among the choices', ['warnings', '--kind', 'quarantine'], /^invalid value "quarantine" for option "--kind <kind>" of "banksync warnings"$/],
    ['a bad value our parser refuses', ['sync', '--concurrency', 'x'], /^concurrency must be a whole number/],
    ['too many arguments', ['sync', 'c1', 'c2'], /^too many arguments for "banksync sync": expected at most 1, got 2$/],
    ['no command at all', [], /^"banksync" needs a command$/],
  ])('%s under --json: one {"error"} document on stdout, exit 2, one line on stderr', async (_what, args, message) => {
    const r = await cli.runAsync(['--json', ...args]);
    expect(r.code, r.stderr).toBe(2);
    const doc = JSON.parse(r.stdout) as { error: Record<string, unknown> };
    expect(Object.keys(doc.error).sort()).toEqual(['code', 'exitCode', 'hint', 'message', 'ref']);
    expect(doc.error).toMatchObject({ code: 'BAD_INPUT', exitCode: 2 });
    expect(doc.error.message).toMatch(message);
    const errorLines = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
    expect(errorLines).toHaveLength(1);
    expect(r.stderr).not.toContain('Did you mean');
  });

  it('a near miss among the choices is named', async () => {
    const r = await cli.runAsync(['--json', 'warnings', '--kind', 'quarantine']);
    expect(JSON.parse(r.stdout).error.hint).toBe('did you mean "quarantined"?');
  });

  it('--json --version (either order) is {"version"}; --version alone is the bare number', async () => {
    expect(await cli.jsonAsync(['--version'])).toEqual({ version });
    const after = await cli.runAsync(['--version', '--json']);
    expect(JSON.parse(after.stdout)).toEqual({ version });
    expect((await cli.runAsync(['--version'])).stdout).toBe(`${version}\n`);
  });

  it('--json --help stays text, exit 0', async () => {
    const r = await cli.runAsync(['--json', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: banksync/);
  });

  describe('did you mean, at every level', () => {
    it.each(groups(buildProgram({}, {})).map((g) => [[...g.path, typo(g.sub)].join(' '), g] as const))('banksync %s', async (_shown, { path, sub }) => {
      const r = await cli.runAsync([...path, typo(sub)]);
      expect(r.code).toBe(2);
      const group = ['banksync', ...path].join(' ');
      expect(r.stderr).toContain(`error: unknown command "${typo(sub)}" for "${group}" — did you mean "${sub}"?`);
      expect(
        r.stderr
          .trim()
          .split('\n')
          .filter((l) => l.startsWith('error:')),
      ).toHaveLength(1);
    });

    it('accounts disabel (a group with its own action) names the subcommand, not "too many arguments"', async () => {
      const r = await cli.runAsync(['accounts', 'disabel']);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('error: unknown command "disabel" for "banksync accounts" — did you mean "disable"?\n');
    });

    it('banksync help snyc', async () => {
      const r = await cli.runAsync(['help', 'snyc']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: unknown command "snyc" for "banksync" — did you mean "sync"\?$/m);
    });

    it.each([
      [['sync', '--cocurrency', '3'], 'error: unknown option "--cocurrency" for "banksync sync" — did you mean "--concurrency"?'],
      [['accounts', 'set', 'a1', '--perod', 'week'], 'error: unknown option "--perod" for "banksync accounts set" — did you mean "--period"?'],
      [['status', '--jsno'], 'error: unknown option "--jsno" for "banksync status" — did you mean "--json"?'],
    ])('options: banksync %j', async (args, line) => {
      const r = await cli.runAsync(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`${line}\n`);
    });
  });
});
