// What every API handler gets: state, clock and options of one mock instance.
import type { Reply } from './errors.js';
import type { DailyAccountLimits } from './rate-limits.js';
import type { Store } from './state.js';

export interface MockContext {
  store: Store;
  now: () => Date;
  /** e.g. http://127.0.0.1:PORT, known once the server listens. */
  baseUrl: string;
  secretId: string;
  secretKey: string;
  daily: DailyAccountLimits;
}

export interface ApiCall {
  params: Record<string, string>;
  query: Record<string, string>;
  body: Record<string, unknown>;
  headers: Record<string, string | string[]>;
}

export type Handler = (ctx: MockContext, call: ApiCall) => Reply;
