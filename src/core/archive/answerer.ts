import type { ExchangeTap, HttpAnswer, HttpRequestSent } from '../../providers/exchange-tap.js';
import { BanksyncError } from '../errors.js';
import { redactUrl, type ArchivedExchange } from './redact.js';

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
  private readonly own = new Map<string, ArchivedExchange[]>();

  constructor(
    exchanges: ArchivedExchange[],
    private readonly shared: ReadonlyMap<string, ArchivedExchange>,
    private readonly providerName: string,
  ) {
    for (const e of exchanges) {
      const k = exchangeKey(e.method, e.url);
      this.own.set(k, [...(this.own.get(k) ?? []), e]);
    }
  }

  answer(request: HttpRequestSent): HttpAnswer {
    this.requests++;
    const k = exchangeKey(request.method, redactUrl(request.url));
    const queue = this.own.get(k);
    const e = queue && queue.length > 1 ? queue.shift()! : (queue?.[0] ?? this.shared.get(k));
    if (!e) {
      throw new BanksyncError('PROVIDER_ERROR', `${this.providerName}: the archive holds no answer to ${k} (replay never asks the provider itself)`);
    }
    return { status: e.status, headers: e.responseHeaders, text: e.text };
  }
}

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
  for (const exchanges of fetches) for (const e of exchanges) if (e.status < 400) out.set(exchangeKey(e.method, e.url), e);
  return out;
}
