import { existsSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Store, sqliteOf, sqlitePort } from '../store/index.js';
import { applyRebuilt, type AppliedChanges } from './archive/apply.js';
import { emptyDerived, planRebuild, restoreTimes, writeReplayed } from './archive/rebuild.js';
import type { ArchiveEntryRow } from '../store/sqlite/archive.js';
import { replayFetches } from './archive/replay-fetch.js';
import { backupDatabase, sqliteOnly } from './backup.js';
import { nowIso, type Services } from './context.js';
import { BanksyncError, badInput, notFound } from '../domain/errors.js';
import { accountRef } from '../domain/model.js';

export interface ReplayOptions {
  /** Only these accounts (default: every account the archive holds answers for). */
  accountIds?: number[];
  /** Rebuild lines booked from this date on (YYYY-MM-DD); older ones stay as they are. */
  from?: string;
  /** Write the rebuilt database to this new file and leave the books as they are. */
  into?: string;
}

export interface ReplayReport {
  /** The new file, or null when the books were rebuilt in place. */
  into: string | null;
  accounts: string[];
  /** Archived fetches replayed. */
  fetches: number;
  /** Requests the adapters made, every one answered from the archive. */
  answeredFromArchive: number;
  /** Fetches that failed again (as they did when archived, or because this version cannot map them). */
  failures: { fetchedAt: string; accounts: string[]; message: string }[];
  /** Per account after the rebuild: live lines and open pending lines. */
  totals: { account: string; lines: number; pending: number }[];
  /** In place: what changed in the books. */
  changes: AppliedChanges | null;
}

/**
 * Rebuilds lines, pending links, balances and coverage from the raw archive, with this version's
 * mapping and no call to any provider. The rebuild always happens in a copy of the database
 * (SQLite only: a copy of its file), in one transaction: per account, what the archive can rebuild is emptied (archive/rebuild.ts: its
 * provider lines from the earliest archived window or --from on), then every archived fetch is
 * written again in archive order. `into` keeps that copy as a new file; otherwise the copy is
 * merged back into the books in one transaction (archive/apply.ts) and removed.
 */
export async function replay(s: Services, o: ReplayOptions): Promise<ReplayReport> {
  sqliteOnly(s.db, 'replay rebuilds the books in a copy of the SQLite file', 'on PostgreSQL replay is not available yet; sync goes on keeping the answers it archives');
  await s.db.ensureIntact();
  for (const id of o.accountIds ?? []) if (!(await s.db.accounts.get(id))) throw notFound(`no account ${accountRef(id)}`, 'list accounts with: banksync accounts');
  const rows = await s.db.archive.list({ ...(o.accountIds ? { accountIds: o.accountIds } : {}), ...(o.from ? { toOnOrAfter: o.from } : {}) });
  const archived = new Set(rows.flatMap((r) => r.accountIds));
  const without = (o.accountIds ?? []).filter((id) => !archived.has(id));
  const accountIds = [...archived].filter((id) => !o.accountIds || o.accountIds.includes(id)).sort((a, b) => a - b);
  if (rows.length === 0 || accountIds.length === 0 || without.length > 0) {
    throw badInput(
      `the archive holds no provider answers${o.accountIds ? ` for ${(without.length ? without : o.accountIds).map(accountRef).join(', ')}` : ''}${o.from ? ` from ${o.from} on` : ''}: nothing to replay`,
      'sync keeps answers from now on (config archive-days sets how long; 0 turns it off)',
    );
  }
  const books = sqliteOf(s.db);
  if (o.into && resolve(o.into) === resolve(books.path)) throw badInput(`${o.into} is the database itself`, 'leave out --into to rebuild in place, or name a new file');
  if (o.into && existsSync(o.into)) throw badInput(`${o.into} already exists`, 'name a new file: replay --into writes a new database, never over one');

  // Every answer first (adapters are async); then the writes, in one unit of work of the copy.
  const { fetches, requests } = await replayFetches(s, rows);
  const target = o.into ? resolve(o.into) : join(dirname(resolve(books.path)), `.${basename(books.path)}.replay-${process.pid}`);
  const held = o.into ? [] : await lockAll(s, accountIds);
  try {
    await backupDatabase(s.db, target, { overwrite: !o.into });
    const copy = Store.open(target, books.keySource);
    const copyDb = sqlitePort(copy);
    let totals: ReplayReport['totals'];
    try {
      const plans = new Map(planRebuild(copy, accountIds, earliestWindows(rows), o.from).map((p) => [p.accountId, p]));
      await copyDb.write(async () => {
        for (const plan of plans.values()) emptyDerived(copy, plan);
        for (const f of fetches) await writeReplayed(copyDb, f, plans);
        restoreTimes(copy);
      });
      totals = [];
      for (const id of accountIds) totals.push({ account: accountRef(id), lines: await copyDb.transactions.count(id), pending: await copyDb.pending.countOpen(id) });
    } finally {
      await copyDb.close();
    }
    const changes = o.into ? null : applyRebuilt(books, target, accountIds, nowIso(s));
    return {
      into: o.into ? target : null,
      accounts: accountIds.map(accountRef),
      fetches: fetches.length,
      answeredFromArchive: requests,
      failures: fetches
        .filter((f) => f.error)
        .map((f) => ({ fetchedAt: f.row.fetchedAt, accounts: f.row.accountIds.map(accountRef), message: typeof f.error === 'string' ? f.error : f.error!.message })),
      totals,
      changes,
    };
  } finally {
    if (!o.into) for (const suffix of ['', '-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
    for (const id of held) await s.db.locks.release(id);
  }
}

/** Per account, the earliest day an archived fetch asked for: what the archive can rebuild starts there. */
function earliestWindows(rows: ArchiveEntryRow[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const r of rows) for (const id of r.accountIds) if (!out.has(id) || r.from < out.get(id)!) out.set(id, r.from);
  return out;
}

/** In place: no sync may write these accounts while their rebuilt copy is made and merged back. */
async function lockAll(s: Services, accountIds: number[]): Promise<number[]> {
  const held: number[] = [];
  for (const id of accountIds) {
    const holder = await s.db.locks.acquire(id, s.clock());
    if (holder) {
      for (const h of held) await s.db.locks.release(h);
      throw new BanksyncError('BUSY', `${accountRef(id)} is being synced by another banksync (pid ${holder.pid})`, { hint: 'run replay again when that sync has finished' });
    }
    held.push(id);
  }
  return held;
}
