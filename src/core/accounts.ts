import type { AccountSettings } from '../store/sqlite/accounts.js';
import type { Services } from './context.js';
import { badInput, notFound } from '../domain/errors.js';
import { accountRef, connectionRef, type Account } from '../domain/model.js';
import { ledgerNames } from './ledger-names.js';
import type { AccountSource } from './status.js';
import { ledgerNameProblem } from '../export/text.js';

export async function requireAccount(s: Services, id: number): Promise<Account> {
  const a = await s.db.accounts.get(id);
  if (!a) throw notFound(`no account ${accountRef(id)}`, 'list accounts with: banksync accounts');
  return a;
}

/** `requireAccount` for each id, in order: the first unknown one is the one the error names. */
export async function requireAccounts(s: Services, ids: number[]): Promise<Account[]> {
  const out: Account[] = [];
  for (const id of ids) out.push(await requireAccount(s, id));
  return out;
}

export interface AccountRow {
  id: string;
  connection: string | null;
  /** Where its lines come from: its bank, nowhere any more (connection disconnected), or imported files. */
  sync: AccountSource;
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
  /** Account name in ledger/hledger/beancount exports (M20). */
  ledgerAccount: string;
  transactions: number;
}

export async function listAccounts(s: Services, only?: number[]): Promise<AccountRow[]> {
  const connections = await s.db.connections.list();
  const institutions = new Map(connections.map((c) => [c.id, c.institutionName]));
  const disconnected = new Set(connections.filter((c) => c.status === 'disconnected').map((c) => c.id));
  const all = await s.db.accounts.list();
  const counts = await s.db.transactions.liveCounts();
  const ledger = ledgerNames(all, institutions);
  return all
    .filter((a) => !only || only.includes(a.id))
    .map((a) => {
      const sync: AccountSource = a.connectionId === null ? 'file' : disconnected.has(a.connectionId) ? 'not_syncing' : 'bank';
      return toRow(a, institutions.get(a.connectionId ?? -1) ?? a.institutionId, ledger.get(a.id)!, sync, counts.get(a.id) ?? 0);
    });
}

function toRow(a: Account, institution: string, ledgerAccount: string, sync: AccountSource, transactions: number): AccountRow {
  return {
    id: accountRef(a.id),
    connection: a.connectionId === null ? null : connectionRef(a.connectionId),
    sync,
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
    ledgerAccount,
    transactions,
  };
}

/** Changes an account's settings (M10, M11, M12, M16); history is never touched. */
export async function updateAccount(s: Services, id: number, settings: AccountSettings): Promise<AccountRow> {
  const a = await requireAccount(s, id);
  if (settings.syncIntervalHours !== undefined && (!Number.isInteger(settings.syncIntervalHours) || settings.syncIntervalHours < 1)) {
    throw badInput('--interval must be a whole number of hours, at least 1');
  }
  await s.db.accounts.updateSettings(a.id, settings);
  return (await listAccounts(s, [a.id]))[0]!;
}

/** Maps an account to a ledger account name for journal exports (M20); null restores the default. */
export async function mapLedgerAccount(s: Services, id: number, name: string | null): Promise<AccountRow> {
  if (name !== null) {
    const problem = ledgerNameProblem(name, 'ledger');
    if (problem) throw badInput(`"${name}" is not a ledger account name: ${problem}`);
    const clash = (await s.db.accounts.list()).find((a) => a.id !== id && a.ledgerName === name);
    if (clash) throw badInput(`${accountRef(clash.id)} is already mapped to "${name}"`, 'each bank account needs its own ledger account');
  }
  return updateAccount(s, id, { ledgerName: name });
}
