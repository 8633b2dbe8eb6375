import type { Readable, Writable } from 'node:stream';

/** A stream the CLI writes to: a terminal, a pipe or a file; tests give it a collector. */
export type OutStream = Writable & { isTTY?: boolean; columns?: number };

/** A stream the CLI reads from (rules edit --file -). */
export type InStream = Readable & { isTTY?: boolean };

/**
 * Everything a run of the CLI takes from its process: the entry (main.ts) passes the real ones,
 * the in-process test runner (test/helpers/cli.ts) its own. Nothing below the entry reads
 * process.argv, process.env or the standard streams, so a run leaves nothing behind that the next
 * one would see.
 */
export interface CliIo {
  argv: string[];
  env: NodeJS.ProcessEnv;
  stdin: InStream;
  stdout: OutStream;
  stderr: OutStream;
  /**
   * Ctrl-C and SIGTERM handled (main.ts's onStopSignal): a real process only; a run inside
   * another process must not take over that process's signals.
   */
  signals: boolean;
}

/** This process's own io: what the entry passes, and the default where a caller gives none. */
export function processIo(env: NodeJS.ProcessEnv = process.env, argv: string[] = process.argv): CliIo {
  return { argv, env, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, signals: true };
}
