import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli.js';
import { requireTools } from '../helpers/tools.js';
import { runLive } from '../mocks/consent-driver.js';
import { startYodleeMock, type YodleeMockHandle } from '../mocks/yodlee/server.js';

/** Yodlee connect in headless Chromium: the CLI's own /connect page runs FastLink (the mock's stand-in) and posts back. */
describe('Yodlee FastLink page through the CLI listener in headless Chromium', () => {
  let browser: Browser;
  let mock: YodleeMockHandle;
  const cli = new CliSandbox();
  const now = new Date('2026-11-20T10:00:00Z');

  beforeAll(async () => {
    requireTools('chromium');
    mock = await startYodleeMock({ now: () => now });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await mock?.close();
    cli.cleanup();
  });

  it('opening the printed address is all it takes', async () => {
    const env = {
      BANKSYNC_YODLEE_BASE_URL: mock.url,
      ...mock.fastLinkEnv,
      BANKSYNC_NOW: now.toISOString(),
      BANKSYNC_YODLEE_CLIENT_ID: mock.credentials.client_id,
      BANKSYNC_YODLEE_SECRET: mock.credentials.secret,
      BANKSYNC_YODLEE_ADMIN_LOGIN_NAME: mock.credentials.admin_login_name,
    };
    const run = runLive(cli, ['--json', 'connect', '--provider', 'yodlee', '--accounts', 'all', '--no-input', '--no-browser', '--redirect-port', '0'], env);
    const address = await run.line(/^http:\/\/127\.0\.0\.1:\d+\/connect$/);
    const page = await browser.newPage();
    await page.goto(address);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).accounts).toHaveLength(2);
    expect(mock.control.providerAccounts()).toHaveLength(1);
  });
});
