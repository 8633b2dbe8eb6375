import { BanksyncError, withFacts } from '../../domain/errors.js';
import { nextUtcMidnight } from '../../domain/clock.js';
import { retryAtFrom, type HttpFailure } from '../http.js';

export const SETUP_HINT = 'banksync providers setup enable-banking';

/** The redirect address must be whitelisted on the application (facts §5.1, §5.3). */
export function redirectHint(redirectUrl = 'http://127.0.0.1:<port>/callback'): string {
  return `register ${redirectUrl} as a redirect URL of your application in the Enable Banking control panel (enablebanking.com/cp/applications), or pass --redirect-port with the port of one you registered`;
}

/** Enable Banking error body: {message, code (= HTTP status), error (ErrorCode), detail}. */
function describe(body: unknown): { error: string; message: string; detail: string } {
  if (!body || typeof body !== 'object') return { error: '', message: String(body ?? '').slice(0, 200), detail: '' };
  const b = body as Record<string, unknown>;
  // detail is a string, or FastAPI's list of validation problems.
  const detail = typeof b.detail === 'string' ? b.detail : b.detail == null ? '' : JSON.stringify(b.detail).slice(0, 200);
  return { error: typeof b.error === 'string' ? b.error : '', message: typeof b.message === 'string' ? b.message : 'unexpected error body', detail };
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 240);

/**
 * The one place that turns Enable Banking HTTP failures into banksync's typed errors. Callers
 * decide on the status and Enable Banking's own error code (the reason), never on the text.
 */
export function mapEnableBankingError(f: HttpFailure, now: Date = new Date()): BanksyncError {
  return withFacts(mapFailure(f, now), { status: f.status, reason: describe(f.body).error || undefined });
}

function mapFailure(f: HttpFailure, now: Date): BanksyncError {
  const { error, message, detail } = describe(f.body);
  const text = oneLine(`Enable Banking: ${message}${detail && detail !== message ? ` — ${detail}` : ''}${error ? ` (${error})` : ''}`);
  const setup = { hint: `check the application id and private key: ${SETUP_HINT}` };
  switch (error) {
    case 'EXPIRED_SESSION':
    case 'CLOSED_SESSION':
    case 'REVOKED_SESSION':
    case 'SESSION_DOES_NOT_EXIST': // a session that is gone is renewed the same way
      return new BanksyncError('CONSENT_EXPIRED', text);
    case 'UNAUTHORIZED_ACCESS':
    case 'AUTHORIZATION_NOT_PROVIDED':
      // The JWT was refused: it is signed with the private key and names the application id.
      return new BanksyncError('CREDENTIALS_INVALID', oneLine(`Enable Banking refused the application id or private key (${detail || message})`), setup);
    case 'ACCESS_DENIED':
      return new BanksyncError('CREDENTIALS_INVALID', text, setup);
    case 'WRONG_CREDENTIALS_PROVIDED':
      return new BanksyncError('CREDENTIALS_INVALID', text);
    case 'ASPSP_PSU_ACTION_REQUIRED':
      return new BanksyncError('SCA_REQUIRED', text);
    case 'ASPSP_ERROR':
    case 'ASPSP_TIMEOUT':
      return new BanksyncError('PROVIDER_UNAVAILABLE', text);
    case 'REDIRECT_URI_NOT_ALLOWED':
      return new BanksyncError('NOT_CONFIGURED', text, { hint: redirectHint() });
  }
  if (error === 'ASPSP_RATE_LIMIT_EXCEEDED' || f.status === 429) {
    // The bank's unattended limit is per UTC day unless the answer says otherwise.
    return new BanksyncError('RATE_LIMITED', text, { retryAt: retryAtFrom(f.headers, now) ?? nextUtcMidnight(now) });
  }
  if (f.status >= 500 || f.status === 408) return new BanksyncError('PROVIDER_UNAVAILABLE', text);
  return new BanksyncError('PROVIDER_ERROR', text);
}
