import type { ProviderMeta } from '../types.js';

/** The Bridge's guidance: 24 requests or fewer per day per Access URL. */
export const REQUESTS_PER_DAY = 24;
/**
 * The Bridge serves about 90 days of history. 89 days back from today's midnight (UTC) up to
 * now always fits one 90-day window, so a first sync costs one request.
 */
export const HISTORY_DAYS = 89;

/** Static facts about SimpleFIN: read by the registry without loading the adapter. */
export const SIMPLEFIN_META: ProviderMeta = {
  id: 'simplefin',
  displayName: 'SimpleFIN Bridge',
  capabilities: {
    regions: ['US', 'CA'],
    remote: true,
    consent: 'token',
    institutionChoice: 'provider',
    feed: 'window',
    connectionRequestsPerDay: REQUESTS_PER_DAY,
    betaInstitutions: false,
    // No app credential: the user's setup token is all it needs.
    credentialFields: [],
    historyDays: HISTORY_DAYS,
    pending: true,
    scaEveryFetch: false,
    stableTransactionIds: true,
    // One Access URL, one quota: requests go one at a time.
    maxConcurrentRequests: 1,
  },
};
