import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';

// The memory test and the bench read a child's peak RSS through this preload. A child of a big
// parent must report its own peak, not the parent's pages it was forked with (maxRSS does).
it('a child of a big process reports its own peak RSS, not its parent’s', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'banksync-rss-'));
  const file = join(dir, 'rss');
  const ballast = Array.from({ length: 30 }, () => Buffer.alloc(10 * 2 ** 20, 1));
  try {
    const code = await new Promise<number | null>((done) => {
      const child = spawn(process.execPath, ['-r', resolve(__dirname, '../helpers/report-rss.cjs'), '-e', '0'], { env: { ...process.env, BANKSYNC_TEST_RSS_FILE: file }, stdio: 'ignore' });
      child.on('close', done);
    });
    expect(code).toBe(0);
    const mb = Number(readFileSync(file, 'utf8')) / 2 ** 20;
    // node -e 0 peaks at ~40 MB; the parent holds over 300 MB of ballast.
    expect(mb).toBeGreaterThan(10);
    expect(mb).toBeLessThan(150);
    expect(ballast.length).toBe(30);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
