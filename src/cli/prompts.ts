import type { Prompts } from '../core/context.js';
import { BanksyncError } from '../core/errors.js';

/** A person is present: TTY on both ends, not CI, and --no-input not given. */
export function humanPresent(env: NodeJS.ProcessEnv, noInput: boolean): boolean {
  return !noInput && process.stdin.isTTY === true && process.stderr.isTTY === true && !env.CI;
}

function noTty(message: string, flag: string): BanksyncError {
  return new BanksyncError('NO_TTY', `"${message}" needs an answer, but there is no terminal to ask`, {
    hint: `pass ${flag}`,
  });
}

/** The only user of @inquirer/prompts (loaded lazily); prompts render on stderr so stdout stays data. */
export function createPrompts(interactive: boolean): Prompts {
  const ctx = { output: process.stderr };
  const lib = () => import('@inquirer/prompts');
  return {
    interactive,
    async confirm(message, flag) {
      if (!interactive) throw noTty(message, flag);
      return (await lib()).confirm({ message, default: true }, ctx);
    },
    async select(message, choices, flag) {
      if (!interactive) throw noTty(message, flag);
      return (await lib()).select({ message, choices }, ctx);
    },
    async checkbox(message, choices, flag) {
      if (!interactive) throw noTty(message, flag);
      return (await lib()).checkbox({ message, choices }, ctx);
    },
    async input(message, flag, options) {
      if (!interactive) throw noTty(message, flag);
      const l = await lib();
      const c = options?.signal ? { ...ctx, signal: options.signal } : ctx;
      return options?.secret ? l.password({ message, mask: '*' }, c) : l.input({ message }, c);
    },
  };
}
