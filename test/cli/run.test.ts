import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { registerSecret } from '../../src/secrets/index.js';

/** runCli with collected streams: what the in-process test runner relies on. */
function io(args: string[], env: NodeJS.ProcessEnv, signals = false) {
  const out = { stdout: '', stderr: '' };
  const sink = (key: 'stdout' | 'stderr') => new Writable({ write: (chunk, _enc, done) => ((out[key] += String(chunk)), done()) });
  return { out, io: { argv: ['node', 'banksync', ...args], env, stdin: Readable.from([]), stdout: sink('stdout'), stderr: sink('stderr'), signals } };
}

describe('runCli: one run of the CLI with the io it is given', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const env = () => {
    const dir = mkdtempSync(join(tmpdir(), 'banksync-run-'));
    dirs.push(dir);
    return { HOME: dir, BANKSYNC_DB: join(dir, 'b.db'), BANKSYNC_CONFIG_DIR: join(dir, 'config'), NO_COLOR: '1' };
  };

  it('returns the exit code and writes only to its own streams, help included', async () => {
    const help = io(['--help'], env());
    expect(await runCli(help.io)).toBe(0);
    expect(help.out.stdout).toMatch(/^Usage: banksync/);
    const bad = io(['--json', 'nope'], env());
    expect(await runCli(bad.io)).toBe(2);
    expect(JSON.parse(bad.out.stdout).error.code).toBe('BAD_INPUT');
    expect(bad.out.stderr).toBe('error: unknown command "nope" for "banksync" — see `banksync --help`\n');
    const status = io(['--json', 'status'], env());
    expect(await runCli(status.io)).toBe(0);
    expect(JSON.parse(status.out.stdout).connections).toEqual([]);
  });

  it('leaves nothing behind: no signal handler, no exit code, no secret of an earlier run', async () => {
    const listeners = () => ['SIGINT', 'SIGTERM'].map((s) => process.listenerCount(s));
    const before = listeners();
    const exitCode = process.exitCode;
    for (const signals of [false, true]) expect(await runCli(io(['--json', 'status'], env(), signals).io)).toBe(0);
    expect(listeners()).toEqual(before);
    expect(process.exitCode).toBe(exitCode);
    // A value an earlier run took for a secret is not scrubbed from the next run's output.
    registerSecret('nope');
    const next = io(['nope'], env());
    expect(await runCli(next.io)).toBe(2);
    expect(next.out.stderr).toContain('unknown command "nope"');
  });
});
