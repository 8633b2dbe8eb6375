import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliSandbox, CONNECT_SANDBOX } from '../helpers/cli.js';

const NOW = { BANKSYNC_NOW: '2026-11-20T09:00:00Z' };

interface Shown {
  db: string;
  path: string;
  settings: { key: string; value: string | number | null; scope: 'database' | 'preferences'; source: string }[];
}

describe('settings: per database in the database, preferences in config.json', () => {
  const sandboxes: CliSandbox[] = [];
  const sandbox = () => {
    const cli = new CliSandbox({ inProcess: true });
    sandboxes.push(cli);
    return cli;
  };
  afterEach(() => sandboxes.splice(0).forEach((c) => c.cleanup()));

  const configJson = (cli: CliSandbox) => join(cli.dir, 'config', 'config.json');
  const writeConfigJson = (cli: CliSandbox, value: object) => {
    mkdirSync(join(cli.dir, 'config'), { recursive: true });
    writeFileSync(configJson(cli), JSON.stringify(value));
  };
  /** The first day each account's sync asked the bank for. */
  const windowsFrom = (report: { accounts: { window?: { from: string } }[] }) => report.accounts.map((a) => a.window?.from);

  it('config lock-date is kept in this database only: another database neither shows nor applies it, config.json never holds it', async () => {
    const cli = sandbox();
    const other = ['--db', join(cli.dir, 'other.db')];
    expect((await cli.runAsync(CONNECT_SANDBOX, NOW)).code).toBe(0);
    expect((await cli.runAsync([...other, ...CONNECT_SANDBOX], NOW)).code).toBe(0);

    const set = await cli.runAsync(['config', 'lock-date', '2026-11-10'], NOW);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain(`this database: ${cli.db}`);
    expect(existsSync(configJson(cli)) && JSON.parse(readFileSync(configJson(cli), 'utf8'))['lock-date']).toBeFalsy();

    const mine = await cli.jsonAsync<Shown>(['config'], NOW);
    expect(mine.db).toBe(cli.db);
    expect(mine.path).toBe(configJson(cli));
    expect(mine.settings.find((s) => s.key === 'lock-date')).toEqual({ key: 'lock-date', value: '2026-11-10', scope: 'database', source: 'database' });
    expect(mine.settings.find((s) => s.key === 'overlap-days')).toMatchObject({ scope: 'preferences', source: 'default' });
    expect(mine.settings.map((s) => s.scope)).toEqual([...Array(7).fill('database'), ...Array(4).fill('preferences')]);
    expect((await cli.jsonAsync<Shown>([...other, 'config', 'lock-date'], NOW)).settings).toEqual([{ key: 'lock-date', value: null, scope: 'database', source: 'default' }]);

    const synced = await cli.jsonAsync(['sync', '--all'], NOW);
    expect(windowsFrom(synced).every((from) => from === '2026-11-10')).toBe(true);
    const otherSynced = await cli.jsonAsync([...other, 'sync', '--all'], NOW);
    expect(windowsFrom(otherSynced).every((from) => from !== undefined && from < '2026-11-10')).toBe(true);

    // The human view names both places.
    const shown = (await cli.runAsync(['config'], NOW)).stdout;
    expect(shown).toMatch(new RegExp(`^this database: ${cli.db}\n  lock-date +2026-11-10 `));
    expect(shown).toContain(`your preferences, for every database: ${configJson(cli)}`);
    // Cleared with "", back to no lock date.
    expect((await cli.jsonAsync<Shown>(['config', 'lock-date', ''], NOW)).settings[0]!.value).toBeNull();
  });

  it('a preference set with config goes to config.json and applies to every database', async () => {
    const cli = sandbox();
    expect((await cli.runAsync(['config', 'overlap-days', '3'])).code).toBe(0);
    expect(JSON.parse(readFileSync(configJson(cli), 'utf8'))).toEqual({ 'overlap-days': 3 });
    // Setting a preference or showing settings creates no database.
    expect(existsSync(cli.db)).toBe(false);
    expect((await cli.jsonAsync<Shown>(['--db', join(cli.dir, 'other.db'), 'config', 'overlap-days'])).settings).toEqual([
      { key: 'overlap-days', value: 3, scope: 'preferences', source: 'config.json' },
    ]);
  });

  it('export takes the journal accounts of this database', async () => {
    const cli = sandbox();
    const other = ['--db', join(cli.dir, 'other.db')];
    for (const db of [[], other]) {
      expect((await cli.runAsync([...db, ...CONNECT_SANDBOX], NOW)).code).toBe(0);
      expect((await cli.runAsync([...db, 'sync', '--all'], NOW)).code).toBe(0);
    }
    expect((await cli.runAsync(['config', 'expense-account', 'Expenses:Groceries'], NOW)).code).toBe(0);
    const mine = await cli.runAsync(['export', '--format', 'hledger', '--account', 'a1'], NOW);
    expect(mine.stdout).toContain('Expenses:Groceries');
    expect(mine.stdout).not.toContain('Expenses:Unknown');
    expect(mine.stderr).not.toMatch(/warning/);
    const theirs = await cli.runAsync([...other, 'export', '--format', 'hledger', '--account', 'a1'], NOW);
    expect(theirs.stdout).toContain('Expenses:Unknown');
    expect(theirs.stdout).not.toContain('Expenses:Groceries');
  });

  it('a lock-date an earlier version left in config.json still applies, with one warning per command, until config moves it into a database', async () => {
    const cli = sandbox();
    const other = ['--db', join(cli.dir, 'other.db')];
    writeConfigJson(cli, { 'lock-date': '2026-11-10', 'expense-account': 'Expenses:Old', 'overlap-days': 2 });
    expect((await cli.runAsync(CONNECT_SANDBOX, NOW)).code).toBe(0);
    expect((await cli.runAsync([...other, ...CONNECT_SANDBOX], NOW)).code).toBe(0);

    // Applied as before (nothing an upgrade changes silently), and said on stderr once.
    const json = await cli.runAsync(['--json', 'sync', '--all'], NOW);
    expect(json.code, json.stderr).toBe(0);
    expect(windowsFrom(JSON.parse(json.stdout)).every((from) => from === '2026-11-10')).toBe(true);
    const warnings = json.stderr.trim().split('\n');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^warning: lock-date 2026-11-10 comes from config\.json, which earlier versions applied to every database; it now belongs to one database\./);
    expect(warnings[0]).toContain(`Applied to ${cli.db} for now; to keep it there: banksync config lock-date 2026-11-10 (this removes it from config.json`);
    // Also under --quiet, so cron mails it.
    expect((await cli.runAsync(['sync', '--all', '--quiet'], NOW)).stderr.trim().split('\n')).toEqual(warnings);
    // The other database's command names that database.
    const otherRun = await cli.runAsync([...other, 'sync', '--all', '--quiet'], NOW);
    expect(otherRun.stderr).toContain(`banksync --db ${join(cli.dir, 'other.db')} config lock-date 2026-11-10`);
    // The export's journal account too, with its own warning.
    const exported = await cli.runAsync(['export', '--format', 'ledger', '--account', 'a1'], NOW);
    expect(exported.stdout).toContain('Expenses:Old');
    expect(exported.stderr).toMatch(/^warning: expense-account Expenses:Old comes from config\.json.*banksync config expense-account Expenses:Old /);
    // config shows where it comes from.
    const shown = await cli.jsonAsync<Shown>(['config', 'lock-date']);
    expect(shown.settings).toEqual([{ key: 'lock-date', value: '2026-11-10', scope: 'database', source: 'config.json' }]);

    // The command the warning gives: into this database, out of config.json, other preferences untouched.
    const moved = await cli.runAsync(['config', 'lock-date', '2026-11-10'], NOW);
    expect(moved.code).toBe(0);
    expect(moved.stderr).toContain(`lock-date is now a setting of ${cli.db} and was removed from config.json`);
    expect(JSON.parse(readFileSync(configJson(cli), 'utf8'))).toEqual({ 'expense-account': 'Expenses:Old', 'overlap-days': 2 });
    expect((await cli.jsonAsync<Shown>(['config', 'lock-date'])).settings[0]).toMatchObject({ value: '2026-11-10', source: 'database' });
    expect((await cli.runAsync(['sync', '--all', '--quiet'], NOW)).stderr).toBe('');
    // The other database no longer gets it, and nothing warns there about the lock date any more.
    expect((await cli.jsonAsync<Shown>([...other, 'config', 'lock-date'])).settings[0]).toMatchObject({ value: null, source: 'default' });
    expect((await cli.runAsync([...other, 'sync', '--all', '--quiet'], NOW)).stderr).toBe('');
  });

  it('demo writes nothing outside its temporary directory and shows the same whatever config.json holds', async () => {
    const cli = sandbox();
    const tmp = join(cli.dir, 'tmp');
    mkdirSync(tmp);
    // No BANKSYNC_DB: demo makes its own temporary database (under TMPDIR).
    const env = { ...NOW, BANKSYNC_DB: undefined, TMPDIR: tmp };
    const demo = async () => {
      const before = new Set(readdirSync(tmp));
      const r = await cli.runAsync(['demo'], env);
      expect(r.code, r.stderr).toBe(0);
      const made = readdirSync(tmp).filter((d) => !before.has(d));
      expect(made).toHaveLength(1);
      const dir = join(tmp, made[0]!);
      return { stdout: r.stdout.split(dir).join('<demo>'), stderr: r.stderr.split(dir).join('<demo>'), dir };
    };

    const plain = await demo();
    expect(existsSync(join(cli.dir, 'config'))).toBe(false);
    expect(existsSync(cli.db)).toBe(false);
    expect(readdirSync(plain.dir).sort()).toEqual(['demo.db', 'secret.key']);
    expect(plain.stderr).toContain('sync it again: BANKSYNC_SECRET_KEY=$(cat <demo>/secret.key) banksync --db <demo>/demo.db sync');

    // A user's lock date (and other preferences) must not change what the demo shows, nor be written.
    const prefs = JSON.stringify({ 'lock-date': '2026-11-18', 'expense-account': 'Expenses:Mine', 'overlap-days': 1, concurrency: 1 });
    writeConfigJson(cli, JSON.parse(prefs));
    const withPrefs = await demo();
    expect(withPrefs.stdout).toBe(plain.stdout);
    expect(withPrefs.stderr).toBe(plain.stderr);
    expect(readdirSync(join(cli.dir, 'config'))).toEqual(['config.json']);
    expect(readFileSync(configJson(cli), 'utf8')).toBe(prefs);
    expect(readdirSync(cli.dir).sort()).toEqual(['config', 'tmp']);

    // The key beside the demo database opens its credentials: it can be synced again.
    const again = await cli.runAsync(['--db', join(plain.dir, 'demo.db'), 'sync', 'c1'], {
      BANKSYNC_NOW: '2026-11-21T09:00:00Z',
      BANKSYNC_SECRET_KEY: readFileSync(join(plain.dir, 'secret.key'), 'utf8'),
    });
    expect(again.code, again.stderr).toBe(0);
  });

  it('demo --db uses that file, as before', async () => {
    const cli = sandbox();
    const db = join(cli.dir, 'try.db');
    const r = await cli.runAsync(['--db', db, 'demo'], { ...NOW, BANKSYNC_DB: undefined });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`explore this database: banksync --db ${db} status`);
    expect(r.stderr).not.toContain('sync it again');
    expect((await cli.jsonAsync(['--db', db, 'accounts'])).accounts).toHaveLength(3);
  });
});
