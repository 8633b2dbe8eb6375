import type { AccountSection, ExportRow, ExportSettings } from '../../export/types.js';
import { periodOf } from '../statement-periods.js';
import { legDetail, type TransferLegDetail } from './index.js';

/**
 * Where both legs of a transfer go when they cannot be one transaction: each leg posts on its own
 * date against this account, which comes back to zero once both are in.
 */
export const TRANSIT_ACCOUNT = 'Assets:Transfers';

interface PlanView {
  scope: { from?: string; to?: string };
  settings: ExportSettings;
  target: { incremental: boolean };
}

/**
 * Decides, row by row of a journal export merged by date, how each transfer leg is posted.
 *
 * One transaction for the pair, written at the first leg, when it is safe: the other leg is in this
 * export (its account in scope, its date in range, new to the target like this one), in the same
 * currency, and falls in the same statement period of its account as the first leg's date. Then
 * no balance assertion of the other account lies between the two dates, so posting the other leg
 * at the first one's date keeps every assertion right in all three readers: hledger (date order),
 * ledger (file order, which the merged export follows) and beancount (one date per transaction, no
 * posting dates). Otherwise each leg is written on its own date through TRANSIT_ACCOUNT: never a
 * wrong assertion, and the pair still shares its `transfer` tag. A leg whose other account is not
 * in the export posts straight to that account's ledger name.
 */
export class TransferPostings {
  private readonly index = new Map<number, number>();
  /** Second legs already written inside their pair's transaction (at most the pairs still open). */
  private readonly joined = new Set<string>();

  constructor(
    private readonly exportPlan: PlanView,
    private readonly sections: readonly AccountSection[],
    private readonly lastSeq: number,
    private readonly aheadOf: ReadonlyMap<number, ReadonlySet<string>>,
  ) {
    sections.forEach((s, i) => this.index.set(s.account.id, i));
  }

  plan(row: ExportRow): void {
    const reversed = legDetail((row.previousAnnotation ?? row.annotation).transfer);
    if (row.change !== 'new' && reversed) row.reversalCounter = this.counterOf(reversed);
    if (row.change === 'removed') return;
    const leg = legDetail(row.annotation.transfer);
    if (!leg) return;
    if (this.joined.delete(row.id)) {
      row.transferPosting = { role: 'written', transferId: leg.transferId, counter: this.counterOf(leg), other: null };
    } else if (this.canJoin(row, leg)) {
      this.joined.add(leg.other.id);
      const o = leg.other;
      const ledgerName = this.sections[this.index.get(o.accountId)!]!.ledgerName;
      row.transferPosting = {
        role: 'pair',
        transferId: leg.transferId,
        counter: ledgerName,
        other: { id: o.id, ledgerName, amountMinor: o.amountMinor, currency: o.currency, bookingDate: o.bookingDate },
      };
    } else {
      row.transferPosting = { role: 'alone', transferId: leg.transferId, counter: this.counterOf(leg), other: null };
    }
  }

  private counterOf(leg: TransferLegDetail): string {
    return this.index.has(leg.otherAccountId) ? TRANSIT_ACCOUNT : this.exportPlan.settings.ledgerNameOf(leg.otherAccountId);
  }

  private canJoin(row: ExportRow, leg: TransferLegDetail): boolean {
    const o = leg.other;
    const j = this.index.get(o.accountId);
    if (j === undefined || row.change !== 'new' || o.currency !== row.currency) return false;
    // Only the first of the two in the merged order writes the pair (by date, then section order).
    const i = this.index.get(row.accountId)!;
    if (o.bookingDate < row.bookingDate || (o.bookingDate === row.bookingDate && j < i)) return false;
    const { from, to } = this.exportPlan.scope;
    if ((from && o.bookingDate < from) || (to && o.bookingDate > to)) return false;
    if (this.exportPlan.target.incremental && (o.seq <= this.lastSeq || this.aheadOf.get(o.accountId)?.has(o.id))) return false;
    const other = this.sections[j]!;
    // beancount opens an account on its first line's date: nothing may post to it before.
    if (other.firstDate === null || row.bookingDate < other.firstDate) return false;
    const period = this.exportPlan.settings.periodOf(other.account);
    return period === 'none' || periodOf(row.bookingDate, period).start === periodOf(o.bookingDate, period).start;
  }
}
