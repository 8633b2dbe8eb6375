import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStatementFile, parseBytes } from '../../src/import/parse.js';

/** A zero-byte download (a failed export at the bank's website) says what it is and what to do. */
describe('an empty statement file', () => {
  it('is refused in one line that says there is nothing to import and how to get the file again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'banksync-empty-'));
    const path = join(dir, 'statement.csv');
    writeFileSync(path, '');
    const expected = { message: 'statement.csv: is empty: there is nothing to import', hint: 'download the statement from your bank again' };
    await expect(openStatementFile(path, 'auto', {})).rejects.toMatchObject(expected);
    expect(() => parseBytes(Buffer.alloc(0), path, 'auto', {})).toThrow(expect.objectContaining(expected));
  });
});
