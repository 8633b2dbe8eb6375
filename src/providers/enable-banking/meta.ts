import { DEFAULT_MAX_IN_FLIGHT } from '../limits.js';
import type { ProviderMeta } from '../types.js';
import { ENABLE_BANKING_CREDENTIALS } from './credentials.js';

/** Each ASPSP states its own maximum consent; this is only the fallback when one does not. */
export const DEFAULT_CONSENT_DAYS = 90;

/** Static facts about Enable Banking: read by the registry without loading the adapter. */
export const ENABLE_BANKING_META: ProviderMeta = {
  id: 'enable-banking',
  displayName: 'Enable Banking',
  capabilities: {
    regions: ['FI', 'SE', 'NO', 'DK', 'EE', 'LV', 'LT', 'DE', 'PL', 'ES', 'FR', 'NL', 'BE', 'AT', 'IT', 'PT'],
    remote: true,
    consent: 'redirect',
    institutionChoice: 'app',
    feed: 'window',
    betaInstitutions: true,
    credentialFields: ENABLE_BANKING_CREDENTIALS,
    consentDays: DEFAULT_CONSENT_DAYS,
    // We send no PSU headers (unattended sync), so the bank's PSD2 limit of ~4 calls a day applies,
    // and each fetch spends two (transactions, balances).
    refreshesPerDay: 2,
    // Many banks refuse a period reaching further back than 90 days once the consent is a few
    // minutes old (422 WRONG_TRANSACTIONS_PERIOD), so a first sync asks for 89. Older history
    // comes in with `banksync import` of a bank statement file.
    historyDays: 89,
    pending: true,
    scaEveryFetch: false,
    stableTransactionIds: true,
    // No documented concurrency limit: a browser's few connections per host.
    maxConcurrentRequests: DEFAULT_MAX_IN_FLIGHT,
  },
};
