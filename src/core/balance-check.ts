import type { StorePort } from '../store/index.js';
import type { BalancePoint } from '../store/sqlite/sync-state.js';

/**
 * Where a reported balance comes from decides how far it is trusted:
 * - `provider`: the bank's balance at fetch time. It is kept and its drift becomes the account's
 *   (shown by `status`) even when it disagrees: the next fetch brings the missing line or not.
 * - `statement`: a file's closing balance. Files state it loosely (an OFX LEDGERBAL is often the
 *   balance on the day of download, after lines the file does not hold), so a disagreeing one is
 *   reported by the import and nothing more; one that agrees is kept as the newest anchor.
 */
export type BalanceSource = 'provider' | 'statement';

export interface BalanceVerdict {
  /** banksync's balance on that date: opening + the stored lines up to it (the reported one when it anchors). */
  oursMinor: number;
  /** Reported less ours: non-zero means a line is missing or doubled. */
  driftMinor: number;
}

/**
 * The one balance check of sync and import: the bank's balance against banksync's sum. The first balance an account gets anchors its
 * opening balance: the reported balance less the stored lines up to its date. Every later one is
 * compared with banksync's own arithmetic. The opening moves only when older history is added
 * below it (`reanchor`).
 */
export async function checkReportedBalance(db: StorePort, accountId: number, reported: BalancePoint, source: BalanceSource, now: string): Promise<BalanceVerdict> {
  const sum = await db.transactions.sumThrough(accountId, reported.date);
  const opening = (await db.accounts.get(accountId))?.openingBalanceMinor ?? null;
  if (opening === null) {
    await db.accounts.setBalanceCheck(accountId, reported.amountMinor - sum, 0);
    await db.syncState.recordBalance(accountId, reported.date, reported.amountMinor, now);
    return { oursMinor: reported.amountMinor, driftMinor: 0 };
  }
  const oursMinor = opening + sum;
  const driftMinor = reported.amountMinor - oursMinor;
  if (source === 'provider') {
    await db.syncState.recordBalance(accountId, reported.date, reported.amountMinor, now);
    await db.accounts.setBalanceCheck(accountId, opening, driftMinor);
  } else if (driftMinor === 0) {
    await db.syncState.recordBalance(accountId, reported.date, reported.amountMinor, now);
  }
  return { oursMinor, driftMinor };
}

/**
 * Older lines added below the balance anchor move the opening balance, not the bank's reported
 * balance: re-anchor on the latest balance the bank reported so every later balance stays right.
 */
export async function reanchor(db: StorePort, accountId: number): Promise<void> {
  const latest = await db.syncState.latestBalance(accountId);
  if (!latest) return;
  const opening = latest.amountMinor - (await db.transactions.sumThrough(accountId, latest.date));
  await db.accounts.setBalanceCheck(accountId, opening, 0);
}
