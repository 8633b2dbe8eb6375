import type { Agent, Dispatcher } from 'undici';

/** What the HTTP client needs of undici: a connection pool and `request`. */
export interface UndiciRequest {
  Agent: new (options: Agent.Options) => Dispatcher;
  request(url: URL, options: { method: Dispatcher.HttpMethod; headers: Record<string, string>; body: string | undefined; dispatcher: Dispatcher }): Promise<Dispatcher.ResponseData>;
}

let loading: Promise<UndiciRequest> | undefined;

/**
 * Loads the two undici modules a request needs, once, on the first request. undici's index also
 * loads fetch, WebSockets, proxies, mocks, caches and interceptors: three times the CPU of these
 * two (~400M against ~130M instructions), spent before a sync's first request can go out.
 */
export function loadUndiciRequest(): Promise<UndiciRequest> {
  loading ??= Promise.all([import('undici/lib/dispatcher/agent.js'), import('undici/lib/api/api-request.js')]).then(([agent, api]) => ({
    Agent: agent.default,
    // What undici's `request(url, opts)` does with a URL and a dispatcher (index.js, makeDispatcher).
    request: (url, { dispatcher, ...options }) => api.default.call(dispatcher, { ...options, origin: url.origin, path: url.search ? `${url.pathname}${url.search}` : url.pathname }),
  }));
  return loading;
}
