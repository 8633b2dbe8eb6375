import { ENABLE_BANKING_META } from './enable-banking/meta.js';
import { GOCARDLESS_META } from './gocardless/meta.js';
import { PLAID_META } from './plaid/meta.js';
import { PONTO_META } from './ponto/meta.js';
import { SALT_EDGE_META } from './salt-edge/meta.js';
import { SANDBOX_META } from './sandbox/meta.js';
import { SIMPLEFIN_META } from './simplefin/meta.js';
import { YODLEE_META } from './yodlee/meta.js';
import type { ProviderFactory, ProviderMeta } from './types.js';

/**
 * One provider as banksync knows it before using it: static metadata (id, display name,
 * capabilities with the credential fields) and a lazy `load()` of the adapter, so a command
 * that only lists providers or builds flags never loads an HTTP client.
 */
export interface ProviderEntry extends ProviderMeta {
  load(): Promise<ProviderFactory>;
}

/**
 * Explicit list of providers, in the order `banksync providers` shows them; nothing scans
 * directories. Adding one: a `meta.ts` next to the adapter (ProviderMeta) and one entry here.
 */
const ENTRIES: ProviderEntry[] = [
  { ...SANDBOX_META, load: async () => (await import('./sandbox/index.js')).createSandboxProvider },
  { ...GOCARDLESS_META, load: async () => (await import('./gocardless/index.js')).createGoCardlessProvider },
  { ...ENABLE_BANKING_META, load: async () => (await import('./enable-banking/index.js')).createEnableBankingProvider },
  { ...PONTO_META, load: async () => (await import('./ponto/index.js')).createPontoProvider },
  { ...SIMPLEFIN_META, load: async () => (await import('./simplefin/index.js')).createSimpleFinProvider },
  { ...PLAID_META, load: async () => (await import('./plaid/index.js')).createPlaidProvider },
  { ...SALT_EDGE_META, load: async () => (await import('./salt-edge/index.js')).createSaltEdgeProvider },
  { ...YODLEE_META, load: async () => (await import('./yodlee/index.js')).createYodleeProvider },
];

export const PROVIDERS: ReadonlyMap<string, ProviderEntry> = new Map(ENTRIES.map((e) => [e.id, e]));

export const providerIds = (): string[] => [...PROVIDERS.keys()];

/** Providers that need your own app credentials before they can search or connect (`providers setup`). */
export const appProviderIds = (): string[] => ENTRIES.filter((e) => e.capabilities.remote && e.capabilities.credentialFields.length > 0).map((e) => e.id);

/** BANKSYNC_<PROVIDER>_<FIELD>: env names for base URLs and credentials, the same for every adapter. */
export function providerEnvName(providerId: string, field: string): string {
  const norm = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  return `BANKSYNC_${norm(providerId)}_${norm(field)}`;
}
