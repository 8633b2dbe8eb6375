import { createEnableBankingProvider } from './enable-banking/index.js';
import { createGoCardlessProvider } from './gocardless/index.js';
import { createPlaidProvider } from './plaid/index.js';
import { createPontoProvider } from './ponto/index.js';
import { createSandboxProvider } from './sandbox/index.js';
import type { ProviderFactory } from './types.js';

/** Explicit map of provider id → factory; adapters register here, nothing scans directories. */
export const PROVIDERS: Readonly<Record<string, ProviderFactory>> = {
  sandbox: createSandboxProvider,
  gocardless: createGoCardlessProvider,
  'enable-banking': createEnableBankingProvider,
  ponto: createPontoProvider,
  plaid: createPlaidProvider,
};

export const providerIds = (): string[] => Object.keys(PROVIDERS);

/** BANKSYNC_<PROVIDER>_<FIELD>: env names for base URLs and credentials, the same for every adapter. */
export function providerEnvName(providerId: string, field: string): string {
  const norm = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  return `BANKSYNC_${norm(providerId)}_${norm(field)}`;
}
