import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, beforeEach, inject } from 'vitest';
import type { KeySource } from '../../src/secrets/index.js';
import { openSqliteStore } from '../../src/store/index.js';
import type { StorePort } from '../../src/store/port.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';

/**
 * The stores the contract suite runs against: every test in `describe.each(STORE_KINDS)` runs on
 * the embedded SQLite file and on a real PostgreSQL (the throwaway server of pg-global.ts).
 */
export const STORE_KINDS = ['sqlite', 'postgres'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export interface TestStore {
  db: StorePort;
  /** For a second process's view of the same data (another worker): opens the same store again. */
  reopen(): StorePort;
  dispose(): Promise<void>;
}

let databases = 0;

/** One statement on the server's maintenance database (CREATE/DROP DATABASE). */
async function admin(socketDir: string, statement: string): Promise<void> {
  const client = new pg.Client({ host: socketDir, user: 'banksync', database: 'postgres' });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A URL of a new, empty PostgreSQL database on the test server. */
export async function freshPgUrl(): Promise<{ url: string; drop(): Promise<void> }> {
  const socketDir = inject('pgSocketDir');
  const name = `t_${process.pid}_${++databases}_${randomBytes(3).toString('hex')}`;
  await admin(socketDir, `CREATE DATABASE ${name}`);
  return {
    url: `postgres://banksync@localhost/${name}?host=${encodeURIComponent(socketDir)}`,
    async drop() {
      await admin(socketDir, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

export const testKeySource = (): KeySource => ({ envKey: randomBytes(32).toString('base64'), keyFile: '/nonexistent/banksync-test.key' });

/** A new, empty, migrated store of the kind; its secrets sealed with a key of its own unless one is given. */
export async function openTestStore(kind: StoreKind, keySource: KeySource = testKeySource()): Promise<TestStore> {
  if (kind === 'sqlite') {
    // A file, not ':memory:', so `reopen` sees the same data as another process would.
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'banksync-contract-'));
    const path = join(dir, 'b.db');
    const opened: StorePort[] = [];
    const open = () => {
      const db = openSqliteStore(path, keySource);
      opened.push(db);
      return db;
    };
    return {
      db: open(),
      reopen: open,
      async dispose() {
        for (const db of opened) await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const pg = await freshPgUrl();
  const opened: StorePort[] = [];
  const open = () => {
    const db = openPostgresStore(pg.url, keySource);
    opened.push(db);
    return db;
  };
  const db = open();
  await db.ensureIntact(); // connects and migrates now, so a failure is the set-up's
  return {
    db,
    reopen: open,
    async dispose() {
      for (const d of opened) await d.close();
      await pg.drop();
    },
  };
}

/** In a `describe.each(STORE_KINDS)` block: each test gets a fresh store of the kind; returns its getter. */
export function useStore(kind: StoreKind): () => TestStore {
  let current: TestStore | undefined;
  beforeEach(async () => {
    current = await openTestStore(kind);
  });
  afterEach(async () => {
    await current?.dispose();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('useStore: no store outside a test');
    return current;
  };
}
