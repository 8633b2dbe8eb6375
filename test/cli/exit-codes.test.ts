import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode, exitCodeOf, exitCodeOfOutcome } from '../../src/cli/exit-codes.js';
import { buildProgram } from '../../src/cli/program.js';
import { BanksyncError } from '../../src/domain/errors.js';

/** Scripts and cron wrappers depend on these numbers: the table, the README and the errors agree. */
describe('exit codes', () => {
  it('are the documented contract', () => {
    expect(ExitCode).toEqual({ OK: 0, INTERNAL: 1, USAGE: 2, NEEDS_HUMAN: 3, NO_TTY: 4, PARTIAL_FAILURE: 5, BUSY: 6, ENVIRONMENT: 7, CANCELLED: 130, TERMINATED: 143 });
  });

  it('are documented in README.md, one row each', () => {
    const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
    for (const code of Object.values(ExitCode)) expect(readme).toMatch(new RegExp(`^\\| ${code} \\| \\S`, 'm'));
  });

  it('are in the help text every user sees', () => {
    const program = buildProgram({}, {});
    let help = '';
    program.configureOutput({ writeOut: (s) => (help += s) });
    program.outputHelp();
    for (const code of Object.values(ExitCode)) expect(help).toMatch(new RegExp(`\\b${code} [a-z]`));
  });

  it.each([
    ['BAD_INPUT', 2],
    ['NOT_FOUND', 2],
    ['CONSENT_EXPIRED', 3],
    ['CREDENTIALS_INVALID', 3],
    ['SCA_REQUIRED', 3],
    ['NO_TTY', 4],
    ['PROVIDER_UNAVAILABLE', 5],
    ['BUSY', 6],
    ['ENVIRONMENT', 7],
    ['INTERNAL', 1],
    ['CANCELLED', 130],
    ['TERMINATED', 143],
  ] as const)('%s exits %i', (code, exit) => {
    expect(exitCodeOf(new BanksyncError(code, 'x'))).toBe(exit);
  });
});

describe('a sync run outcome as an exit code (core says how it went; the CLI numbers it)', () => {
  it.each([
    ['ok', 0],
    ['partial', 5],
    ['needs-human', 3],
    ['busy', 6],
  ] as const)('%s exits %i', (outcome, exit) => {
    expect(exitCodeOfOutcome(outcome)).toBe(exit);
  });
});
