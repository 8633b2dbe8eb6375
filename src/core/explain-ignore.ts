import { nowIso, type Services } from './context.js';
import { requireLine } from './explain.js';
import { accountRef } from '../domain/model.js';

export interface IgnoreResult {
  id: string;
  account: string;
  ignored: boolean;
  reason: string | null;
  /** False when the line already was in that state (a reason given again is updated). */
  changed: boolean;
}

/**
 * "Deleted means deleted": a tombstone on the line. It stays stored, so a re-fetch or
 * re-import finds it and adds nothing, but no export shows it, and an incremental target that
 * received it gets its removal. `unignore` lifts the tombstone (targets get the line back).
 */
export async function setIgnored(s: Services, id: string, ignore: boolean, reason?: string): Promise<IgnoreResult> {
  const line = await requireLine(s, id);
  const now = nowIso(s);
  const text = reason?.trim() || null;
  return s.db.write(async () => {
    const changed = await s.db.lineOrigins.setIgnored(id, text, ignore, now);
    if (changed) await s.db.lineOrigins.decide(id, ignore ? 'ignored' : 'unignored', text ? { reason: text } : null, now);
    return { id, account: accountRef(line.accountId), ignored: ignore, reason: ignore ? text : null, changed };
  });
}
