import type { BanksyncError, ErrorCode } from '../domain/errors.js';
import type { RunOutcome } from '../core/sync/outcomes.js';

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

/** Exit codes are the CLI's concern: core says what failed (an error code) or how a run went (an outcome). */
const EXIT_BY_CODE: Record<ErrorCode, ExitCodeValue> = {
  BAD_INPUT: ExitCode.USAGE,
  NOT_FOUND: ExitCode.USAGE,
  NOT_CONFIGURED: ExitCode.NEEDS_HUMAN,
  CONSENT_EXPIRED: ExitCode.NEEDS_HUMAN,
  CREDENTIALS_INVALID: ExitCode.NEEDS_HUMAN,
  SCA_REQUIRED: ExitCode.NEEDS_HUMAN,
  RATE_LIMITED: ExitCode.PARTIAL_FAILURE,
  // The provider is still preparing the data (Plaid PRODUCT_NOT_READY): a sync defers the account.
  NOT_READY: ExitCode.PARTIAL_FAILURE,
  PROVIDER_UNAVAILABLE: ExitCode.PARTIAL_FAILURE,
  PROVIDER_ERROR: ExitCode.PARTIAL_FAILURE,
  NO_TTY: ExitCode.NO_TTY,
  BUSY: ExitCode.BUSY,
  DB_ERROR: ExitCode.INTERNAL,
  ENVIRONMENT: ExitCode.ENVIRONMENT,
  INTERNAL: ExitCode.INTERNAL,
  CANCELLED: ExitCode.CANCELLED,
  TERMINATED: ExitCode.TERMINATED,
};

export const exitCodeOf = (e: Pick<BanksyncError, 'code'>): ExitCodeValue => EXIT_BY_CODE[e.code];

const EXIT_BY_OUTCOME: Record<RunOutcome, ExitCodeValue> = {
  ok: ExitCode.OK,
  partial: ExitCode.PARTIAL_FAILURE,
  'needs-human': ExitCode.NEEDS_HUMAN,
  busy: ExitCode.BUSY,
};

export const exitCodeOfOutcome = (o: RunOutcome): ExitCodeValue => EXIT_BY_OUTCOME[o];
