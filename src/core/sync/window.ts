import { addDays } from '../../domain/clock.js';
import { clampToToday } from '../line-checks.js';

export const DEFAULT_OVERLAP_DAYS = 7;
/** When a provider states no history limit, ask for this much on the first sync. */
export const DEFAULT_FIRST_SYNC_DAYS = 730;

export interface WindowInput {
  today: string;
  /** Latest booked date already stored for the account, if any. */
  watermark: string | null;
  lockDate: string | null;
  historyDays: number | null | undefined;
  overlapDays: number;
}

export interface FetchWindow {
  from: string;
  to: string;
  /** What bounded the start, so status can explain a short history. */
  limitedBy: 'history' | 'lock' | null;
}

/**
 * Where to start (M10): the day after the last stored booking, minus an overlap so lines the
 * bank books late with an earlier date are caught; with no history, as far back as allowed;
 * never before the lock date nor beyond the provider's history limit.
 */
export function planWindow(w: WindowInput): FetchWindow {
  const historyStart = addDays(w.today, -(w.historyDays ?? DEFAULT_FIRST_SYNC_DAYS));
  // A watermark past today (stored before dates were checked) must not hide the days before it.
  const watermark = clampToToday(w.watermark, w.today);
  let from = watermark ? addDays(watermark, 1 - w.overlapDays) : historyStart;
  let limitedBy: FetchWindow['limitedBy'] = null;
  if (from < historyStart) {
    from = historyStart;
    limitedBy = 'history';
  } else if (!watermark && w.historyDays) {
    limitedBy = 'history';
  }
  if (w.lockDate && w.lockDate > from) {
    from = w.lockDate;
    limitedBy = 'lock';
  }
  if (from > w.today) from = w.today;
  return { from, to: w.today, limitedBy };
}
