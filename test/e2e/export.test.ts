import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, lstatSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli.js';
import { check, requireTools, tool } from '../helpers/tools.js';

const DAY1 = { BANKSYNC_NOW: '2026-11-20T09:00:00Z' };
// The sandbox shows a pending restaurant line on the 23rd and books it (with a tip) on the 25th.
const PENDING_DAY = { BANKSYNC_NOW: '2026-11-23T09:00:00Z' };
const BOOKED_DAY = { BANKSYNC_NOW: '2026-11-25T09:00:00Z' };

/** Exports of the sandbox bank through the built CLI, read by the tools users feed them to. */
describe('banksync export on a synced sandbox bank', () => {
  const cli = new CliSandbox({ inProcess: true });
  const out = (name: string) => join(cli.dir, name);
  const exportTo = async (name: string, args: string[], env = DAY1) => {
    const r = await cli.runAsync(['--json', 'export', ...args, '--output', out(name)], env);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { count: number; new: number; changed: number; removed: number };
  };
  beforeAll(async () => {
    requireTools('ofxdump', 'hledger', 'ledger', 'ledger-autosync', 'bean-check');
    expect((await cli.runAsync(['connect', '--provider', 'sandbox', '--institution', 'sandbox-bank', '--accounts', 'all', '--yes'], DAY1)).code).toBe(0);
    expect((await cli.runAsync(['sync', 'c1'], DAY1)).code).toBe(0);
  });
  afterAll(() => cli.cleanup());

  it.each([
    ['a1.ofx', ['--format', 'ofx', '--account', 'a1']],
    ['a1-v2.ofx', ['--format', 'ofx', '--ofx-version', '2', '--account', 'a1']],
    ['a3-card.ofx', ['--format', 'ofx', '--account', 'a3']],
  ])('check-ofx.sh accepts %s with the exported count', async (name, args) => {
    const { count } = await exportTo(name, args);
    expect(count).toBeGreaterThan(30);
    const r = check('ofx', out(name), count);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/PASS ledger-autosync/);
  });

  it('check-csv.sh and check-qif.sh accept the CSV and QIF exports', async () => {
    const csv = await exportTo('a1.csv', ['--format', 'csv', '--account', 'a1']);
    const c = check('csv', out('a1.csv'), csv.count);
    expect(c.code, c.out).toBe(0);
    const qif = await exportTo('a3.qif', ['--format', 'qif', '--account', 'a3']);
    const q = check('qif', out('a3.qif'), qif.count);
    expect(q.code, q.out).toBe(0);
    expect(readFileSync(out('a3.qif'), 'utf8')).toMatch(/^!Type:CCard\n/);
  });

  it('QIF of several accounts: one file of !Account blocks under !Option:AutoSwitch, read by check-qif.sh', async () => {
    const several = await exportTo('a1-a3.qif', ['--format', 'qif', '--account', 'a1,a3']);
    const text = readFileSync(out('a1-a3.qif'), 'utf8');
    expect(text.startsWith('!Option:AutoSwitch\n!Account\nNChecking\nTBank\n')).toBe(true);
    expect(text).toContain('!Clear:AutoSwitch\n!Account\nNChecking\nTBank\n^\n!Type:Bank\n');
    expect(text).toContain('!Account\nNCredit Card\nTCCard\n^\n!Type:CCard\n');
    expect(check('qif', out('a1-a3.qif'), several.count, ['--no-optional']).code).toBe(0);
    const all = await exportTo('all.qif', ['--format', 'qif']);
    expect(readFileSync(out('all.qif'), 'utf8').match(/^!Type:/gm)).toHaveLength(3);
    const r = check('qif', out('all.qif'), all.count, ['--no-optional']);
    expect(r.code, r.out).toBe(0);
  });

  it('hledger check, ledger and bean-check accept the journals of every account', async () => {
    await exportTo('all.hledger', ['--format', 'hledger']);
    await exportTo('all.ledger', ['--format', 'ledger']);
    await exportTo('all.beancount', ['--format', 'beancount']);
    expect(tool('hledger', ['-f', out('all.hledger'), 'check']).code).toBe(0);
    const l = tool('ledger', ['-f', out('all.ledger'), 'bal']);
    expect(l.code, l.out).toBe(0);
    const b = tool('bean-check', [out('all.beancount')]);
    expect(b.code, b.out).toBe(0);
  });

  it('accounts map renames the ledger account in journal exports, and refuses a bad name', async () => {
    expect((await cli.runAsync(['accounts', 'map', 'a1', 'Assets:Bank:Checking'], DAY1)).code).toBe(0);
    await exportTo('mapped.beancount', ['--format', 'beancount', '--account', 'a1']);
    expect(readFileSync(out('mapped.beancount'), 'utf8')).toMatch(/open Assets:Bank:Checking EUR/);
    const neither = await cli.runAsync(['accounts', 'map', 'a2'], DAY1);
    expect([neither.code, neither.stderr.trim()]).toEqual([2, 'error: give either a ledger account name or --reset']);
    const bad = await cli.runAsync(['accounts', 'map', 'a2', 'Checking'], DAY1);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/two components/);
    expect((await cli.runAsync(['accounts', 'map', 'a1', '--reset'], DAY1)).code).toBe(0);
    expect((await cli.jsonAsync(['accounts'], DAY1)).accounts[0].ledgerAccount).toBe('Assets:SandboxBank:Checking');
  });

  it('incremental target across a pending→booked transition: each line once, FITIDs stable, ledger-autosync dedupes', async () => {
    expect((await cli.runAsync(['sync', 'c1'], PENDING_DAY)).code).toBe(0);
    const pendingNow = await cli.jsonAsync<{ transactions: { payee: string; status: string }[] }>(['transactions', '--pending', '--account', 'a1'], PENDING_DAY);
    const pending = pendingNow.transactions.filter((p) => p.status === 'pending');
    expect(pending.length).toBeGreaterThan(0);
    await exportTo('t1.csv', ['--format', 'csv', '--account', 'a1', '--target', 'sheet', '--changes'], PENDING_DAY);
    const nothing = await cli.runAsync(['export', '--target', 'sheet'], PENDING_DAY);
    expect(nothing.code).toBe(0);
    expect(nothing.stderr).toMatch(/nothing new for target "sheet"/);
    // A recent range keeps ledger-autosync quick: it runs ledger once per line it looks up.
    const fullDay1 = await exportTo('full1.ofx', ['--format', 'ofx', '--account', 'a1', '--from', '2026-10-01'], PENDING_DAY);

    expect((await cli.runAsync(['sync', 'c1'], BOOKED_DAY)).code).toBe(0);
    const second = await exportTo('t2.csv', ['--target', 'sheet'], BOOKED_DAY);
    expect(second.new).toBeGreaterThan(0);
    const ids = (name: string) =>
      readFileSync(out(name), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[5]!);
    const sent = [...ids('t1.csv'), ...ids('t2.csv')];
    expect(new Set(sent).size).toBe(sent.length);
    // The pending line, now booked (with its tip), arrives in the second file and only there.
    const booked = await cli.jsonAsync<{ transactions: { bookedAs: string | null; status: string }[] }>(['transactions', '--pending', '--account', 'a1'], BOOKED_DAY);
    const bookedIds = booked.transactions.filter((p) => p.status === 'booked').map((p) => p.bookedAs!);
    const newlyBooked = bookedIds.filter((id) => ids('t2.csv').includes(id));
    expect(newlyBooked.length).toBeGreaterThan(0);
    for (const id of newlyBooked) expect(ids('t1.csv')).not.toContain(id);
    const fullDay3 = await exportTo('full3.ofx', ['--format', 'ofx', '--account', 'a1', '--from', '2026-10-01'], BOOKED_DAY);
    expect(fullDay3.count - fullDay1.count).toBe(second.count);
    // The same lines keep their FITIDs; ledger-autosync imports only the new ones the second time.
    const fitids = (name: string) => new Set(readFileSync(out(name), 'utf8').match(/<FITID>\S+/g));
    for (const id of fitids('full1.ofx')) expect(fitids('full3.ofx').has(id)).toBe(true);
    const la1 = tool('ledger-autosync', ['-L', '-a', 'Assets:Bank', out('full1.ofx')]);
    expect(la1.out.match(/; ofxid: /g)).toHaveLength(fullDay1.count);
    const journal = out('autosync.ledger');
    writeFileSync(journal, la1.out);
    const la2 = tool('ledger-autosync', ['-l', journal, '-a', 'Assets:Bank', out('full3.ofx')]);
    expect(la2.code, la2.out).toBe(0);
    expect(la2.out.match(/; ofxid: /g) ?? []).toHaveLength(fullDay3.count - fullDay1.count);

    const targets = (await cli.jsonAsync(['export', '--list-targets'], BOOKED_DAY)).targets;
    expect(targets).toEqual([expect.objectContaining({ name: 'sheet', format: 'csv', scope: '--account a1', lastCount: second.count })]);
  });

  it('stdout carries only the export; an empty range is a valid empty file with a note', async () => {
    const r = await cli.runAsync(['export', '--format', 'csv', '--account', 'a2'], DAY1);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('date,amount,currency,payee,memo,id,type,balance,category,clean_payee');
    expect(r.stderr).not.toContain('date,amount');
    const empty = await cli.runAsync(['export', '--format', 'ofx', '--account', 'a1', '--from', '2030-01-01', '--output', out('empty.ofx')], DAY1);
    expect(empty.code).toBe(0);
    expect(empty.stderr).toMatch(/empty/);
    const v = check('ofx', out('empty.ofx'), 0, ['--no-optional']);
    expect(v.code, v.out).toBe(0);
  });

  it('writes through a FIFO or a symlink without replacing them (never renames over /dev/null)', async () => {
    const fifo = out('pipe.csv');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const chunks: Buffer[] = [];
    const reader = createReadStream(fifo).on('data', (c) => chunks.push(Buffer.from(c)));
    const closed = new Promise<void>((done) => reader.on('close', () => done()));
    const r = await cli.runAsync(['export', '--format', 'csv', '--account', 'a2', '--output', fifo], DAY1);
    await closed;
    expect(r.code, r.stderr).toBe(0);
    expect(Buffer.concat(chunks).toString('utf8')).toMatch(/^date,amount,currency/);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    const real = out('real.csv');
    writeFileSync(real, 'old');
    symlinkSync(real, out('link.csv'));
    expect((await cli.runAsync(['export', '--format', 'csv', '--account', 'a2', '--output', out('link.csv')], DAY1)).code).toBe(0);
    expect(lstatSync(out('link.csv')).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toMatch(/^date,amount/);
  });

  it.each([
    [['export', '--format', 'xml']],
    [['export', '--format', 'csv', '--from', '2026-02-30']],
    [['export', '--format', 'csv', '--account', 'a99']],
    [['export', '--format', 'csv', '--connection', 'c99']],
    [['export', '--format', 'csv', '--by-statement']],
    [['export', '--format', 'csv', '--columns', 'date,bogus']],
    [['export', '--format', 'ofx', '--ofx-version', '3']],
    [['export', '--format', 'csv', '--output', '/nonexistent/dir/x.csv']],
    [['export', '--format', 'ledger', '--expense-account', 'Unknown']],
    [['export', '--target', 'new-target']],
  ])('bad input %j: one line, exit 2, no file left behind', async (args) => {
    const before = readdirSync(cli.dir).length;
    const r = await cli.runAsync(args, DAY1);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
    expect(readdirSync(cli.dir).length).toBe(before);
    expect(existsSync('/nonexistent/dir/x.csv')).toBe(false);
  });
});
