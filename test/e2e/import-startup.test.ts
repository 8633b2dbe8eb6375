import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli.js';

const FIXTURES = resolve(__dirname, '../../fixtures/import');
const PRELOAD = resolve(__dirname, 'import-loads.cjs');

/**
 * What an import loads before it reads: the XML reader (saxes) takes longer to load than Node
 * takes to start, and ICU's currency data is loaded by the first Intl.NumberFormat. An OFX 1.x
 * (SGML) file needs neither; a CAMT file loads the XML reader when it is read.
 */
describe('an import loads only what its file needs', () => {
  const cli = new CliSandbox();
  afterAll(() => cli.cleanup());

  const importLoading = async (file: string) => {
    const loads = join(cli.dir, `loads-${Math.random()}.json`);
    const r = await cli.runAsync(['import', file], { BANKSYNC_NOW: '2026-11-20T09:00:00Z', NODE_OPTIONS: `--require ${PRELOAD}`, BANKSYNC_TEST_LOADS_FILE: loads });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(readFileSync(loads, 'utf8')) as { modules: string[]; numberFormats: number };
  };

  it('an SGML OFX import loads no XML reader and builds no Intl.NumberFormat', async () => {
    expect(await importLoading(join(FIXTURES, 'ofx/no-fitid.ofx'))).toEqual({ modules: [], numberFormats: 0 });
  });

  it('a CAMT import loads the XML reader', async () => {
    expect((await importLoading(join(FIXTURES, 'camt/bad-iban-check-digits.xml'))).modules).toEqual(['saxes', 'xmlchars']);
  });
});
