import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createYodleeProvider } from '../../../src/providers/yodlee/index.js';
import type { Provider } from '../../../src/providers/types.js';
import { requireTools } from '../../helpers/tools.js';
import { startYodleeMock, type YodleeMockHandle } from '../../mocks/yodlee/server.js';

/**
 * Our FastLink page in a real browser (Debian's Chromium): it loads the mock's initialize.js,
 * which plays the user, and posts the widget's result to /callback the way the listener takes it.
 * The listener here is a stand-in serving GET /connect and POST /callback (the core's does the same).
 */
describe('the FastLink page in headless Chromium', () => {
  let browser: Browser;
  let mock: YodleeMockHandle;
  let listener: Server;
  let provider: Provider;
  const state = new Map<string, unknown>();
  const now = new Date('2026-10-01T12:00:00Z');

  beforeAll(async () => {
    requireTools('chromium');
    mock = await startYodleeMock({ now: () => now });
    provider = createYodleeProvider({
      now: () => now,
      env: mock.fastLinkEnv,
      baseUrl: mock.url,
      credentials: mock.credentials,
      state: { get: async (k) => state.get(k), set: async (k, v) => void state.set(k, v) },
    });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    listener?.close();
    await mock?.close();
  });

  it('links the bank in the widget and posts providerAccountId with our state to /callback', async () => {
    // Bound first, so the page is built with its callback address; the page is served once built.
    let html = '';
    let deliver!: (b: Record<string, string>) => void;
    const posted = new Promise<Record<string, string>>((r) => (deliver = r));
    listener = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (req.method === 'GET' && req.url === '/connect') {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          return res.end(html);
        }
        res.writeHead(req.method === 'POST' && req.url === '/callback' ? 200 : 404);
        res.end();
        if (req.method === 'POST' && req.url === '/callback') deliver(JSON.parse(body) as Record<string, string>);
      });
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
    const start = await provider.beginConsent({ state: 'st-browser', redirectUrl: `${base}/callback` });
    html = start.page!;
    const page = await browser.newPage();
    await page.goto(`${base}/connect`);
    const answer = await posted;
    expect(answer).toMatchObject({ state: 'st-browser', status: 'SUCCESS', providerName: 'Dag Site' });
    expect(answer.providerAccountId).toMatch(/^\d+$/);
    await page.waitForFunction(() => /Done/.test(document.getElementById('status')?.textContent ?? ''));
    const grant = await provider.completeConsent(start, answer);
    expect(grant.session).toMatchObject({ providerAccountId: answer.providerAccountId });
    // The address the user opens carries no token.
    expect(page.url()).toBe(`${base}/connect`);
  });
});
