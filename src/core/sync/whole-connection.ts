import type { Provider, SessionHandle } from '../../providers/types.js';
import { isStorageFault } from '../../store/sqlite/faults.js';
import type { Services } from '../context.js';
import { BanksyncError, toBanksyncError } from '../../domain/errors.js';
import { accountRef, connectionRef, type Account, type Connection } from '../../domain/model.js';
import type { effectiveLimits } from '../providers.js';
import { AccountWriter, fetchedAccount } from './account-sync.js';
import type { ConnectionBudget } from './budget.js';
import { busy, deferAccount, outcomeOfError, recordSynced, type AccountResult } from './outcomes.js';
import { acquireLock, dailyLimitDeferral, effectiveLockDate, planAccountWindow, withBudget, type SyncOptions } from './run-context.js';
import type { FetchWindow } from './window.js';
import { activeRecorder } from '../archive/recorder.js';

/**
 * For providers that answer for every account in one call (SimpleFIN /accounts): one fetch per
 * connection over the union of the accounts' windows, each page routed to its account by
 * accountExternalId and written exactly as a per-account fetch writes (gate, dedupe, pending,
 * balance, watermark, coverage). An account absent from the answer is neither removed nor
 * marked synced; a page for an account this connection does not sync is ignored (said once when
 * banksync does not know the account at all).
 */
export async function syncWholeConnection(
  s: Services,
  provider: Provider,
  session: SessionHandle,
  c: Connection,
  accounts: Account[],
  limits: ReturnType<typeof effectiveLimits>,
  budget: ConnectionBudget | undefined,
  opts: SyncOptions,
): Promise<AccountResult[]> {
  const now = s.clock();
  const nowIso = now.toISOString();
  const results = new Map<number, AccountResult>();
  const ready: Account[] = [];
  for (const a of accounts) {
    const deferred = await dailyLimitDeferral(s, a, c, limits, now);
    if (deferred) results.set(a.id, deferred);
    else ready.push(a);
  }
  const spent = await budget?.spentUntil();
  if (spent) {
    for (const a of ready) results.set(a.id, await deferAccount(s, a, c, spent, budget!.message(spent)));
    return accounts.map((a) => results.get(a.id)!);
  }
  const locked: Account[] = [];
  for (const a of ready) {
    if (await acquireLock(s, a.id, opts.lockWaitMs ?? 3_000)) locked.push(a);
    else results.set(a.id, busy(a, c));
  }
  try {
    if (locked.length === 0) return accounts.map((a) => results.get(a.id)!);
    const windows = new Map(locked.map((a) => [a.id, planAccountWindow(a, now, limits, opts)]));
    const union = {
      from: [...windows.values()].map((w) => w.from).sort()[0]!,
      to: [...windows.values()]
        .map((w) => w.to)
        .sort()
        .pop()!,
    };
    const runs = new Map<string, { account: Account; window: FetchWindow; writer: AccountWriter; answered: boolean; notBefore?: string }>();
    for (const a of locked) {
      await s.db.accounts.markSyncing(a.id, nowIso);
      if (limits.refreshesPerDay !== undefined) await s.db.syncState.recordRefresh(a.id, nowIso);
      // The whole union was asked for every account: that is what its coverage gains (from its lock date on).
      const lockDate = effectiveLockDate(a, opts);
      const notBefore = lockDate && lockDate > union.from ? lockDate : undefined;
      const writer = await AccountWriter.open({ db: s.db, provider, account: a, window: union, now: nowIso, feed: 'window', ...(notBefore ? { notBefore } : {}) });
      runs.set(a.externalId ?? '', { account: a, window: windows.get(a.id)!, writer, answered: false, notBefore });
    }
    const known = new Set((await s.db.accounts.byConnection(c.id)).map((a) => a.externalId));
    const unknown = new Set<string>();
    const recording = activeRecorder()?.begin(provider, {
      kind: 'connection',
      accounts: [...runs.values()].map((r) => ({ id: r.account.id, ...fetchedAccount(r.account), ...(r.notBefore ? { notBefore: r.notBefore } : {}) })),
      ...union,
    });
    try {
      await withBudget(budget, async () => {
        const pages = provider.fetchConnection!(session, {
          accounts: locked.map(fetchedAccount),
          from: union.from,
          to: union.to,
          ...(budget ? { budget } : {}),
        });
        for await (const page of pages) {
          recording?.page(page);
          const run = runs.get(page.accountExternalId);
          if (run) {
            run.answered = true;
            await run.writer.add(page);
          } else if (!known.has(page.accountExternalId)) {
            unknown.add(page.accountExternalId);
          }
          // An account of this connection that is not in this run (switched off, deferred, busy) syncs on its own.
        }
      });
    } catch (err) {
      if (isStorageFault(err)) throw err;
      for (const r of runs.values()) {
        try {
          await r.writer.abandon();
        } catch (writeErr) {
          if (isStorageFault(writeErr)) throw writeErr;
          // The page that broke the fetch cannot be written either: the error below names it.
        }
      }
      if ([...runs.values()].some((r) => r.writer.result.pages > 0)) await recording?.keep(s.db, nowIso, err);
      else recording?.discard();
      const e = toBanksyncError(err);
      for (const r of runs.values()) results.set(r.account.id, await outcomeOfError(s, r.account, c, e, nowIso));
      return accounts.map((a) => results.get(a.id)!);
    }
    const first = [...runs.values()][0]!;
    for (const id of unknown) {
      // Said once (stored under the first account of the run, which `warnings` lists): the user chose
      // not to keep it at connect, or it is new at the provider.
      await first.writer.providerNotice(
        `unknown-account:${id}`,
        `${provider.displayName} answered for account ${id} of ${connectionRef(c.id)}, which banksync does not sync: ignored (to add it, connect again: banksync update-credentials ${connectionRef(c.id)})`,
      );
    }
    const warned = [...runs.values()].some((r) => r.writer.result.warnings.length > 0);
    for (const r of runs.values()) {
      if (!r.answered) {
        // Not removed: SimpleFIN leaves out an account whose bank it could not reach (its errors say so).
        const e = new BanksyncError(
          'PROVIDER_ERROR',
          `${provider.displayName}'s answer for ${connectionRef(c.id)} did not include ${accountRef(r.account.id)} ${r.account.name}; nothing of it was changed${warned ? ` (the provider's warnings in this sync may say why)` : ''}`,
        );
        const warnings = r.writer.result.warnings;
        results.set(r.account.id, { ...(await outcomeOfError(s, r.account, c, e, nowIso)), ...(warnings.length ? { warnings } : {}) });
        continue;
      }
      try {
        results.set(r.account.id, await recordSynced(s, r.account, c, await r.writer.finish(), { ...union, limitedBy: r.window.limitedBy }, nowIso));
      } catch (err) {
        if (isStorageFault(err)) throw err;
        results.set(r.account.id, await outcomeOfError(s, r.account, c, toBanksyncError(err), nowIso));
      }
    }
    if ([...runs.values()].some((r) => r.answered)) await recording?.keep(s.db, nowIso);
    else recording?.discard();
    return accounts.map((a) => results.get(a.id)!);
  } finally {
    for (const a of locked) await s.db.locks.release(a.id);
  }
}
