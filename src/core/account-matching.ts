import type { ProviderAccount } from '../providers/types.js';
import type { Account } from '../domain/model.js';

export interface AccountMatch {
  matched: { local: Account; remote: ProviderAccount }[];
  fresh: ProviderAccount[];
}

/**
 * Pairs the provider's accounts with local ones: by provider id first, then by the provider's
 * stable identity (Enable Banking identification_hash), then by IBAN/number,
 * because some providers hand out new account ids after a reconnect. Never creates a second
 * local account for one real account.
 */
export function matchAccounts(local: readonly Account[], remote: readonly ProviderAccount[]): AccountMatch {
  const used = new Set<number>();
  const matched: AccountMatch['matched'] = [];
  const fresh: ProviderAccount[] = [];
  const norm = (v: string | null | undefined) => v?.replace(/\s+/g, '').toUpperCase() || undefined;
  for (const r of remote) {
    const local1 =
      local.find((l) => !used.has(l.id) && l.externalId === r.externalId) ??
      local.find((l) => !used.has(l.id) && r.matchKey !== undefined && l.matchKey === r.matchKey) ??
      local.find((l) => !used.has(l.id) && norm(r.iban) !== undefined && norm(l.iban) === norm(r.iban) && l.currency === r.currency) ??
      local.find((l) => !used.has(l.id) && norm(r.number) !== undefined && norm(l.number) === norm(r.number) && l.currency === r.currency);
    if (local1) {
      used.add(local1.id);
      matched.push({ local: local1, remote: r });
    } else {
      fresh.push(r);
    }
  }
  return { matched, fresh };
}
