import { randomBytes } from 'node:crypto';

/** Stable machine-readable error codes; shown in --json output and stored with failed syncs. */
export type ErrorCode =
  | 'BAD_INPUT'
  | 'NOT_FOUND'
  | 'NOT_CONFIGURED'
  | 'CONSENT_EXPIRED'
  | 'CREDENTIALS_INVALID'
  | 'SCA_REQUIRED'
  | 'RATE_LIMITED'
  | 'NOT_READY'
  | 'PROVIDER_UNAVAILABLE'
  | 'PROVIDER_ERROR'
  | 'NO_TTY'
  | 'BUSY'
  | 'DB_ERROR'
  | 'ENVIRONMENT'
  | 'INTERNAL'
  | 'CANCELLED'
  | 'TERMINATED';

/** Codes that mean a person must act before syncing can continue. */
export const NEEDS_HUMAN_CODES: ReadonlySet<ErrorCode> = new Set(['CONSENT_EXPIRED', 'CREDENTIALS_INVALID', 'SCA_REQUIRED', 'NOT_CONFIGURED']);

/** A short reference a user can quote to support, e.g. "E-7K3QXM". */
export function newSupportRef(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(6);
  let ref = 'E-';
  for (const b of bytes) ref += alphabet[b % alphabet.length];
  return ref;
}

export interface BanksyncErrorOptions {
  hint?: string;
  /** When a rate limit lifts (ISO instant). */
  retryAt?: string;
  cause?: unknown;
  /** The HTTP status of the provider answer this error maps, when there was one. */
  status?: number;
  /**
   * A machine-readable reason beside the code, for callers that must tell cases apart (the
   * provider's own error code such as 'SESSION_DOES_NOT_EXIST', or ours such as 'token-refused',
   * 'wrong-key'). Code decides on it, never on the message text people read.
   */
  reason?: string;
  /** The hint is the generic "renew it" advice: the engine may replace it with the exact command. */
  genericHint?: boolean;
}

/** An expected failure with a one-line message and a hint naming the command that fixes it. */
export class BanksyncError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly retryAt?: string;
  readonly status?: number;
  readonly reason?: string;
  readonly genericHint: boolean;
  readonly ref: string;

  constructor(code: ErrorCode, message: string, options: BanksyncErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BanksyncError';
    this.code = code;
    this.hint = options.hint;
    this.retryAt = options.retryAt;
    this.status = options.status;
    this.reason = options.reason;
    this.genericHint = options.genericHint ?? false;
    this.ref = newSupportRef();
  }
}

/** The same error with the facts a provider's error mapper knows (HTTP status, reason) attached. */
export function withFacts(e: BanksyncError, facts: Pick<BanksyncErrorOptions, 'status' | 'reason'>): BanksyncError {
  return new BanksyncError(e.code, e.message, { hint: e.hint, retryAt: e.retryAt, cause: e.cause, genericHint: e.genericHint, status: e.status, reason: e.reason, ...facts });
}

/** Options for a hint that says "renew it" without knowing the connection: the engine names the exact command. */
export const renewOptions = (hint: string): BanksyncErrorOptions => ({ hint, genericHint: true });

export const badInput = (message: string, hint?: string) => new BanksyncError('BAD_INPUT', message, { hint });
export const notFound = (message: string, hint?: string) => new BanksyncError('NOT_FOUND', message, { hint });

/** Wraps anything thrown into a BanksyncError; unknown errors become INTERNAL (a bug). */
export function toBanksyncError(err: unknown): BanksyncError {
  if (err instanceof BanksyncError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new BanksyncError('INTERNAL', `internal error: ${message}`, {
    cause: err,
    hint: 'this is a bug in banksync; run again with BANKSYNC_DEBUG=1 and report the output',
  });
}
