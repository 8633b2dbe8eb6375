import { type Command, CommanderError } from 'commander';
import { BanksyncError, toBanksyncError } from '../core/errors.js';
import { fileFault } from '../core/file-faults.js';
import { isCorruption, isSqliteError, storageFault } from '../store/faults.js';
import { noteCorruption } from '../store/integrity.js';
import { ExitCode } from './exit-codes.js';
import { Output } from './output.js';
import { buildProgram } from './program.js';
import { safeText } from './safe-text.js';
import type { Runtime } from './runtime.js';

/** Runs the CLI; the one top-level catch maps every failure to an exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const holder: { runtime?: Runtime } = {};
  const program = buildProgram(env, holder);
  overrideExits(program);
  const debug = env.BANKSYNC_DEBUG === '1';
  try {
    await program.parseAsync(argv);
    return holder.runtime?.exitCode ?? ExitCode.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its one line (unknown option, missing argument, bad value).
      return err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    const e = isPromptCancel(err)
      ? new BanksyncError('BAD_INPUT', 'cancelled; nothing was changed')
      : (environmentFault(err, holder.runtime) ?? toBanksyncError(err));
    const out = holder.runtime?.out ?? new Output({ json: argv.includes('--json'), quiet: false, stdout: process.stdout, stderr: process.stderr, env });
    out.error(e, debug);
    return e.exitCode;
  } finally {
    holder.runtime?.close();
  }
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

/** commander would call process.exit itself; route every (sub)command's exit through main. */
function overrideExits(cmd: Command): void {
  cmd.exitOverride();
  cmd.commands.forEach(overrideExits);
}

const isPromptCancel = (err: unknown) => err instanceof Error && err.name === 'ExitPromptError';

// stdout closed early (`banksync export | head`): stop quietly, as Unix tools do. Redirected to a
// full disk (`> /dev/full`): say so and exit 7, never 0 with the output lost.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(ExitCode.OK);
  const fault = fileFault(err, 'standard output', 'send the output elsewhere');
  process.stderr.write(`error: ${fault ? `${fault.message} — ${fault.hint}` : `cannot write standard output: ${err.message}`}\n`);
  process.exit(fault ? ExitCode.ENVIRONMENT : ExitCode.INTERNAL);
});

main(process.argv, process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`error: ${safeText(err instanceof Error ? err.message : String(err))}\n`);
    process.exitCode = ExitCode.INTERNAL;
  },
);
