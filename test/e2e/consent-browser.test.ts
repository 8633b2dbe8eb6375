import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli.js';
import { requireTools } from '../helpers/tools.js';
import { runLive } from '../mocks/consent-driver.js';
import { startGoCardlessMock } from '../mocks/gocardless/server.js';

/** The consent round trip in a real browser: Debian's chromium clicks the mock's page, the redirect reaches banksync. */
describe('consent in headless Chromium', () => {
  let browser: Browser;
  let mock: Awaited<ReturnType<typeof startGoCardlessMock>>;
  const cli = new CliSandbox();
  const now = new Date('2026-11-20T10:00:00Z');

  beforeAll(async () => {
    requireTools('chromium');
    mock = await startGoCardlessMock({ now: () => now });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await mock?.close();
    cli.cleanup();
  });

  it('clicks through the provider page to the loopback listener and connects', async () => {
    const env = { BANKSYNC_GOCARDLESS_BASE_URL: mock.url, BANKSYNC_NOW: now.toISOString(), BANKSYNC_GOCARDLESS_SECRET_ID: 'sandbox-secret-id', BANKSYNC_GOCARDLESS_SECRET_KEY: 'sandbox-secret-key' };
    const run = runLive(cli, ['--json', 'connect', '--provider', 'gocardless', '--institution', 'SANDBOXFINANCE_SFIN0000', '--accounts', 'all', '--redirect-port', '0'], env);
    const url = await run.line(/^https?:\/\/\S+$/);
    const page = await browser.newPage();
    await page.goto(url);
    await page.click('#approve');
    await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
    expect(await page.textContent('h1')).toBe('Consent received');
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).accounts).toHaveLength(2);
  });
});
