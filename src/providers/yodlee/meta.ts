import type { ProviderMeta } from '../types.js';
import { YODLEE_CREDENTIALS } from './credentials.js';

/** Yodlee keeps about a year of transactions for a newly linked account (its docs; bank-dependent). */
export const YODLEE_HISTORY_DAYS = 365;

/** Static facts about Yodlee: read by the registry without loading the adapter. */
export const YODLEE_META: ProviderMeta = {
  id: 'yodlee',
  displayName: 'Envestnet | Yodlee',
  capabilities: {
    regions: ['US', 'CA', 'GB', 'AU', 'IN'],
    remote: true,
    // FastLink on our own loopback page; completion by its callback or by polling provider accounts.
    consent: 'redirect',
    institutionChoice: 'provider',
    feed: 'window',
    betaInstitutions: false,
    credentialFields: YODLEE_CREDENTIALS,
    historyDays: YODLEE_HISTORY_DAYS,
    pending: true,
    scaEveryFetch: false,
    stableTransactionIds: true,
    maxConcurrentRequests: 4,
  },
};
