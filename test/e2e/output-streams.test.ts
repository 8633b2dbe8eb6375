import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONNECT_SANDBOX, CliSandbox } from '../helpers/cli.js';
import { VALIDATORS } from '../helpers/tools.js';

const NOW = { BANKSYNC_NOW: '2026-11-22T07:00:00Z', TZ: 'Europe/Amsterdam' };
const OFX = join(VALIDATORS, 'samples/good/bank-102-utf8.ofx');

/** stdout is exactly one JSON document: parses whole, nothing before or after but its newline. */
function oneDocument(stdout: string): unknown {
  expect(stdout.endsWith('}\n'), stdout.slice(-200)).toBe(true);
  return JSON.parse(stdout);
}

describe('under --json, stdout is one JSON document for every command', () => {
  const cli = new CliSandbox({ inProcess: true });
  const file = (name: string) => join(cli.dir, name);
  afterAll(() => cli.cleanup());

  // In the order a user meets them; each runs against what the ones before it left.
  const commands: { args: string[]; code?: number }[] = [
    { args: ['--db', join('DIR', 'demo.db'), 'demo'] },
    { args: ['providers'] },
    { args: ['providers', 'setup', 'sandbox'], code: 2 }, // the sandbox needs none: an error document
    { args: ['institutions', 'sandbox'] },
    { args: CONNECT_SANDBOX },
    { args: ['fetch-accounts', 'c1'] },
    { args: ['update-credentials', 'c1', '--yes'] },
    { args: ['sync', '--all'] },
    { args: ['sync', 'c1'] },
    { args: ['status'] },
    { args: ['accounts'] },
    { args: ['accounts', 'disable', 'a3'] },
    { args: ['accounts', 'enable', 'a3'] },
    { args: ['accounts', 'set', 'a1', '--period', 'week'] },
    { args: ['accounts', 'map', 'a1', 'Assets:Bank:Checking'] },
    { args: ['transactions', '--account', 'a1'] },
    { args: ['transactions', '--pending'] },
    { args: ['statements'] },
    { args: ['warnings'] },
    { args: ['export', '--format', 'csv', '--target', 'sheet', '--output', join('DIR', 'out.csv')] },
    { args: ['export', '--list-targets'] },
    { args: ['import', OFX, '--dry-run'] },
    { args: ['import', OFX] },
    { args: ['config'] },
    { args: ['config', 'overlap-days', '10'] },
    // Errors are one document too: {"error": …}.
    { args: ['transactions', '--account', 'a99'], code: 2 },
    { args: ['export', '--format', 'csv'], code: 2 },
    { args: ['disconnect', 'c1', '--keep-history'] },
  ];

  it.each(commands.map((c) => [c.args.join(' ').replace(cli.dir, 'DIR'), c] as const))('%s', async (_name, c) => {
    const args = c.args.map((a) => a.replace(/^DIR/, cli.dir));
    const r = await cli.runAsync(['--json', ...args], NOW);
    expect(r.code, r.stderr).toBe(c.code ?? 0);
    const doc = oneDocument(r.stdout) as Record<string, unknown>;
    if (c.code) expect(doc.error).toMatchObject({ exitCode: c.code });
    else expect(doc.error).toBeUndefined();
  });

  it('the exported file holds the data, and stdout only the summary document', () => {
    expect(readFileSync(file('out.csv'), 'utf8').split('\n').length).toBeGreaterThan(10);
  });
});

describe('notes go to stderr; stdout carries only data', () => {
  const cli = new CliSandbox({ inProcess: true });
  beforeAll(async () => {
    expect((await cli.runAsync(CONNECT_SANDBOX, NOW)).code).toBe(0);
    expect((await cli.runAsync(['sync', '--all'], NOW)).code).toBe(0);
  });
  afterAll(() => cli.cleanup());

  it('export --output: nothing on stdout, "wrote N transactions to FILE" on stderr (none under --quiet)', async () => {
    const out = join(cli.dir, 'a2.csv');
    const r = await cli.runAsync(['export', '--format', 'csv', '--account', 'a2', '--output', out], NOW);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^wrote \\d+ transactions to ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n$`));
    const quiet = await cli.runAsync(['--quiet', 'export', '--format', 'csv', '--account', 'a2', '--output', out], NOW);
    expect(quiet.stdout + quiet.stderr).toBe('');
  });

  it('export to stdout: the CSV alone on stdout, the count on stderr', async () => {
    const r = await cli.runAsync(['export', '--format', 'csv', '--account', 'a2'], NOW);
    expect(r.stdout.split('\n')[0]).toMatch(/^date,/);
    expect(r.stdout).not.toMatch(/exported/);
    expect(r.stderr).toMatch(/^exported \d+ transactions\n$/);
  });

  it('connect: what was connected on stdout, "next: …" on stderr', async () => {
    const other = new CliSandbox({ inProcess: true });
    try {
      const c = await other.runAsync(CONNECT_SANDBOX, NOW);
      expect(c.stdout).toMatch(/^connected c1: Sandbox Bank via sandbox \(consent until \d{4}-\d\d-\d\d \d\d:\d\d CES?T\)\n/);
      expect(c.stdout).not.toContain('next:');
      expect(c.stderr).toBe('next: banksync sync c1\n');
    } finally {
      other.cleanup();
    }
  });

  it('import --dry-run: the report on stdout, "dry run: nothing was written" on stderr', async () => {
    const r = await cli.runAsync(['import', OFX, '--dry-run'], NOW);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/would add 4, 0 already there \(4 lines\)\n$/);
    expect(r.stdout).not.toContain('dry run');
    expect(r.stderr).toContain('dry run: nothing was written');
  });

  it('demo: the walk-through on stdout, where its database is and how to explore it on stderr', async () => {
    const r = await cli.runAsync(['--db', join(cli.dir, 'demo.db'), 'demo'], NOW);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^1\. connected c1: Sandbox Bank with 3 accounts\n/);
    expect(r.stdout).not.toMatch(/demo database|explore/i);
    expect(r.stderr).toContain(`explore this database: banksync --db ${join(cli.dir, 'demo.db')} status`);
  });
});

describe('times shown to a person are local, with the zone; --json keeps ISO UTC', () => {
  const cli = new CliSandbox({ inProcess: true });
  beforeAll(async () => {
    expect((await cli.runAsync(CONNECT_SANDBOX, NOW)).code).toBe(0);
    expect((await cli.runAsync(['export', '--format', 'csv', '--target', 'sheet', '--output', join(cli.dir, 'x.csv')], NOW)).code).toBe(0);
  });
  afterAll(() => cli.cleanup());

  it('export --list-targets: the last export at 08:00 CET (07:00 UTC), ISO in --json', async () => {
    expect((await cli.runAsync(['export', '--list-targets'], NOW)).stdout).toMatch(/sheet +csv +.* 2026-11-22 08:00 CET /);
    expect((await cli.jsonAsync(['export', '--list-targets'], NOW)).targets[0].exportedAt).toBe('2026-11-22T07:00:00.000Z');
    expect((await cli.runAsync(['export', '--list-targets'], { ...NOW, TZ: 'UTC' })).stdout).toMatch(/ 2026-11-22 07:00 UTC /);
  });

  it('update-credentials: consent renewed until a local time; "1 account", not "account(s)"', async () => {
    const r = await cli.runAsync(['update-credentials', 'c1', '--yes'], NOW);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^c1: consent renewed until \d{4}-\d\d-\d\d \d\d:\d\d CES?T; 3 accounts kept with their history\n/);
    expect(r.stdout).not.toContain('(s)');
  });
});
