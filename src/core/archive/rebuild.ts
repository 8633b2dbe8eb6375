import type { ConnectionPage } from '../../providers/types.js';
import type { Store } from '../../store/index.js';
import { addDays } from '../clock.js';
import { providerEntry } from '../providers.js';
import { AccountWriter } from '../sync/account-sync.js';
import type { ReplayedFetch } from './replay-fetch.js';

/**
 * Empties what a sync derives for these accounts (from `from` on when given), so replay writes it
 * again from nothing: lines and their history, pending lines, balances, coverage, input issues,
 * and the watermark, balance anchor and feed cursor on the account. Run on a copy of the database
 * (replay never empties the books in use: apply.ts merges the copy back).
 */
export function emptyDerived(store: Store, accountIds: number[], from?: string): void {
  const db = store.db;
  const inList = accountIds.map(() => '?').join(', ');
  const since = from ? ' AND booking_date >= ?' : '';
  const args = (...more: string[]) => [...accountIds, ...(from ? more : [])];
  db.prepare(`DELETE FROM transaction_history WHERE transaction_id IN (SELECT id FROM transactions WHERE account_id IN (${inList})${since})`).run(...args(from!));
  db.prepare(`DELETE FROM transactions WHERE account_id IN (${inList})${since}`).run(...args(from!));
  db.prepare(`DELETE FROM pending_transactions WHERE account_id IN (${inList})${from ? ' AND date >= ?' : ''}`).run(...args(from!));
  db.prepare(`DELETE FROM balances WHERE account_id IN (${inList})${from ? ' AND as_of_date >= ?' : ''}`).run(...args(from!));
  if (from) {
    // Coverage before `from` stays: those lines are not replayed.
    db.prepare(`DELETE FROM coverage WHERE account_id IN (${inList}) AND from_date >= ?`).run(...accountIds, from);
    db.prepare(`UPDATE coverage SET to_date = ? WHERE account_id IN (${inList}) AND to_date >= ?`).run(addDays(from, -1), ...accountIds, from);
    db.prepare(`UPDATE accounts SET watermark_date = NULL WHERE id IN (${inList})`).run(...accountIds);
  } else {
    db.prepare(`DELETE FROM coverage WHERE account_id IN (${inList})`).run(...accountIds);
    db.prepare(`DELETE FROM input_issues WHERE account_id IN (${inList})`).run(...accountIds);
    db.prepare(`UPDATE accounts SET watermark_date = NULL, opening_balance_minor = NULL, balance_drift_minor = NULL, feed_cursor = NULL WHERE id IN (${inList})`).run(...accountIds);
  }
}

/**
 * Writes one replayed fetch exactly as the sync wrote it: the same writer (gate, dedupe ladder,
 * pending links, balance check, coverage, watermark), at the instant it was fetched, so a line
 * gets the timestamps it got then. A failed fetch keeps its whole pages, as the sync did.
 * Only `accounts` are written (a connection-level fetch may answer for others).
 */
export function writeReplayed(store: Store, f: ReplayedFetch, accounts: ReadonlySet<number>, from?: string): void {
  const meta = providerEntry(f.row.providerId);
  const provider = { id: meta.id, displayName: meta.displayName };
  const now = f.row.fetchedAt;
  const window = { from: f.fetch.from, to: f.fetch.to };
  const writers = new Map<string, AccountWriter>();
  for (const a of f.fetch.accounts) {
    const account = accounts.has(a.id) ? store.accounts.get(a.id) : undefined;
    if (!account) continue;
    const notBefore = [a.notBefore, from].filter((d): d is string => !!d).sort().pop();
    const feed = f.fetch.kind === 'connection' ? 'window' : meta.capabilities.feed;
    writers.set(a.externalId, new AccountWriter({ store, provider, account, window, now, feed, ...(notBefore ? { notBefore } : {}) }));
  }
  if (writers.size === 0) return;
  const answered = new Set<AccountWriter>();
  for (const page of f.pages) {
    const writer = f.fetch.kind === 'connection' ? writers.get((page as ConnectionPage).accountExternalId) : [...writers.values()][0];
    if (!writer) continue;
    writer.add(page);
    answered.add(writer);
  }
  for (const w of writers.values()) {
    if (f.error) w.abandon();
    // A connection-level answer that left an account out changed nothing of it (whole-connection.ts).
    else if (f.fetch.kind === 'account' || answered.has(w)) w.finish();
  }
}
