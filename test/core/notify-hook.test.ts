import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runNotifyHook, type NotifySummary } from '../../src/core/notify-hook.js';
import { registerSecret } from '../../src/secrets/index.js';

const summary = (message: string): NotifySummary => ({
  version: '0.1.0',
  host: 'h',
  db: '/tmp/x.db',
  startedAt: '2026-11-30T06:00:00.000Z',
  finishedAt: '2026-11-30T06:00:01.000Z',
  exitCode: 3,
  accounts: [{ id: 'a1', connection: 'c1', institution: 'Bank', name: 'Current', result: 'skipped', code: 'CREDENTIALS_INVALID', message, hint: null }],
  consentWarnings: [],
  error: null,
});

describe('runNotifyHook', () => {
  const dir = mkdtempSync(join(tmpdir(), 'banksync-hook-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('hands the summary to a real shell command on stdin, with secrets redacted', async () => {
    registerSecret('sfin-access-url-s3cret');
    const file = join(dir, 'got.json');
    const r = await runNotifyHook(`cat > '${file}'`, summary('the bridge refused https://user:sfin-access-url-s3cret@bridge'));
    expect(r).toEqual({ ok: true });
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('sfin-access-url-s3cret');
    expect(JSON.parse(text).accounts[0].message).toBe('the bridge refused https://user:[redacted]@bridge');
  });

  it('stops a hook that hangs, with its children, and says so', async () => {
    const r = await runNotifyHook('sleep 30 | cat', summary('x'), { timeoutMs: 300 });
    expect(r.ok).toBe(false);
    expect(r.problem).toMatch(/did not finish within/);
  });

  it("does not hand banksync's own secrets to the hook in its environment", async () => {
    const file = join(dir, 'env.txt');
    const env = { PATH: process.env.PATH, BANKSYNC_SECRET_KEY: 'a2V5a2V5', BANKSYNC_GOCARDLESS_SECRET_KEY: 'gc', BANKSYNC_DB: '/x.db', HOME: '/home/x' };
    expect(await runNotifyHook(`env > '${file}'`, summary('x'), { env })).toEqual({ ok: true });
    const seen = readFileSync(file, 'utf8');
    expect(seen).not.toMatch(/SECRET/);
    expect(seen).toContain('BANKSYNC_DB=/x.db');
    expect(seen).toContain('HOME=/home/x');
  });

  it('a hook that ignores its stdin is fine', async () => {
    expect(await runNotifyHook('true', summary('x'.repeat(200_000)))).toEqual({ ok: true });
  });
});
