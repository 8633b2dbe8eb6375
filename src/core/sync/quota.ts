import type { Services } from '../context.js';
import { accountRef, connectionRef, type Account, type Connection } from '../../domain/model.js';
import type { effectiveLimits } from '../providers.js';
import type { ConnectionBudget } from './budget.js';
import type { Quota } from './outcomes.js';

/**
 * The daily limit that decides whether this account can be synced again today, with what is
 * left of it: the bank's refreshes per account when it has such a limit (GoCardless: 4), else
 * the provider's requests per connection (SimpleFIN). Counted per UTC day, as the engine spends them.
 */
export async function quotaOf(s: Services, a: Account, c: Connection, limits: ReturnType<typeof effectiveLimits>, budget: ConnectionBudget | undefined): Promise<Quota | undefined> {
  const now = s.clock();
  const dayStart = `${now.toISOString().slice(0, 10)}T00:00:00.000Z`;
  const resetsAt = new Date(Date.parse(dayStart) + 86_400_000).toISOString();
  const perDay = limits.refreshesPerDay;
  if (perDay !== undefined) {
    const used = (await s.db.syncState.refreshesSince(a.id, dayStart)).length;
    return { unit: 'refreshes', of: accountRef(a.id), perDay, left: Math.max(0, perDay - used), resetsAt };
  }
  if (budget) return { unit: 'requests', of: connectionRef(c.id), perDay: budget.perDay, left: await budget.remaining(), resetsAt };
  return undefined;
}
