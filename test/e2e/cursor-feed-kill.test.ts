import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WRITE_BATCH_LINES } from '../../src/core/sync/account-sync.js';
import { Store } from '../../src/store/index.js';

const CHILD = resolve(__dirname, '../helpers/cursor-feed-child.mjs');
/** The child's page size (cursor-feed-child.mjs): ten pages fill one write batch. */
const PAGE_LINES = WRITE_BATCH_LINES / 10;

function fresh() {
  const dir = mkdtempSync(join(tmpdir(), 'banksync-cursor-kill-'));
  const db = join(dir, 'b.db');
  const key = join(dir, 'k');
  const store = Store.open(db, { keyFile: key });
  const c = store.connections.create({ providerId: 'feed', institutionId: 'i', institutionName: 'I', now: '2026-11-22T07:00:00.000Z' });
  store.accounts.create({ connectionId: c, providerId: 'feed', institutionId: 'i', externalId: 'acc', name: 'A', currency: 'EUR', kind: 'checking', stableIds: true, now: '2026-11-22T07:00:00.000Z' });
  store.close();
  return { db, key };
}

const runToEnd = (db: string, key: string) => spawnSync(process.execPath, [CHILD, db, key], { encoding: 'utf8', timeout: 240_000 });

/** Kills the child with SIGKILL once it says it has yielded page `page`. */
function killAfterPage(db: string, key: string, page: number): Promise<NodeJS.Signals | null> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CHILD, db, key, String(page)]);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes(`page ${page}\n`)) child.kill('SIGKILL');
    });
    child.on('close', (_code, signal) => done(signal));
  });
}

function snapshot(db: string, key: string) {
  const store = Store.open(db, { keyFile: key });
  const rows = store.db.prepare('SELECT id, external_id, booking_date, amount_minor, revision FROM transactions ORDER BY id').all();
  const cursor = store.accounts.feedCursor(1);
  store.close();
  return { rows, cursor };
}

describe('a changes feed killed with SIGKILL mid-pagination (built dist, real process)', () => {
  it('leaves the cursor with its rows; the re-run continues there and ends with the rows of an uninterrupted run', async () => {
    const whole = fresh();
    expect(runToEnd(whole.db, whole.key).stdout).toMatch(/from -\ndone/);
    const expected = snapshot(whole.db, whole.key);
    expect(expected.rows).toHaveLength(30 * PAGE_LINES);

    const killed = fresh();
    expect(await killAfterPage(killed.db, killed.key, 14)).toBe('SIGKILL');
    const after = snapshot(killed.db, killed.key);
    // One write batch is ten pages: pages 0-9 were committed with cursor c10; pages 10-14 were in memory.
    expect(after.cursor).toBe('c10');
    expect(after.rows).toHaveLength(10 * PAGE_LINES);

    const rerun = runToEnd(killed.db, killed.key);
    expect(rerun.stdout).toMatch(/^from c10\ndone/);
    const final = snapshot(killed.db, killed.key);
    expect(final.cursor).toBe('c30');
    expect(final.rows).toEqual(expected.rows); // revision 0 everywhere: no line written twice
  }, 300_000);
});
