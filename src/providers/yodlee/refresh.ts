import { BanksyncError, renewOptions } from '../../domain/errors.js';
import type { RefreshOutcome } from '../types.js';
import type { ProviderAccount } from './schema.js';

/** Yodlee: "You must allow at least 15 min between requests" to refresh one provider account. */
export const MIN_REFRESH_GAP_MS = 15 * 60_000;
/** Yodlee's advice is to poll every few seconds while a refresh runs. */
export const POLL_MS = 2_000;

const RENEW_HINT = 'renew it in FastLink: banksync update-credentials <connection>';
const RUNNING = new Set(['LOGIN_IN_PROGRESS', 'IN_PROGRESS', 'MIGRATION_IN_PROGRESS']);
const DONE = new Set(['SUCCESS', 'PARTIAL_SUCCESS']);
/** The bank asks the person something (an OTP, a question) or wants them at its site. */
const NEEDS_SCA = new Set(['ADDL_AUTHENTICATION_REQUIRED', 'USER_ACTION_NEEDED_AT_SITE', 'NEW_AUTHENTICATION_REQUIRED', 'INVALID_ADDL_INFO_PROVIDED']);
const NEEDS_LOGIN = new Set(['INCORRECT_CREDENTIALS', 'CREDENTIALS_UPDATE_NEEDED', 'ACCOUNT_LOCKED']);
const CONSENT_OVER = new Set(['CONSENT_REQUIRED', 'CONSENT_EXPIRED', 'CONSENT_REVOKED']);

const latest = (xs: (string | undefined)[]) =>
  xs
    .filter((x): x is string => !!x)
    .sort()
    .at(-1);

/**
 * What a provider account's status means for a sync: 'refresh' when banksync should ask Yodlee
 * to refresh now; otherwise the outcome to report. `ours`: banksync asked for the refresh that
 * is (or was) running. A bank that wants a person throws SCA_REQUIRED / CREDENTIALS_INVALID with
 * the update-credentials hint: Yodlee's MFA answers go through FastLink, not through banksync.
 */
export function refreshOutcome(pa: ProviderAccount, o: { ours: boolean; now: Date }): RefreshOutcome | 'refresh' {
  const status = pa.status ?? '';
  const datasets = pa.dataset ?? [];
  const extra = datasets.map((d) => d.additionalStatus ?? '');
  const what = (s: string) => `Yodlee: the bank link (provider account ${pa.id}) ${s}`;
  if (RUNNING.has(status)) return { status: 'pending', pollAfterMs: POLL_MS };
  if (status === 'USER_INPUT_REQUIRED' || extra.some((x) => NEEDS_SCA.has(x))) {
    throw new BanksyncError('SCA_REQUIRED', what(`needs you to answer the bank (${extra.find((x) => NEEDS_SCA.has(x)) ?? status})`), renewOptions(RENEW_HINT));
  }
  if (extra.some((x) => CONSENT_OVER.has(x))) throw new BanksyncError('CONSENT_EXPIRED', what(`needs your consent again (${extra.find((x) => CONSENT_OVER.has(x))})`), renewOptions(RENEW_HINT));
  if (extra.some((x) => NEEDS_LOGIN.has(x)) || datasets.some((d) => d.updateEligibility === 'ALLOW_UPDATE_WITH_CREDENTIALS')) {
    throw new BanksyncError('CREDENTIALS_INVALID', what(`needs your bank login again (${extra.find((x) => NEEDS_LOGIN.has(x)) ?? 'ALLOW_UPDATE_WITH_CREDENTIALS'})`), renewOptions(RENEW_HINT));
  }
  if (o.ours) {
    if (DONE.has(status)) return { status: 'done' };
    return {
      status: 'deferred',
      fetchCached: true,
      message: what(`could not be refreshed (${status}${extra.filter(Boolean).length ? `: ${extra.filter(Boolean).join(', ')}` : ''}); what Yodlee already holds is read`),
    };
  }
  if (datasets.length > 0 && datasets.every((d) => d.updateEligibility === 'DISALLOW_UPDATE')) {
    const next = latest(datasets.map((d) => d.nextUpdateScheduled));
    return {
      status: 'deferred',
      fetchCached: true,
      ...(next ? { nextPossibleAt: next } : {}),
      message: what(`may not be refreshed now (DISALLOW_UPDATE${extra.filter(Boolean).length ? `: ${extra.filter(Boolean).join(', ')}` : ''}); what Yodlee already holds is read`),
    };
  }
  const attempt = latest(datasets.map((d) => d.lastUpdateAttempt ?? d.lastUpdated));
  const at = attempt ? Date.parse(attempt) : NaN;
  if (!Number.isNaN(at) && o.now.getTime() - at < MIN_REFRESH_GAP_MS) {
    return {
      status: 'deferred',
      fetchCached: true,
      nextPossibleAt: new Date(at + MIN_REFRESH_GAP_MS).toISOString(),
      message: what('was refreshed less than 15 minutes ago; what Yodlee holds is read'),
    };
  }
  return 'refresh';
}
