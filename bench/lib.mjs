// Shared helpers for the benchmarks: timing, medians, child processes with peak RSS, data generators.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = join(ROOT, 'bin/banksync.js');
const RSS_PRELOAD = join(ROOT, 'test/helpers/report-rss.cjs');

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export function machine() {
  const c = cpus();
  return { cores: c.length, cpu: c[0]?.model?.trim() ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, date: new Date().toISOString().slice(0, 10) };
}

/** Median wall time (ms) of `runs` calls of fn. */
export async function timeIt(runs, fn) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn(i);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(times);
}

/** Runs a command; returns wall ms. Throws on failure so a broken bench never prints a figure. */
export function run(cmd, args, opts = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, ...opts });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr?.slice(0, 500)}`);
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the banksync CLI; returns wall ms and its peak RSS in bytes. */
export function banksync(args, env, scratch) {
  const rssFile = join(scratch, 'rss');
  rmSync(rssFile, { force: true });
  const r = run(process.execPath, ['-r', RSS_PRELOAD, BIN, ...args], { env: { ...process.env, ...env, BANKSYNC_TEST_RSS_FILE: rssFile } });
  return { ...r, rss: Number(readFileSync(rssFile, 'utf8')) };
}

const PAYEES = ['Albert Heijn', 'Café de Zon', 'Books & Co', 'Garage Müller', 'Rail Tickets', 'Sushi Kō', 'ACME Payroll'];

/** n normalized provider transactions, 100 a day from 1990-01-01 (a million end in 2017: no line past the benches' "now", which sync would refuse), deterministic. */
export function* transactions(n, start = 0) {
  for (let i = start; i < start + n; i++) {
    const day = Math.floor(i / 100);
    yield {
      externalId: `x${i}`,
      bookingDate: new Date(Date.UTC(1990, 0, 1) + day * 86_400_000).toISOString().slice(0, 10),
      amountMinor: -((i * 7919) % 100_000) + (i % 13 === 0 ? 250_000 : 0),
      currency: 'EUR',
      payee: PAYEES[i % PAYEES.length],
      memo: `Card payment ${i % 1000}`,
      type: 'pos',
    };
  }
}

export const fmt = (x, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));
export const mb = (bytes) => `${Math.round(bytes / 2 ** 20)} MB`;
