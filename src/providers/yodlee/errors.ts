import { BanksyncError, type ErrorCode } from '../../domain/errors.js';
import { retryAtFrom, type HttpFailure } from '../http.js';
import { YodleeErrorBody } from './schema.js';

/** A typed error that still knows Yodlee's own code (the token refresher retries on some of them). */
export class YodleeError extends BanksyncError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly yodleeCode: string,
    readonly httpStatus: number,
    options: { hint?: string; retryAt?: string } = {},
  ) {
    super(code, message, options);
  }
}

/** The access token was refused (invalid or expired): a new token and one retry, then a real error. */
export const TOKEN_REFUSED = new Set(['Y008', 'Y020', 'Y023']);

const SETUP_HINT = 'check the client id, secret and admin login name: banksync providers setup yodlee';
const RECONNECT_HINT = 'connect again: banksync connect --provider yodlee';
/** Yodlee sends no Retry-After on most 429s (unverified); a minute is its usual window. */
const RATE_LIMIT_RETRY_MS = 60_000;
/** Y868: the account is moving to an Open Banking provider; try again later. */
const MIGRATION_RETRY_MS = 60 * 60_000;

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 300);

/**
 * The one place that turns Yodlee's error bodies {errorCode, errorMessage, referenceCode} into
 * banksync's typed errors. Yodlee's code and referenceCode stay in the message, which is what the
 * engine stores with a failed sync and what Yodlee support asks for.
 */
export function mapYodleeError(f: HttpFailure, now: Date = new Date()): YodleeError {
  const parsed = YodleeErrorBody.safeParse(f.body);
  if (!parsed.success) {
    const code: ErrorCode = f.status === 429 ? 'RATE_LIMITED' : f.status >= 500 ? 'PROVIDER_UNAVAILABLE' : f.status === 401 || f.status === 403 ? 'CREDENTIALS_INVALID' : 'PROVIDER_ERROR';
    return new YodleeError(code, oneLine(`Yodlee: HTTP ${f.status} on ${f.method} ${f.path} without a Yodlee error body`), '', f.status, {
      ...(code === 'RATE_LIMITED' ? { retryAt: retryAtFrom(f.headers, now) ?? new Date(now.getTime() + RATE_LIMIT_RETRY_MS).toISOString() } : {}),
      ...(code === 'CREDENTIALS_INVALID' ? { hint: SETUP_HINT } : {}),
    });
  }
  return fromBody(parsed.data, f, now);
}

function fromBody(b: YodleeErrorBody, f: HttpFailure, now: Date): YodleeError {
  const c = b.errorCode;
  const ref = `${c}${b.referenceCode ? `, referenceCode ${b.referenceCode}` : ''}`;
  const make = (code: ErrorCode, lead: string, options: { hint?: string; retryAt?: string } = {}) =>
    new YodleeError(code, oneLine(`Yodlee: ${lead}${b.errorMessage && b.errorMessage !== lead ? ` — ${b.errorMessage}` : ''} (${ref})`), c, f.status, options);
  if (f.status === 429) return make('RATE_LIMITED', 'too many requests', { retryAt: retryAtFrom(f.headers, now) ?? new Date(now.getTime() + RATE_LIMIT_RETRY_MS).toISOString() });
  switch (c) {
    case 'Y301': // Invalid clientId or secret
    case 'Y303': // clientId or secret is missing
      return make('CREDENTIALS_INVALID', 'the client id or secret was refused', { hint: SETUP_HINT });
    case 'Y008': // Invalid token in authorization header
    case 'Y020':
    case 'Y023': // Token has expired
      return make('CREDENTIALS_INVALID', 'the access token was refused', { hint: SETUP_HINT });
    case 'Y015': // Unauthorized user
    case 'Y305': // Access token can be issued only for pre-registered users
    case 'Y004': // Inactive user
    case 'Y005': // Suspended user
    case 'Y006': // Unregistered user
      return make('CREDENTIALS_INVALID', 'the Yodlee user was refused', { hint: SETUP_HINT });
    case 'Y001':
    case 'Y002':
    case 'Y003':
      return make('CREDENTIALS_INVALID', 'the login was refused', { hint: SETUP_HINT });
    case 'Y807': // Resource not found: the provider account (the bank link) is gone at Yodlee
      return make('CONSENT_EXPIRED', 'the bank link no longer exists at Yodlee', { hint: RECONNECT_HINT });
    case 'Y868':
      return make('NOT_READY', 'the account is being migrated to an Open Banking connection', { retryAt: new Date(now.getTime() + MIGRATION_RETRY_MS).toISOString() });
    case 'Y901': // Service not supported
      return make('NOT_CONFIGURED', 'this Yodlee environment does not offer the service banksync needs', { hint: 'ask Yodlee to enable it for your API key' });
    case 'Y902': // Oops some issue at our end
      return make('PROVIDER_UNAVAILABLE', 'Yodlee failed');
    case 'Y007': // Authorization header missing
    case 'Y009':
    case 'Y016': // loginName / Api-Version header missing
    case 'Y013': // SAML: invalid value (not used with client credentials)
      return make('PROVIDER_ERROR', 'the request was refused');
    default:
      if (f.status >= 500) return make('PROVIDER_UNAVAILABLE', 'Yodlee failed');
      // Y800 invalid value, Y804 top range, Y809 date range, Y824 too many ids…: a request Yodlee did not accept.
      return make('PROVIDER_ERROR', 'the request was refused');
  }
}
