// JSON:API envelopes as Ponto serves them: error documents (facts §1.9) and cursor paging (§1.6).

/** A JSON:API error the router turns into `{"errors":[{code, detail, meta:{requestId, ...}}]}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly meta: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(`${status} ${code}: ${detail}`);
  }
}

export function errorDocument(requestId: string, code: string, detail: string, meta: Record<string, unknown> = {}): unknown {
  return { errors: [{ code, detail, meta: { requestId, ...meta } }] };
}

export const notFound = (resource: string): ApiError => new ApiError(404, 'resourceNotFound', `The requested ${resource} was not found.`, { resource });

export const invalid = (attribute: string, detail: string): ApiError => new ApiError(400, 'validationError', detail, { attribute });

export const DEFAULT_PAGE_LIMIT = 10;
export const MAX_PAGE_LIMIT = 100;

export interface PagedDocument<R> {
  data: R[];
  meta: { paging: { limit: number; before?: string; after?: string } };
  links: { first: string; prev?: string; next?: string };
}

/**
 * Cursor paging over a list already in API order (newest first for transactions).
 * `page[after]=X` → the items following X (older); `page[before]=X` → the `limit` items just
 * preceding X (newer). `meta.paging` echoes the request; `links.next`/`links.prev` exist only
 * when there is something in that direction, so following `links.next` until absent is complete.
 */
export function paginate<T extends { id: string }, R>(items: readonly T[], query: URLSearchParams, collectionUrl: string, serialize: (item: T) => R): PagedDocument<R> {
  const rawLimit = query.get('page[limit]');
  let limit = DEFAULT_PAGE_LIMIT;
  if (rawLimit !== null) {
    if (!/^\d+$/.test(rawLimit) || Number(rawLimit) < 1 || Number(rawLimit) > MAX_PAGE_LIMIT) {
      throw invalid('page[limit]', `page[limit] must be an integer between 1 and ${MAX_PAGE_LIMIT}.`);
    }
    limit = Number(rawLimit);
  }
  const before = query.get('page[before]');
  const after = query.get('page[after]');
  if (before !== null && after !== null) throw invalid('page[before]', 'page[before] and page[after] cannot be combined.');
  const indexOf = (id: string, param: string): number => {
    const index = items.findIndex((item) => item.id === id);
    if (index < 0) throw invalid(param, `${param} does not refer to a resource in this collection.`);
    return index;
  };

  let start = after !== null ? indexOf(after, 'page[after]') + 1 : 0;
  let end = Math.min(items.length, start + limit);
  if (before !== null) {
    end = indexOf(before, 'page[before]');
    start = Math.max(0, end - limit);
  }
  const page = items.slice(start, end);

  // Keep filters on the links; only the page parameters change from link to link.
  const kept = [...query].filter(([k]) => !k.startsWith('page['));
  const link = (extra: string): string => {
    const rest = kept.map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
    return `${collectionUrl}?${[...rest, extra].join('&')}`;
  };
  const first = page[0];
  const last = page[page.length - 1];
  const links: PagedDocument<R>['links'] = { first: link(`page[limit]=${limit}`) };
  if (first && start > 0) links.prev = link(`page[before]=${first.id}&page[limit]=${limit}`);
  if (last && end < items.length) links.next = link(`page[after]=${last.id}&page[limit]=${limit}`);

  const paging: PagedDocument<R>['meta']['paging'] = { limit };
  if (before !== null) paging.before = before;
  if (after !== null) paging.after = after;
  return { data: page.map(serialize), meta: { paging }, links };
}
