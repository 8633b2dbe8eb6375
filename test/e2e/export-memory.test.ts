import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CliSandbox } from '../helpers/cli.js';

const NOW = { BANKSYNC_NOW: '2026-11-20T09:00:00Z' };
const ROWS = 400_000;
const MB = 1024 * 1024;

/** Streams: peak memory stays flat whatever the size (iterate the cursor, write as you go). */
describe('export memory stays flat', () => {
  const cli = new CliSandbox();
  beforeAll(async () => {
    expect((await cli.runAsync(['connect', '--provider', 'sandbox', '--institution', 'sandbox-bank', '--accounts', 'all', '--yes'], NOW)).code).toBe(0);
    const db = new Database(cli.db);
    const insert = db.prepare(`INSERT INTO transactions (id, account_id, external_id, fingerprint, ordinal, booking_date, amount_minor, currency, payee, memo, type, source, first_seen_at, updated_at)
      VALUES (?, 1, ?, ?, 0, ?, ?, 'EUR', ?, 'Card payment', 'pos', 'sandbox', 't', 't')`);
    db.transaction(() => {
      for (let i = 0; i < ROWS; i++) {
        const date = new Date(Date.UTC(2010, 0, 1) + Math.floor(i / 100) * 86_400_000).toISOString().slice(0, 10);
        insert.run(`t${i.toString(16).padStart(24, '0')}`, `x${i}`, `f${i}`, date, -((i * 7919) % 10_000), i % 3 ? 'Café de Zon' : 'Books & Co');
      }
    })();
    db.close();
  });
  afterAll(() => cli.cleanup());

  /** Runs the CLI (without blocking the test worker) and returns its peak RSS in bytes. */
  const peak = async (args: string[], nodeFlags: string[] = []) => {
    const rssFile = join(cli.dir, 'rss');
    const child = spawn(process.execPath, [...nodeFlags, '-r', resolve(__dirname, '../helpers/report-rss.cjs'), BIN, ...args], {
      env: cli.env({ ...NOW, BANKSYNC_TEST_RSS_FILE: rssFile }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    expect(code, stderr).toBe(0);
    return Number(readFileSync(rssFile, 'utf8'));
  };

  it.each(['csv', 'ofx', 'beancount'])('%s: 4× the lines, about the same peak RSS, far under 150 MB', async (format) => {
    // The last 100k lines (1000 days of 100), then all 400k.
    const small = await peak(['export', '--format', format, '--account', 'a1', '--from', '2018-03-28', '--output', join(cli.dir, `small.${format}`)]);
    const big = await peak(['export', '--format', format, '--account', 'a1', '--output', join(cli.dir, `big.${format}`)]);
    expect(statSync(join(cli.dir, `big.${format}`)).size).toBeGreaterThan(20 * MB);
    expect(big).toBeLessThan(150 * MB);
    console.log(`${format}: peak RSS ${Math.round(small / MB)} MB for 100k lines, ${Math.round(big / MB)} MB for 400k`);
    // Nothing kept per line: all 400k lines go out with the JavaScript heap capped at 32 MB (they
    // need 12; keeping as little as 50 bytes a line would not fit).
    await peak(['export', '--format', format, '--account', 'a1', '--output', join(cli.dir, `capped.${format}`)], ['--max-old-space-size=32']);
    // Nor outside the heap: a 1 MiB output high-water mark (Buffers) made it grow 27–31 MB. Without
    // one the growth is V8 sizing its young generation to the allocation rate: 2–16 MB measured,
    // whatever the machine's load, so the line is drawn between the two.
    expect(big - small).toBeLessThan(22 * MB);
  });

  it('Ctrl-C half-way leaves neither the output nor a temp file', async () => {
    const target = join(cli.dir, 'interrupted.csv');
    const child = spawn(process.execPath, [BIN, 'export', '--format', 'csv', '--account', 'a1', '--output', target], { env: cli.env(NOW) });
    const tmp = `${target}.tmp-${child.pid}`;
    while (!existsSync(tmp) || statSync(tmp).size < 1024 * 1024) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGINT');
    const [, signal] = (await new Promise((r) => child.on('exit', (...a) => r(a)))) as [number | null, string | null];
    expect(signal).toBe('SIGINT');
    expect(readdirSync(cli.dir).filter((f) => f.startsWith('interrupted'))).toEqual([]);
  });
});
