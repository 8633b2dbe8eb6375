import { providerIds, appProviderIds } from '../providers/registry.js';
import type { Institution, Provider } from '../providers/types.js';
import type { Services } from './context.js';
import { nowIso } from './context.js';
import { badInput, BanksyncError, toBanksyncError } from '../domain/errors.js';
import { assertKnownProvider, effectiveLimits, getProvider, missingCredentials } from './providers.js';

/** A provider's list is fetched again after this long; older copies still serve when it is unreachable. */
const CACHE_DAYS = 7;

export interface InstitutionRow extends Institution {
  providerName: string;
  historyDays: number | undefined;
  refreshesPerDay: number | undefined;
  consentDays: number | undefined;
}

export interface InstitutionQuery {
  query?: string;
  country?: string;
  providerId?: string;
  /** Fetch again even when the cached list is fresh. */
  refresh?: boolean;
}

/**
 * Searches every provider (or one) by name and country; each row says who serves it.
 * Providers with their own search (catalogues too big to list whole) are asked the query; the
 * others' full lists are cached and filtered here.
 */
export async function searchInstitutions(s: Services, q: InstitutionQuery): Promise<InstitutionRow[]> {
  if (q.providerId) assertKnownProvider(q.providerId);
  const ids = q.providerId ? [q.providerId] : providerIds();
  const needle = q.query ? fold(q.query) : undefined;
  const rows: InstitutionRow[] = [];
  const notSetUp: string[] = [];
  for (const id of ids) {
    let provider: Provider;
    let list: Institution[];
    try {
      provider = await getProvider(s, id);
      list = provider.searchInstitutions ? await searchAtProvider(s, provider, q) : matching(await institutionsOf(s, provider, q.country?.toUpperCase(), q.refresh === true), needle);
    } catch (err) {
      // A search across all providers shows what it can; naming one provider makes its failure the answer.
      if (q.providerId) throw err;
      const e = toBanksyncError(err);
      if (e.code === 'NOT_CONFIGURED') notSetUp.push(id);
      else s.notify.warn(`${id}: ${e.message}${e.hint ? ` (${e.hint})` : ''}`);
      continue;
    }
    for (const inst of list) {
      const limits = effectiveLimits(provider, inst);
      rows.push({
        ...inst,
        providerName: provider.displayName,
        historyDays: limits.historyDays,
        refreshesPerDay: limits.refreshesPerDay,
        consentDays: limits.consentDays,
        scaEveryFetch: limits.scaEveryFetch,
      });
    }
  }
  if (!q.providerId && appProviderIds().every((id) => notSetUp.includes(id))) {
    // Only the sandbox answered: a newcomer searching "ING" must not take a pretend bank for theirs.
    s.notify.warn(
      `no bank provider is set up yet, so only the sandbox bank was searched. Real banks need your own app at one of ${notSetUp.join(', ')} ` +
        '(banksync providers setup ID; README "Providers" says where to get each credential), or a SimpleFIN setup token (banksync connect --provider simplefin)',
    );
  } else if (notSetUp.length) {
    s.notify.info(`not searched, not set up yet: ${notSetUp.join(', ')} (banksync providers setup ID)`);
  }
  return rows.sort((a, b) => a.name.localeCompare(b.name) || a.providerId.localeCompare(b.providerId));
}

/** The provider's own search: it needs a query, and its answers are not cached (they are partial). */
async function searchAtProvider(s: Services, provider: Provider, q: InstitutionQuery): Promise<Institution[]> {
  if (!q.query?.trim()) {
    if (q.providerId) throw badInput(`${provider.displayName} is searched by name: give part of the institution's name`, `banksync institutions NAME --provider ${provider.id}`);
    s.notify.info(`${provider.id}: searched by name only (banksync institutions NAME --provider ${provider.id})`);
    return [];
  }
  await requireSetUp(s, provider);
  return provider.searchInstitutions!(q.query.trim(), q.country?.toUpperCase());
}

async function requireSetUp(s: Services, provider: Provider): Promise<void> {
  const missing = await missingCredentials(s, provider.id);
  if (missing.length > 0) {
    throw new BanksyncError('NOT_CONFIGURED', `${provider.displayName} is not set up (missing ${missing.map((f) => f.label).join(', ')})`, {
      hint: `banksync providers setup ${provider.id}`,
    });
  }
}

/** A provider's institutions: from the local copy while fresh, else fetched and stored. */
export async function institutionsOf(s: Services, provider: Provider, country: string | undefined, refresh = false): Promise<Institution[]> {
  if (!provider.capabilities.remote) return provider.listInstitutions(country);
  const key = country ?? '';
  const cached = await s.db.institutionCache.get(provider.id, key);
  const ageDays = cached ? (s.clock().getTime() - Date.parse(cached.fetchedAt)) / 86_400_000 : Infinity;
  if (cached && !refresh && ageDays < CACHE_DAYS) return cached.institutions;
  try {
    await requireSetUp(s, provider);
    const fresh = await provider.listInstitutions(country);
    await s.db.institutionCache.put(provider.id, key, fresh, nowIso(s));
    return fresh;
  } catch (err) {
    const e = toBanksyncError(err);
    if (!cached || e.code === 'CREDENTIALS_INVALID') throw err;
    s.notify.warn(`${provider.id}: ${e.message}; showing the list saved ${cached.fetchedAt.slice(0, 10)}`);
    return cached.institutions;
  }
}

/** One institution by id, from the local copy first so a sync needs no catalogue call. */
export async function lookupInstitution(s: Services, provider: Provider, id: string): Promise<Institution | undefined> {
  if (provider.capabilities.remote) {
    const hit = await s.db.institutionCache.find(provider.id, id);
    if (hit) return hit;
  }
  return provider.getInstitution(id);
}

/**
 * Institutions whose name or id has a word starting with the query ("ing" finds "ING Bank", not
 * "Sandbox Expiring Bank"); only when no word starts with a longer query ("robank"), names
 * containing it anywhere.
 */
function matching(list: Institution[], needle: string | undefined): Institution[] {
  if (!needle) return list;
  const texts = (inst: Institution) => [fold(inst.name), fold(inst.id)];
  const atWordStart = list.filter((inst) => texts(inst).some((t) => t.startsWith(needle) || t.split(/[^\p{L}\p{N}]+/u).some((w) => w.startsWith(needle))));
  return atWordStart.length || needle.length < 4 ? atWordStart : list.filter((inst) => texts(inst).some((t) => t.includes(needle)));
}

/** Case- and accent-insensitive text for name search ("societe" finds "Société Générale"). */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}
