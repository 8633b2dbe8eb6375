#!/usr/bin/env node
// npm run bench [-- --quick] [-- --out FILE]: every figure is a ratio against a baseline measured
// in the same run (medians of several runs); results go to BENCHMARKS.md. See BENCHMARKS.md.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { banksync, BIN, fmt, machine, mb, median, ROOT, run, timeIt, transactions } from './lib.mjs';
import { syncAtScale } from './sync-scale.mjs';
import { workersAtScale } from './workers.mjs';

// ledger-autosync needs no password store; a desktop keyring (libsecret) fails headless.
process.env.PYTHON_KEYRING_BACKEND ??= 'keyring.backends.null.Keyring';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const outIndex = args.indexOf('--out');
const outFile = outIndex >= 0 ? args[outIndex + 1] : quick ? null : join(ROOT, 'BENCHMARKS.md');
const SIZES = quick ? [2_000, 20_000] : [10_000, 100_000, 1_000_000];
const RUNS = quick ? 1 : 3;
const STARTUP_RUNS = quick ? 3 : 15;
// Bench 4: connections, latency per request (ms) and the provider's concurrency limit.
const SCALE = quick ? { connections: 10, latencyMs: 20, limit: 5 } : { connections: 200, latencyMs: 50, limit: 20 };
// Bench 6: workers on one PostgreSQL; the limit is GoCardless's own (DEFAULT_MAX_IN_FLIGHT), held
// by the workers together. About a minute and a half on 2 cores.
const WORKERS = quick ? { connections: 10, latencyMs: 20, limit: 8, workers: 4 } : { connections: 200, latencyMs: 50, limit: 8, workers: 4 };

const { Store, sqlitePort } = await import(join(ROOT, 'dist/store/index.js'));
const { fetchAccount } = await import(join(ROOT, 'dist/core/sync/account-sync.js'));
const { DEFAULT_ARCHIVE_DAYS, recordingConnection } = await import(join(ROOT, 'dist/core/archive/retention.js'));
const { fingerprint, stableTransactionId } = await import(join(ROOT, 'dist/core/dedupe.js'));

const scratch = mkdtempSync(join(tmpdir(), 'banksync-bench-'));
const log = (m) => process.stderr.write(`${m}\n`);
const rows = [];
const growth = [];

/** A store with one connection and account, as `connect` would leave it. */
function freshStore(name) {
  const dir = join(scratch, name);
  rmSync(dir, { recursive: true, force: true });
  const store = Store.open(join(dir, 'banksync.db'), { keyFile: join(dir, 'secret.key') }, { createDirs: true });
  const now = '2026-11-20T09:00:00.000Z';
  const c = store.connections.create({ providerId: 'sandbox', institutionId: 'sandbox-bank', institutionName: 'Sandbox Bank', now });
  const id = store.accounts.create({
    connectionId: c,
    providerId: 'sandbox',
    institutionId: 'sandbox-bank',
    externalId: 'bench',
    name: 'Checking',
    currency: 'EUR',
    kind: 'checking',
    stableIds: true,
    now,
  });
  store.accounts.setBalanceCheck(id, 100_000, 0);
  return { store, dir, account: store.accounts.get(id), now, env: { BANKSYNC_DB: join(dir, 'banksync.db'), BANKSYNC_CONFIG_DIR: dir, BANKSYNC_NOW: now, NO_COLOR: '1' } };
}

/** A provider handing out n transactions in pages of 1000, like a real feed. */
function provider(n) {
  return {
    id: 'bench',
    // Kept in the raw archive as its pages, like the sandbox (an HTTP adapter's are its answers).
    capabilities: { remote: false },
    async *fetchTransactions() {
      let page = [];
      for (const t of transactions(n)) {
        page.push(t);
        if (page.length === 1000) {
          yield { booked: page };
          page = [];
        }
      }
      if (page.length) yield { booked: page };
    },
  };
}

/** 1 and 6: banksync's write path (dedupe ladder, indexes) vs a bare prepared insert into the same table. */
async function ingest(n) {
  let last;
  const ours = await timeIt(RUNS, async () => {
    last?.store.close();
    last = freshStore(`ingest-${n}`);
    // As `sync` runs it: under the connection's archive recorder (config archive-days, default on).
    await recordingConnection(1, DEFAULT_ARCHIVE_DAYS, () =>
      fetchAccount({
        db: sqlitePort(last.store),
        provider: provider(n),
        session: { data: {}, save() {} },
        account: last.account,
        window: { from: '1990-01-01', to: '2099-12-31', limitedBy: null },
        now: last.now,
      }),
    );
  });
  const archive = last.store.archive.size();
  // The same rows: the ids and fingerprints banksync would store, computed before the clock starts.
  const ids = [];
  const fps = [];
  for (const t of transactions(n)) {
    ids.push(stableTransactionId(1, `x:${t.externalId}`));
    fps.push(fingerprint({ date: t.bookingDate, amountMinor: t.amountMinor, currency: t.currency, payee: t.payee, memo: t.memo }));
  }
  const bare = await timeIt(RUNS, () => {
    const b = freshStore(`bare-${n}`);
    const insert =
      b.store.db.prepare(`INSERT INTO transactions (id, account_id, external_id, fingerprint, ordinal, booking_date, value_date, amount_minor, currency, payee, memo, type, counterparty_iban, source, first_seen_at, updated_at)
      VALUES (?, ?, ?, ?, 0, ?, NULL, ?, ?, ?, ?, ?, NULL, 'bench', ?, ?)`);
    let i = 0;
    b.store.db.transaction(() => {
      for (const t of transactions(n)) insert.run(ids[i], b.account.id, t.externalId, fps[i++], t.bookingDate, t.amountMinor, t.currency, t.payee, t.memo, t.type, b.now, b.now);
    })();
    b.store.close();
  });
  last.store.close();
  return { ours, bare, archive, env: last.env, dir: last.dir };
}

/** 3 and 6: `banksync export --format csv` vs `sqlite3 -csv` of an equivalent SELECT (running balance included). */
function exportCsv(n, db) {
  const out = join(scratch, `export-${n}.csv`);
  const ours = [];
  let rss = 0;
  for (let i = 0; i < RUNS; i++) {
    const r = banksync(['export', '--format', 'csv', '--account', 'a1', '--output', out], db.env, scratch);
    ours.push(r.ms);
    rss = Math.max(rss, r.rss);
  }
  const sql = `SELECT booking_date, printf('%.2f', amount_minor / 100.0), currency, payee, memo, id, type,
    printf('%.2f', (1000 + sum(amount_minor) OVER (ORDER BY booking_date, seq)) / 100.0)
    FROM transactions WHERE account_id = 1 AND removed_at IS NULL ORDER BY booking_date, seq`;
  const sqlite = [];
  for (let i = 0; i < RUNS; i++) sqlite.push(run('sh', ['-c', `sqlite3 -csv -header "$0" "$1" > "$2"`, db.env.BANKSYNC_DB, sql, `${out}.sqlite`]).ms);
  return { ours: median(ours), sqlite: median(sqlite), rss };
}

/** 2: `banksync import` of an OFX file (whole process) vs ledger-autosync and ofxdump on the same file. */
function importOfx(n, db, withOthers) {
  const file = join(scratch, `import-${n}.ofx`);
  run(process.execPath, [BIN, 'export', '--format', 'ofx', '--account', 'a1', '--output', file], { env: { ...process.env, ...db.env } });
  const ours = [];
  let rss = 0;
  for (let i = 0; i < RUNS; i++) {
    const dir = join(scratch, `import-${n}-${i}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    const r = banksync(['--quiet', 'import', file, '--new-account', 'Bench'], { BANKSYNC_DB: join(dir, 'banksync.db'), BANKSYNC_CONFIG_DIR: dir }, scratch);
    ours.push(r.ms);
    rss = Math.max(rss, r.rss);
    rmSync(dir, { recursive: true, force: true });
  }
  const result = { ours: median(ours), rss };
  if (withOthers) {
    result.autosync = median(Array.from({ length: RUNS }, () => run('ledger-autosync', ['-L', '-a', 'Assets:Bank', file]).ms));
    // ofxdump exits 0 even on errors; its messages are not judged here, only its time.
    result.ofxdump = median(Array.from({ length: RUNS }, () => run('sh', ['-c', 'ofxdump "$0" > /dev/null 2>&1; true', file]).ms));
  }
  rmSync(file, { force: true });
  return result;
}

function startup(db) {
  const node = median(Array.from({ length: STARTUP_RUNS }, () => run(process.execPath, ['-e', '0']).ms));
  const version = median(Array.from({ length: STARTUP_RUNS }, () => run(process.execPath, [join(ROOT, 'bin/banksync.js'), '--version']).ms));
  const status = median(Array.from({ length: STARTUP_RUNS }, () => run(process.execPath, [join(ROOT, 'bin/banksync.js'), 'status'], { env: { ...process.env, ...db.env } }).ms));
  return { node, version, status };
}

const m = machine();
log(`banksync benchmarks${quick ? ' (quick smoke run)' : ''}: ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}`);
let biggest;
let st;
const exportRss = [];
const imports = [];
for (const n of SIZES) {
  log(`ingest ${n}…`);
  const ing = await ingest(n);
  log(`export ${n}…`);
  const exp = exportCsv(n, ing);
  if (n === SIZES.at(-1)) {
    // Start-up on the largest database, before the import's gigabytes of writes are still being
    // flushed to disk; `sync` flushes what the ingest left, so every command starts on a quiet disk.
    log('start-up…');
    run('sync', []);
    st = startup(ing);
  }
  log(`import ${n}…`);
  const imp = importOfx(n, ing, n === SIZES[0]);
  imports.push([n, imp]);
  exportRss.push([n, exp.rss]);
  growth.push({ n, ingestUsPerRow: (ing.ours * 1000) / n, bareUsPerRow: (ing.bare * 1000) / n, exportUsPerRow: (exp.ours * 1000) / n });
  if (n === SIZES.at(-1)) {
    biggest = { n, ing, exp };
  } else rmSync(ing.dir, { recursive: true, force: true });
}
log(`sync at scale (${SCALE.connections} connections)…`);
const scale = await syncAtScale({ ...SCALE, runs: RUNS, scratch, log });
log(`workers at scale (${WORKERS.connections} connections, PostgreSQL)…`);
const wk = await workersAtScale({ ...WORKERS, scratch, log });

const { n, ing, exp } = biggest;
const rate = (ms) => Math.round((n / ms) * 1000);
rows.push([
  '1. ingest',
  `${n.toLocaleString('en')} lines through fetchAccount (dedupe, indexes, raw archive)`,
  `${rate(ing.ours).toLocaleString('en')} lines/s`,
  `bare prepared INSERT, same table: ${rate(ing.bare).toLocaleString('en')} lines/s`,
  fmt(ing.bare / ing.ours),
  '≥ 0.5',
]);
const kib = (bytes) => `${fmt(bytes / 1024 / (n / 1000), 1)} KiB`;
rows.push([
  '1. raw archive',
  `the same fetch kept for replay (gzip), per 1,000 lines`,
  kib(ing.archive.storedBytes),
  `uncompressed: ${kib(ing.archive.rawBytes)}`,
  fmt(ing.archive.rawBytes / ing.archive.storedBytes),
  '-',
]);
const [n0, imp0] = imports[0];
rows.push([
  '2. OFX import',
  `${n0.toLocaleString('en')}-line OFX, \`banksync import\` (whole process)`,
  `${fmt(imp0.ours, 0)} ms`,
  `ledger-autosync -L: ${fmt(imp0.autosync, 0)} ms`,
  fmt(imp0.autosync / imp0.ours),
  '≥ 20',
]);
rows.push(['2. OFX import', 'same file', `${fmt(imp0.ours, 0)} ms`, `ofxdump (libofx): ${fmt(imp0.ofxdump, 0)} ms`, fmt(imp0.ofxdump / imp0.ours), '≥ 3']);
rows.push([
  '2. import growth',
  imports.map(([k]) => k.toLocaleString('en')).join(' / ') + ' lines',
  imports.map(([k, r]) => `${fmt((r.ours * 1000) / k, 1)} µs/line`).join(' / '),
  `peak RSS ${imports.map(([, r]) => mb(r.rss)).join(' / ')}`,
  fmt(imports.at(-1)[1].ours / imports.at(-1)[0] / (imports.at(-2)[1].ours / imports.at(-2)[0])),
  'last ÷ previous per line ≤ 1.2; RSS < 200 MB',
]);
rows.push([
  '3. CSV export',
  `${n.toLocaleString('en')} lines, \`export --format csv\``,
  `${rate(exp.ours).toLocaleString('en')} lines/s`,
  `sqlite3 -csv, same SELECT with running balance: ${rate(exp.sqlite).toLocaleString('en')} lines/s`,
  fmt(exp.sqlite / exp.ours),
  '≥ 0.8',
]);
rows.push(['3. export RSS', exportRss.map(([k]) => k.toLocaleString('en')).join(' / ') + ' lines', exportRss.map(([, r]) => mb(r)).join(' / '), 'flat, < 150 MB', '-', '< 150 MB']);
const scaleWhat = `\`sync --all\`, ${SCALE.connections} GoCardless connections (${scale.accounts} accounts), ${SCALE.latencyMs} ms a request, ${SCALE.limit} in flight allowed`;
rows.push([
  '4. sync at scale',
  scaleWhat,
  `${fmt(scale.ms, 0)} ms`,
  `bound ${scale.requests} requests × ${SCALE.latencyMs} ms ÷ ${SCALE.limit}: ${fmt(scale.boundMs, 0)} ms`,
  fmt(scale.ms / scale.boundMs),
  '≤ 1.15',
]);
rows.push([
  '4. sync at scale',
  'same run vs one connection at a time (`--concurrency 1`)',
  `${fmt(scale.ms, 0)} ms`,
  `sequential: ${fmt(scale.sequentialMs, 0)} ms`,
  fmt(scale.sequentialMs / scale.ms),
  '≥ 10',
]);
rows.push(['4. provider limits', 'most requests in flight / answered 429', `${scale.maxInFlight} / ${scale.refused}`, `limit ${SCALE.limit} / 0`, '-', 'never over']);
rows.push(['5. start-up', '`banksync --version`', `${fmt(st.version, 0)} ms`, `node -e 0: ${fmt(st.node, 0)} ms`, fmt(st.version / st.node), '≤ 2.5']);
rows.push(['5. start-up', `\`banksync status\` (${n.toLocaleString('en')} lines)`, `${fmt(st.status, 0)} ms`, `node -e 0: ${fmt(st.node, 0)} ms`, fmt(st.status / st.node), '≤ 2.0']);
{
  const perMin = (r) => Math.round((WORKERS.connections / r.ms) * 60_000).toLocaleString('en');
  const seen = (r) => `${r.maxInFlight} / ${r.refused} / ${r.tokens}`;
  const what = `${WORKERS.connections} GoCardless connections (${wk.sqlite.accounts} accounts), ${WORKERS.latencyMs} ms a request, ${WORKERS.limit} in flight allowed`;
  const vsOne = (label, r) => [label, `${fmt(r.ms, 0)} ms, ${perMin(r)} connections/min`, `1 worker: ${fmt(wk.one.ms, 0)} ms, ${perMin(wk.one)} connections/min`, fmt(wk.one.ms / r.ms), '-'];
  rows.push(['6. workers', ...vsOne(`${WORKERS.workers} \`banksync worker\` on one PostgreSQL, ${what}`, wk.many)]);
  rows.push([
    '6. workers',
    '1 worker vs `sync --all` on SQLite',
    `${fmt(wk.one.ms, 0)} ms`,
    `sync --all: ${fmt(wk.sqlite.ms, 0)} ms, ${perMin(wk.sqlite)} connections/min`,
    fmt(wk.sqlite.ms / wk.one.ms),
    '-',
  ]);
  rows.push([
    '6. worker limits',
    `most in flight / 429 / token/new: ${WORKERS.workers} workers, 1 worker, sync --all`,
    [wk.many, wk.one, wk.sqlite].map(seen).join(', '),
    `limit ${WORKERS.limit} / 0 / ≤ workers`,
    '-',
    'never over',
  ]);
}

const base = growth[0];
const md = [
  '# Benchmarks',
  '',
  `Run by \`npm run bench\`${quick ? ' --quick' : ''} on ${m.date}: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}.`,
  `Medians of ${RUNS} run(s) (start-up: ${STARTUP_RUNS}); each figure is compared with a baseline measured in the same run.`,
  '',
  '| bench | what | banksync | baseline | ratio | goal |',
  '|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
  '',
  'Ratios: ingest and export = banksync rate ÷ baseline rate, import, sequential sync and workers = baseline time ÷ banksync time (higher is better); start-up = banksync time ÷ `node -e 0` and sync at scale = banksync time ÷ bound (lower is better).',
  '',
  '## Growth (cost per line should stay flat)',
  '',
  '| lines | ingest µs/line | × first | bare insert µs/line | × first | export µs/line | × first |',
  '|---|---|---|---|---|---|---|',
  ...growth.map(
    (g) =>
      `| ${g.n.toLocaleString('en')} | ${fmt(g.ingestUsPerRow)} | ${fmt(g.ingestUsPerRow / base.ingestUsPerRow)} | ${fmt(g.bareUsPerRow)} | ${fmt(g.bareUsPerRow / base.bareUsPerRow)} | ${fmt(g.exportUsPerRow)} | ${fmt(g.exportUsPerRow / base.exportUsPerRow)} |`,
  ),
  '',
].join('\n');

process.stdout.write(md);
// bench/notes.md (what was profiled and changed) is kept below the generated tables.
if (outFile) writeFileSync(outFile, `${md}\n${readFileSync(join(ROOT, 'bench/notes.md'), 'utf8')}`);
rmSync(scratch, { recursive: true, force: true });
