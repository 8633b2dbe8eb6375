import { BanksyncError, renewOptions } from '../../domain/errors.js';
import { retryAtFrom, type HttpFailure } from '../http.js';

export const SETUP_HINT = 'banksync providers setup ponto';
export const RENEW_HINT = 'renew the connection: banksync update-credentials <connection>';

/** The first error of a JSON:API document {errors:[{code, detail}]} or an OAuth one {error, error_description}. */
export function describe(body: unknown): { code: string; detail: string } {
  if (!body || typeof body !== 'object') return { code: '', detail: String(body ?? '').slice(0, 200) };
  const b = body as Record<string, unknown>;
  if (typeof b.error === 'string') return { code: b.error, detail: typeof b.error_description === 'string' ? b.error_description : '' };
  const first = Array.isArray(b.errors) ? (b.errors[0] as Record<string, unknown> | undefined) : undefined;
  if (first && typeof first === 'object') {
    return { code: typeof first.code === 'string' ? first.code : '', detail: typeof first.detail === 'string' ? first.detail : '' };
  }
  return { code: '', detail: 'unexpected error body' };
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 240);

export const certificateRefused = (why: string) =>
  new BanksyncError('CREDENTIALS_INVALID', oneLine(`Ponto refused the client certificate (${why}); check the Ponto client certificate and its private key`), { hint: SETUP_HINT });

export const integrationRevoked = () => new BanksyncError('CONSENT_EXPIRED', 'Ponto: the integration was revoked or has expired (the refresh token was refused)', renewOptions(RENEW_HINT));

/** The one place that turns Ponto HTTP failures into banksync's typed errors. */
export function mapPontoError(f: HttpFailure, now: Date = new Date()): BanksyncError {
  const { code, detail } = describe(f.body);
  const text = oneLine(`Ponto: ${code || `HTTP ${f.status}`}${detail ? ` — ${detail}` : ''}`);
  // A client certificate the API does not accept (the mock answers 401 unauthorizedClient).
  if (isCertificateError(f.status, code, detail)) {
    return certificateRefused(code || detail);
  }
  if (code === 'invalid_client') {
    return new BanksyncError('CREDENTIALS_INVALID', 'Ponto rejected the client id or client secret (invalid_client)', { hint: SETUP_HINT });
  }
  if (code === 'invalid_grant') return integrationRevoked();
  if (code === 'authorizationExpired') {
    return new BanksyncError('CONSENT_EXPIRED', oneLine(`Ponto: the bank authorization of this account has expired${detail ? ` — ${detail}` : ''}`), renewOptions(RENEW_HINT));
  }
  if (f.status === 429 || code === 'accountRecentlySynchronized') {
    return new BanksyncError('RATE_LIMITED', text, { retryAt: retryAtFrom(f.headers, now) ?? new Date(now.getTime() + 60_000).toISOString() });
  }
  if (f.status >= 500) return new BanksyncError('PROVIDER_UNAVAILABLE', text);
  // An access token Ponto no longer honours; the API layer renews it once before giving up.
  if (f.status === 401) return new BanksyncError('CREDENTIALS_INVALID', oneLine(`Ponto refused the access token (${code || 'unauthorized'})`), renewOptions(RENEW_HINT));
  if (f.status === 403) return new BanksyncError('CREDENTIALS_INVALID', text, renewOptions(RENEW_HINT));
  return new BanksyncError('PROVIDER_ERROR', text);
}

/** A 401 about the bearer token (not the certificate): worth one renewal of the access token. */
export function isTokenRefusal(f: HttpFailure): boolean {
  const { code, detail } = describe(f.body);
  return f.status === 401 && !isCertificateError(f.status, code, detail);
}

function isCertificateError(status: number, code: string, detail: string): boolean {
  return code === 'unauthorizedClient' || /certificate/i.test(code) || (status === 401 && /certificate/i.test(detail));
}

/** Our key or certificate unreadable (OpenSSL), or a TLS alert about the certificate we sent. */
const LOCAL_TLS = /^ERR_OSSL_|^ERR_SSL_.*_ALERT_.*(CERTIFICATE|UNKNOWN_CA)/;
/** During the TLS handshake the server hangs up on a certificate it does not trust (TLS 1.3). */
const HANGUP = /^(UND_ERR_SOCKET|ECONNRESET|EPROTO)$/;

/** A network failure as the certificate's fault, when it is; `handshake` widens that to hang-ups. */
export function tlsFailure(err: unknown, handshake: boolean): BanksyncError | undefined {
  if (!(err instanceof BanksyncError) || err.code !== 'PROVIDER_UNAVAILABLE') return undefined;
  const cause = err.cause as NodeJS.ErrnoException | undefined;
  const code = String(cause?.code ?? '');
  if (LOCAL_TLS.test(code) || (handshake && HANGUP.test(code))) return certificateRefused(code);
  return undefined;
}
