import { sqliteOf } from '../../src/store/index.js';
import { sqlitePort } from '../../src/store/index.js';
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPrompts } from '../../src/cli/prompts.js';
import { connect } from '../../src/core/connect.js';
import type { Services } from '../../src/core/context.js';
import { BanksyncError } from '../../src/domain/errors.js';
import { sync } from '../../src/core/sync/engine.js';
import { openDatabase } from '../../src/store/sqlite/db.js';
import { backupsOf, CorruptDatabaseError, isStorageFault, storageFault } from '../../src/store/sqlite/faults.js';
import { Store } from '../../src/store/index.js';
import { corruptionMarker, ensureIntact } from '../../src/store/sqlite/integrity.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations/index.js';

const NOW = '2026-11-22T07:00:00.000Z';
const tmp = () => mkdtempSync(join(tmpdir(), 'banksync-env-'));
const quiet = { info() {}, warn() {}, always() {}, progress: () => ({ update() {}, stop() {} }) };

async function sandboxStore(): Promise<{ s: Services; path: string }> {
  const dir = tmp();
  const path = join(dir, 'b.db');
  const store = Store.open(path, { keyFile: join(dir, 'key') });
  const s: Services = { db: sqlitePort(store), clock: () => new Date(NOW), env: {}, prompts: createPrompts(false), notify: quiet, openBrowser: async () => false };
  await connect(s, { providerId: 'sandbox', institutionId: 'sandbox-bank', accounts: 'all', yes: true });
  return { s, path };
}

function thrown(fn: () => unknown): BanksyncError {
  try {
    fn();
  } catch (e) {
    if (e instanceof BanksyncError) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

/** Overwrites one page in the middle of the file with junk, as a failing disk or a stray write would. */
function corruptMiddlePage(path: string): void {
  const pages = statSync(path).size / 4096;
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, Math.floor(pages / 2) * 4096);
  closeSync(fd);
}

describe('a full disk (SQLITE_FULL, provoked with PRAGMA max_page_count)', () => {
  it('stops the whole sync at the first failed write instead of marking accounts failed and going on', async () => {
    const { s, path } = await sandboxStore();
    const pages = sqliteOf(s.db).db.pragma('page_count', { simple: true }) as number;
    // Room for the bookkeeping (lock, state), not for a batch of lines: SQLite's own full condition.
    sqliteOf(s.db).db.pragma(`max_page_count = ${pages + 3}`);
    const err = await sync(s, { target: { kind: 'all', due: false }, unattended: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as { code?: string }).code).toBe('SQLITE_FULL');
    expect(isStorageFault(err)).toBe(true);
    const line = storageFault(err, path)!;
    expect(line.code).toBe('ENVIRONMENT');
    expect(line.message).toBe(`the disk holding the database ${path} is full (SQLITE_FULL); the write under way was undone`);
    // No account was recorded as an internal failure.
    expect(
      sqliteOf(s.db)
        .accounts.list()
        .map((a) => a.lastErrorCode),
    ).toEqual([null, null, null]);
    sqliteOf(s.db).close();
  });
});

describe('migration backups', () => {
  it('are created 0600 like the database, even under umask 022', () => {
    const p = join(tmp(), 'b.db');
    const v1 = new Database(p);
    MIGRATIONS[0]!.up(v1);
    v1.pragma('application_id = 0x42534e43');
    v1.pragma('user_version = 1');
    v1.close();
    const before = process.umask(0o022);
    try {
      openDatabase(p).close();
    } finally {
      process.umask(before);
    }
    const backups = backupsOf(p);
    expect(backups).toHaveLength(1);
    expect(backups[0]!.schemaVersion).toBe(1);
    expect(statSync(backups[0]!.path).mode & 0o777).toBe(0o600);
  });

  it('are listed newest first, and only files of our exact pattern', () => {
    const dir = tmp();
    const p = join(dir, 'b.db');
    for (const name of ['b.db.bak-v1-1700000000000', 'b.db.bak-v2-1800000000000', 'b.db.bak-v2-x', 'other.db.bak-v1-1700000000000', 'b.db.bak-v3-1750000000000.tmp']) {
      closeSync(openSync(join(dir, name), 'w'));
    }
    expect(backupsOf(p).map((b) => [b.schemaVersion, b.createdAt])).toEqual([
      [2, '2027-01-15T08:00:00.000Z'],
      [1, '2023-11-14T22:13:20.000Z'],
    ]);
  });
});

describe('a corrupt database', () => {
  it('is refused before a sync writes: quick_check on a small file, a marker beside it, the file untouched', async () => {
    const { s, path } = await sandboxStore();
    await sync(s, { target: { kind: 'all', due: false }, unattended: true });
    sqliteOf(s.db).close();
    corruptMiddlePage(path);
    const bytes = execFileSync('sha256sum', [path], { encoding: 'utf8' });
    const store = Store.open(path, { keyFile: join(dirname(path), 'key') });
    const err = await sync({ ...s, db: sqlitePort(store) }, { target: { kind: 'all', due: false }, unattended: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CorruptDatabaseError);
    expect((err as BanksyncError).code).toBe('ENVIRONMENT');
    expect((err as BanksyncError).message).toMatch(new RegExp(`^the database ${path} is corrupt \\(SQLite: .+\\); nothing was written$`));
    expect(existsSync(corruptionMarker(path))).toBe(true);
    store.close();
    expect(execFileSync('sha256sum', [path], { encoding: 'utf8' })).toBe(bytes);
  });

  it('a large file is checked only once a command met a corruption report (the marker); a clean check clears it', () => {
    const dir = tmp();
    const path = join(dir, 'b.db');
    const db = openDatabase(path);
    db.exec('CREATE TABLE filler (x TEXT)');
    const insert = db.prepare('INSERT INTO filler VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 400; i++) insert.run('x'.repeat(3000));
    })();
    db.close();
    corruptMiddlePage(path);
    const again = openDatabase(path);
    // maxBytes 0 stands for "larger than the threshold" without building a 32 MiB file.
    expect(ensureIntact(again, path, 0)).toBe('skipped');
    closeSync(openSync(corruptionMarker(path), 'w'));
    expect(() => ensureIntact(again, path, 0)).toThrow(CorruptDatabaseError);
    again.close();
    // Restored (here: a fresh file under the same name): the check passes and forgets the marker.
    const fresh = join(tmp(), 'restored.db');
    const clean = openDatabase(fresh);
    closeSync(openSync(corruptionMarker(fresh), 'w'));
    expect(ensureIntact(clean, fresh, 0)).toBe('checked');
    expect(existsSync(corruptionMarker(fresh))).toBe(false);
    clean.close();
  });

  it('a damaged header (SQLITE_NOTADB) is one line with exit 7, and names the backups hint', () => {
    const dir = tmp();
    const path = join(dir, 'b.db');
    openDatabase(path).close();
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(100, 0x5a), 0, 100, 0);
    closeSync(fd);
    closeSync(openSync(`${path}.bak-v2-1800000000000`, 'w'));
    const err = thrown(() => openDatabase(path));
    expect(err).toBeInstanceOf(CorruptDatabaseError);
    expect((err as BanksyncError).message).toBe(`${path} is not a database, or its first page is damaged (SQLite: file is not a database); nothing was written`);
    expect((err as BanksyncError).hint).toBe(`banksync --db ${path} status shows how to recover it (1 backup copy found)`);
  });
});

describe('a --db that is not a regular file', () => {
  it('a directory or a FIFO is one line naming it, exit 7, before SQLite touches it', () => {
    const dir = tmp();
    const sub = join(dir, 'data');
    mkdirSync(sub);
    expect(() => openDatabase(sub)).toThrow(`the database path ${sub} is a directory, not a database file; nothing was written`);
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const e = thrown(() => openDatabase(fifo));
    expect(e.code).toBe('ENVIRONMENT');
    expect(e.message).toBe(`the database path ${fifo} is a FIFO (named pipe), not a database file; nothing was written`);
    expect(readdirSync(dir).sort()).toEqual(['data', 'pipe']);
    expect(statSync(fifo).isFIFO()).toBe(true);
  });
});
