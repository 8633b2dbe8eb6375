import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli.js';

/** The OFX fixtures of test/import/ofx-real.test.ts, imported by the built CLI. */
const DIR = resolve(__dirname, '../../fixtures/import/ofx');

describe('OFX fixtures through the built CLI', () => {
  const NOW = { BANKSYNC_NOW: '2026-11-20T09:00:00Z' };
  const cli = new CliSandbox({ inProcess: true });
  afterAll(() => cli.cleanup());

  it('a file without FITIDs imported twice adds its lines once', async () => {
    const first = await cli.jsonAsync(['import', join(DIR, 'no-fitid.ofx')], NOW);
    expect(first.files[0].statements[0]).toMatchObject({ created: true, added: 4 });
    expect((await cli.jsonAsync(['import', join(DIR, 'no-fitid.ofx')], NOW)).files[0].statements[0]).toMatchObject({ added: 0, duplicates: 4 });
  });

  it('an investment-only file exits with the bad-input code and one line on stderr', async () => {
    const r = await cli.runAsync(['import', join(DIR, 'investment-only.ofx')], NOW);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: investment-only\.ofx: holds only investment statements \(INVSTMTRS\): investment statements are not supported/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
