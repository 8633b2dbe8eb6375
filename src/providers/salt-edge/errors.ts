import { BanksyncError, renewOptions, type ErrorCode } from '../../domain/errors.js';
import { retryAtFrom, type HttpFailure } from '../http.js';
import { ErrorBody } from './schema.js';

/** A typed error that still knows Salt Edge's error class (refreshConnection turns some into a deferral). */
export class SaltEdgeError extends BanksyncError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly errorClass: string,
    options: { hint?: string; retryAt?: string } = {},
  ) {
    super(code, message, options);
  }
}

/** Salt Edge sends no Retry-After on TooManyRequests; a minute is its per-IP window [unverified]. */
const RATE_LIMIT_RETRY_MS = 60_000;
/** BackgroundFetchLimitExceeded: PSD2 allows 4 background fetches per rolling 24 h. */
const BACKGROUND_LIMIT_RETRY_MS = 6 * 3_600_000;

const SETUP = 'check the App-id, Secret and private key: banksync providers setup salt-edge';
const RECONNECT = 'renew it: banksync update-credentials <connection>';

const BANK_LOGIN = new Set(['InvalidCredentials', 'InvalidInteractiveCredentials', 'CredentialsNotMatch', 'ProviderAccessNotGranted']);
const CONSENT_OVER = new Set(['ConsentExpired', 'AispConsentExpired', 'ConsentRevoked', 'AispConsentRevoked', 'ConnectionNotFound', 'ConnectionDisabled']);
const APP_KEYS = new Set([
  'ApiKeyNotFound',
  'AppIdNotProvided',
  'SecretNotProvided',
  'WrongSecret',
  'WrongApiKey',
  'MissingSignature',
  'SignatureNotMatch',
  'InvalidSignature',
  'PublicKeyNotProvided',
  'ClientDisabled',
  'ClientRestricted',
  'ClientPending',
]);
const CLOCK = new Set(['ExpiresAtInvalid', 'RequestExpired']);
const BANK_DOWN = new Set(['ProviderUnavailable', 'ProviderError', 'ProviderInactive', 'ProviderDisabled', 'ConnectionFailed', 'ExecutionTimeout', 'FetchingTimeout', 'InternalServerError']);
const NEEDS_HUMAN = new Set(['InteractiveAdapterTimeout', 'InteractiveTimeout']);
/** Too soon to refresh again: refreshConnection defers instead of failing. */
export const REFRESH_LIMITS = new Set(['BackgroundFetchLimitExceeded', 'ConnectionCannotBeRefreshed']);

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 300);

/**
 * The one place that turns Salt Edge's {error: {class, message}} bodies (and bodiless failures)
 * into banksync's typed errors; the class stays in the message the engine stores.
 */
export function mapSaltEdgeError(f: HttpFailure, now: Date = new Date()): SaltEdgeError {
  const parsed = ErrorBody.safeParse(f.body);
  if (!parsed.success) {
    const code: ErrorCode = f.status === 429 ? 'RATE_LIMITED' : f.status >= 500 ? 'PROVIDER_UNAVAILABLE' : 'PROVIDER_ERROR';
    return new SaltEdgeError(
      code,
      `Salt Edge: HTTP ${f.status} on ${f.method} ${f.path} without a Salt Edge error body`,
      '',
      code === 'RATE_LIMITED' ? { retryAt: retryAtFrom(f.headers, now) ?? new Date(now.getTime() + RATE_LIMIT_RETRY_MS).toISOString() } : {},
    );
  }
  return fromErrorClass(parsed.data.error.class, parsed.data.error.message, now, f.headers);
}

/** Also used for a refresh attempt that failed (last_attempt.fail_error_class / fail_message). */
export function fromErrorClass(cls: string, message: string, now: Date, headers: HttpFailure['headers'] = {}): SaltEdgeError {
  const make = (code: ErrorCode, lead: string, options: { hint?: string; retryAt?: string } = {}) =>
    new SaltEdgeError(code, oneLine(`Salt Edge: ${lead}${message && message !== lead ? ` — ${message}` : ''} (${cls})`), cls, options);
  const later = (ms: number) => retryAtFrom(headers, now) ?? new Date(now.getTime() + ms).toISOString();
  if (APP_KEYS.has(cls)) return make('CREDENTIALS_INVALID', 'the App-id, Secret or request signature was refused', { hint: SETUP });
  if (CLOCK.has(cls)) return make('PROVIDER_ERROR', 'the request signature has expired or is dated too far ahead', { hint: "check this computer's clock" });
  if (BANK_LOGIN.has(cls)) return make('CREDENTIALS_INVALID', 'the bank refused the login', renewOptions(RECONNECT));
  if (CONSENT_OVER.has(cls)) return make('CONSENT_EXPIRED', 'the consent for this connection has ended', renewOptions(RECONNECT));
  if (NEEDS_HUMAN.has(cls)) return make('SCA_REQUIRED', 'the bank waited for an answer (a code or a question) that nobody gave', { hint: 'run the sync on a terminal to answer it' });
  if (cls === 'BackgroundFetchLimitExceeded') return make('RATE_LIMITED', 'the bank allows no more background refreshes today', { retryAt: later(BACKGROUND_LIMIT_RETRY_MS) });
  if (cls === 'TooManyRequests' || cls === 'RateLimitExceeded' || cls === 'ConnectionCannotBeRefreshed' || cls === 'ConnectionAlreadyProcessing') {
    return make('RATE_LIMITED', 'too many requests', { retryAt: later(RATE_LIMIT_RETRY_MS) });
  }
  if (BANK_DOWN.has(cls)) return make('PROVIDER_UNAVAILABLE', 'the bank is not answering Salt Edge');
  return make('PROVIDER_ERROR', 'request refused');
}
