import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * A limit on requests in flight shared with other processes (workers on several hosts syncing
 * through one store): the shared HTTP client holds one of the gate's places for each request on
 * the wire. The client's own limiter keeps one process within the limit; the gate keeps all of
 * them. Providers know nothing of it, as of the exchange tap: core sets it around a connection.
 */
export interface InFlightGate {
  hold<T>(request: () => Promise<T>): Promise<T>;
}

const gates = new AsyncLocalStorage<InFlightGate>();

/** Runs `work` with every request it causes holding a place of `gate` while in flight. */
export function withInFlightGate<T>(gate: InFlightGate, work: () => T): T {
  return gates.run(gate, work);
}

/** The gate of the work now running; read before any queue, as currentExchangeTap (see there). */
export function currentInFlightGate(): InFlightGate | undefined {
  return gates.getStore();
}
