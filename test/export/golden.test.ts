import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportFixture, exportToString } from '../helpers/export-fixture.js';
import { GOLDEN_CASES } from './golden-cases.js';

const GOLDEN = join(__dirname, '../../fixtures/golden/export');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

describe('golden files: each format byte for byte on the tricky fixture', () => {
  const f = exportFixture();
  it.each(GOLDEN_CASES)('%s', async (name, options, count) => {
    const { text, result } = await exportToString(f.services, options(f));
    expect(result.count).toBe(count);
    const file = join(GOLDEN, name);
    if (UPDATE || !existsSync(file)) {
      if (!UPDATE) throw new Error(`missing golden file ${name}: run with UPDATE_GOLDEN=1`);
      writeFileSync(file, text);
    }
    expect(text).toBe(readFileSync(file, 'utf8'));
  });
});
