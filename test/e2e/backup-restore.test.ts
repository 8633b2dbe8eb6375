import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, openSync, readdirSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, CONNECT_SANDBOX } from '../helpers/cli.js';

const NOW = { BANKSYNC_NOW: '2026-11-22T07:00:00Z' };

/** The live lines of a database file, read straight from it. */
function lines(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM transactions WHERE removed_at IS NULL').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function integrity(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

describe('backup and restore', () => {
  const cli = new CliSandbox({ inProcess: true });
  let synced = 0;
  beforeAll(async () => {
    expect((await cli.runAsync(CONNECT_SANDBOX, NOW)).code).toBe(0);
    expect((await cli.runAsync(['sync', '--all'], NOW)).code).toBe(0);
    synced = lines(cli.db);
  });
  afterAll(() => cli.cleanup());

  it('backup FILE: a private, whole copy; prints its path; --json {path, bytes, schemaVersion}; never overwrites unless --force; not to stdout', async () => {
    const file = join(cli.dir, 'copy.db');
    const r = await cli.runAsync(['backup', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(lines(file)).toBe(synced);
    expect(integrity(file)).toBe('ok');

    const again = await cli.runAsync(['backup', file]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
    const forced = await cli.runAsync(['--json', 'backup', file, '--force']);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toEqual({ path: file, bytes: statSync(file).size, schemaVersion: expect.any(Number) });
    expect((await cli.runAsync(['backup', '-'])).code).toBe(2);
    expect(readdirSync(cli.dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('a backup taken while another process writes is one consistent snapshot', async () => {
    // The writer rewrites two records on different pages, both in one transaction, for as long as it runs.
    const script = `
      const db = new (require('better-sqlite3'))(process.argv[1], { timeout: 5000 });
      db.pragma('journal_mode = WAL');
      db.prepare("INSERT OR REPLACE INTO errors (ref, at, code, message) VALUES ('W-a', '2026-01-01', 'X', ''), ('W-b', '2026-01-01', 'X', '')").run();
      const put = db.prepare("UPDATE errors SET message = ? WHERE ref = ?");
      const pair = db.transaction((n) => { put.run(String(n).padEnd(3000, 'a'), 'W-a'); put.run(String(n).padEnd(3000, 'b'), 'W-b'); });
      let n = 0;
      const step = () => { pair(n++); if (n === 50) process.stdout.write('writing\\n'); setImmediate(step); };
      step();`;
    const writer = spawn(process.execPath, ['-e', script, cli.db], { cwd: resolve(__dirname, '../..'), stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((done) => writer.stdout.once('data', () => done()));
      for (let i = 0; i < 3; i++) {
        const file = join(cli.dir, `during-${i}.db`);
        const r = await cli.runAsync(['backup', file]);
        expect(r.code, r.stderr).toBe(0);
        expect(integrity(file)).toBe('ok');
        const db = new Database(file, { readonly: true });
        const [a, b] = (db.prepare("SELECT message FROM errors WHERE ref IN ('W-a', 'W-b') ORDER BY ref").all() as { message: string }[]).map((m) => parseInt(m.message, 10));
        db.close();
        expect(a).toBe(b); // never half a transaction
        expect(lines(file)).toBe(synced);
      }
    } finally {
      writer.kill('SIGKILL');
    }
    const db = new Database(cli.db);
    db.exec("DELETE FROM errors WHERE ref LIKE 'W-%'");
    db.close();
  });

  it('restore without a terminal and without --yes: exit 4 naming --yes; nothing changed', async () => {
    const file = join(cli.dir, 'copy.db');
    const r = await cli.runAsync(['restore', file]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('--yes');
    expect(readdirSync(cli.dir).filter((f) => f.includes('before-restore'))).toEqual([]);
  });

  it('restore refuses a file that is not a banksync database, or one from a newer banksync', async () => {
    const text = join(cli.dir, 'notes.txt');
    writeFileSync(text, 'hello\n'.repeat(1000));
    const r = await cli.runAsync(['restore', text, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a banksync database');
    const newer = join(cli.dir, 'newer.db');
    copyFileSync(join(cli.dir, 'copy.db'), newer);
    const db = new Database(newer);
    db.pragma('user_version = 99');
    db.close();
    const n = await cli.runAsync(['restore', newer, '--yes']);
    expect(n.code).toBe(2);
    expect(n.stderr).toContain('newer banksync');
  });

  it('restore refuses while a sync holds a lock: exit 6', async () => {
    const db = new Database(cli.db);
    db.prepare('INSERT INTO sync_locks (account_id, owner, pid, expires_at) VALUES (1, ?, ?, ?)').run('test', process.pid, '2999-01-01T00:00:00Z');
    db.close();
    try {
      const r = await cli.runAsync(['restore', join(cli.dir, 'copy.db'), '--yes']);
      expect(r.code).toBe(6);
      expect(r.stderr).toContain('a sync is running');
    } finally {
      const d = new Database(cli.db);
      d.exec('DELETE FROM sync_locks');
      d.close();
    }
  });

  it('restore over a corrupt database: the damaged file is kept aside, the copy takes its place, status is clean again', async () => {
    const file = join(cli.dir, 'copy.db');
    const kept = `${cli.db}.backup-20261101T000000Z-delete-a9`;
    copyFileSync(file, kept);
    const live = new Database(cli.db);
    live.pragma('wal_checkpoint(TRUNCATE)');
    live.close();
    const pages = statSync(cli.db).size / 4096;
    const fd = openSync(cli.db, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, Math.floor(pages / 2) * 4096);
    closeSync(fd);
    expect((await cli.runAsync(['sync', '--all'], NOW)).code).toBe(7);
    // status lists the copies kept beside the database, those made before deleting too
    const st = await cli.runAsync(['--json', 'status']);
    expect(st.code).toBe(7);
    expect(JSON.parse(st.stdout).database.backups).toContainEqual({ path: kept, schemaVersion: expect.any(Number), createdAt: '2026-11-01T00:00:00.000Z' });

    const r = await cli.runAsync(['restore', file, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    const aside = /kept at (\S+)/.exec(r.stdout)?.[1];
    expect(aside).toMatch(/banksync\.db\.backup-\d{8}T\d{6}Z-before-restore$/);
    expect(existsSync(aside!)).toBe(true);
    expect(statSync(cli.db).mode & 0o777).toBe(0o600);
    expect((await cli.runAsync(['status'])).code).toBe(0);
    expect(lines(cli.db)).toBe(synced);
    expect((await cli.runAsync(['sync', '--all'], NOW)).code).toBe(0);
  });

  it('restore on a machine with another secret key: restored, and says the key it needs', async () => {
    const other = randomBytes(32).toString('base64');
    const r = await cli.runAsync(['restore', join(cli.dir, 'copy.db'), '--yes'], { BANKSYNC_SECRET_KEY: other });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: .*cannot be decrypted.*a backup made on another machine needs that machine's key: set BANKSYNC_SECRET_KEY to it, or copy its secret.key/);
    // With this machine's own key the credentials open: status works, no warning.
    const again = await cli.runAsync(['restore', join(cli.dir, 'copy.db'), '--yes']);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toContain('warning');
  });
});
