import { DEFAULT_MAX_IN_FLIGHT } from '../limits.js';
import type { ProviderMeta } from '../types.js';
import { GOCARDLESS_CREDENTIALS } from './credentials.js';

/** Static facts about GoCardless: read by the registry without loading the adapter. */
export const GOCARDLESS_META: ProviderMeta = {
  id: 'gocardless',
  displayName: 'GoCardless Bank Account Data',
  capabilities: {
    regions: ['EEA', 'GB'],
    remote: true,
    consent: 'redirect',
    institutionChoice: 'app',
    feed: 'window',
    betaInstitutions: false,
    credentialFields: GOCARDLESS_CREDENTIALS,
    consentDays: 90,
    // Banks may allow as few as 4 successful calls a day per account and scope.
    refreshesPerDay: 4,
    historyDays: 90,
    pending: true,
    scaEveryFetch: false,
    stableTransactionIds: true,
    // No documented concurrency limit: a browser's few connections per host.
    maxConcurrentRequests: DEFAULT_MAX_IN_FLIGHT,
  },
};
