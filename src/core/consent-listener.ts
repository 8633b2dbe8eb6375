import { createServer, type IncomingMessage, type Server } from 'node:http';
import { BanksyncError } from '../domain/errors.js';

/** Default loopback port: providers that whitelist redirect URLs need one the user can register. */
export const DEFAULT_REDIRECT_PORT = 8765;

const PAGE = (title: string, text: string) => `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:sans-serif;margin:3em"><h1>${title}</h1><p>${text}</p></body>`;

export interface CallbackListener {
  redirectUrl: string;
  /** Our own consent page (ConsentStart.page), once set: http://127.0.0.1:PORT/connect. */
  pageUrl: string;
  /** Resolves with the parameters of the first /callback request (redirect or POST) whose state matches. */
  callback: Promise<Record<string, string>>;
  /** Serves this HTML at GET /connect from now on (a widget's page; fetched as often as the browser likes). */
  setPage(html: string): void;
  close(): void;
}

/** A POSTed widget result is small; anything bigger is not one. */
const MAX_BODY_BYTES = 256 * 1024;

const isLoopback = (address: string | undefined) => !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));

/**
 * Receives the provider's redirect at http://127.0.0.1:<port>/callback (GET, query parameters) or
 * a widget's result posted there by our own page (POST, form fields or JSON), and serves that page
 * at GET /connect. Requests with another state (a stale tab, another run, another site posting to
 * loopback) are answered 400 and ignored, so they cannot complete consent. Only loopback clients
 * that name this address are served: the page holds the provider's token.
 */
export async function listenForCallback(port: number, matchesState: (params: Record<string, string>) => boolean): Promise<CallbackListener> {
  let deliver!: (params: Record<string, string>) => void;
  const callback = new Promise<Record<string, string>>((resolve) => (deliver = resolve));
  let page: string | undefined;
  let actual = port;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, title: string, text: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
      res.end(PAGE(title, text));
    };
    // The page carries a provider token: not for other machines, nor for a page that rebinds a name to 127.0.0.1.
    // (The provider's plain redirect, GET /callback, is answered as before: it carries only a one-time code.)
    const host = (req.headers.host ?? '').toLowerCase();
    const guarded = !(req.method === 'GET' && url.pathname === '/callback');
    if (guarded && (!isLoopback(req.socket.remoteAddress) || (host !== `127.0.0.1:${actual}` && host !== `localhost:${actual}`))) {
      return send(403, 'Forbidden', 'This address only answers the browser on this machine.');
    }
    if (url.pathname === '/connect' && req.method === 'GET' && page !== undefined) {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store, max-age=0',
        pragma: 'no-cache',
        'referrer-policy': 'no-referrer',
        'x-frame-options': 'DENY',
        connection: 'close',
      });
      res.end(page);
      return;
    }
    if (url.pathname !== '/callback' || (req.method !== 'GET' && req.method !== 'POST')) return send(404, 'Not found', 'This address only receives the consent redirect.');
    const answer = (params: Record<string, string>) => {
      if (!matchesState(params)) return send(400, 'Unknown request', 'This consent answer is not for the banksync command that is waiting. Start again from the terminal.');
      if (params.error) send(200, 'Consent not given', 'banksync received the refusal; you can close this tab.');
      else send(200, 'Consent received', 'banksync has what it needs; you can close this tab and go back to the terminal.');
      deliver(params);
    };
    if (req.method === 'GET') return answer(Object.fromEntries(url.searchParams));
    readBody(req, req.headers['content-type'] ?? '').then(
      (params) => answer({ ...Object.fromEntries(url.searchParams), ...params }),
      (err: Error) => send(400, 'Unreadable answer', `banksync could not read what the page sent (${err.message}). Start again from the terminal.`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE' || err.code === 'EACCES'
          ? new BanksyncError('BAD_INPUT', `cannot listen for the consent redirect on 127.0.0.1:${port} (${err.code})`, {
              hint: 'pass --redirect-port with a free port (and register http://127.0.0.1:PORT/callback with the provider)',
            })
          : err,
      );
    });
    server.listen(port, '127.0.0.1', () => resolve());
  });
  actual = (server.address() as { port: number }).port;
  return {
    redirectUrl: `http://127.0.0.1:${actual}/callback`,
    pageUrl: `http://127.0.0.1:${actual}/connect`,
    callback,
    setPage: (html) => {
      page = html;
    },
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/**
 * A POSTed result as a flat map of strings: form fields as sent; a JSON object's string values as
 * they are and its other values as JSON text (the adapter parses what it expects).
 */
async function readBody(req: IncomingMessage, contentType: string): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error('too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || (type !== 'application/x-www-form-urlencoded' && /^\s*\{/.test(text))) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error('not valid JSON');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  }
  return Object.fromEntries(new URLSearchParams(text));
}

/** What the user pasted: the whole address they landed on, or just the code. */
export function parsePasted(text: string): Record<string, string> {
  const t = text.trim();
  if (/^https?:\/\//i.test(t)) {
    try {
      return Object.fromEntries(new URL(t).searchParams);
    } catch {
      throw new BanksyncError('BAD_INPUT', 'the pasted address is not a valid URL');
    }
  }
  if (t.startsWith('?') || t.includes('=')) return Object.fromEntries(new URLSearchParams(t.replace(/^\?/, '')));
  if (!t) throw new BanksyncError('BAD_INPUT', 'nothing was pasted; nothing was changed');
  return { code: t };
}
