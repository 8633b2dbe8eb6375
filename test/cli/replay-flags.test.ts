import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerReplay, replayOptions, type ReplayFlags } from '../../src/cli/commands/replay.js';

/** argv → the options core/replay receives (behaviour is tested end to end in test/e2e/replay*.test.ts). */
describe('replay flags', () => {
  const parse = (argv: string[]): ReplayFlags => {
    const program = new Command().exitOverride();
    let seen: ReplayFlags | undefined;
    registerReplay(program, () => {
      throw new Error('no runtime in a flag test');
    });
    const cmd = program.commands.find((c) => c.name() === 'replay')!;
    cmd.action((o: ReplayFlags) => void (seen = o));
    program.parse(['node', 'banksync', 'replay', ...argv]);
    return seen!;
  };

  it.each([
    [[], {}],
    [['--account', 'a2'], { accountIds: [2] }],
    [['--account', 'a2', '--account', '3'], { accountIds: [2, 3] }],
    [['--from', '2026-01-01'], { from: '2026-01-01' }],
    [['--into', '/tmp/x.db', '--account', 'a1', '--from', '2026-02-01'], { accountIds: [1], from: '2026-02-01', into: '/tmp/x.db' }],
  ])('%j', (argv, options) => {
    expect(replayOptions(parse(argv as string[]))).toEqual(options);
  });

  it('refuses a date that is not one', () => {
    expect(() => parse(['--from', '2026-02-30'])).toThrow();
  });
});
