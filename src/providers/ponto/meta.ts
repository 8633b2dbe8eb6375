import { DEFAULT_MAX_IN_FLIGHT } from '../limits.js';
import type { ProviderMeta } from '../types.js';
import { PONTO_CREDENTIALS } from './credentials.js';

/** Static facts about Ponto Connect: read by the registry without loading the adapter. */
export const PONTO_META: ProviderMeta = {
  id: 'ponto',
  displayName: 'Ponto Connect',
  capabilities: {
    regions: ['BE', 'NL', 'FR', 'DE', 'LU'],
    remote: true,
    consent: 'redirect',
    institutionChoice: 'app',
    feed: 'window',
    betaInstitutions: true,
    credentialFields: PONTO_CREDENTIALS,
    // PSD2 bank authorizations through Ponto last 180 days; each account reports its own expiry.
    consentDays: 180,
    // Ponto enforces its own synchronization cooldown; a refused sync falls back to its cached copy.
    refreshesPerDay: undefined,
    historyDays: undefined,
    pending: true,
    scaEveryFetch: false,
    stableTransactionIds: true,
    // No documented concurrency limit: a browser's few connections per host.
    maxConcurrentRequests: DEFAULT_MAX_IN_FLIGHT,
  },
};
