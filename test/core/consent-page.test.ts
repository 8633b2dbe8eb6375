import { sqlitePort } from '../../src/store/index.js';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { obtainConsent } from '../../src/core/consent.js';
import type { Prompts, Services } from '../../src/core/context.js';
import type { ConsentStart, Provider } from '../../src/providers/types.js';
import { Store } from '../../src/store/index.js';

/**
 * ConsentStart.page: a widget's page of our own served by the loopback listener at /connect, the
 * widget's result posted back to /callback (form fields or JSON), our state checked.
 */
function widgetProvider() {
  const completed: Record<string, string>[] = [];
  let began: { state: string; redirectUrl?: string } | undefined;
  const p = {
    id: 'widget',
    displayName: 'Widget Co',
    capabilities: { consent: 'redirect', institutionChoice: 'provider' },
    async beginConsent(r: { state: string; redirectUrl?: string }): Promise<ConsentStart> {
      began = r;
      return {
        state: { token: 'tok-123' },
        page: `<!doctype html><title>Widget</title><form method="post" action="/callback"><input name="state" value="${r.state}"><input name="token" value="tok-123"></form>`,
      };
    },
    async completeConsent(start: ConsentStart, params: Record<string, string>) {
      completed.push(params);
      return { session: { user: params.providerAccountId ?? 'x', token: start.state.token } };
    },
  } as unknown as Provider;
  return { p, completed, began: () => began };
}

function services(browser: string[] = [], interactive = false, asked: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'banksync-page-'));
  const store = Store.open(join(dir, 'b.db'), { keyFile: join(dir, 'k') });
  let said!: (url: string) => void;
  const address = new Promise<string>((resolve) => (said = resolve));
  const lines: string[] = [];
  const s: Services = {
    db: sqlitePort(store),
    env: {},
    clock: () => new Date('2026-11-22T07:00:00Z'),
    prompts: { interactive, input: (m: string) => (asked.push(m), new Promise(() => undefined)) } as unknown as Prompts,
    notify: { info() {}, warn() {}, always: (m) => (lines.push(m), /^http/.test(m) && said(m)), progress: () => ({ update() {}, stop() {} }) },
    openBrowser: async (u) => (browser.push(u), true),
  };
  return { s, address, lines };
}

/** node:http, so the Host header is exactly what a browser on this machine sends. */
function send(url: string, method: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('a consent page of our own (ConsentStart.page)', () => {
  it('serves the page at /connect (more than once, not cached), rejects a wrong state, and completes with the posted form', async () => {
    const { p, completed, began } = widgetProvider();
    const { s, address, lines } = services();
    const grant = obtainConsent(s, p, undefined, { yes: false, redirectPort: 0, timeoutMs: 60_000 });
    const url = await address;
    // The printed address is our local page, not the provider's.
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/connect$/);
    expect(lines[0]).toBe('Choose your bank and give consent at Widget Co on this page:');
    const state = began()!.state;
    for (let i = 0; i < 2; i++) {
      const page = await send(url, 'GET');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['cache-control']).toMatch(/no-store/);
      expect(page.text).toContain(`value="${state}"`);
    }
    // Another host name pointing at loopback (DNS rebinding) does not get the page and its token.
    const port = new URL(url).port;
    expect((await send(url, 'GET', undefined, { host: `evil.example:${port}` })).status).toBe(403);
    const callback = url.replace('/connect', '/callback');
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const wrong = await send(callback, 'POST', new URLSearchParams({ state: 'not-ours', providerAccountId: '1' }).toString(), form);
    expect(wrong.status).toBe(400);
    const right = await send(callback, 'POST', new URLSearchParams({ state, providerAccountId: '10022', status: 'SUCCESS' }).toString(), form);
    expect(right.status).toBe(200);
    expect(right.text).toContain('Consent received');
    expect(await grant).toEqual({ session: { user: '10022', token: 'tok-123' } });
    expect(completed).toEqual([{ state, providerAccountId: '10022', status: 'SUCCESS' }]);
  });

  it('takes a JSON result as a flat map of strings, and opens the browser on the local page at a terminal', async () => {
    const { p, completed, began } = widgetProvider();
    const opened: string[] = [];
    const { s, address } = services(opened, true);
    const grant = obtainConsent(s, p, undefined, { yes: false, redirectPort: 0, timeoutMs: 60_000 });
    const url = await address;
    const callback = url.replace('/connect', '/callback');
    const state = began()!.state;
    const r = await send(callback, 'POST', JSON.stringify({ state, providerAccountId: 10022, sites: [{ id: 1 }], status: 'SUCCESS' }), { 'content-type': 'application/json' });
    expect(r.status).toBe(200);
    await grant;
    expect(completed).toEqual([{ state, providerAccountId: '10022', sites: '[{"id":1}]', status: 'SUCCESS' }]);
    expect(opened).toEqual([url]);
  });

  it('answers a body that is not readable with 400 and keeps waiting for the right one', async () => {
    const { p, completed, began } = widgetProvider();
    const { s, address } = services();
    const grant = obtainConsent(s, p, undefined, { yes: false, redirectPort: 0, timeoutMs: 60_000 });
    const callback = (await address).replace('/connect', '/callback');
    expect((await send(callback, 'POST', '{"state": ', { 'content-type': 'application/json' })).status).toBe(400);
    expect((await send(callback, 'POST', '[1]', { 'content-type': 'application/json' })).status).toBe(400);
    await send(callback, 'POST', new URLSearchParams({ state: began()!.state, ok: '1' }).toString(), { 'content-type': 'application/x-www-form-urlencoded' });
    await grant;
    expect(completed).toHaveLength(1);
  });

  it('with --no-browser at a terminal, prints the local page and asks for no pasted address (the page posts the result itself)', async () => {
    const { p, began } = widgetProvider();
    const opened: string[] = [];
    const asked: string[] = [];
    const { s, address } = services(opened, true, asked);
    const grant = obtainConsent(s, p, undefined, { yes: false, redirectPort: 0, timeoutMs: 60_000, browser: false });
    const url = await address;
    expect(url).toMatch(/\/connect$/);
    await send(url.replace('/connect', '/callback'), 'POST', new URLSearchParams({ state: began()!.state }).toString(), { 'content-type': 'application/x-www-form-urlencoded' });
    await grant;
    expect(opened).toEqual([]);
    expect(asked).toEqual([]);
  });
});
