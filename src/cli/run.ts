import { type Command, CommanderError } from 'commander';
import { BanksyncError, badInput, toBanksyncError } from '../domain/errors.js';
import { fileFault } from '../domain/file-faults.js';
import { forgetSecrets } from '../secrets/index.js';
import { isCorruption, isSqliteError, storageFault } from '../store/sqlite/faults.js';
import { noteCorruption } from '../store/sqlite/integrity.js';
import { ExitCode, exitCodeOf } from './exit-codes.js';
import type { CliIo } from './io.js';
import { Output } from './output.js';
import { buildProgram } from './program.js';
import type { Runtime } from './runtime.js';
import { commandPath, routeUsageErrors, subcommandNames, unknownCommand } from './usage.js';

/**
 * Runs the CLI once with the given io; the one top-level catch maps every failure to an exit
 * code, which is returned (the entry, main.ts, sets it on the process). A run leaves no state
 * behind: the database is closed, the signal handlers removed.
 */
export async function runCli(io: CliIo): Promise<number> {
  const { argv, env } = io;
  // What redact() scrubs is per run: a process runs once, a test process runs many.
  forgetSecrets();
  const holder: { runtime?: Runtime } = {};
  const program = buildProgram(env, holder, io);
  routeUsageErrors(program);
  const debug = env.BANKSYNC_DEBUG === '1';
  // Before the runtime exists (commander's own errors) --json is read from argv.
  const output = () => holder.runtime?.out ?? new Output({ json: wantsJson(argv), quiet: false, stdout: io.stdout, stderr: io.stderr, env });
  const stopOnSignal = io.signals ? onStopSignal(holder, output) : () => undefined;
  try {
    await program.parseAsync(argv);
    return holder.runtime?.exitCode ?? ExitCode.OK;
  } catch (err) {
    if (err instanceof CommanderError && err.code === 'commander.version') {
      output().result({ version: err.message }, (v) => v.version);
      return ExitCode.OK;
    }
    // --help (text, also under --json): commander wrote it; exit 0.
    if (err instanceof CommanderError && err.exitCode === 0) return ExitCode.OK;
    const e =
      err instanceof CommanderError
        ? err.code === 'commander.help'
          ? missingCommand(program, argv)
          : badInput(err.message.replace(/^error: /, ''))
        : isPromptCancel(err)
          ? new BanksyncError('CANCELLED', 'cancelled')
          : (environmentFault(err, holder.runtime) ?? toBanksyncError(err));
    output().error(e, debug);
    return exitCodeOf(e);
  } finally {
    stopOnSignal();
    await holder.runtime?.close();
  }
}

/** `--json` among the words before `--` (a file may be called --json after it). */
function wantsJson(argv: string[]): boolean {
  const words = argv.slice(2);
  const end = words.indexOf('--');
  return (end === -1 ? words : words.slice(0, end)).includes('--json');
}

/**
 * The one commander exit left after usage.ts: a group called without its subcommand (or
 * `help` given a word that is none), after commander printed the group's help on stderr.
 */
function missingCommand(program: Command, argv: string[]): BanksyncError {
  let cmd = program;
  let afterHelp = false;
  for (const word of argv.slice(2)) {
    if (word.startsWith('-')) continue;
    const sub = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (sub) cmd = sub;
    else if (word === 'help' && !afterHelp) afterHelp = true;
    else if (afterHelp) return unknownCommand(cmd, word);
  }
  const path = commandPath(cmd);
  return badInput(
    `"${path}" needs a command`,
    `one of: ${subcommandNames(cmd)
      .filter((n) => n !== 'help')
      .join(', ')}`,
  );
}

/**
 * Ctrl-C (SIGINT) or a stop by cron/systemd (SIGTERM) during work: the database is left
 * consistent and unlocked (Runtime.abandon), "cancelled" is said without a red "error:", and the
 * process then dies of the same signal, so the shell reports 130/143 and a script running it
 * stops too. Other handlers of this signal (an export removing its temp file) still run before.
 * The handler is removed before the signal is raised again: a second Ctrl-C kills at once.
 */
function onStopSignal(holder: { runtime?: Runtime }, output: () => Output): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    stop();
    if (holder.runtime?.finishBeforeStopping?.(signal)) return;
    let held = 0;
    try {
      held = holder.runtime?.abandon() ?? 0;
    } catch {
      // Closing failed: SQLite's journal still keeps the file consistent; leaving matters more.
    }
    const e =
      signal === 'SIGINT'
        ? new BanksyncError('CANCELLED', 'cancelled', { hint: held ? 'what was stored so far is kept; the next sync completes it' : undefined })
        : new BanksyncError('TERMINATED', 'stopped by SIGTERM', { hint: held ? 'what was stored so far is kept; the next sync completes it' : undefined });
    try {
      output().error(e, false);
    } finally {
      process.kill(process.pid, signal);
    }
  };
  const stop = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return stop;
}

/**
 * The disk or the file refused (full, read-only, corrupt): one line naming the file, exit 7, not
 * "internal error". SQLite errors carry no path: the database is the one the runtime opened.
 */
function environmentFault(err: unknown, runtime: Runtime | undefined): BanksyncError | undefined {
  if (runtime && isSqliteError(err)) {
    if (isCorruption(err)) noteCorruption(runtime.dbPath, (err as Error).message);
    return storageFault(err, runtime.dbPath);
  }
  const e = err as NodeJS.ErrnoException;
  return e?.syscall === 'write' ? fileFault(err, e.path ?? 'standard output', 'send the output elsewhere') : undefined;
}

const isPromptCancel = (err: unknown) => err instanceof Error && err.name === 'ExitPromptError';
