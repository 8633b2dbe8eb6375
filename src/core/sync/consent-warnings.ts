import type { Services } from '../context.js';
import { connectionRef } from '../../domain/model.js';
import { CONSENT_WARN_DAYS } from '../status.js';

/** A connection whose consent ends soon (or has ended): said on every sync until it is renewed. */
export interface ConsentWarning {
  connection: string;
  provider: string;
  institution: string;
  consentExpiresAt: string;
  /** Whole days left, as `status` counts them; negative once it has ended. */
  daysLeft: number;
  expired: boolean;
  /** What renews it. */
  command: string;
}

/**
 * Every connection, not only the ones this run synced: a cron run with nothing due is exactly
 * when nobody looks at `status`. Disconnected connections never warn; 0 days turns warnings off.
 * Counted as `status` counts (whole days, floored), so both agree on which connection is flagged.
 */
export async function consentWarnings(s: Services, warnDays = CONSENT_WARN_DAYS): Promise<ConsentWarning[]> {
  if (warnDays <= 0) return [];
  const now = s.clock();
  const out: ConsentWarning[] = [];
  for (const c of await s.db.connections.list()) {
    if (c.status === 'disconnected' || !c.consentExpiresAt) continue;
    const daysLeft = Math.floor((Date.parse(c.consentExpiresAt) - now.getTime()) / 86_400_000);
    if (daysLeft >= warnDays) continue;
    out.push({
      connection: connectionRef(c.id),
      provider: c.providerId,
      institution: c.institutionName,
      consentExpiresAt: c.consentExpiresAt,
      daysLeft,
      expired: c.consentExpiresAt <= now.toISOString(),
      command: `banksync update-credentials ${connectionRef(c.id)}`,
    });
  }
  return out;
}
