import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Sink, writeFileAtomically } from '../../src/core/output-file.js';

describe('writeFileAtomically', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("takes several of the sink's chunks before asking it to wait, so the next chunk is made while one is written", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'banksync-out-'));
    dirs.push(dir);
    const path = join(dir, 'x.csv');
    const waits = await writeFileAtomically(path, async (out) => {
      expect(out.writableHighWaterMark).toBeGreaterThan(65_536);
      const sink = new Sink(out);
      let flushes = 0;
      for (let i = 0; i < 4; i++) {
        if (sink.add(`${'x'.repeat(65_535)}\n`)) {
          flushes++;
          await sink.flush();
        }
      }
      return flushes;
    });
    expect(waits).toBe(4);
    expect(readFileSync(path, 'utf8')).toBe(`${'x'.repeat(65_535)}\n`.repeat(4));
  });
});
