import type { ChangeKind, ExportRow } from '../export/types.js';
import { annotationFromKey, annotationKey } from './annotate.js';

/**
 * For a target of a format that writes annotations: compares a line's annotation with the one the
 * target received (`sentKey`, '' for none). A line the target holds whose category, payee, tags or
 * transfer changed becomes a change, so a journal reverses the posting the target has and posts
 * the new one; a change or removal the bank made reverses what the target received. Returns the
 * line's change kind and the key to record once the line is written (undefined: nothing to record).
 */
export function reconcileAnnotation(row: ExportRow, sentKey: string, change: ChangeKind | null, removed: boolean): { change: ChangeKind | null; record: string | undefined } {
  const key = annotationKey(row.annotation);
  if (key === sentKey) return { change, record: undefined };
  if (change === null && !removed) {
    change = row.change = 'changed';
    row.replacesRevision = row.revision;
    row.previous = { bookingDate: row.bookingDate, amountMinor: row.amountMinor, payee: row.payee, memo: row.memo };
  }
  if (change === null) return { change, record: undefined };
  if (change !== 'new') row.previousAnnotation = annotationFromKey(sentKey, row.previous?.amountMinor ?? row.amountMinor);
  // A removal drops the target's row; a removed line that had none needs nothing.
  if (removed) return { change, record: sentKey ? '' : undefined };
  return { change, record: key };
}
