import { AsyncLocalStorage } from 'node:async_hooks';

/** One request an adapter sent through the shared HTTP client, as it went on the wire. */
export interface HttpRequestSent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** What came back, before parsing: the raw text is what a later banksync maps again. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * Watches (or stands in for) the network under one piece of work: core's raw archive records
 * every exchange of a sync through `record`, and replay answers every request from the archive
 * through `answer`, so not one byte goes on the wire. Providers know nothing of either: the
 * shared client (http.ts) is the one place that calls the tap. Whoever keeps what `record`
 * receives must redact it first: the request still carries its credentials.
 */
export interface ExchangeTap {
  /** Replaces the network: the answer for this request (throws when there is none). */
  answer?(request: HttpRequestSent): HttpAnswer;
  record?(request: HttpRequestSent, answer: HttpAnswer): void;
}

const taps = new AsyncLocalStorage<ExchangeTap>();

/** Runs `work` with every HTTP exchange it causes going through `tap`. */
export function withExchangeTap<T>(tap: ExchangeTap, work: () => T): T {
  return taps.run(tap, work);
}

/**
 * The tap of the work now running. Read it where a request is made, before any queue: a request
 * queued behind another (the client's in-flight limit) resumes in that other request's context.
 */
export function currentExchangeTap(): ExchangeTap | undefined {
  return taps.getStore();
}
