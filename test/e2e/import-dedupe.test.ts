import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli.js';

const NOW = { BANKSYNC_NOW: '2026-11-20T09:00:00Z' };

/**
 * The dedupe ladder answered without a query per line (an empty account in memory, an existing
 * one from the lines preloaded for the file's dates) gives the outcomes the per-line queries gave.
 */
describe('import dedupe against what the account already holds', () => {
  let cli: CliSandbox;
  beforeEach(() => (cli = new CliSandbox()));
  afterEach(() => cli.cleanup());
  const csv = (name: string, rows: string[]) => {
    const path = join(cli.dir, name);
    writeFileSync(path, ['date,amount,currency,payee,memo,id', ...rows, ''].join('\n'));
    return path;
  };
  const statement = (args: string[]) => cli.json(['import', ...args], NOW).files[0].statements[0];

  it("a line whose file id is stored on a date outside the new file's dates is that line, corrected", () => {
    expect(statement([csv('a.csv', ['2024-01-05,-10.00,EUR,Shop,,A1', '2024-01-06,-20.00,EUR,Bakery,,A2']), '--new-account', 'X'])).toMatchObject({ added: 2 });
    // A1 moved to March: the March file's dates do not reach January, its id still does.
    expect(statement([csv('b.csv', ['2024-03-01,-10.00,EUR,Shop,,A1', '2024-03-02,-30.00,EUR,Garage,,A3']), '--account', 'a1'])).toMatchObject({ added: 1, updated: 1, duplicates: 0 });
    const rows = cli
      .json<{ transactions: { date: string; amountMinor: number }[] }>(['transactions', '--account', 'a1'], NOW)
      .transactions.map((t) => `${t.date} ${t.amountMinor}`)
      .sort();
    expect(rows).toEqual(['2024-01-06 -2000', '2024-03-01 -1000', '2024-03-02 -3000']);
  });

  it('identical lines without ids: a new account keeps each; a longer file later adds only the extra ones', () => {
    const same = '2024-02-01,-2.50,EUR,Coffee,,';
    expect(statement([csv('a.csv', [same, same, '2024-02-02,-1.00,EUR,Tea,,']), '--new-account', 'X'])).toMatchObject({ added: 3, duplicates: 0 });
    expect(statement([csv('b.csv', [same, same, same, '2024-02-02,-1.00,EUR,Tea,,', '2024-02-02,-1.00,EUR,Tea,,']), '--account', 'a1'])).toMatchObject({ added: 2, duplicates: 3 });
    expect(statement([csv('c.csv', [same, same, same]), '--account', 'a1'])).toMatchObject({ added: 0, duplicates: 3 });
  });

  it("the same line from another source within the file's dates is matched by its text; one outside them is not a candidate", () => {
    expect(statement([csv('a.csv', ['2024-05-01,-42.00,EUR,Evil Corp,Invoice 7,', '2024-05-09,-42.00,EUR,Evil Corp,Invoice 8,']), '--new-account', 'X'])).toMatchObject({ added: 2 });
    const qifPath = join(cli.dir, 'b.qif');
    writeFileSync(qifPath, '!Type:Bank\nD05/01/2024\nT-42.00\nPEVIL CORP\nMcard payment\n^\nD05/02/2024\nT-42.00\nPEvil Corp invoice 8\n^\n');
    const r = statement([qifPath, '--account', 'a1', '--date-format', 'MM/DD/YYYY']);
    expect(r).toMatchObject({ added: 1, duplicates: 1, matchedByText: 1 });
  });
});
