import type { AccountSettings } from '../store/accounts.js';
import type { Services } from './context.js';
import { badInput, notFound } from './errors.js';
import { accountRef, connectionRef, type Account } from './model.js';

export function requireAccount(s: Services, id: number): Account {
  const a = s.store.accounts.get(id);
  if (!a) throw notFound(`no account ${accountRef(id)}`, 'list accounts with: banksync accounts');
  return a;
}

export interface AccountRow {
  id: string;
  connection: string | null;
  institution: string;
  name: string;
  iban: string | null;
  currency: string;
  kind: string;
  enabled: boolean;
  statementPeriod: string;
  lockDate: string | null;
  syncIntervalHours: number;
  historyDays: number | null;
  transactions: number;
}

export function listAccounts(s: Services): AccountRow[] {
  const names = new Map(s.store.connections.list().map((c) => [c.id, c.institutionName]));
  return s.store.accounts.list().map((a) => toRow(s, a, names.get(a.connectionId ?? -1) ?? a.institutionId));
}

function toRow(s: Services, a: Account, institution: string): AccountRow {
  return {
    id: accountRef(a.id),
    connection: a.connectionId === null ? null : connectionRef(a.connectionId),
    institution,
    name: a.name,
    iban: a.iban,
    currency: a.currency,
    kind: a.kind,
    enabled: a.enabled,
    statementPeriod: a.statementPeriod,
    lockDate: a.lockDate,
    syncIntervalHours: a.syncIntervalHours,
    historyDays: a.historyDays,
    transactions: s.store.transactions.count(a.id),
  };
}

/** Changes an account's settings (M10, M11, M12, M16); history is never touched. */
export function updateAccount(s: Services, id: number, settings: AccountSettings): AccountRow {
  const a = requireAccount(s, id);
  if (settings.syncIntervalHours !== undefined && (!Number.isInteger(settings.syncIntervalHours) || settings.syncIntervalHours < 1)) {
    throw badInput('--interval must be a whole number of hours, at least 1');
  }
  s.store.accounts.updateSettings(a.id, settings);
  const c = a.connectionId === null ? undefined : s.store.connections.get(a.connectionId);
  return toRow(s, requireAccount(s, id), c?.institutionName ?? a.institutionId);
}
