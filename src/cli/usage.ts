import { type Command, CommanderError } from 'commander';
import { type BanksyncError, badInput } from '../domain/errors.js';

/**
 * commander's own usage errors (unknown command or option, missing argument, bad value) become
 * BanksyncErrors, so main prints them like every other error: one stderr line with a hint, and
 * the `{"error":…}` document under --json. Without this commander writes its text itself and
 * nothing reaches stdout.
 */
export function routeUsageErrors(cmd: Command): void {
  // commander would call process.exit itself; route every (sub)command's exit through main.
  cmd.exitOverride();
  cmd.error = (message: string, opts: { code?: string; exitCode?: number } = {}): never => {
    throw usageError(cmd, message, opts.code ?? 'commander.error');
  };
  cmd.commands.forEach(routeUsageErrors);
}

/** "banksync accounts" */
export const commandPath = (cmd: Command): string => {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
};

function usageError(cmd: Command, message: string, code: string): BanksyncError {
  const help = `see \`${commandPath(cmd)} --help\``;
  // A group that has its own action (`accounts` lists) takes a misspelt subcommand as an argument.
  if (code === 'commander.unknownCommand' || (code === 'commander.excessArguments' && cmd.commands.length > 0)) {
    const word = cmd.args[cmd.registeredArguments.length] ?? cmd.args[0] ?? '';
    return unknownWord('command', word, cmd, subcommandNames(cmd));
  }
  if (code === 'commander.unknownOption') {
    const flag = /'([^']*)'/.exec(message)?.[1] ?? '';
    return unknownWord('option', flag, cmd, flag.startsWith('--') ? optionNames(cmd) : []);
  }
  const where = `for "${commandPath(cmd)}"`;
  // "error: option '--format <format>' argument 'cvs' is invalid. Allowed choices are csv, ofx."
  const choice = /'([^']*)' is invalid[^.]*\. Allowed choices are (.*)\.$/s.exec(message);
  if (choice) {
    const allowed = choice[2]!.split(', ');
    const guess = closest(choice[1]!, allowed);
    const what = /^error: option '([^']*)'/.exec(message)?.[1];
    const of = what ? `option "${what}"` : `argument "${/for argument '([^']*)'/.exec(message)?.[1] ?? ''}"`;
    return badInput(`invalid value "${choice[1]}" for ${of} of "${commandPath(cmd)}"`, guess.length === 1 ? `did you mean "${guess[0]}"?` : `one of: ${allowed.join(', ')}`);
  }
  if (code === 'commander.excessArguments') {
    return badInput(`too many arguments ${where}: expected at most ${cmd.registeredArguments.length}, got ${cmd.args.length}`, help);
  }
  // commander's text, e.g. "error: missing required argument 'account'", quoted as our messages quote.
  const text = message
    .replace(/^error: /, '')
    .split('\n')[0]!
    .replace(/'([^']*)'/g, '"$1"');
  return badInput(`${text} ${where}`, help);
}

/** `banksync help snyc` and the like: the word is not a command of `cmd`. */
export const unknownCommand = (cmd: Command, word: string) => unknownWord('command', word, cmd, subcommandNames(cmd));

function unknownWord(kind: 'command' | 'option', word: string, cmd: Command, candidates: string[]): BanksyncError {
  const guess = closest(word, candidates);
  const hint = guess.length ? `did you mean ${guess.map((g) => `"${g}"`).join(' or ')}?` : `see \`${commandPath(cmd)} --help\``;
  return badInput(`unknown ${kind} "${word}" for "${commandPath(cmd)}"`, hint);
}

/** Visible subcommands (and their aliases) of a command. */
export function subcommandNames(cmd: Command): string[] {
  return cmd
    .createHelp()
    .visibleCommands(cmd)
    .flatMap((c) => [c.name(), ...c.aliases()]);
}

/** Long options this command accepts: its own and those it inherits (the global flags). */
export function optionNames(cmd: Command): string[] {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) {
    for (const o of c.createHelp().visibleOptions(c)) if (o.long) names.push(o.long);
  }
  return [...new Set(names)];
}

/**
 * The candidates nearest to `word` (Damerau–Levenshtein, at most 3 edits and less than 60%
 * of the word changed), as commander's own suggestions choose them.
 */
export function closest(word: string, candidates: string[]): string[] {
  const bare = (s: string) => s.replace(/^--/, '');
  let best = 3;
  let found: string[] = [];
  for (const c of new Set(candidates)) {
    if (bare(c).length <= 1) continue;
    const d = distance(bare(word), bare(c));
    const length = Math.max(bare(word).length, bare(c).length);
    if ((length - d) / length <= 0.4) continue;
    if (d < best) [best, found] = [d, [c]];
    else if (d === best) found.push(c);
  }
  return found.sort();
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Math.max(a.length, b.length);
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** `--version` is answered in main, where --json is known (commander would write it itself). */
export const versionRequest = (version: string) => new CommanderError(0, 'commander.version', version);
