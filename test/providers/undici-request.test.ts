import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BanksyncError } from '../../src/domain/errors.js';
import { HttpClient } from '../../src/providers/http.js';

// undici's index (fetch, WebSockets, mocks, caches…) must not be loaded for a request: it was most
// of the CPU before a sync's first request. Importing it now fails the test.
vi.mock('undici', () => {
  throw new Error("undici's index was loaded");
});

describe('HttpClient without undici’s index', () => {
  const seen: { method?: string; url?: string; type?: string; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, type: req.headers['content-type'], body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/base`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends method, path, query and body as undici’s request(url) did', async () => {
    const c = new HttpClient({ providerName: 'Test', baseUrl: url, mapError: (f) => new BanksyncError('PROVIDER_ERROR', `status ${f.status}`) });
    const got = await c.call('GET', 'api/x/', { query: { date_from: '2026-01-01', n: 2 } });
    await c.call('POST', 'api/y', { json: { a: 1 } });
    await c.call('GET', 'api/z');
    expect(got).toMatchObject({ status: 200, body: { ok: true } });
    expect(seen).toEqual([
      { method: 'GET', url: '/base/api/x/?date_from=2026-01-01&n=2', type: undefined, body: '' },
      { method: 'POST', url: '/base/api/y', type: 'application/json', body: '{"a":1}' },
      { method: 'GET', url: '/base/api/z', type: undefined, body: '' },
    ]);
  });
});
