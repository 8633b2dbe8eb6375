import type { Prompts } from '../core/context.js';
import { BanksyncError } from '../domain/errors.js';
import { safeText } from './safe-text.js';
import type { CliIo, OutStream } from './io.js';

/** A person is present: TTY on both ends, not CI, and --no-input not given. */
export function humanPresent(env: NodeJS.ProcessEnv, noInput: boolean, io: Pick<CliIo, 'stdin' | 'stderr'> = process): boolean {
  return !noInput && io.stdin.isTTY === true && io.stderr.isTTY === true && !env.CI;
}

function noTty(message: string, flag: string): BanksyncError {
  return new BanksyncError('NO_TTY', `"${message}" needs an answer, but there is no terminal to ask`, {
    hint: `pass ${flag}`,
  });
}

/** Choices name banks' accounts and institutions: their names are shown neutralised, their values kept. */
const safeChoices = <C extends { name: string }>(choices: C[]): C[] => choices.map((c) => ({ ...c, name: safeText(c.name) }));

/**
 * The only user of @inquirer/prompts (loaded lazily); prompts render on stderr so stdout stays
 * data. Messages and choice names can quote a bank's text, so they pass through safeText.
 */
export function createPrompts(interactive: boolean, stderr: OutStream = process.stderr): Prompts {
  const ctx = { output: stderr };
  const lib = () => import('@inquirer/prompts');
  return {
    interactive,
    async confirm(message, flag, options) {
      if (!interactive) throw noTty(message, flag);
      return (await lib()).confirm({ message: safeText(message), default: options?.defaultAnswer ?? true }, ctx);
    },
    async select(message, choices, flag) {
      if (!interactive) throw noTty(message, flag);
      return (await lib()).select({ message: safeText(message), choices: safeChoices(choices) }, ctx);
    },
    async checkbox(message, choices, flag) {
      if (!interactive) throw noTty(message, flag);
      return (await lib()).checkbox({ message: safeText(message), choices: safeChoices(choices) }, ctx);
    },
    async input(message, flag, options) {
      if (!interactive) throw noTty(message, flag);
      const l = await lib();
      const c = options?.signal ? { ...ctx, signal: options.signal } : ctx;
      return options?.secret ? l.password({ message: safeText(message), mask: '*' }, c) : l.input({ message: safeText(message) }, c);
    },
  };
}
