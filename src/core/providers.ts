import { PROVIDERS, providerEnvName, providerIds } from '../providers/registry.js';
import type { CredentialField, Institution, Provider } from '../providers/types.js';
import { providerSecretOwner } from '../store/index.js';
import { registerSecret } from '../secrets/index.js';
import type { Services } from './context.js';
import { BanksyncError, notFound } from './errors.js';
import { readCredentialFile } from './credential-file.js';
import { lookupInstitution } from './institutions.js';

export type CredentialSource = 'env' | 'stored' | 'missing';

/** Where each app credential comes from, in the documented order: env, then the secret store. */
export function credentialSources(s: Services, id: string): { field: CredentialField; source: CredentialSource; value?: string }[] {
  const factory = PROVIDERS[id];
  if (!factory) throw notFound(`unknown provider "${id}"`, `known providers: ${providerIds().join(', ')}`);
  const fields = factory({ now: s.clock, env: s.env, credentials: {} }).capabilities.credentialFields;
  const stored = fields.length ? ((s.store.secrets.get(providerSecretOwner(id)) ?? {}) as Record<string, string>) : {};
  return fields.map((field) => {
    const fromEnv = s.env[providerEnvName(id, field.name)];
    if (fromEnv !== undefined && fromEnv !== '') {
      // File fields take a path in the environment, like the flag does.
      return { field, source: 'env' as const, value: field.file ? readCredentialFile(field, fromEnv, providerEnvName(id, field.name)) : fromEnv };
    }
    if (stored[field.name] !== undefined) return { field, source: 'stored' as const, value: stored[field.name] };
    return { field, source: 'missing' as const };
  });
}

export function missingCredentials(s: Services, id: string): CredentialField[] {
  return credentialSources(s, id).filter((c) => c.source === 'missing').map((c) => c.field);
}

/**
 * Builds a provider with its base URL and app credentials resolved (env, then stored). Build one
 * per provider per run: the instance holds the app token and the in-flight request limit.
 */
export function getProvider(s: Services, id: string, opts: { maxConcurrentRequests?: number } = {}): Provider {
  const factory = PROVIDERS[id];
  if (!factory) throw notFound(`unknown provider "${id}"`, `known providers: ${providerIds().join(', ')}`);
  const credentials: Record<string, string> = {};
  for (const c of credentialSources(s, id)) {
    if (c.value === undefined) continue;
    credentials[c.field.name] = c.value;
    if (c.field.secret) registerSecret(c.value);
  }
  return factory({ now: s.clock, env: s.env, baseUrl: s.env[providerEnvName(id, 'base_url')], credentials, maxConcurrentRequests: opts.maxConcurrentRequests });
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

export async function requireInstitution(s: Services, p: Provider, id: string): Promise<Institution> {
  const inst = await lookupInstitution(s, p, id);
  if (!inst) {
    throw notFound(`no institution "${id}" at provider ${p.id}`, `search with: banksync institutions --provider ${p.id}`);
  }
  return inst;
}

export function assertKnownProvider(id: string): void {
  if (!PROVIDERS[id]) throw new BanksyncError('NOT_FOUND', `unknown provider "${id}"`, { hint: `known providers: ${providerIds().join(', ')}` });
}
