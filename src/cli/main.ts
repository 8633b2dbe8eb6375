import { fileFault } from '../domain/file-faults.js';
import { ExitCode } from './exit-codes.js';
import { processIo } from './io.js';
import { runCli } from './run.js';
import { safeText } from './safe-text.js';

// The CLI's entry: this process's argv, env and streams given to one run (run.ts), whose exit
// code becomes the process's. Only here is process-wide state touched.

// stdout closed early (`banksync export | head`): stop quietly, as Unix tools do. Redirected to a
// full disk (`> /dev/full`): say so and exit 7, never 0 with the output lost.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(ExitCode.OK);
  const fault = fileFault(err, 'standard output', 'send the output elsewhere');
  process.stderr.write(`error: ${fault ? `${fault.message} — ${fault.hint}` : `cannot write standard output: ${err.message}`}\n`);
  process.exit(fault ? ExitCode.ENVIRONMENT : ExitCode.INTERNAL);
});

runCli(processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`error: ${safeText(err instanceof Error ? err.message : String(err))}\n`);
    process.exitCode = ExitCode.INTERNAL;
  },
);
