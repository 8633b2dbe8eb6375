/**
 * The exit-code contract. Documented in README.md and pinned by test/cli/exit-codes.test.ts:
 * scripts and cron wrappers depend on these numbers, so never renumber them.
 */
export const ExitCode = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  NEEDS_HUMAN: 3,
  NO_TTY: 4,
  PARTIAL_FAILURE: 5,
  BUSY: 6,
  /** The database or an output file cannot be used: disk full, read-only, corrupt, not a regular file. */
  ENVIRONMENT: 7,
  /** Ctrl-C at a prompt or SIGINT during work (128 + 2, as shells report it). */
  CANCELLED: 130,
  /** SIGTERM: cron, systemd or `kill` stopped the run (128 + 15). */
  TERMINATED: 143,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
