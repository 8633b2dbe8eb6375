import { PROVIDERS, providerEnvName, providerIds, type ProviderEntry } from '../providers/registry.js';
import type { CredentialField, Institution, Provider, ProviderCapabilities, ProviderState } from '../providers/types.js';
import { providerSecretOwner, providerStateOwner } from '../store/index.js';
import { registerSecret } from '../secrets/index.js';
import { nowIso, type Services } from './context.js';
import { notFound } from '../domain/errors.js';
import { readCredentialFile } from './credential-file.js';
import { lookupInstitution } from './institutions.js';

export type CredentialSource = 'env' | 'stored' | 'missing';

/** A provider's registry entry (static metadata and its lazy loader); unknown ids are refused by name. */
export function providerEntry(id: string): ProviderEntry {
  const entry = PROVIDERS.get(id);
  if (!entry) throw notFound(`unknown provider "${id}"`, `known providers: ${providerIds().join(', ')}`);
  return entry;
}

/** A provider's static capabilities, without loading its adapter. */
export function capabilitiesOf(id: string): ProviderCapabilities {
  return providerEntry(id).capabilities;
}

/** Where each app credential comes from, in the documented order: env, then the secret store. */
export async function credentialSources(s: Services, id: string): Promise<{ field: CredentialField; source: CredentialSource; value?: string }[]> {
  const fields = capabilitiesOf(id).credentialFields;
  const stored = fields.length ? (((await s.db.secrets.get(providerSecretOwner(id))) ?? {}) as Record<string, string>) : {};
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

export async function missingCredentials(s: Services, id: string): Promise<CredentialField[]> {
  return (await credentialSources(s, id)).filter((c) => c.source === 'missing').map((c) => c.field);
}

/**
 * A provider's own encrypted key-value state (Salt Edge's customer, Yodlee's user), sealed in the
 * secret store under `provider-state:<id>`; every set is written at once, read and rewritten in one
 * unit of work so two sets never lose each other's key.
 */
export function providerState(s: Services, id: string): ProviderState {
  const owner = providerStateOwner(id);
  return {
    get: async (key) => (await s.db.secrets.get(owner))?.[key],
    set: (key, value) =>
      s.db.write(async () => {
        const data = { ...((await s.db.secrets.get(owner)) ?? {}) };
        if (value === undefined) delete data[key];
        else data[key] = value;
        if (Object.keys(data).length === 0) await s.db.secrets.delete(owner);
        else await s.db.secrets.put(owner, data, nowIso(s));
      }),
  };
}

/**
 * Loads a provider's adapter and builds it with its base URL, app credentials (env, then stored)
 * and state. Build one per provider per run: the instance holds the app token and the in-flight
 * request limit. `maxConcurrentRequests` is the user's setting, never written into capabilities.
 */
export async function getProvider(s: Services, id: string, opts: { maxConcurrentRequests?: number; credentials?: Record<string, string>; state?: ProviderState } = {}): Promise<Provider> {
  const entry = providerEntry(id);
  let credentials = opts.credentials;
  if (!credentials) {
    credentials = {};
    for (const c of await credentialSources(s, id)) {
      if (c.value === undefined) continue;
      credentials[c.field.name] = c.value;
      if (c.field.secret) registerSecret(c.value);
    }
  }
  const factory = await entry.load();
  return factory({
    now: s.clock,
    env: s.env,
    baseUrl: s.env[providerEnvName(id, 'base_url')],
    credentials,
    maxConcurrentRequests: opts.maxConcurrentRequests,
    state: opts.state ?? providerState(s, id),
  });
}

/** The capability that applies to an institution: its own value, else its provider's. */
export function effectiveLimits(p: { capabilities: ProviderCapabilities }, inst: Institution | undefined) {
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
  providerEntry(id);
}
