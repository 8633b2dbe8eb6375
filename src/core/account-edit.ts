import type { ExportScope } from '../store/sqlite/exports.js';
import { requireAccount } from './accounts.js';
import { backupBeside, copyPromise } from './backup.js';
import type { Services } from './context.js';
import { BanksyncError, badInput } from '../domain/errors.js';
import { ledgerNames } from './ledger-names.js';
import { accountRef, connectionRef, type Account } from '../domain/model.js';

/**
 * A typed confirmation for what cannot be undone (as `gh repo delete` asks for the repository's
 * name): one key is too easy to press. `--yes` answers it; without a terminal the prompt fails
 * with exit 4 naming `--yes`.
 */
export async function confirmByTyping(s: Services, yes: boolean | undefined, expected: string, what: string): Promise<void> {
  if (yes) return;
  const typed = (await s.prompts.input(`${what}. Type ${expected} to confirm`, '--yes')).trim();
  if (typed !== expected) throw new BanksyncError('BAD_INPUT', `you typed "${typed}", not ${expected}: nothing was changed`);
}

/** Inside a unit of work: takes the sync lock of each account, or stops (exit 6) while a sync holds one. */
export async function holdAccounts(s: Services, ids: number[]): Promise<void> {
  for (const id of ids) {
    const holder = await s.db.locks.acquire(id, s.clock());
    if (holder) throw busy(id, holder.pid);
  }
}

const busy = (id: number, pid?: number) =>
  new BanksyncError('BUSY', `${accountRef(id)} is being synced right now${pid ? ` (process ${pid})` : ''}; nothing was changed`, {
    hint: 'wait for that sync to finish, then run this again',
  });

/** What became of an export target that listed a deleted or merged account. */
export interface TargetChange {
  target: string;
  change: 'deleted' | 'now-lists';
  accounts: string[];
}

/** Export targets that listed `removed` by id: it is replaced by `replacement`, or dropped; a target left with none is deleted. */
export async function retarget(s: Services, removed: number, replacement?: number): Promise<TargetChange[]> {
  const out: TargetChange[] = [];
  for (const t of await s.db.exports.targets()) {
    const ids = t.scope.accountIds;
    if (!ids?.includes(removed)) continue;
    const rest = ids.filter((i) => i !== removed);
    if (replacement !== undefined && !rest.includes(replacement)) rest.push(replacement);
    if (rest.length === 0) {
      await s.db.accountMoves.deleteTarget(t.id);
      out.push({ target: t.name, change: 'deleted', accounts: [] });
    } else {
      await s.db.accountMoves.setTargetScope(t.id, { ...t.scope, accountIds: rest } satisfies ExportScope);
      out.push({ target: t.name, change: 'now-lists', accounts: rest.map(accountRef) });
    }
  }
  return out;
}

/** Export targets defined on a deleted connection (`--connection cN`) have nothing left to export: deleted. */
export async function retargetConnection(s: Services, connectionId: number): Promise<TargetChange[]> {
  const gone = (await s.db.exports.targets()).filter((t) => !t.scope.accountIds?.length && t.scope.connectionId === connectionId);
  for (const t of gone) await s.db.accountMoves.deleteTarget(t.id);
  return gone.map((t) => ({ target: t.name, change: 'deleted' as const, accounts: [] }));
}

/** "1 transaction", "2 transactions": for prompts core writes (the CLI has its own plural()). */
export const counted = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

const ledgerNameOf = async (s: Services, id: number) => ledgerNames(await s.db.accounts.list(), new Map((await s.db.connections.list()).map((c) => [c.id, c.institutionName]))).get(id)!;

export interface RenameResult {
  account: string;
  name: string;
  previousName: string;
  ledgerAccount: string;
  /** The ledger name journal exports used before, when the rename changed it (the account is not mapped). */
  previousLedgerAccount: string | null;
}

/** Renames an account; history, ids and exports' line ids stay. */
export async function renameAccount(s: Services, id: number, name: string): Promise<RenameResult> {
  const a = await requireAccount(s, id);
  const clean = name.trim();
  if (!clean) throw badInput('the new name is empty');
  if (/\p{Cc}/u.test(clean)) throw badInput('the new name holds a control character (a tab, a newline…)', 'give a name of printable characters');
  if (clean.length > 100) throw badInput(`the new name is ${clean.length} characters long; 100 at most`);
  const before = await ledgerNameOf(s, a.id);
  await s.db.accounts.rename(a.id, clean);
  const after = await ledgerNameOf(s, a.id);
  return { account: accountRef(a.id), name: clean, previousName: a.name, ledgerAccount: after, previousLedgerAccount: before === after ? null : before };
}

export interface DeleteResult {
  account: string;
  name: string;
  transactions: number;
  pending: number;
  /** The copy kept first; null on PostgreSQL (none). */
  backup: string | null;
  /** The account's connection, and how many accounts it has left. */
  connection: { id: string; accountsLeft: number } | null;
  targets: TargetChange[];
}

/**
 * Deletes an account and everything stored for it (lines, pending lines, balances, coverage,
 * findings, sync state, what export targets were sent) in one transaction, after a backup copy.
 */
export async function deleteAccount(s: Services, id: number, o: { yes?: boolean }): Promise<DeleteResult> {
  const a = await requireAccount(s, id);
  const transactions = await s.db.transactions.count(a.id);
  await refuseWhileSyncing(s, [a.id]);
  await confirmByTyping(s, o.yes, accountRef(a.id), `This deletes ${accountRef(a.id)} (${a.name}) and its ${counted(transactions, 'transaction')}; ${copyPromise(s.db)}`);
  const backup = await backupBeside(s.db, `delete-${accountRef(a.id)}`);
  return s.db.write(async () => {
    await holdAccounts(s, [a.id]);
    const pending = await s.db.pending.countOpen(a.id);
    const targets = await retarget(s, a.id);
    await s.db.accountMoves.forgetAccount(a.id);
    await s.db.accounts.delete(a.id);
    return { account: accountRef(a.id), name: a.name, transactions, pending, backup: backup?.path ?? null, connection: await connectionLeft(s, a), targets };
  });
}

export async function connectionLeft(s: Services, a: Account): Promise<DeleteResult['connection']> {
  if (a.connectionId === null) return null;
  return { id: connectionRef(a.connectionId), accountsLeft: (await s.db.accounts.byConnection(a.connectionId)).length };
}

/** Before the backup and the prompt's answer count: a sync under way is said at once (exit 6). */
export async function refuseWhileSyncing(s: Services, ids: number[]): Promise<void> {
  const now = s.clock();
  for (const id of ids) if (await s.db.locks.isHeld(id, now)) throw busy(id);
}
