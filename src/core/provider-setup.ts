import { PROVIDERS, providerEnvName } from '../providers/registry.js';
import { registerSecret } from '../secrets/index.js';
import { providerSecretOwner } from '../store/index.js';
import { nowIso, type Services } from './context.js';
import { badInput, BanksyncError } from '../domain/errors.js';
import { credentialFlag, readCredentialFile } from './credential-file.js';
import { credentialSources, getProvider, providerEntry, type CredentialSource } from './providers.js';

export interface SetupResult {
  provider: string;
  fields: { name: string; label: string; source: CredentialSource | 'given' }[];
  verified: boolean;
}

/**
 * M5: takes a provider's app credentials from flags, env or prompts, checks them against the
 * provider, and stores the given ones sealed. Nothing is stored when the check fails.
 */
export async function setupProvider(s: Services, id: string, given: Record<string, string | undefined>): Promise<SetupResult> {
  providerEntry(id);
  const current = await credentialSources(s, id);
  if (current.length === 0) throw badInput(`${id} needs no set-up`);
  const values: Record<string, string> = {};
  const toStore: Record<string, string> = {};
  const sources: SetupResult['fields'] = [];
  for (const c of current) {
    const f = c.field;
    let value = given[f.name];
    if (value !== undefined && f.file) value = readCredentialFile(f, value, credentialFlag(f));
    // `setup` is the storing command: a value from the environment is stored too.
    if (value === undefined && c.source === 'env') value = c.value;
    if (value === undefined && c.source === 'missing') {
      const answer = await s.prompts.input(
        f.file ? `${f.label} (path to the file)` : `${f.label}${f.example ? ` (e.g. ${f.example})` : ''}`,
        `${credentialFlag(f)} or ${providerEnvName(id, f.name)}`,
        { secret: f.secret && !f.file },
      );
      value = f.file ? readCredentialFile(f, answer.trim(), f.label) : answer.trim();
    }
    if (value !== undefined) {
      if (value === '') throw badInput(`${f.label} is empty`, `pass ${credentialFlag(f)}`);
      if (f.secret) registerSecret(value);
      values[f.name] = value;
      toStore[f.name] = value;
      sources.push({ name: f.name, label: f.label, source: 'given' });
    } else {
      values[f.name] = c.value as string;
      sources.push({ name: f.name, label: f.label, source: c.source });
    }
  }
  const provider = await getProvider(s, id, { credentials: values });
  if (!provider.verifyCredentials) throw new BanksyncError('INTERNAL', `${id} cannot check its credentials`);
  await provider.verifyCredentials();
  if (Object.keys(toStore).length > 0) {
    const owner = providerSecretOwner(id);
    await s.db.write(async () => {
      const before = ((await s.db.secrets.get(owner)) ?? {}) as Record<string, string>;
      await s.db.secrets.put(owner, { ...before, ...toStore }, nowIso(s));
    });
  }
  return { provider: id, fields: sources, verified: true };
}

export interface ProviderRow {
  id: string;
  name: string;
  regions: string[];
  consent: string;
  /** 'provider': the provider's own page picks the bank; connect needs no --institution. */
  institutionChoice: string;
  consentDays?: number;
  historyDays?: number;
  pending: boolean;
  credentials: { name: string; label: string; source: CredentialSource; env: string }[];
  ready: boolean;
}

/** Every provider, and for each credential where it comes from (never its value). */
export async function listProviders(s: Services): Promise<ProviderRow[]> {
  const rows: ProviderRow[] = [];
  for (const { id, displayName, capabilities } of PROVIDERS.values()) {
    const creds = (await credentialSources(s, id)).map((c) => ({ name: c.field.name, label: c.field.label, source: c.source, env: providerEnvName(id, c.field.name) }));
    rows.push({
      id,
      name: displayName,
      regions: capabilities.regions,
      consent: capabilities.consent,
      institutionChoice: capabilities.institutionChoice,
      consentDays: capabilities.consentDays,
      historyDays: capabilities.historyDays,
      pending: capabilities.pending,
      credentials: creds,
      ready: creds.every((c) => c.source !== 'missing'),
    });
  }
  return rows;
}
