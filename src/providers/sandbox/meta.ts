import { DEFAULT_MAX_IN_FLIGHT } from '../limits.js';
import type { ProviderMeta } from '../types.js';
import { SANDBOX_HISTORY_DAYS } from './catalog.js';

export const SANDBOX_CONSENT_DAYS = 180;

/** Static facts about the built-in sandbox: read by the registry without loading the adapter. */
export const SANDBOX_META: ProviderMeta = {
  id: 'sandbox',
  displayName: 'Sandbox (built-in, offline)',
  capabilities: {
    regions: ['NL', 'US', 'DE', 'BE', 'FR', 'FI', 'ES', 'JP'],
    remote: false,
    consent: 'confirm',
    institutionChoice: 'app',
    feed: 'window',
    betaInstitutions: true,
    credentialFields: [],
    consentDays: SANDBOX_CONSENT_DAYS,
    historyDays: SANDBOX_HISTORY_DAYS,
    pending: true,
    scaEveryFetch: false,
    stableTransactionIds: true,
    // Local: no service to protect, so a browser-like default.
    maxConcurrentRequests: DEFAULT_MAX_IN_FLIGHT,
  },
};
