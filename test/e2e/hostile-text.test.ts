import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CliSandbox, type RunResult } from '../helpers/cli.js';
import { onTerminal } from '../helpers/terminal.js';
import { requireTools } from '../helpers/tools.js';
import { answerConsentPage, runLive } from '../mocks/consent-driver.js';
import { startGoCardlessMock } from '../mocks/gocardless/server.js';

/**
 * Text from banks and files (payees, memos, account, institution and file names, error details)
 * may hold terminal control sequences. Human output shows them as visible escapes; stored data
 * and --json keep the original.
 */

// Clears the screen, retitles the window, rings the bell, the 8-bit CSI, a right-to-left override.
const EVIL = '\u001b[2J\u001b]0;pwned\u0007\u009b31m\u202e';
const EVIL_SHOWN = '\\x1b[2J\\x1b]0;pwned\\x07\\x9b31m\\u202e';
// Anything a terminal may obey; \n (our own line breaks) aside.
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

function expectNeutral(r: RunResult, what: string): void {
  expect(r.stdout, `${what}: stdout`).not.toMatch(RAW);
  expect(r.stderr, `${what}: stderr`).not.toMatch(RAW);
}

describe('hostile text from statement files', () => {
  const cli = new CliSandbox({ inProcess: true });
  const csv = join(cli.dir, `bank\u001b[2J.csv`);
  const qif = join(cli.dir, 'old.qif');
  afterAll(() => cli.cleanup());

  beforeAll(() => {
    writeFileSync(csv, `Date,Amount,Payee,Memo\n2026-11-01,-12.50,"Shop${EVIL}",memo${EVIL}\n2026-11-02,20.00,Normal,ok\n`);
    writeFileSync(qif, `!Type:Bank\nD11/03/2026\nT-5.00\nPQif${EVIL}\nMback\b\b\bspace\n^\n`);
  });

  it('import shows the file and account names neutralised, and stores the original', async () => {
    const r = await cli.runAsync(['import', csv, '--new-account', `\u001b[31mRed${EVIL}`, '--currency', 'EUR', '--date-format', 'iso']);
    expect(r.code, r.stderr).toBe(0);
    expectNeutral(r, 'import');
    expect(r.stdout).toContain(`bank\\x1b[2J.csv (csv) → a1 \\x1b[31mRed${EVIL_SHOWN} (created)`);
    const q = await cli.runAsync(['import', qif, '--account', 'a1', '--currency', 'EUR', '--date-format', 'us']);
    expect(q.code, q.stderr).toBe(0);
    expectNeutral(q, 'import qif');

    const { transactions } = await cli.jsonAsync(['transactions']);
    expect(transactions.map((t: { payee: string }) => t.payee)).toEqual(expect.arrayContaining([`Shop${EVIL}`, `Qif${EVIL}`]));
    expect(transactions.find((t: { payee: string }) => t.payee === `Qif${EVIL}`).memo).toBe('back\b\b\bspace');
    expect((await cli.jsonAsync(['accounts'])).accounts[0].name).toBe(`\u001b[31mRed${EVIL}`);
  });

  it('transactions, accounts and statements show visible escapes; --json keeps the original, escaped', async () => {
    const tx = await cli.runAsync(['transactions']);
    expect(tx.code).toBe(0);
    expectNeutral(tx, 'transactions');
    expect(tx.stdout).toContain(`Shop${EVIL_SHOWN}`);
    expect(tx.stdout).toContain(`Qif${EVIL_SHOWN}`);
    expect(tx.stdout).toContain('back\\x08\\x08\\x08space');
    // Each row stays one line of the table.
    expect(tx.stdout.trim().split('\n')).toHaveLength(4);

    const accounts = await cli.runAsync(['accounts']);
    expectNeutral(accounts, 'accounts');
    expect(accounts.stdout).toContain(`\\x1b[31mRed${EVIL_SHOWN}`);
    expectNeutral(await cli.runAsync(['statements']), 'statements');

    const json = await cli.runAsync(['--json', 'transactions']);
    expectNeutral(json, 'transactions --json');
    expect(json.stdout).toContain('\\u001b[2J\\u001b]0;pwned\\u0007\\u009b31m\\u202e');
    expect(JSON.parse(json.stdout).transactions.some((t: { payee: string }) => t.payee === `Shop${EVIL}`)).toBe(true);
  });

  it("an error quoting a file's cell shows it neutralised, on one line", async () => {
    const bad = join(cli.dir, 'bad.csv');
    writeFileSync(bad, `Date,Amount,Payee\n2026-11-0${EVIL}1,-1.00,x\n`);
    const r = await cli.runAsync(['import', bad, '--account', 'a1', '--date-format', 'iso']);
    expect(r.code).toBe(2);
    expectNeutral(r, 'import error');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: bad\.csv: line 2: .*\\x9b31m\\u202e/);
  });

  it('commander’s own errors quote argv neutralised', async () => {
    const r = await cli.runAsync(['transactions', `--bogus${EVIL}`]);
    expect(r.code).toBe(2);
    expectNeutral(r, 'usage error');
    expect(r.stderr).toContain(`--bogus${EVIL_SHOWN}`);
  });
});

/** The same through a provider: GoCardless's mock answers with hostile names, payees and error text. */
describe('hostile text from a provider', () => {
  const now = new Date('2026-11-20T10:00:00Z');
  let mock: Awaited<ReturnType<typeof startGoCardlessMock>>;
  const cli = new CliSandbox({ inProcess: true });
  const env = () => ({ BANKSYNC_GOCARDLESS_BASE_URL: mock.url, BANKSYNC_NOW: now.toISOString(), BANKSYNC_GOCARDLESS_SECRET_KEY: 'sandbox-secret-key' });
  const run = (args: string[]) => cli.runAsync(args, env());

  beforeAll(async () => {
    mock = await startGoCardlessMock({ now: () => now });
    const setup = await run(['providers', 'setup', 'gocardless', '--secret-id', 'sandbox-secret-id']);
    expect(setup.code, setup.stderr).toBe(0);
  });
  afterAll(async () => {
    await mock.close();
    cli.cleanup();
  });

  it('institutions: a hostile institution name', async () => {
    mock.control.failNext(/\/institutions\/$/, 200, [
      {
        id: 'SANDBOXFINANCE_SFIN0000',
        name: `Sandbox${EVIL}Finance`,
        bic: 'SFIN0000',
        transaction_total_days: '90',
        max_access_valid_for_days: '90',
        countries: ['XX'],
        logo: 'https://example.test/logo.png',
      },
    ]);
    const r = await run(['institutions', '--provider', 'gocardless', '--country', 'BE', '--refresh']);
    expect(r.code, r.stderr).toBe(0);
    expectNeutral(r, 'institutions');
    expect(r.stdout).toContain(`Sandbox${EVIL_SHOWN}Finance`);
  });

  it('connect: the consent line and the connected accounts', async () => {
    mock.control.failNext(/\/details\/$/, 200, { account: { iban: 'GL3343697694912188', currency: 'EUR', name: `Main${EVIL}`, cashAccountType: 'CACC' } });
    const live = runLive(cli, ['connect', '--provider', 'gocardless', '--institution', 'SANDBOXFINANCE_SFIN0000', '--accounts', 'all', '--redirect-port', '0'], env());
    await answerConsentPage(await live.line(/^https?:\/\/\S+$/));
    const r = await live.done;
    expect(r.code, r.stderr).toBe(0);
    expectNeutral(r, 'connect');
    expect(r.stderr).toContain(`Give consent at Sandbox${EVIL_SHOWN}Finance`);
    expect(r.stdout).toContain(`Main${EVIL_SHOWN} (EUR`);
  });

  it('sync, status, accounts and transactions: payees, names and error details', async () => {
    const yesterday = '2026-11-19';
    mock.control.failNext(/\/transactions\/$/, 200, {
      transactions: {
        booked: [
          {
            transactionId: 'evil-1',
            bookingDate: yesterday,
            valueDate: yesterday,
            transactionAmount: { amount: '-9.99', currency: 'EUR' },
            creditorName: `Payee${EVIL}`,
            remittanceInformationUnstructured: `Memo${EVIL}`,
          },
        ],
        pending: [{ valueDate: '2026-11-20', transactionAmount: { amount: '-1.00', currency: 'EUR' }, creditorName: `Pending${EVIL}` }],
      },
      last_updated: now.toISOString(),
    });
    const sync = await run(['sync', 'c1']);
    expectNeutral(sync, 'sync');
    expect(sync.stdout).toContain(`Sandbox${EVIL_SHOWN}Finance · Main${EVIL_SHOWN}`);

    const tx = await run(['transactions']);
    expectNeutral(tx, 'transactions');
    expect(tx.stdout).toContain(`Payee${EVIL_SHOWN}`);
    const pending = await run(['transactions', '--pending']);
    expectNeutral(pending, 'transactions --pending');
    expect(pending.stdout).toContain(`Pending${EVIL_SHOWN}`);

    // A refusal whose text quotes the provider's body: stored as it came, shown neutralised.
    now.setUTCDate(now.getUTCDate() + 1);
    mock.control.failNext(/\/transactions\/$/, 400, { summary: `Bad request${EVIL}`, detail: `detail${EVIL}`, status_code: 400 });
    const failed = await run(['sync', 'c1']);
    expect(failed.code).toBe(5);
    expectNeutral(failed, 'failed sync');
    expect(failed.stdout).toContain(`GoCardless: Bad request${EVIL_SHOWN} — detail${EVIL_SHOWN}`);
    const status = await run(['status']);
    expectNeutral(status, 'status');
    expect(status.stdout).toContain(`Sandbox${EVIL_SHOWN}Finance via gocardless`);
    expect(status.stdout).toContain(`detail${EVIL_SHOWN}`);
    // Under --quiet the failure is a warning on stderr: one line, neutralised.
    now.setUTCDate(now.getUTCDate() + 1);
    mock.control.failNext(/\/transactions\/$/, 400, { summary: `Bad request${EVIL}\nwarning: forged line`, status_code: 400 });
    const quiet = await run(['--quiet', 'sync', 'c1']);
    expect(quiet.code).toBe(5);
    expectNeutral(quiet, 'sync --quiet');
    expect(quiet.stderr).toMatch(/^warning: a1 Sandbox.*Main.*: failed: GoCardless: Bad request.*forged line/);
    expect(quiet.stderr.trim().split('\n')).toHaveLength(1);
    expectNeutral(await run(['accounts']), 'accounts');

    const json = JSON.parse((await run(['--json', 'status'])).stdout);
    expect(json.connections[0].institution).toBe(`Sandbox${EVIL}Finance`);
  });

  it('at a colour terminal: our colours stay, nothing from the bank is obeyed', async () => {
    requireTools('script');
    const banksync = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}`;
    const r = await onTerminal(cli, `stty cols 200 rows 50; ${banksync} status; ${banksync} transactions`, { ...env(), NO_COLOR: undefined });
    expect(r.code, r.output.slice(-500)).toBe(0);
    const output = r.output.replace(/\r\n/g, '\n');
    expect(output).toMatch(/\u001b\[1mc1\u001b\[22m/); // our bold connection id: colour is on
    expect(output).toContain(`Payee${EVIL_SHOWN}`);
    expect(output).not.toMatch(/\u001b(?!\[[0-9;]*m)/); // every ESC starts one of our SGR colours
    expect(output).not.toMatch(/[\u0000-\u0009\u000b-\u001a\u001c-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  it("connect's account-picking prompt at a terminal shows the bank's account name neutralised", async () => {
    requireTools('script');
    mock.control.failNext(/\/details\/$/, 200, { account: { iban: 'BE68539007547034', currency: 'EUR', name: `Zicht${EVIL}`, cashAccountType: 'CACC' } });
    const banksync = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}`;
    const r = await onTerminal(cli, `stty cols 300 rows 50; ${banksync} connect --provider gocardless --institution KBC_KREDBEBB --redirect-port 0 --no-browser`, env(), [
      { waitFor: /https?:\/\/127\.0\.0\.1:\d+\/psd2\/start\/[^\s\u001b]+/, answer: async (m) => (await answerConsentPage(m[0]), '') },
      { waitFor: /Which accounts should banksync sync\?/, answer: '\r' },
    ]);
    expect(r.code, r.output.slice(-800)).toBe(0);
    // The prompt library draws with its own cursor sequences; none of the bank's reaches the terminal.
    expect(r.output).toMatch(/Zicht\\x1b\[2J\\x1b\]0;pwned\\x07\\x9b31m\\u202e \(EUR, BE68…7034\)/); // the choice
    for (const raw of ['\u001b[2J', '\u001b]0;pwned', '\u0007', '\u009b', '\u202e']) expect(r.output).not.toContain(raw);
  });
});
