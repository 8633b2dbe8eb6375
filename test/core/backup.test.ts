import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyBeside as backupBeside, copyDatabase as backupDatabase } from '../../src/store/sqlite/backup.js';
import { BanksyncError } from '../../src/domain/errors.js';
import { openDatabase, type Db } from '../../src/store/sqlite/db.js';
import { backupsOf } from '../../src/store/sqlite/faults.js';
import { LATEST_VERSION } from '../../src/store/sqlite/migrations/index.js';

describe('backupDatabase', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'banksync-backup-'));
    db = openDatabase(join(dir, 'b.db'));
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a full disk is the environment (exit 7), names the file, and leaves no half file under any name', async () => {
    const full = Object.assign(new Error('database or disk is full'), { name: 'SqliteError', code: 'SQLITE_FULL' });
    const failing = new Proxy(db, { get: (t, k) => (k === 'backup' ? () => Promise.reject(full) : Reflect.get(t, k)) }) as Db;
    const dest = join(dir, 'copy.db');
    const err = await backupDatabase(failing, dest).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BanksyncError);
    expect((err as BanksyncError).code).toBe('ENVIRONMENT');
    expect((err as BanksyncError).message).toBe(`cannot write the backup ${dest}: no space left on the disk (ENOSPC); nothing was written`);
    expect(readdirSync(dir).sort()).toEqual(['b.db', 'b.db-shm', 'b.db-wal']);
  });

  it('refuses a missing directory and the database itself, as bad input', async () => {
    await expect(backupDatabase(db, join(dir, 'no', 'copy.db'))).rejects.toThrow(/directory does not exist/);
    await expect(backupDatabase(db, join(dir, 'b.db'), { overwrite: true })).rejects.toThrow(/the database itself/);
  });

  it('copies kept beside the database are listed with their schema version, newest first', async () => {
    const first = await backupBeside(db, 'delete-a1', new Date('2026-11-01T10:00:00Z'));
    const second = await backupBeside(db, 'delete-a1', new Date('2026-11-01T10:00:00Z'));
    expect(first.path).toBe(join(dir, 'b.db.backup-20261101T100000Z-delete-a1'));
    expect(second.path).toBe(join(dir, 'b.db.backup-20261101T100000Z-delete-a1-2'));
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    await backupBeside(db, 'merge-a2-into-a1', new Date('2026-11-02T10:00:00Z'));
    const listed = backupsOf(join(dir, 'b.db')).map((b) => [b.path.slice(dir.length + 1), b.schemaVersion, b.createdAt]);
    expect(listed[0]).toEqual(['b.db.backup-20261102T100000Z-merge-a2-into-a1', LATEST_VERSION, '2026-11-02T10:00:00.000Z']);
    expect(listed.slice(1).sort()).toEqual([
      ['b.db.backup-20261101T100000Z-delete-a1', LATEST_VERSION, '2026-11-01T10:00:00.000Z'],
      ['b.db.backup-20261101T100000Z-delete-a1-2', LATEST_VERSION, '2026-11-01T10:00:00.000Z'],
    ]);
  });
});
