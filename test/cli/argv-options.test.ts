import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import type { Runtime } from '../../src/cli/runtime.js';
import { routeUsageErrors } from '../../src/cli/usage.js';

/**
 * argv → what core receives, for every command that hands core an options object: each row runs
 * the real program (commander, the command's own flag mapping, config and database settings)
 * up to the core call, which records its arguments and stops the command there. Behaviour
 * behind the call is tested end to end; this pins the translation, which a renamed flag or a
 * dropped field breaks silently otherwise.
 */
const { Reached, calls, stop } = vi.hoisted(() => {
  class Reached extends Error {}
  const calls: { fn: string; args: unknown[] }[] = [];
  const stop =
    (fn: string) =>
    (...args: unknown[]) => {
      calls.push({ fn, args });
      throw new Reached(fn);
    };
  return { Reached, calls, stop };
});

vi.mock('../../src/core/sync/engine.js', async (orig) => ({ ...(await orig<object>()), sync: stop('sync') }));
vi.mock('../../src/core/export.js', async (orig) => ({ ...(await orig<object>()), exportTransactions: stop('exportTransactions') }));
vi.mock('../../src/core/import.js', async (orig) => ({ ...(await orig<object>()), importFiles: stop('importFiles') }));
vi.mock('../../src/core/transactions.js', async (orig) => ({ ...(await orig<object>()), listTransactions: stop('listTransactions') }));
vi.mock('../../src/core/statements.js', async (orig) => ({ ...(await orig<object>()), listStatements: stop('listStatements') }));
vi.mock('../../src/core/report/index.js', async (orig) => ({ ...(await orig<object>()), buildReport: stop('buildReport') }));
vi.mock('../../src/core/replay.js', async (orig) => ({ ...(await orig<object>()), replay: stop('replay') }));
vi.mock('../../src/core/accounts.js', async (orig) => ({ ...(await orig<object>()), updateAccount: stop('updateAccount') }));
vi.mock('../../src/core/rules/manage.js', async (orig) => ({ ...(await orig<object>()), addRule: stop('addRule') }));
vi.mock('../../src/core/rules/try-rules.js', async (orig) => ({ ...(await orig<object>()), testRules: stop('testRules'), suggestRules: stop('suggestRules') }));
vi.mock('../../src/core/transfers/manage.js', async (orig) => ({
  ...(await orig<object>()),
  listTransfers: stop('listTransfers'),
  linkTransfer: stop('linkTransfer'),
  unlinkTransfer: stop('unlinkTransfer'),
  detectNow: stop('detectNow'),
}));
vi.mock('../../src/core/explain-ignore.js', async (orig) => ({ ...(await orig<object>()), setIgnored: stop('setIgnored') }));
vi.mock('../../src/core/explain-unmerge.js', async (orig) => ({ ...(await orig<object>()), unmergeLine: stop('unmergeLine') }));
vi.mock('../../src/core/institutions.js', async (orig) => ({ ...(await orig<object>()), searchInstitutions: stop('searchInstitutions') }));
vi.mock('../../src/core/warnings.js', async (orig) => ({ ...(await orig<object>()), listWarnings: stop('listWarnings') }));
vi.mock('../../src/core/backup.js', async (orig) => ({ ...(await orig<object>()), backupDatabase: stop('backupDatabase') }));
vi.mock('../../src/core/worker.js', async (orig) => ({ ...(await orig<object>()), runWorker: stop('runWorker') }));
vi.mock('../../src/core/account-merge.js', async (orig) => ({ ...(await orig<object>()), mergeAccounts: stop('mergeAccounts') }));

const dir = mkdtempSync(join(tmpdir(), 'banksync-argv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs argv through the real program; returns the core call it reached (services left out). */
async function reach(argv: string[]): Promise<{ fn: string; args: unknown[] }> {
  calls.length = 0;
  const env = { BANKSYNC_DB: join(dir, 'banksync.db'), BANKSYNC_CONFIG_DIR: dir, BANKSYNC_SECRET_KEY: 'k'.repeat(64), BANKSYNC_NOW: '2026-11-20T09:00:00Z', NO_COLOR: '1' };
  const holder: { runtime?: Runtime } = {};
  const program = buildProgram(env, holder);
  routeUsageErrors(program);
  try {
    await program.parseAsync(['node', 'banksync', '--no-input', ...argv]);
  } catch (e) {
    if (!(e instanceof Reached)) throw e;
  } finally {
    await holder.runtime?.close();
  }
  expect(calls, `${argv.join(' ')} reached no core call`).toHaveLength(1);
  const { fn, args } = calls[0]!;
  return { fn, args: args.slice(1).filter((a) => a !== process.stdout) };
}

beforeEach(() => {
  calls.length = 0;
});

describe('argv → core options', () => {
  const rows: [string[], string, unknown[]][] = [
    [['sync'], 'sync', [{ target: { kind: 'all', due: false }, unattended: true }]],
    [['sync', 'c2'], 'sync', [{ target: { kind: 'connection', connectionId: 2 }, unattended: true }]],
    [['sync', '--account', 'a3', '--sca-code', '123456'], 'sync', [{ target: { kind: 'account', accountId: 3 }, unattended: true, scaCode: '123456' }]],
    [['sync', '--all', '--due', '--overlap-days', '3', '--concurrency', '8'], 'sync', [{ target: { kind: 'all', due: true }, unattended: true, overlapDays: 3, concurrency: 8 }]],
    [
      [
        'export',
        '--format',
        'csv',
        '--account',
        'a1,a2',
        '--from',
        '2026-01-01',
        '--to',
        '2026-01-31',
        '--columns',
        'date, amount',
        '--delimiter',
        '\\t',
        '--decimal-comma',
        '--changes',
        '--no-spreadsheet-safe',
      ],
      'exportTransactions',
      [
        {
          format: 'csv',
          accountIds: [1, 2],
          from: '2026-01-01',
          to: '2026-01-31',
          columns: ['date', 'amount'],
          delimiter: '\t',
          decimalComma: true,
          changes: true,
          spreadsheetSafe: false,
          ofxVersion: 1,
        },
      ],
    ],
    [
      ['export', '--format', 'ofx', '--connection', 'c1', '--output', 'x.ofx', '--target', 'gnucash', '--full', '--by-statement', '--ofx-version', '2'],
      'exportTransactions',
      [{ format: 'ofx', connectionId: 1, output: 'x.ofx', target: 'gnucash', full: true, byStatement: true, spreadsheetSafe: true, ofxVersion: 2 }],
    ],
    [
      ['export', '--format', 'qif', '--qif-dates', 'uk', '--expense-account', 'Expenses:Misc', '--income-account', 'Income:Misc'],
      'exportTransactions',
      [{ format: 'qif', spreadsheetSafe: true, ofxVersion: 1, qifDates: 'uk', expenseAccount: 'Expenses:Misc', incomeAccount: 'Income:Misc' }],
    ],
    [['transactions', '--account', 'a2', '--from', '2026-02-01', '--limit', '5'], 'listTransactions', [{ accountIds: [2], from: '2026-02-01', pending: false, ignored: false, limit: 5 }]],
    [['transactions', '--pending', '--to', '2026-03-31'], 'listTransactions', [{ to: '2026-03-31', pending: true, ignored: false }]],
    [['statements', '--account', 'a1'], 'listStatements', [[1]]],
    [['report', '--from', '2026-01-01', '--to', '2026-06-30', '--account', 'a1', '--top', '3'], 'buildReport', [{ accountIds: [1], from: '2026-01-01', to: '2026-06-30', topPayees: 3 }]],
    [['replay', '--account', 'a2', '--from', '2026-03-01'], 'replay', [{ accountIds: [2], from: '2026-03-01' }]],
    [['accounts', 'set', 'a1', '--period', 'week', '--lock-date', '2025-01-01'], 'updateAccount', [1, { statementPeriod: 'week', lockDate: '2025-01-01' }]],
    [['rules', 'add', '--match', 'REWE', '--category', 'Expenses:Groceries'], 'addRule', [{ match: 'REWE', category: 'Expenses:Groceries' }]],
    [['rules', 'test', '--unmatched'], 'testRules', [{ unmatchedOnly: true }]],
    [['transfers', 'link', 'tA', 'tB'], 'linkTransfer', ['tA', 'tB']],
    [['transfers', 'unlink', 'tA', 'tB'], 'unlinkTransfer', ['tA', 'tB']],
    [['transfers', 'detect', '--full'], 'detectNow', [true]],
    [['transfers', 'detect'], 'detectNow', [false]],
    [['transactions', 'ignore', 'tA', '--reason', 'test line'], 'setIgnored', ['tA', true, 'test line']],
    [['transactions', 'unignore', 'tA'], 'setIgnored', ['tA', false]],
    [['unmerge', 'tA', '--source', 'o2'], 'unmergeLine', ['tA', { source: 'o2' }]],
    [['institutions', 'ING', '--country', 'NL'], 'searchInstitutions', [{ query: 'ING', country: 'NL' }]],
    [['warnings', '--account', 'a1'], 'listWarnings', [{ accountId: 1 }]],
    [
      ['import', 'x.csv', '--account', 'a1', '--map', 'date=0,amount=1', '--no-header', '--date-format', 'DD.MM.YYYY', '--currency', 'EUR', '--dry-run'],
      'importFiles',
      [{ files: ['x.csv'], format: 'auto', accountId: 1, map: 'date=0,amount=1', dateFormat: 'DD.MM.YYYY', currency: 'EUR', dryRun: true, header: false }],
    ],
    [['import', 'a.ofx', 'b.ofx', '--new-account', 'Cash', '--force-account'], 'importFiles', [{ files: ['a.ofx', 'b.ofx'], format: 'auto', newAccount: 'Cash', forceAccount: true }]],
    [['backup', 'copy.db', '--force'], 'backupDatabase', ['copy.db', { overwrite: true }]],
    [['accounts', 'merge', 'a4', 'a1', '--yes'], 'mergeAccounts', [4, 1, { yes: true }]],
    [['worker'], 'runWorker', [{ connectionsAtOnce: 4, retryAfterMs: 1_800_000, maxIdleMs: 60_000, once: false }, expect.anything()]],
    [
      ['worker', '--concurrency', '8', '--retry-minutes', '5', '--idle-seconds', '10', '--once'],
      'runWorker',
      [{ connectionsAtOnce: 8, retryAfterMs: 300_000, maxIdleMs: 10_000, once: true }, expect.anything()],
    ],
  ];

  it.each(rows)('%j → %s', async (argv, fn, args) => {
    const got = await reach(argv);
    expect(got.fn).toBe(fn);
    expect(got.args).toEqual(args);
  });
});

describe('argv refused before core is reached', () => {
  it.each([
    [['transactions', '--pending', '--ignored'], /give --pending or --ignored, not both/],
    [['sync', 'c1', '--account', 'a1'], /give one of <connection>, --account or --all/],
    [['sync', 'c1', '--due'], /--due goes with --all/],
    [['export', '--format', 'csv', '--from', '2026-02-30'], /2026-02-30/],
    [['export', '--format', 'csv', '--account', 'x7'], /x7/],
    [['report', '--top', '0'], /top/],
  ])('%j', async (argv, message) => {
    await expect(reach(argv)).rejects.toThrow(message);
    expect(calls).toEqual([]);
  });
});
