import type { ProviderMeta } from '../types.js';
import { PLAID_CREDENTIALS } from './credentials.js';

/** Plaid keeps up to two years of history (days_requested ≤ 730). */
export const PLAID_HISTORY_DAYS = 730;

/** Static facts about Plaid: read by the registry without loading the adapter. */
export const PLAID_META: ProviderMeta = {
  id: 'plaid',
  displayName: 'Plaid',
  capabilities: {
    regions: ['US', 'CA', 'GB', 'EEA'],
    remote: true,
    // Hosted Link: a page on Plaid's side that pollConsent sees finish; no redirect back to us.
    consent: 'redirect',
    institutionChoice: 'provider',
    feed: 'cursor',
    betaInstitutions: false,
    credentialFields: PLAID_CREDENTIALS,
    historyDays: PLAID_HISTORY_DAYS,
    pending: true,
    scaEveryFetch: false,
    stableTransactionIds: true,
    // /accounts/get allows 15 calls a minute per Item: a few at once is plenty.
    maxConcurrentRequests: 4,
  },
};
