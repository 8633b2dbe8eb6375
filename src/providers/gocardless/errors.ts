import { nextUtcMidnight } from '../../domain/clock.js';
import { BanksyncError, withFacts } from '../../domain/errors.js';
import { header, retryAtFrom, type HttpFailure } from '../http.js';

/** GoCardless error bodies: {summary, detail, type?, status_code} or field-keyed {field: {summary, detail}}. */
function describe(body: unknown): { summary: string; detail: string; type: string } {
  if (!body || typeof body !== 'object') return { summary: String(body ?? '').slice(0, 200), detail: '', type: '' };
  const b = body as Record<string, unknown>;
  if (typeof b.summary === 'string') return { summary: b.summary, detail: typeof b.detail === 'string' ? b.detail : '', type: typeof b.type === 'string' ? b.type : '' };
  // Field errors: name the first field and its complaint.
  for (const [field, v] of Object.entries(b)) {
    const e = (Array.isArray(v) ? v[0] : v) as Record<string, unknown> | undefined;
    if (e && typeof e === 'object' && typeof e.summary === 'string') {
      return { summary: `${field}: ${e.summary}`, detail: typeof e.detail === 'string' ? e.detail : '', type: '' };
    }
  }
  return { summary: 'unexpected error body', detail: '', type: '' };
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 240);

/**
 * The one place that turns GoCardless HTTP failures into banksync's typed errors. Callers decide
 * on the status and the reason, never on the text: a refused access token ('token-refused') is
 * replaced once (api.ts); a 404 on a delete means already gone.
 */
export function mapGoCardlessError(f: HttpFailure, now: Date = new Date()): BanksyncError {
  const { summary, detail } = describe(f.body);
  const reason = f.status === 401 && /token/i.test(`${summary} ${detail}`) ? 'token-refused' : undefined;
  return withFacts(mapFailure(f, now), { status: f.status, reason });
}

function mapFailure(f: HttpFailure, now: Date): BanksyncError {
  const { summary, detail, type } = describe(f.body);
  const text = oneLine(`GoCardless: ${summary}${detail && detail !== summary ? ` — ${detail}` : ''}`);
  const setup = { hint: 'check the secret id and key: banksync providers setup gocardless' };
  if (f.status === 401) {
    if (/authentication failed/i.test(summary)) return new BanksyncError('CREDENTIALS_INVALID', oneLine(`GoCardless rejected the secret id or secret key (${detail || summary})`), setup);
    if (/EUA|expired|AccessExpired/i.test(`${summary} ${type}`) && !/token/i.test(summary)) return new BanksyncError('CONSENT_EXPIRED', text);
    if (type === 'AccountInactiveError') return new BanksyncError('CREDENTIALS_INVALID', text);
    return new BanksyncError('CREDENTIALS_INVALID', text, setup);
  }
  if (f.status === 403) {
    if (/IP address/i.test(summary)) return new BanksyncError('NOT_CONFIGURED', text, { hint: "allow this machine's IP address in the GoCardless portal" });
    if (/agreement|EUA/i.test(summary)) return new BanksyncError('CONSENT_EXPIRED', text);
    return new BanksyncError('CREDENTIALS_INVALID', text);
  }
  if (f.status === 402) return new BanksyncError('NOT_CONFIGURED', text, { hint: 'your GoCardless plan has no quota left' });
  if (f.status === 409) {
    if (/suspended/i.test(summary)) return new BanksyncError('CREDENTIALS_INVALID', text);
    return new BanksyncError('PROVIDER_UNAVAILABLE', 'GoCardless: the account is not ready yet (still being processed by the bank)');
  }
  if (f.status === 429) {
    const reset = Number(header(f.headers, 'x-ratelimit-account-success-reset'));
    const inSeconds = /try again in (\d+) seconds/i.exec(detail)?.[1];
    const retryAt =
      type === 'RateLimitError' && Number.isFinite(reset)
        ? new Date(now.getTime() + reset * 1000).toISOString()
        : inSeconds
          ? new Date(now.getTime() + Number(inSeconds) * 1000).toISOString()
          : (retryAtFrom(f.headers, now) ?? nextUtcMidnight(now));
    return new BanksyncError('RATE_LIMITED', text, { retryAt });
  }
  if (f.status >= 500) return new BanksyncError('PROVIDER_UNAVAILABLE', text);
  return new BanksyncError('PROVIDER_ERROR', text);
}
