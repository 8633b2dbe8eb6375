import { Command, Option } from 'commander';
import { version } from './version.js';
import { Runtime, type GlobalFlags, type RuntimeOf } from './runtime.js';
import { type CliIo, type OutStream, processIo } from './io.js';

export type { RuntimeOf } from './runtime.js';
import { registerAccounts } from './commands/accounts.js';
import { registerBackup } from './commands/backup.js';
import { registerCompletion } from './commands/completion.js';
import { registerConfig } from './commands/config.js';
import { registerConnect } from './commands/connect.js';
import { registerDemo } from './commands/demo.js';
import { registerDisconnect } from './commands/disconnect.js';
import { registerDoctor } from './commands/doctor.js';
import { registerExplain } from './commands/explain.js';
import { registerExport } from './commands/export.js';
import { registerFetchAccounts } from './commands/fetch-accounts.js';
import { registerImport } from './commands/import.js';
import { registerInstitutions } from './commands/institutions.js';
import { registerProviders } from './commands/providers.js';
import { registerReplay } from './commands/replay.js';
import { registerReport } from './commands/report.js';
import { registerRestore } from './commands/restore.js';
import { registerRules } from './commands/rules.js';
import { registerSchedule } from './commands/schedule.js';
import { registerStatements } from './commands/statements.js';
import { registerStatus } from './commands/status.js';
import { registerSync } from './commands/sync.js';
import { registerWorker } from './commands/worker.js';
import { registerTransactions } from './commands/transactions.js';
import { registerTransfers } from './commands/transfers.js';
import { registerUpdateCredentials } from './commands/update-credentials.js';
import { registerWarnings } from './commands/warnings.js';
import { safeLines } from './safe-text.js';
import { versionRequest } from './usage.js';

export function buildProgram(env: NodeJS.ProcessEnv, holder: { runtime?: Runtime }, io: CliIo = processIo(env)): Command {
  const program = new Command('banksync')
    .description('Synchronize bank accounts into a local SQLite file and export them to the tools you already use.')
    // Not commander's .version(): main answers it, as {"version":…} under --json.
    .option('-V, --version', 'print the version number')
    .addOption(new Option('--db <path>', 'SQLite database file (env BANKSYNC_DB; default ~/.local/share/banksync/banksync.db)'))
    .option('--json', 'print one JSON document on stdout; no colour, no spinner')
    .option('-q, --quiet', 'print only what needs attention')
    .option('--no-input', 'never prompt; fail with the flag that would answer the prompt')
    .option('--no-pager', 'do not send long output through the pager ($BANKSYNC_PAGER, $PAGER or less)')
    .configureHelp({ sortSubcommands: false })
    // Usage errors are printed by main (see usage.ts); this guards whatever commander still writes.
    // Help and whatever else commander writes go to this run's streams, sized and coloured as
    // commander would for the process's own (its defaults read process.stdout and process.env).
    .configureOutput({
      outputError: (text, write) => write(safeLines(text, false)),
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // undefined (not a terminal) is commander's own default: its help then wraps at 80.
      getOutHelpWidth: () => (io.stdout.isTTY ? io.stdout.columns : undefined) as number,
      getErrHelpWidth: () => (io.stderr.isTTY ? io.stderr.columns : undefined) as number,
      getOutHasColors: () => hasColors(io.env, io.stdout),
      getErrHasColors: () => hasColors(io.env, io.stderr),
    })
    .addHelpText(
      'after',
      `
Examples:
  $ banksync demo                                   try everything on the built-in sandbox bank
  $ banksync connect                                search your bank and give consent
  $ banksync sync --all --due --quiet               what cron runs twice a day
  $ banksync status
  $ banksync export --format csv --account a1 > a1.csv

Exit codes: 0 ok, 1 internal error, 2 usage/bad input, 3 needs a human,
            4 prompt needed without a TTY, 5 partial failure, 6 busy,
            7 database or output file unusable (disk full, read-only, corrupt),
            130 cancelled (Ctrl-C), 143 stopped by SIGTERM.`,
    );
  program.on('option:version', () => {
    throw versionRequest(version);
  });

  const runtimeOf: RuntimeOf = (cmd) => {
    holder.runtime ??= new Runtime(cmd.optsWithGlobals() as GlobalFlags, env, io);
    return holder.runtime;
  };
  // The visible list of commands, in the order a newcomer meets them.
  registerDemo(program, runtimeOf);
  registerProviders(program, runtimeOf);
  registerInstitutions(program, runtimeOf);
  registerConnect(program, runtimeOf);
  registerFetchAccounts(program, runtimeOf);
  registerUpdateCredentials(program, runtimeOf);
  registerSync(program, runtimeOf);
  registerWorker(program, runtimeOf);
  registerStatus(program, runtimeOf);
  registerAccounts(program, runtimeOf);
  registerTransactions(program, runtimeOf);
  registerTransfers(program, runtimeOf);
  registerStatements(program, runtimeOf);
  registerWarnings(program, runtimeOf);
  registerExplain(program, runtimeOf);
  registerExport(program, runtimeOf);
  registerReport(program, runtimeOf);
  registerRules(program, runtimeOf);
  registerImport(program, runtimeOf);
  registerDisconnect(program, runtimeOf);
  registerConfig(program, runtimeOf);
  registerDoctor(program, runtimeOf);
  registerBackup(program, runtimeOf);
  registerRestore(program, runtimeOf);
  registerReplay(program, runtimeOf);
  registerSchedule(program, runtimeOf);
  registerCompletion(program, { env, stdout: io.stdout });
  return program;
}

/** commander's own rule (useColor in its command.js), read from this run's env and stream. */
function hasColors(env: NodeJS.ProcessEnv, stream: OutStream): boolean {
  if (env.NO_COLOR || env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') return false;
  if (env.FORCE_COLOR || env.CLICOLOR_FORCE !== undefined) return true;
  return stream.isTTY === true && (stream as { hasColors?: () => boolean }).hasColors?.() === true;
}
