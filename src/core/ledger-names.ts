import { defaultLedgerName, ledgerComponent } from '../export/text.js';
import type { Account } from '../domain/model.js';

/**
 * Ledger names for every account (M20): the user's mapping, else one derived from institution and
 * account name. Two accounts deriving the same name: the later one gets its id appended, so an
 * account's name never changes when another is added.
 */
export function ledgerNames(accounts: Account[], institutions: Map<number, string>): Map<number, string> {
  const out = new Map<number, string>();
  const taken = new Set<string>();
  for (const a of [...accounts].sort((x, y) => x.id - y.id)) {
    let name = a.ledgerName ?? defaultLedgerName(a, institutions.get(a.connectionId ?? -1) ?? a.institutionId);
    if (!a.ledgerName && taken.has(name)) name = `${name}${ledgerComponent(`a${a.id}`)}`;
    taken.add(name);
    out.set(a.id, name);
  }
  return out;
}
