import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireTools, toolAsync } from '../helpers/tools.js';

/** `npm run bench -- --quick` still runs end to end (figures are not judged here: no timed assertions). */
describe('benchmark smoke run', () => {
  it('prints every bench row and writes the report', async () => {
    requireTools('sqlite3', 'ledger-autosync', 'ofxdump');
    const out = join(mkdtempSync(join(tmpdir(), 'banksync-bench-')), 'BENCHMARKS.md');
    // Async: a spawnSync of the whole run would stop vitest's worker for as long as it lasts.
    const r = await toolAsync(process.execPath, [resolve(__dirname, '../../bench/run.mjs'), '--quick', '--out', out]);
    expect(r.code, r.out).toBe(0);
    const report = readFileSync(out, 'utf8');
    for (const row of ['1. ingest', '2. OFX import', '3. CSV export', '3. export RSS', '4. sync at scale', '4. provider limits', '5. start-up', '6. workers', '6. worker limits', '## Growth'])
      expect(report).toContain(row);
    // Sync at scale: never more in flight than the mock allows, and nothing refused.
    expect(report).toMatch(/\| 4\. provider limits \| [^|]+ \| 5 \/ 0 \|/);
    // Workers on one PostgreSQL: 4 workers, 1 worker and sync --all each within the 8 allowed, none refused.
    expect(report).toMatch(/\| 6\. worker limits \| [^|]+ \| [1-8] \/ 0 \/ \d+, [1-8] \/ 0 \/ \d+, [1-8] \/ 0 \/ \d+ \|/);
    expect(report).not.toMatch(/NaN|undefined/);
    // A quick run is about a minute on an idle 2-core machine; several with the rest of the suite.
  }, 600_000);
});
