import type { ConnectionPage } from '../../providers/types.js';
import type { Store, StorePort } from '../../store/index.js';
import { addDays } from '../../domain/clock.js';
import { providerEntry } from '../providers.js';
import { AccountWriter } from '../sync/account-sync.js';
import type { ReplayedFetch } from './replay-fetch.js';

/**
 * What replay rebuilds of one account. The archive only holds what was fetched within
 * archive-days (and never a file import), so only the account's provider lines booked from
 * `from` on are rebuilt: the earliest window the archive holds for it, or the user's --from if
 * later. `whole`: the archive reaches back past every stored line, so everything a sync derives
 * for the account is rebuilt (balance anchor, feed cursor, input issues too) and no line is
 * skipped for its date.
 */
export interface RebuildPlan {
  accountId: number;
  from: string;
  whole: boolean;
}

/** Plans each account: from where its lines can be rebuilt from the archive. */
export function planRebuild(store: Store, accountIds: number[], earliest: ReadonlyMap<number, string>, userFrom?: string): RebuildPlan[] {
  return accountIds.map((accountId) => {
    const first = earliest.get(accountId)!;
    const from = userFrom && userFrom > first ? userFrom : first;
    const older = store.db.prepare('SELECT 1 FROM transactions WHERE account_id = ? AND booking_date < ? LIMIT 1').get(accountId, first);
    return { accountId, from, whole: !userFrom && !older };
  });
}

/**
 * Empties what replay writes again for one account: its provider lines (and their history) and
 * pending lines from `from` on, coverage from `from` on; for a whole rebuild also the balance
 * anchor, the feed cursor and the provider's input issues. Lines from files, older lines and
 * balances stay (replay writes each balance it fetched again, over the old value). Run on a copy
 * of the database: replay never empties the books in use (apply.ts merges the copy back).
 */
export function emptyDerived(store: Store, plan: RebuildPlan): void {
  const db = store.db;
  const { accountId: id, whole } = plan;
  const from = whole ? '0000-00-00' : plan.from;
  const lines = `SELECT id FROM transactions WHERE account_id = ? AND source LIKE 'provider:%' AND booking_date >= ?`;
  // When each line was first seen and last changed: an archive pruned by archive-days no longer holds that fetch (restoreTimes).
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS replay_seen (id TEXT PRIMARY KEY, first_seen_at TEXT, updated_at TEXT, content TEXT)`);
  db.prepare(`INSERT OR REPLACE INTO temp.replay_seen SELECT id, first_seen_at, updated_at, ${CONTENT} FROM transactions WHERE id IN (${lines})`).run(id, from);
  db.prepare(`DELETE FROM transaction_history WHERE transaction_id IN (${lines})`).run(id, from);
  db.prepare(`DELETE FROM transactions WHERE id IN (${lines})`).run(id, from);
  db.prepare('DELETE FROM pending_transactions WHERE account_id = ? AND date >= ?').run(id, from);
  db.prepare('DELETE FROM coverage WHERE account_id = ? AND from_date >= ?').run(id, from);
  if (!whole) db.prepare('UPDATE coverage SET to_date = ? WHERE account_id = ? AND to_date >= ?').run(addDays(from, -1), id, from);
  if (whole) {
    db.prepare("DELETE FROM input_issues WHERE account_id = ? AND source LIKE 'provider:%'").run(id);
    db.prepare('UPDATE accounts SET opening_balance_minor = NULL, balance_drift_minor = NULL, feed_cursor = NULL WHERE id = ?').run(id);
  }
}

/** A line's content as one value, to tell whether replay wrote it unchanged. */
const CONTENT = `json_array(booking_date, value_date, amount_minor, currency, payee, memo, type, counterparty_iban, removed_at)`;

/**
 * After the writes: a line written again unchanged keeps when it was first seen and last
 * changed, also when the fetch that first brought it is no longer in the archive.
 */
export function restoreTimes(store: Store): void {
  const db = store.db;
  if (!db.prepare("SELECT 1 FROM temp.sqlite_master WHERE name = 'replay_seen'").get()) return;
  db.exec(`UPDATE transactions AS t SET first_seen_at = min(t.first_seen_at, s.first_seen_at),
             updated_at = CASE WHEN ${CONTENT} = s.content THEN s.updated_at ELSE t.updated_at END
           FROM temp.replay_seen AS s WHERE s.id = t.id;
           DROP TABLE temp.replay_seen;`);
}

/**
 * Writes one replayed fetch exactly as the sync wrote it: the same writer (gate, dedupe ladder,
 * pending links, balance check, coverage, watermark), at the instant it was fetched, so a line
 * gets the timestamps it got then. A failed fetch keeps its whole pages, as the sync did.
 * Only planned accounts are written (a connection-level fetch may answer for others).
 */
export async function writeReplayed(db: StorePort, f: ReplayedFetch, plans: ReadonlyMap<number, RebuildPlan>): Promise<void> {
  const meta = providerEntry(f.row.providerId);
  const provider = { id: meta.id, displayName: meta.displayName };
  const now = f.row.fetchedAt;
  const window = { from: f.fetch.from, to: f.fetch.to };
  const writers = new Map<string, AccountWriter>();
  for (const a of f.fetch.accounts) {
    const plan = plans.get(a.id);
    const account = plan && (await db.accounts.get(a.id));
    if (!account) continue;
    // Lines older than the plan's start are kept as they are, not written again.
    const notBefore = [a.notBefore, plan.whole ? undefined : plan.from]
      .filter((d): d is string => !!d)
      .sort()
      .pop();
    const feed = f.fetch.kind === 'connection' ? 'window' : meta.capabilities.feed;
    writers.set(a.externalId, await AccountWriter.open({ db, provider, account, window, now, feed, ...(notBefore ? { notBefore } : {}) }));
  }
  if (writers.size === 0) return;
  const answered = new Set<AccountWriter>();
  for (const page of f.pages) {
    const writer = f.fetch.kind === 'connection' ? writers.get((page as ConnectionPage).accountExternalId) : [...writers.values()][0];
    if (!writer) continue;
    await writer.add(page);
    answered.add(writer);
  }
  for (const w of writers.values()) {
    if (f.error) await w.abandon();
    // A connection-level answer that left an account out changed nothing of it (whole-connection.ts).
    else if (f.fetch.kind === 'account' || answered.has(w)) await w.finish();
  }
}
