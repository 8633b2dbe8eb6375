import { spawn } from 'node:child_process';

/**
 * Long human output (transactions, statements, warnings, a long account list) is read through a
 * pager on a terminal, as git and gh do. Which one: BANKSYNC_PAGER, else PAGER, else `less -FRX`
 * (-F: quit at once when it fits the screen, -R: keep our colours, -X: leave it on screen after
 * quitting). BANKSYNC_PAGER wins so a user can keep a PAGER for other tools and another (or none)
 * for banksync; a variable that is set but empty, or `cat`, means no pager.
 */
export interface PagerCommand {
  /** What runs: the default is started directly, a user's command through `sh -c` (it may hold flags, pipes). */
  file: string;
  args: string[];
  /** The default is ours: when it is missing, printing instead needs no message. */
  isDefault: boolean;
}

const DEFAULT: PagerCommand = { file: 'less', args: ['-FRX'], isDefault: true };

export function pagerCommand(env: NodeJS.ProcessEnv): PagerCommand | null {
  const chosen = env.BANKSYNC_PAGER !== undefined ? env.BANKSYNC_PAGER : env.PAGER;
  // less cannot drive a terminal whose type it does not know: it would stop at "terminal is not
  // fully functional, press RETURN". A pager the user named is theirs to judge.
  if (chosen === undefined) return env.TERM && env.TERM !== 'dumb' ? DEFAULT : null;
  const cmd = chosen.trim();
  if (cmd === '' || cmd === 'cat') return null;
  return { file: 'sh', args: ['-c', cmd], isDefault: false };
}

/** sh's answer when the command could not be found (127) or not executed (126). */
const NOT_STARTED = new Set([126, 127]);

/**
 * Pipes `text` into the pager and resolves once the pager has exited (the user read and quit).
 * Resolves `false` when the pager could not be started, so the caller prints the text itself;
 * `true` otherwise, also when the user quit before reading everything (EPIPE on its stdin).
 */
export function page(text: string, command: PagerCommand, env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve) => {
    // less reads its options from LESS too: a bare PAGER=less still keeps colours and short output
    // on screen, as git does. A LESS the user set is theirs.
    const child = spawn(command.file, command.args, { stdio: ['pipe', 'inherit', 'inherit'], env: { LESS: 'FRX', ...env } });
    // Ctrl-C belongs to the pager while it runs (less uses it to stop a search); banksync must
    // neither die under it nor report "cancelled" while the pager still holds the terminal.
    // rawListeners: a `once` handler put back stays a `once` handler.
    const saved = process.rawListeners('SIGINT') as ((...args: unknown[]) => void)[];
    process.removeAllListeners('SIGINT');
    const ignore = () => undefined;
    process.on('SIGINT', ignore);
    let settled = false;
    const done = (started: boolean) => {
      if (settled) return;
      settled = true;
      process.off('SIGINT', ignore);
      for (const l of saved) process.on('SIGINT', l);
      resolve(started);
    };
    child.on('error', () => done(false)); // ENOENT: not installed
    child.on('close', (code) => done(!(code !== null && NOT_STARTED.has(code) && !command.isDefault)));
    // Quitting the pager before the end closes the pipe: that is the user's choice, not an error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(text);
  });
}
