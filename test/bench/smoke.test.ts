import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireTools } from '../helpers/tools.js';

/** `npm run bench -- --quick` still runs end to end (figures are not judged here: no timed assertions). */
describe('benchmark smoke run', () => {
  it('prints every bench row and writes the report', () => {
    requireTools('sqlite3', 'ledger-autosync', 'ofxdump');
    const out = join(mkdtempSync(join(tmpdir(), 'banksync-bench-')), 'BENCHMARKS.md');
    const r = spawnSync(process.execPath, [resolve(__dirname, '../../bench/run.mjs'), '--quick', '--out', out], { encoding: 'utf8', timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);
    const report = readFileSync(out, 'utf8');
    for (const row of ['1. ingest', '2. OFX import', '3. CSV export', '3. export RSS', '4. sync at scale', '4. provider limits', '5. start-up', '## Growth']) expect(report).toContain(row);
    // Sync at scale: never more in flight than the mock allows, and nothing refused.
    expect(report).toMatch(/\| 4\. provider limits \| [^|]+ \| 5 \/ 0 \|/);
    expect(report).not.toMatch(/NaN|undefined/);
  });
});
