import type { ExchangeTap, HttpAnswer, HttpRequestSent } from '../../providers/exchange-tap.js';
import { BanksyncError } from '../../domain/errors.js';
import { redactRequestBody, redactUrl, type ArchivedExchange } from './redact.js';

/**
 * Stands in for the network during replay: every request the adapter makes is answered from the
 * archive, none is sent (`requests` counts what was asked). A request is known by its method,
 * path and query once redacted the same way as when it was archived, host left out (a base URL
 * may differ between runs). The fetch's own exchanges answer first, in the order they were
 * recorded (pages of one URL come back in turn); a request the fetch did not make itself (the
 * app token the provider instance got during an earlier fetch) is answered from `shared`, the
 * latest archived exchange of that provider with the same key.
 */
export class ArchiveAnswerer implements ExchangeTap {
  requests = 0;
  /** By key with the body (POSTs to one URL differ by body: Plaid's per-account cursor), then by key alone. */
  private readonly exact = new Map<string, ArchivedExchange[]>();
  private readonly loose = new Map<string, ArchivedExchange[]>();

  constructor(
    exchanges: ArchivedExchange[],
    private readonly shared: ReadonlyMap<string, ArchivedExchange>,
    private readonly providerName: string,
  ) {
    for (const e of exchanges) {
      push(this.exact, withBody(exchangeKey(e.method, e.url), e.body), e);
      push(this.loose, exchangeKey(e.method, e.url), e);
    }
  }

  answer(request: HttpRequestSent): HttpAnswer {
    this.requests++;
    const k = exchangeKey(request.method, redactUrl(request.url));
    const kb = withBody(k, request.body === undefined ? undefined : redactRequestBody(request.body, request.headers['content-type']));
    const e = next(this.exact.get(kb), this.loose) ?? next(this.loose.get(k), this.exact) ?? this.shared.get(kb) ?? this.shared.get(k);
    if (!e) {
      throw new BanksyncError('PROVIDER_ERROR', `${this.providerName}: the archive holds no answer to ${k} (replay never asks the provider itself)`);
    }
    return { status: e.status, headers: e.responseHeaders, text: e.text };
  }
}

function push(map: Map<string, ArchivedExchange[]>, key: string, e: ArchivedExchange): void {
  map.set(key, [...(map.get(key) ?? []), e]);
}

/**
 * The next recorded answer of a queue, in turn; the last one answers again (a request repeated
 * more often than recorded). Taken from the other index as well, so no answer is given twice.
 */
function next(queue: ArchivedExchange[] | undefined, other: Map<string, ArchivedExchange[]>): ArchivedExchange | undefined {
  if (!queue?.length) return undefined;
  const e = queue.length > 1 ? queue.shift()! : queue[0]!;
  if (queue.includes(e)) return e;
  for (const list of other.values()) {
    const i = list.indexOf(e);
    if (i >= 0 && list.length > 1) list.splice(i, 1);
  }
  return e;
}

const withBody = (key: string, body: string | undefined) => (body === undefined ? key : `${key}\n${body}`);

/** "GET /api/v2/accounts/x/transactions/?date_from=…": method, path and sorted query of a redacted URL. */
export function exchangeKey(method: string, redactedUrl: string): string {
  let url: URL;
  try {
    url = new URL(redactedUrl);
  } catch {
    return `${method} ${redactedUrl}`;
  }
  url.searchParams.sort();
  const query = url.searchParams.toString();
  return `${method} ${url.pathname}${query ? `?${query}` : ''}`;
}

/** The latest exchange of each key among archived fetches (in archive order): the fallback answers. */
export function sharedAnswers(fetches: ArchivedExchange[][]): Map<string, ArchivedExchange> {
  const out = new Map<string, ArchivedExchange>();
  for (const exchanges of fetches) {
    for (const e of exchanges) {
      if (e.status >= 400) continue;
      out.set(exchangeKey(e.method, e.url), e);
      out.set(withBody(exchangeKey(e.method, e.url), e.body), e);
    }
  }
  return out;
}
