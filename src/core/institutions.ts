import { providerIds } from '../providers/registry.js';
import type { Institution } from '../providers/types.js';
import type { Services } from './context.js';
import { assertKnownProvider, effectiveLimits, getProvider } from './providers.js';

export interface InstitutionRow extends Institution {
  providerName: string;
  historyDays: number | undefined;
  refreshesPerDay: number | undefined;
  consentDays: number | undefined;
}

/** Searches every provider (or one) by name and country; each row says who serves it (M2). */
export async function searchInstitutions(
  s: Services,
  q: { query?: string; country?: string; providerId?: string },
): Promise<InstitutionRow[]> {
  if (q.providerId) assertKnownProvider(q.providerId);
  const ids = q.providerId ? [q.providerId] : providerIds();
  const rows: InstitutionRow[] = [];
  for (const id of ids) {
    const provider = getProvider(s, id);
    for (const inst of await provider.searchInstitutions({ text: q.query, country: q.country?.toUpperCase() })) {
      const limits = effectiveLimits(provider, inst);
      rows.push({ ...inst, providerName: provider.displayName, historyDays: limits.historyDays, refreshesPerDay: limits.refreshesPerDay, consentDays: limits.consentDays, scaEveryFetch: limits.scaEveryFetch });
    }
  }
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}
