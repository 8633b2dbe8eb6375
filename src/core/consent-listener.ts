import { createServer, type Server } from 'node:http';
import { BanksyncError } from './errors.js';

/** Default loopback port: providers that whitelist redirect URLs need one the user can register. */
export const DEFAULT_REDIRECT_PORT = 8765;

const PAGE = (title: string, text: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:sans-serif;margin:3em"><h1>${title}</h1><p>${text}</p></body>`;

export interface CallbackListener {
  redirectUrl: string;
  /** Resolves with the query of the first /callback request whose state matches. */
  callback: Promise<Record<string, string>>;
  close(): void;
}

/**
 * Receives the provider's redirect at http://127.0.0.1:<port>/callback. Requests with another
 * state (a stale tab, another run) are answered 400 and ignored, so they cannot complete consent.
 */
export async function listenForCallback(port: number, matchesState: (params: Record<string, string>) => boolean): Promise<CallbackListener> {
  let deliver!: (params: Record<string, string>) => void;
  const callback = new Promise<Record<string, string>>((resolve) => (deliver = resolve));
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, title: string, text: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
      res.end(PAGE(title, text));
    };
    if (req.method !== 'GET' || url.pathname !== '/callback') return send(404, 'Not found', 'This address only receives the consent redirect.');
    const params = Object.fromEntries(url.searchParams);
    if (!matchesState(params)) return send(400, 'Unknown request', 'This consent answer is not for the banksync command that is waiting. Start again from the terminal.');
    if (params.error) send(200, 'Consent not given', 'banksync received the refusal; you can close this tab.');
    else send(200, 'Consent received', 'banksync has what it needs; you can close this tab and go back to the terminal.');
    deliver(params);
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
  const actual = (server.address() as { port: number }).port;
  return {
    redirectUrl: `http://127.0.0.1:${actual}/callback`,
    callback,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
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
