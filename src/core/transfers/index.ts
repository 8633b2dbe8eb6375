import type { Services } from '../context.js';
import type { TransferLeg } from '../../domain/annotation.js';

export type { TransferLeg } from '../../domain/annotation.js';
import type { PairLeg } from '../../store/sqlite/transfers.js';

/** A leg with what an export needs to know of the other one (the same object the annotator hands on). */
export interface TransferLegDetail extends TransferLeg {
  other: PairLeg;
}

/** The detail of an annotation's leg when it came from transferLegs; null for a leg made elsewhere. */
export const legDetail = (leg: TransferLeg | null): TransferLegDetail | null => (leg && 'other' in leg ? (leg as TransferLegDetail) : null);

/**
 * The transfer legs among the lines of these accounts, by line id (both legs of a pair are listed
 * when both accounts are given; a leg whose other side is outside them is listed too). Pairs come
 * from the store (detection runs after each sync and import, see detect.ts); a pair whose leg was
 * removed by the bank is left out. One query, whatever the number of lines.
 */
export async function transferLegs(s: Services, accountIds: readonly number[]): Promise<ReadonlyMap<string, TransferLeg>> {
  const wanted = new Set(accountIds);
  const legs = new Map<string, TransferLegDetail>();
  for (const p of await s.db.transfers.livePairsOf(accountIds)) {
    if (wanted.has(p.out.accountId)) legs.set(p.out.id, { transferId: p.id, otherLineId: p.in.id, otherAccountId: p.in.accountId, direction: 'out', how: p.how, other: p.in });
    if (wanted.has(p.in.accountId)) legs.set(p.in.id, { transferId: p.id, otherLineId: p.out.id, otherAccountId: p.out.accountId, direction: 'in', how: p.how, other: p.out });
  }
  return legs;
}
