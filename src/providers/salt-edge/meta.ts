import type { ProviderMeta } from '../types.js';
import { SALT_EDGE_CREDENTIALS } from './credentials.js';

/** PSD2 consents last 90 days unless the bank allows more (max_consent_days); we ask for 90. */
export const SALT_EDGE_CONSENT_DAYS = 90;

/** Static facts about Salt Edge (API v6): read by the registry without loading the adapter. */
export const SALT_EDGE_META: ProviderMeta = {
  id: 'salt-edge',
  displayName: 'Salt Edge',
  capabilities: {
    regions: ['EEA', 'GB', 'WORLD'],
    remote: true,
    // The Salt Edge Connect page redirects to return_to (our listener); polling the customer's connections also sees it finish.
    consent: 'redirect',
    institutionChoice: 'provider',
    feed: 'window',
    betaInstitutions: false,
    credentialFields: SALT_EDGE_CREDENTIALS,
    consentDays: SALT_EDGE_CONSENT_DAYS,
    // No refreshesPerDay: reading what Salt Edge holds costs the bank nothing; the PSD2 limit of
    // 4 background fetches a day is Salt Edge's to count (BackgroundFetchLimitExceeded → deferred).
    pending: true,
    scaEveryFetch: false,
    stableTransactionIds: true,
    maxConcurrentRequests: 4,
  },
};
