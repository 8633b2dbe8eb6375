import { DEFAULT_MAX_IN_FLIGHT } from './limits.js';
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Dispatcher } from 'undici';
import { BanksyncError } from '../domain/errors.js';
import { currencyDigits, parseDecimalToMinor } from '../domain/money.js';
import { currentExchangeTap, type ExchangeTap, type HttpAnswer } from './exchange-tap.js';
import { currentInFlightGate } from './in-flight-gate.js';
import { loadUndiciRequest } from './undici-request.js';

/** A provider answer that was not 2xx, handed to the provider's own error mapper. */
export interface HttpFailure {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON when the body was JSON, else the text (truncated). */
  body: unknown;
  method: string;
  path: string;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** Statuses returned to the caller instead of mapped to errors (e.g. 409 while not ready). */
  accept?: number[];
}

export interface HttpClientOptions {
  providerName: string;
  baseUrl: string;
  /** One file per provider turns its error bodies into typed errors. */
  mapError: (f: HttpFailure) => BanksyncError;
  dispatcher?: Dispatcher;
  /** TLS client certificate (Ponto's mTLS). */
  tls?: { cert: string; key: string };
  timeoutMs?: number;
  /** Waits longer than this are not retried in-process; the error carries the retry time. */
  maxRetryWaitMs?: number;
  retries?: number;
  /** Requests in flight at once through this client (the provider's concurrency limit). */
  maxInFlight?: number;
}

export { DEFAULT_MAX_IN_FLIGHT };

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

/**
 * The HTTP client every adapter uses: base-URL override, per-request timeout, bounded
 * Retry-After-aware retries of idempotent calls on 429/5xx, network failures as the provider's
 * transient fault, and bodies parsed once. Authorization headers never reach error messages.
 */
export class HttpClient {
  private dispatcher?: Dispatcher;
  private readonly base: URL;
  /** Shared by every connection a provider instance serves, so a whole sync stays under the limit. */
  private readonly inFlight: LimitFunction;

  constructor(private readonly o: HttpClientOptions) {
    this.inFlight = pLimit(o.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
    this.base = new URL(o.baseUrl.endsWith('/') ? o.baseUrl : `${o.baseUrl}/`);
    this.dispatcher = o.dispatcher;
  }

  /** Resolves a path against the base URL ("api/v2/x" or an absolute link the provider gave). */
  url(path: string, query?: RequestOptions['query']): URL {
    const u = /^https?:\/\//.test(path) ? new URL(path) : new URL(path.replace(/^\//, ''), this.base);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u;
  }

  async call<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<HttpResponse<T>> {
    const url = this.url(path, opts.query);
    const retries = IDEMPOTENT.has(method) ? (this.o.retries ?? 2) : 0;
    const tap = currentExchangeTap();
    const gate = currentInFlightGate();
    const send = () => this.once(method, url, opts, tap);
    for (let attempt = 0; ; attempt++) {
      // The slot is held for the request only, not while waiting to retry: first this process's,
      // then (several workers) one of the limit they share.
      const res = await this.inFlight(() => (gate ? gate.hold(send) : send()));
      if (res.status < 400 || opts.accept?.includes(res.status)) return res as HttpResponse<T>;
      const failure: HttpFailure = { ...res, method, path: url.pathname };
      const wait = retryWaitMs(res.status, res.headers);
      if (attempt < retries && wait !== undefined && wait <= (this.o.maxRetryWaitMs ?? 5_000)) {
        await sleep(wait);
        continue;
      }
      throw this.o.mapError(failure);
    }
  }

  private async once(method: string, url: URL, opts: RequestOptions, tap: ExchangeTap | undefined): Promise<HttpResponse> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'banksync', ...opts.headers };
    let body: string | undefined;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['content-type'] ??= 'application/json';
    } else if (opts.form) {
      body = new URLSearchParams(opts.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    // The raw archive's seam: replay answers from the archive (no network), a sync records what came back.
    const sent = { method, url: url.href, headers, body };
    const answer = tap?.answer ? tap.answer(sent) : await this.send(method, url, headers, body);
    if (!tap?.answer) tap?.record?.(sent, answer);
    const { status, headers: resHeaders, text } = answer;
    const type = String(resHeaders['content-type'] ?? '');
    let parsed: unknown = text.slice(0, 2_000);
    if (/json/.test(type) || /^\s*[[{]/.test(text)) {
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        if (status < 400) throw malformed(this.o.providerName, `${method} ${url.pathname}`, 'is not valid JSON');
      }
    }
    return { status, headers: resHeaders, body: parsed };
  }

  private async send(method: string, url: URL, headers: Record<string, string>, body: string | undefined): Promise<HttpAnswer> {
    // undici is loaded on the first request: most commands never talk to a provider.
    const { Agent, request } = await loadUndiciRequest();
    const timeout = this.o.timeoutMs ?? 30_000;
    this.dispatcher ??= new Agent({ headersTimeout: timeout, bodyTimeout: timeout, connect: { timeout: 10_000, ...(this.o.tls ?? {}) } });
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, { method: method as Dispatcher.HttpMethod, headers, body, dispatcher: this.dispatcher });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).name;
      throw new BanksyncError('PROVIDER_UNAVAILABLE', `${this.o.providerName}: cannot reach ${url.host} (${code})`, { cause: err });
    }
    try {
      return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
    } catch (err) {
      throw new BanksyncError('PROVIDER_UNAVAILABLE', `${this.o.providerName}: the answer from ${url.host} was cut off`, { cause: err });
    }
  }
}

/** 429/503 with Retry-After (seconds or a date), or a bare 5xx: how long to wait before trying again. */
export function retryWaitMs(status: number, headers: HttpFailure['headers']): number | undefined {
  const ra = headers['retry-after'];
  const value = Array.isArray(ra) ? ra[0] : ra;
  if (value !== undefined) {
    const secs = Number(value);
    if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
    const at = Date.parse(value);
    if (!Number.isNaN(at)) return Math.max(0, at - Date.now());
  }
  if (status === 429) return undefined;
  return status >= 500 ? 500 : undefined;
}

/** The retry instant a 429 announces, for the engine to defer the account until then. */
export function retryAtFrom(headers: HttpFailure['headers'], now: Date): string | undefined {
  const wait = retryWaitMs(429, headers);
  return wait === undefined ? undefined : new Date(now.getTime() + wait).toISOString();
}

/** A provider answer whose shape we do not understand: the provider's fault, never a crash. */
export function malformed(provider: string, what: string, why: string): BanksyncError {
  return new BanksyncError('PROVIDER_ERROR', `${provider}: the answer to ${what} ${why}`);
}

/** Header value as one string. */
export function header(headers: HttpFailure['headers'], name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** A wire amount (decimal string, or a JSON number like Ponto's 84.42) → integer minor units, exactly. */
export function amountToMinor(value: string | number, currency: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new BanksyncError('PROVIDER_ERROR', `not a finite amount: ${value}`);
    // The shortest round-trip text of a double is the decimal the provider wrote (every value a
    // bank can write has at most 15 significant digits), so no float arithmetic touches it.
    let text = String(value);
    if (/e/i.test(text)) {
      // 1e21 and up, or below 1e-6: only whole numbers within the safe range are exact; rounding
      // 1e-7 to 0.00 would store a guess.
      if (!Number.isSafeInteger(value)) throw new BanksyncError('PROVIDER_ERROR', `amount ${text} cannot be an exact ${currency} amount`);
      text = value.toFixed(0);
    }
    // More decimals than the currency has (0.30000000000000004 EUR, 1.5 JPY) is float arithmetic
    // upstream: which cent was meant is a guess, so it is refused, never rounded.
    const digits = currencyDigits(currency);
    const frac = /\.(\d+)$/.exec(text)?.[1] ?? '';
    if (frac.length > digits) throw new BanksyncError('PROVIDER_ERROR', `amount ${text} has more decimals than ${currency} has (${digits})`);
    return parseDecimalToMinor(text, currency);
  }
  return parseDecimalToMinor(value, currency);
}
