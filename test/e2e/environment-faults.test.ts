import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, type CliSandbox, CONNECT_SANDBOX, dumpTransactionsAsync, referenceSandboxRows, type RunResult, sandboxPerTest } from '../helpers/cli.js';

/**
 * Section 3 of issue 12 on the built CLI: a disk or a file that refuses is one line naming the
 * file and the fix, exit 7, and nothing more written. Faults that need root (a tmpfs to fill, a
 * read-only mount) are skipped with the reason printed when the machine does not allow them.
 */

const NOW = { BANKSYNC_NOW: '2026-11-22T07:00:00Z' };
const LATER = { BANKSYNC_NOW: '2026-11-29T07:00:00Z' };
const CONNECT = CONNECT_SANDBOX;
const isRoot = process.getuid?.() === 0;

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
/** stderr is exactly one `error:` line (no stack trace, no second message). */
const oneErrorLine = (r: RunResult) => expect(r.stderr.trim().split('\n'), r.stderr).toEqual([expect.stringMatching(/^error: /)]);

/** Mounts a small tmpfs when the machine lets us (root, CAP_SYS_ADMIN); else says why not. */
function tryTmpfs(sizeKb: number): { dir?: string; reason?: string } {
  if (!isRoot) return { reason: 'mounting a tmpfs needs root' };
  const dir = mkdtempSync(join(tmpdir(), 'banksync-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir], { stdio: 'pipe' });
    return { dir };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return { reason: `mount -t tmpfs failed: ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}` };
  }
}

const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) {
    spawnSync('umount', [m]);
    rmSync(m, { recursive: true, force: true });
  }
});

/** A sandbox whose database lives in `dir` (e.g. on a tmpfs); its config stays beside the test's. */
function sandboxIn(cli: CliSandbox, dir: string): CliSandbox {
  (cli as { db: string }).db = join(dir, 'banksync.db');
  return cli;
}

/** Fills a file system to the last few KiB, so the next large write meets ENOSPC / SQLITE_FULL. */
function fill(dir: string, leaveKb: number): string {
  const filler = join(dir, 'filler');
  const avail = Number(execFileSync('df', ['-k', '--output=avail', dir], { encoding: 'utf8' }).trim().split('\n').pop());
  const fd = openSync(filler, 'w');
  const block = Buffer.alloc(1024);
  for (let i = 0; i < avail - leaveKb; i++) writeSync(fd, block);
  closeSync(fd);
  return filler;
}

describe('environment faults on the built CLI', () => {
  const fresh = sandboxPerTest({ inProcess: true });

  it('--db naming a directory or a FIFO: one line naming it, exit 7, nothing created', async () => {
    const cli = fresh();
    const dir = join(cli.dir, 'data');
    mkdirSync(dir);
    const r = await cli.runAsync(['--db', dir, 'status']);
    expect(r.code).toBe(7);
    oneErrorLine(r);
    expect(r.stderr).toContain(`error: the database path ${dir} is a directory, not a database file; nothing was written — point --db (or BANKSYNC_DB) at a file, e.g. ${join(dir, 'banksync.db')}`);
    expect(readdirSync(dir)).toEqual([]);
    const fifo = join(cli.dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const p = await cli.runAsync(['--db', fifo, 'sync', '--all']);
    expect(p.code).toBe(7);
    oneErrorLine(p);
    expect(p.stderr).toContain(`the database path ${fifo} is a FIFO (named pipe), not a database file`);
    expect(readdirSync(cli.dir).filter((f) => f.startsWith('pipe'))).toEqual(['pipe']);
  });

  describe('a corrupt database (bytes overwritten in the middle of its pages)', () => {
    async function corrupted(withBackup: boolean) {
      const cli = fresh();
      expect((await cli.runAsync(CONNECT, NOW)).code).toBe(0);
      expect((await cli.runAsync(['sync', '--all'], NOW)).code).toBe(0);
      const backup = `${cli.db}.bak-v2-1763600000000`;
      if (withBackup) copyFileSync(cli.db, backup);
      const pages = statSync(cli.db).size / 4096;
      const fd = openSync(cli.db, 'r+');
      writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, Math.floor(pages / 2) * 4096);
      closeSync(fd);
      return { cli, backup };
    }

    it('sync refuses to write into it: one line, exit 7, the file byte for byte unchanged', async () => {
      const { cli } = await corrupted(false);
      const before = sha(cli.db);
      const r = await cli.runAsync(['sync', '--all'], LATER);
      expect(r.code).toBe(7);
      oneErrorLine(r);
      expect(r.stderr).toMatch(new RegExp(`^error: the database ${cli.db} is corrupt \\(SQLite: .+\\); nothing was written — banksync --db ${cli.db} status shows how to recover it$`, 'm'));
      expect(sha(cli.db)).toBe(before);
      expect(existsSync(`${cli.db}-wal`) ? statSync(`${cli.db}-wal`).size : 0).toBe(0);
    });

    it('status says it is corrupt, lists the backup copies and how to recover; --json gives it as one document', async () => {
      const { cli, backup } = await corrupted(true);
      const r = await cli.runAsync(['status'], { TZ: 'Europe/Amsterdam' });
      expect(r.code).toBe(7);
      oneErrorLine(r);
      expect(r.stdout).toContain(`database ${cli.db}: CORRUPT`);
      expect(r.stdout).toContain(`    ${backup}  2025-11-20 01:53 CET  schema 2`);
      expect(r.stdout).toContain(`restore the newest backup: cp ${backup} ${cli.db}`);
      expect(r.stdout).toContain(`set the damaged file aside: mv ${cli.db} ${cli.db}.damaged`);
      const j = await cli.runAsync(['--json', 'status']);
      expect(j.code).toBe(7);
      const doc = JSON.parse(j.stdout);
      expect(doc.error).toMatchObject({ code: 'ENVIRONMENT', exitCode: 7 });
      expect(doc.database).toMatchObject({ path: cli.db, state: 'corrupt', backups: [{ path: backup, schemaVersion: 2, createdAt: '2025-11-20T00:53:20.000Z' }] });
      // Following the steps brings it back: the backup is read, then the next sync completes it.
      rmSync(cli.db);
      rmSync(`${cli.db}-wal`, { force: true });
      rmSync(`${cli.db}-shm`, { force: true });
      copyFileSync(backup, cli.db);
      expect((await cli.runAsync(['status'])).code).toBe(0);
      expect((await cli.runAsync(['sync', '--all'], LATER)).code).toBe(0);
    });

    it('without backups it points at sqlite3 .recover', async () => {
      const { cli } = await corrupted(false);
      const r = await cli.runAsync(['status']);
      expect(r.code).toBe(7);
      expect(r.stdout).toContain('no backup copies beside it');
      expect(r.stdout).toContain(`rescue what is still readable: sqlite3 ${cli.db}.damaged .recover | sqlite3 ${cli.db}`);
    });
  });

  describe('a full disk', () => {
    const devFull = existsSync('/dev/full');
    if (!devFull) console.warn('skipped: /dev/full does not exist on this machine');

    it.skipIf(!devFull)(`export --output /dev/full (ENOSPC): one line, exit 7${devFull ? '' : ' (skipped: no /dev/full)'}`, async () => {
      const cli = fresh();
      expect((await cli.runAsync(CONNECT, NOW)).code).toBe(0);
      expect((await cli.runAsync(['sync', '--all'], NOW)).code).toBe(0);
      const r = await cli.runAsync(['export', '--format', 'csv', '--output', '/dev/full'], NOW);
      expect(r.code).toBe(7);
      oneErrorLine(r);
      expect(r.stderr).toContain('error: cannot write /dev/full: no space left on the disk (ENOSPC); nothing was written — free some space there, or choose another --output');
    });

    it.skipIf(!devFull)(`stdout redirected to a full disk: exit 7, never 0 with the output lost${devFull ? '' : ' (skipped: no /dev/full)'}`, async () => {
      const cli = fresh();
      expect((await cli.runAsync(CONNECT, NOW)).code).toBe(0);
      expect((await cli.runAsync(['sync', '--all'], NOW)).code).toBe(0);
      for (const args of [['transactions'], ['export', '--format', 'csv'], ['--json', 'status']]) {
        const full = openSync('/dev/full', 'w');
        const r = spawnSync(process.execPath, [BIN, ...args], { env: cli.env(NOW), stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
        closeSync(full);
        expect(r.status, args.join(' ')).toBe(7);
        expect(r.stderr.trim()).toBe('error: cannot write standard output: no space left on the disk (ENOSPC); nothing was written — free some space there, or send the output elsewhere');
      }
    });

    const fs = tryTmpfs(16_384);
    if (fs.dir) mounts.push(fs.dir);
    else console.warn(`skipped: full-disk tests on a tmpfs: ${fs.reason}`);

    it.skipIf(!fs.dir)(`sync on a full tmpfs (SQLITE_FULL): one line, exit 7; space freed, a re-run gives what an uninterrupted run gives${fs.dir ? '' : ` (skipped: ${fs.reason})`}`, async () => {
      const expected = referenceSandboxRows(NOW);
      const cli = sandboxIn(fresh(), fs.dir!);
      expect((await cli.runAsync(CONNECT, NOW)).code).toBe(0);
      const filler = fill(fs.dir!, 64);
      const r = await cli.runAsync(['sync', '--all'], NOW);
      expect(r.code).toBe(7);
      oneErrorLine(r);
      expect(r.stderr).toContain(`error: the disk holding the database ${cli.db} is full (SQLITE_FULL); the write under way was undone — free some space on that disk`);
      rmSync(filler);
      expect((await cli.runAsync(['sync', '--all'], NOW)).code).toBe(0);
      expect(await dumpTransactionsAsync(cli, NOW)).toEqual(expected);
      for (const f of readdirSync(fs.dir!)) rmSync(join(fs.dir!, f), { force: true });
    });

    it.skipIf(!fs.dir)(`export --output onto a full tmpfs (ENOSPC): exit 7, no partial file under the final name, no temp file${fs.dir ? '' : ` (skipped: ${fs.reason})`}`, async () => {
      const cli = fresh();
      expect((await cli.runAsync(CONNECT, NOW)).code).toBe(0);
      expect((await cli.runAsync(['sync', '--all'], NOW)).code).toBe(0);
      const out = join(fs.dir!, 'out.csv');
      writeFileSync(out, 'the previous export\n');
      const filler = fill(fs.dir!, 16);
      const e = await cli.runAsync(['export', '--format', 'csv', '--output', out], NOW);
      expect(e.code).toBe(7);
      oneErrorLine(e);
      expect(e.stderr).toContain(`error: cannot write ${out}: no space left on the disk (ENOSPC); nothing was written — free some space there, or choose another --output`);
      expect(readdirSync(fs.dir!).filter((f) => f.startsWith('out.csv'))).toEqual(['out.csv']);
      expect(readFileSync(out, 'utf8')).toBe('the previous export\n');
      rmSync(filler);
    });
  });

  describe('a read-only database', () => {
    /** As root file modes do not bind: the CLI runs as nobody (uid 65534), who owns the files. */
    const runReadOnly = (cli: CliSandbox, args: string[]): RunResult => {
      const ids = isRoot ? { uid: 65534, gid: 65534 } : {};
      const r = spawnSync(process.execPath, [BIN, ...args], { env: cli.env(LATER), encoding: 'utf8', ...ids });
      return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
    };

    it(`chmod 0400: sync is one line, exit 7, nothing written; status still reads it${isRoot ? ' (as root: run as uid 65534)' : ''}`, async () => {
      const cli = fresh();
      expect((await cli.runAsync(CONNECT, NOW)).code).toBe(0);
      expect((await cli.runAsync(['sync', '--all'], NOW)).code).toBe(0);
      if (isRoot) execFileSync('chown', ['-R', '65534:65534', cli.dir]);
      chmodSync(cli.db, 0o400);
      const before = sha(cli.db);
      const r = runReadOnly(cli, ['sync', '--all']);
      expect(r.code, r.stderr).toBe(7);
      oneErrorLine(r);
      expect(r.stderr).toContain(`error: the database ${cli.db} is read-only (SQLITE_READONLY); nothing was written — make it writable (chmod u+w ${cli.db}`);
      expect(sha(cli.db)).toBe(before);
      expect(runReadOnly(cli, ['status']).code).toBe(0);
      // The fix the hint names works (SQLite gave -wal and -shm the file's 0400 too).
      const files = r.stderr.match(/chmod u\+w ([^)]+)\)/)![1]!.split(' ');
      for (const f of files) chmodSync(f, 0o600);
      expect(runReadOnly(cli, ['sync', '--all']).code).toBe(0);
    });

    const ro = tryTmpfs(8192);
    if (ro.dir) mounts.push(ro.dir);
    else console.warn(`skipped: read-only file system test: ${ro.reason}`);

    it.skipIf(!ro.dir)(`on a read-only file system (EROFS): one line naming the directory, exit 7${ro.dir ? '' : ` (skipped: ${ro.reason})`}`, async () => {
      const cli = sandboxIn(fresh(), ro.dir!);
      expect((await cli.runAsync(CONNECT, NOW)).code).toBe(0);
      execFileSync('mount', ['-o', 'remount,ro', ro.dir!]);
      const r = await cli.runAsync(['sync', '--all'], LATER);
      expect(r.code).toBe(7);
      oneErrorLine(r);
      expect(r.stderr).toContain(`error: cannot open the database ${cli.db}: its directory ${ro.dir} is on a read-only file system (EROFS); nothing was written`);
      execFileSync('mount', ['-o', 'remount,rw', ro.dir!]);
    });
  });

  it('a temp file left by a killed export is removed by the next export to that file; a live one is kept', async () => {
    const cli = fresh();
    expect((await cli.runAsync(CONNECT, NOW)).code).toBe(0);
    expect((await cli.runAsync(['sync', '--all'], NOW)).code).toBe(0);
    const out = join(cli.dir, 'a1.csv');
    const dead = spawnSync('true').pid!; // exited: its pid is free
    writeFileSync(`${out}.tmp-${dead}`, 'date,amount\n2026-11-01,-1');
    writeFileSync(`${out}.tmp-${process.pid}`, 'in progress'); // this test runner is alive
    writeFileSync(`${out}.tmp-notapid`, 'not ours');
    // Spawned: a temp file is named after its process, and this runner's is the live one above.
    const r = await cli.spawnAsync(['export', '--format', 'csv', '--account', 'a1', '--output', out], NOW);
    expect(r.code, r.stderr).toBe(0);
    expect(
      readdirSync(cli.dir)
        .filter((f) => f.startsWith('a1.csv'))
        .sort(),
    ).toEqual(['a1.csv', `a1.csv.tmp-${process.pid}`, 'a1.csv.tmp-notapid']);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('date,amount,currency,payee,memo,id,type,balance,category,clean_payee');
  });

  it('a deleted secret.key is not replaced while sealed credentials exist; restored, syncing goes on', async () => {
    const cli = fresh();
    expect((await cli.runAsync(CONNECT, NOW)).code).toBe(0);
    const keyFile = join(cli.dir, 'config', 'secret.key');
    const key = readFileSync(keyFile);
    rmSync(keyFile);
    const r = await cli.runAsync(['sync', '--all'], NOW);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(`the key file ${keyFile} is missing, and the database holds 1 credential sealed with it; no new key was made`);
    expect(r.stdout).toContain(`restore ${keyFile} from your backup`);
    expect(existsSync(keyFile)).toBe(false);
    writeFileSync(keyFile, key, { mode: 0o600 });
    expect((await cli.runAsync(['sync', '--all'], NOW)).code).toBe(0);
  });

  it('a killed first sync of a once-a-day bank is "not synced, interrupted" in status, also after a deferred re-run that day', async () => {
    const cli = fresh();
    expect((await cli.runAsync(['connect', '--provider', 'sandbox', '--institution', 'sandbox-daily', '--accounts', 'all', '--yes'], NOW)).code).toBe(0);
    const killed = await cli.runAsync(['sync', '--all'], { ...NOW, BANKSYNC_SANDBOX_FAULTS: 'kill-after-pages=1' });
    expect(killed.signal).toBe('SIGKILL');
    const account = async () => (await cli.jsonAsync(['status'], NOW)).connections[0].accounts[0];
    expect(await account()).toMatchObject({ state: 'not_synced', detail: 'the last sync was interrupted; the next sync completes it', lastSuccessAt: null });
    const again = await cli.jsonAsync(['sync', '--all'], NOW);
    expect(again.accounts[0].result).toBe('deferred');
    expect(await account()).toMatchObject({ state: 'not_synced', detail: 'the last sync was interrupted; the next sync completes it', lastSuccessAt: null });
    expect((await cli.runAsync(['status'], NOW)).stdout).toMatch(/a1 +Zichtrekening +EUR +not synced +never synced/);
    // The next day's refresh completes it.
    const next = { BANKSYNC_NOW: '2026-11-23T07:00:00Z' };
    expect((await cli.jsonAsync(['sync', '--all'], next)).accounts[0].result).toBe('synced');
    expect((await cli.jsonAsync(['status'], next)).connections[0].accounts[0].state).toBe('synced');
  });
});
