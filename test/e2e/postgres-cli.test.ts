import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, type RunResult } from '../helpers/cli.js';
import { freshPgUrl } from '../helpers/stores.js';

const fixture = (p: string) => resolve(__dirname, '../../fixtures/import', p);
const DAY1 = { BANKSYNC_NOW: '2026-11-20T09:00:00Z' };
const PENDING_DAY = { BANKSYNC_NOW: '2026-11-23T09:00:00Z' };
const BOOKED_DAY = { BANKSYNC_NOW: '2026-11-25T09:00:00Z' };

/**
 * The same session of commands on an SQLite file and on PostgreSQL must print the same: what the
 * user sees does not depend on the store. Each step's exit code, stdout and stderr are compared,
 * the database's own name replaced by <db>.
 */
const SESSION: [string, string[], NodeJS.ProcessEnv][] = [
  ['connect the sandbox bank', ['connect', '--provider', 'sandbox', '--institution', 'sandbox-bank', '--accounts', 'all', '--yes'], DAY1],
  ['first sync', ['sync'], DAY1],
  ['status', ['--json', 'status'], DAY1],
  ['accounts', ['accounts'], DAY1],
  ['a CSV export of a1', ['export', '--format', 'csv', '--account', 'a1'], DAY1],
  ['an incremental target, first run', ['--json', 'export', '--target', 'sheet', '--format', 'csv', '--output', '-'], DAY1],
  ['the same target again: nothing new', ['--json', 'export', '--target', 'sheet', '--output', '-'], DAY1],
  ['the same day synced again: nothing new', ['--json', 'sync'], DAY1],
  ['a pending line appears', ['--json', 'sync'], PENDING_DAY],
  ['it is booked with a tip', ['--json', 'sync'], BOOKED_DAY],
  ['the target sends only what changed', ['--json', 'export', '--target', 'sheet', '--output', '-'], BOOKED_DAY],
  ['a QIF file into a new account', ['--json', 'import', fixture('qif/quicken-two-digit-years.qif'), '--new-account', 'Old savings', '--currency', 'EUR'], BOOKED_DAY],
  ['the same file again: all duplicates', ['--json', 'import', fixture('qif/quicken-two-digit-years.qif'), '--account', 'a4'], BOOKED_DAY],
  ['a ledger export of everything', ['export', '--format', 'ledger'], BOOKED_DAY],
  ['warnings', ['--json', 'warnings'], BOOKED_DAY],
  ['transfers', ['--json', 'transfers'], BOOKED_DAY],
  ['the last lines of a1', ['--json', 'transactions', '--account', 'a1', '--limit', '5'], BOOKED_DAY],
  ['pending lines', ['--json', 'transactions', '--pending'], BOOKED_DAY],
  ['report', ['--json', 'report', '--from', '2026-11-01', '--to', '2026-11-30'], BOOKED_DAY],
  ['disable an account', ['accounts', 'disable', 'a2'], BOOKED_DAY],
  ['status after', ['status'], BOOKED_DAY],
  ['delete an account', ['--json', 'accounts', 'delete', 'a4', '--yes'], BOOKED_DAY],
  ['status at the end', ['--json', 'status'], BOOKED_DAY],
];

describe('the CLI on PostgreSQL', () => {
  const sqlite = new CliSandbox({ inProcess: true });
  const postgres = new CliSandbox({ inProcess: true });
  let url = '';
  let drop: () => Promise<void> = async () => undefined;
  const onPg = (args: string[], env: NodeJS.ProcessEnv = DAY1) => postgres.runAsync(args, { ...env, BANKSYNC_DB: url });
  const normal = (r: RunResult, db: string) => {
    const clean = (t: string) => t.split(db).join('<db>').split(sqlite.dir).join('<dir>').split(postgres.dir).join('<dir>');
    // The one intended difference: a destructive command keeps a copy of an SQLite file only.
    const noCopy = (t: string) => t.replace(/"backup": "<db>\.backup-[^"]+"/g, '"backup": null');
    return { code: r.code, stdout: noCopy(clean(r.stdout)), stderr: clean(r.stderr) };
  };

  beforeAll(async () => {
    ({ url, drop } = await freshPgUrl());
  });
  afterAll(async () => {
    sqlite.cleanup();
    postgres.cleanup();
    await drop();
  });

  it('prints what the SQLite store prints, step by step, through a whole session', async () => {
    const printable = url; // no password in the test server's URL
    for (const [step, args, env] of SESSION) {
      const a = normal(await sqlite.runAsync(args, env), sqlite.db);
      const b = normal(await onPg(args, env), printable);
      expect({ step, ...b }, step).toEqual({ step, ...a });
    }
  });

  it('refuses the SQLite-only commands in one line, exit 2, and doctor asks the server', async () => {
    const backup = await onPg(['backup', resolve(postgres.dir, 'copy.db')]);
    expect(backup.code).toBe(2);
    expect(backup.stderr.trim().split('\n')[0]).toMatch(/^error: backup copies the SQLite file; this database is on PostgreSQL/);
    const restore = await onPg(['restore', resolve(postgres.dir, 'copy.db'), '--yes']);
    expect(restore.code).toBe(2);
    expect(restore.stderr).toMatch(/restore replaces an SQLite file; this database is on PostgreSQL/);
    const doctor = await onPg(['--json', 'doctor']);
    const checks = (JSON.parse(doctor.stdout) as { checks: { id: string; status: string; message: string }[] }).checks;
    expect(checks.find((c) => c.id === 'database')).toMatchObject({ status: 'ok', message: expect.stringMatching(/^PostgreSQL at postgres:\/\/.* answers/) });
  });

  it('says in one line that the server cannot be reached (exit 7), the password never shown', async () => {
    const r = await postgres.runAsync(['status'], { ...DAY1, BANKSYNC_DB: 'postgres://me:s3cretpass@localhost/x?host=/nonexistent-dir' });
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/^error: cannot reach the PostgreSQL server of postgres:\/\/me:\*\*\*@localhost/m);
    expect(r.stderr + r.stdout).not.toContain('s3cretpass');
  });
});
