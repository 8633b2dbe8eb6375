import { PROVIDERS, providerEnvName, providerIds } from '../providers/registry.js';
import type { Institution, Provider } from '../providers/types.js';
import { providerSecretOwner } from '../store/index.js';
import { registerSecret } from '../secrets/index.js';
import type { Services } from './context.js';
import { BanksyncError, notFound } from './errors.js';

/**
 * Builds a provider with its base URL and app credentials resolved in the documented order:
 * BANKSYNC_<PROVIDER>_<FIELD> env, then the stored (encrypted) value.
 */
export function getProvider(s: Services, id: string): Provider {
  const factory = PROVIDERS[id];
  if (!factory) throw notFound(`unknown provider "${id}"`, `known providers: ${providerIds().join(', ')}`);
  const stored = (s.store.secrets.get(providerSecretOwner(id)) ?? {}) as Record<string, string>;
  const credentials: Record<string, string> = {};
  const probe = factory({ now: s.clock, env: s.env, credentials: {} });
  for (const field of probe.capabilities.credentialFields) {
    const value = s.env[providerEnvName(id, field.name)] ?? stored[field.name];
    if (value !== undefined) {
      credentials[field.name] = value;
      if (field.secret) registerSecret(value);
    }
  }
  return factory({ now: s.clock, env: s.env, baseUrl: s.env[providerEnvName(id, 'base_url')], credentials });
}

/** The capability that applies to an institution: its own value, else its provider's. */
export function effectiveLimits(p: Provider, inst: Institution | undefined) {
  return {
    historyDays: inst?.historyDays ?? p.capabilities.historyDays,
    refreshesPerDay: inst?.refreshesPerDay ?? p.capabilities.refreshesPerDay,
    consentDays: inst?.consentDays ?? p.capabilities.consentDays,
    scaEveryFetch: inst?.scaEveryFetch ?? p.capabilities.scaEveryFetch,
    stableIds: inst?.stableTransactionIds ?? p.capabilities.stableTransactionIds,
  };
}

export async function requireInstitution(p: Provider, id: string): Promise<Institution> {
  const inst = await p.getInstitution(id);
  if (!inst) {
    throw notFound(`no institution "${id}" at provider ${p.id}`, `search with: banksync institutions --provider ${p.id}`);
  }
  return inst;
}

export function assertKnownProvider(id: string): void {
  if (!PROVIDERS[id]) throw new BanksyncError('NOT_FOUND', `unknown provider "${id}"`, { hint: `known providers: ${providerIds().join(', ')}` });
}
