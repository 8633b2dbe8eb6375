import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BanksyncError } from '../../src/domain/errors.js';
import { HttpClient } from '../../src/providers/http.js';

/** The client's in-flight limit holds for calls made at once (Ponto fetches details and transactions together). */
describe('HttpClient maxInFlight', () => {
  let inFlight = 0;
  let most = 0;
  const server = createServer((_req, res) => {
    most = Math.max(most, ++inFlight);
    setTimeout(() => {
      inFlight--;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    }, 20);
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const client = (maxInFlight: number) => new HttpClient({ providerName: 'Test', baseUrl: url, maxInFlight, mapError: (f) => new BanksyncError('PROVIDER_ERROR', `status ${f.status}`) });

  it.each([1, 2, 5])('never has more than %i requests in flight', async (limit) => {
    most = 0;
    const c = client(limit);
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => c.call('GET', `x/${i}`)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(most).toBe(limit);
  });
});
