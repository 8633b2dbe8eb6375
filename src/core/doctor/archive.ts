import type { ArchiveStatus } from '../status.js';
import { ok, type Check, type DoctorFormat } from './types.js';

const size = (n: number) => (n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`);

/** The raw archive: informational (its size counts in the database's), never a problem in itself. */
export function archiveCheck(a: ArchiveStatus, fmt: DoctorFormat): Check {
  if (a.days === 0) return ok('archive', `raw archive off (config archive-days 0)${a.entries ? `; ${fmt.plural(a.entries, 'fetch', 'fetches')} left, removed on the next sync` : ''}`);
  if (a.entries === 0) return ok('archive', `raw archive empty; sync keeps provider answers for ${fmt.plural(a.days, 'day')} from now on`);
  return ok(
    'archive',
    `raw archive: ${fmt.plural(a.entries, 'fetch', 'fetches')} since ${fmt.time(a.oldest!)}, ${size(a.storedBytes)} (${size(a.rawBytes)} before compression), kept ${fmt.plural(a.days, 'day')}; banksync replay rebuilds from it`,
  );
}
