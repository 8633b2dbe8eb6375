import { BanksyncError } from '../../domain/errors.js';
import { retryAtFrom, type HttpFailure } from '../http.js';

export const PROVIDER_NAME = 'SimpleFIN';

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 240);

/** Server text is shown to the user only after control characters are gone (protocol checklist). */
export function sanitize(text: string, max = 300): string {
  return oneLine(text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, ' ')).slice(0, max);
}

function bodyText(body: unknown): string {
  if (typeof body === 'string') return sanitize(body, 160);
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const errs = Array.isArray(b.errors) ? b.errors.filter((e): e is string => typeof e === 'string') : [];
    if (errs.length) return sanitize(errs.join('; '), 160);
    if (typeof b.error === 'string') return sanitize(b.error, 160);
  }
  return '';
}

/**
 * The one place that turns SimpleFIN HTTP failures into banksync's typed errors. `phase` says
 * which endpoint failed: a 403 means something different when claiming a token.
 */
export function mapSimpleFinError(f: HttpFailure, phase: 'claim' | 'accounts', now: Date = new Date()): BanksyncError {
  const said = bodyText(f.body);
  const tail = said ? ` (${said})` : '';
  if (phase === 'claim') {
    if (f.status === 403) {
      // Protocol checklist: a refused claim may mean someone else claimed the token.
      return new BanksyncError(
        'CREDENTIALS_INVALID',
        `SimpleFIN refused the setup token: it does not exist or was already claimed${tail}. If you did not claim it yourself, someone else may have: disable it at the SimpleFIN Bridge`,
        {
          hint: 'create a new setup token at the SimpleFIN Bridge (https://bridge.simplefin.org/simplefin/create) and use it',
        },
      );
    }
  } else {
    if (f.status === 403) {
      return new BanksyncError('CREDENTIALS_INVALID', `SimpleFIN refused the access token: it was disabled at the Bridge or is wrong${tail}`);
    }
    if (f.status === 402) {
      return new BanksyncError('NOT_CONFIGURED', `SimpleFIN: payment required — the SimpleFIN Bridge subscription has lapsed${tail}`, {
        hint: 'renew it at https://bridge.simplefin.org, then sync again',
      });
    }
  }
  if (f.status === 401) return new BanksyncError('CREDENTIALS_INVALID', `SimpleFIN refused the credentials (HTTP 401)${tail}`);
  if (f.status === 429) return new BanksyncError('RATE_LIMITED', `SimpleFIN: too many requests (HTTP 429)${tail}`, { retryAt: retryAtFrom(f.headers, now) ?? nextDay(now) });
  if (f.status >= 500 || f.status === 408) return new BanksyncError('PROVIDER_UNAVAILABLE', `SimpleFIN is unavailable (HTTP ${f.status})${tail}`);
  return new BanksyncError('PROVIDER_ERROR', `SimpleFIN answered HTTP ${f.status} to ${f.method} ${phase === 'claim' ? 'the claim' : '/accounts'}${tail}`);
}

function nextDay(now: Date): string {
  return new Date(now.getTime() + 86_400_000).toISOString();
}
