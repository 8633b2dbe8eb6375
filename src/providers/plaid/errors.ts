import { BanksyncError, type ErrorCode } from '../../domain/errors.js';
import type { HttpFailure } from '../http.js';
import { PlaidErrorBody } from './schema.js';

/** A typed error that still knows Plaid's own code (the sync loop restarts on one of them). */
export class PlaidError extends BanksyncError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly plaidCode: string,
    readonly requestId: string | undefined,
    options: { hint?: string; retryAt?: string } = {},
  ) {
    super(code, message, options);
  }
}

/** How long a "still preparing" answer defers the account: Plaid's first pull usually takes minutes. */
export const NOT_READY_RETRY_MS = 15 * 60_000;
/** Plaid's limits are per minute (facts §4.9) and it sends no Retry-After. */
const RATE_LIMIT_RETRY_MS = 60_000;

const NEEDS_LOGIN = new Set([
  'ITEM_LOGIN_REQUIRED',
  'INVALID_CREDENTIALS',
  'INVALID_MFA',
  'ITEM_LOCKED',
  'USER_SETUP_REQUIRED',
  'INSUFFICIENT_CREDENTIALS',
  'ACCESS_NOT_GRANTED',
  'INVALID_ACCESS_TOKEN',
  'ITEM_NOT_FOUND',
]);
const CONSENT_OVER = new Set(['PENDING_EXPIRATION', 'PENDING_DISCONNECT', 'USER_PERMISSION_REVOKED', 'ITEM_CONSENT_EXPIRED']);
const BAD_KEYS = new Set(['INVALID_API_KEYS', 'UNAUTHORIZED_ENVIRONMENT', 'INVALID_SECRET', 'INVALID_CLIENT_ID']);

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 300);

/**
 * The one place that turns Plaid's error bodies {error_type, error_code, error_message,
 * display_message, request_id} into banksync's typed errors; Plaid's code and request_id stay in
 * the message, which is what the engine stores with a failed sync.
 */
export function mapPlaidError(f: HttpFailure, now: Date = new Date()): PlaidError {
  const parsed = PlaidErrorBody.safeParse(f.body);
  if (!parsed.success) {
    const code: ErrorCode = f.status >= 500 || f.status === 429 ? (f.status === 429 ? 'RATE_LIMITED' : 'PROVIDER_UNAVAILABLE') : 'PROVIDER_ERROR';
    return new PlaidError(
      code,
      oneLine(`Plaid: HTTP ${f.status} on ${f.path} without a Plaid error body`),
      '',
      undefined,
      code === 'RATE_LIMITED' ? { retryAt: new Date(now.getTime() + RATE_LIMIT_RETRY_MS).toISOString() } : {},
    );
  }
  return fromBody(parsed.data, now);
}

export function fromBody(b: PlaidErrorBody, now: Date): PlaidError {
  const what = b.display_message || b.error_message || b.error_code;
  const ref = `${b.error_code}${b.request_id ? `, request_id ${b.request_id}` : ''}`;
  const make = (code: ErrorCode, lead: string, options: { hint?: string; retryAt?: string } = {}) =>
    new PlaidError(code, oneLine(`Plaid: ${lead}${what && what !== lead ? ` — ${what}` : ''} (${ref})`), b.error_code, b.request_id, options);
  const code = b.error_code;
  if (BAD_KEYS.has(code)) return make('CREDENTIALS_INVALID', 'the client id or secret was refused', { hint: 'check the client id, secret and environment: banksync providers setup plaid' });
  if (code === 'PRODUCT_NOT_READY') return make('NOT_READY', 'the data of this Item is not ready yet', { retryAt: new Date(now.getTime() + NOT_READY_RETRY_MS).toISOString() });
  if (CONSENT_OVER.has(code) || b.error_code_reason === 'OAUTH_CONSENT_EXPIRED' || b.error_code_reason === 'OAUTH_USER_REVOKED') {
    return make('CONSENT_EXPIRED', 'the consent for this Item has ended or is about to');
  }
  if (NEEDS_LOGIN.has(code)) return make('CREDENTIALS_INVALID', code === 'ITEM_LOGIN_REQUIRED' ? 'the bank needs you to log in again' : 'the bank login was refused');
  // Plaid's rule: restart the loop from its first cursor; the sync loop does, and gives up after a few.
  if (code === 'TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION') return make('PROVIDER_UNAVAILABLE', 'the transactions changed while they were being read');
  if (b.error_type === 'RATE_LIMIT_EXCEEDED') return make('RATE_LIMITED', 'rate limit exceeded', { retryAt: new Date(now.getTime() + RATE_LIMIT_RETRY_MS).toISOString() });
  if (b.error_type === 'INSTITUTION_ERROR' || b.error_type === 'API_ERROR') return make('PROVIDER_UNAVAILABLE', b.error_type === 'API_ERROR' ? 'Plaid failed' : 'the bank is not answering Plaid');
  return make('PROVIDER_ERROR', b.error_type);
}
