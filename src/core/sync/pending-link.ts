import { addDays } from '../../domain/clock.js';
import type { Transaction } from '../../domain/model.js';
import { normalizeText } from '../dedupe.js';

/** A booked line may differ from its pending line by a tip or a currency rounding. */
export const AMOUNT_TOLERANCE_RATIO = 0.3;
/** Banks book card payments within days; a pending line older than this is not matched. */
export const LINK_WINDOW_DAYS = 10;

export interface PendingCandidate {
  externalId: string | null;
  date: string;
  amountMinor: number;
  currency: string;
  payee?: string | null;
}

/**
 * Picks the booked line that replaced a pending one when the provider gave no link id:
 * same currency and sign, booked within the window, amount within tolerance. A line from the
 * same payee beats any other (a tipped restaurant bill is further off than a nearby purchase);
 * then the closest amount, then the closest date. `taken` holds booked ids already claimed.
 */
export function matchPending(p: PendingCandidate, booked: readonly Transaction[], taken: ReadonlySet<string>): Transaction | undefined {
  const last = addDays(p.date, LINK_WINDOW_DAYS);
  const first = addDays(p.date, -1);
  const tolerance = Math.max(Math.abs(p.amountMinor) * AMOUNT_TOLERANCE_RATIO, 1);
  const payee = normalizeText(p.payee ?? '');
  let best: Transaction | undefined;
  let bestScore = Infinity;
  for (const t of booked) {
    if (taken.has(t.id) || t.currency !== p.currency) continue;
    if (t.bookingDate < first || t.bookingDate > last) continue;
    if (Math.sign(t.amountMinor) !== Math.sign(p.amountMinor)) continue;
    const diff = Math.abs(t.amountMinor - p.amountMinor);
    if (diff > tolerance) continue;
    const samePayee = payee !== '' && normalizeText(t.payee ?? '') === payee;
    const score = (samePayee ? 0 : 1e15) + diff * 1000 + Math.abs(Date.parse(t.bookingDate) - Date.parse(p.date)) / 86_400_000;
    if (score < bestScore) {
      best = t;
      bestScore = score;
    }
  }
  return best;
}
