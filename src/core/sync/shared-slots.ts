import { setTimeout as sleep } from 'node:timers/promises';
import type { InFlightGate } from '../../providers/in-flight-gate.js';
import type { Services } from '../context.js';

/** A slot's lease: far beyond one request (30 s timeout), so only a dead worker's slot expires. */
export const SLOT_LEASE_MS = 120_000;

/**
 * A provider's limit on requests in flight held across every worker of a shared store: each
 * request takes one of the provider's `limit` slots in the database and gives it back when the
 * answer is in. While all are held it polls, from 5 ms up to 200 ms apart: a request takes tens
 * to hundreds of ms, so a freed slot is found about as soon as a queue would hand it over.
 */
export function sharedSlots(s: Services, providerId: string, limit: number): InFlightGate {
  return {
    async hold(request) {
      let slot: number | null = null;
      for (let wait = 5; slot === null; wait = Math.min(wait * 2, 200)) {
        slot = await s.db.claims.takeSlot(providerId, limit, s.clock().toISOString(), SLOT_LEASE_MS);
        if (slot === null) await sleep(wait);
      }
      try {
        return await request();
      } finally {
        // A failed release is left to the lease: the request's own outcome is what matters here.
        await s.db.claims.releaseSlot(providerId, slot).catch(() => undefined);
      }
    },
  };
}
