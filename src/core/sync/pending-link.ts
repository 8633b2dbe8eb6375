import { addDays } from '../clock.js';
import type { Transaction } from '../model.js';

/** A booked line may differ from its pending line by a tip or a currency rounding. */
export const AMOUNT_TOLERANCE_RATIO = 0.3;
/** Banks book card payments within days; a pending line older than this is not matched. */
export const LINK_WINDOW_DAYS = 10;

export interface PendingCandidate {
  externalId: string | null;
  date: string;
  amountMinor: number;
  currency: string;
}

/**
 * Picks the booked line that replaced a pending one when the provider gave no link id:
 * same currency and sign, booked within the window, amount within tolerance; closest amount,
 * then closest date, wins. `taken` holds booked ids already claimed by another pending line.
 */
export function matchPending(p: PendingCandidate, booked: readonly Transaction[], taken: ReadonlySet<string>): Transaction | undefined {
  const last = addDays(p.date, LINK_WINDOW_DAYS);
  const first = addDays(p.date, -1);
  const tolerance = Math.max(Math.abs(p.amountMinor) * AMOUNT_TOLERANCE_RATIO, 1);
  let best: Transaction | undefined;
  let bestScore = Infinity;
  for (const t of booked) {
    if (taken.has(t.id) || t.currency !== p.currency) continue;
    if (t.bookingDate < first || t.bookingDate > last) continue;
    if (Math.sign(t.amountMinor) !== Math.sign(p.amountMinor)) continue;
    const diff = Math.abs(t.amountMinor - p.amountMinor);
    if (diff > tolerance) continue;
    const score = diff * 1000 + Math.abs(Date.parse(t.bookingDate) - Date.parse(p.date)) / 86_400_000;
    if (score < bestScore) {
      best = t;
      bestScore = score;
    }
  }
  return best;
}
