import type { StorePort } from '../../store/index.js';
import { ConnectionRecorder } from './recorder.js';
import { withExchangeTap } from '../../providers/exchange-tap.js';

import { DEFAULT_ARCHIVE_DAYS } from './defaults.js';

export { DEFAULT_ARCHIVE_DAYS };

/**
 * Retention, applied at the start of every sync: entries fetched more than `days` days ago go
 * (0: the archive is off and emptied). Returns how many were removed.
 */
export function pruneArchive(db: StorePort, days: number, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString();
  return db.write(() => db.archive.pruneBefore(days === 0 ? '9999' : cutoff));
}

/** Runs one connection's sync with its fetches recorded into the archive (or not, when it is off). */
export function recordingConnection<T>(connectionId: number, days: number, work: () => Promise<T>): Promise<T> {
  return days > 0 ? withExchangeTap(new ConnectionRecorder(connectionId), work) : work();
}

/** This database's archive-days as stored (the CLI checked it when it was set), or the default. */
export async function storedArchiveDays(db: StorePort): Promise<number> {
  const v = await db.settings.get('archive-days');
  return v === undefined ? DEFAULT_ARCHIVE_DAYS : Number(v);
}
