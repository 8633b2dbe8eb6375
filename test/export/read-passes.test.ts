import { describe, expect, it, vi } from 'vitest';
import { exportFixture, exportToString } from '../helpers/export-fixture.js';

/** What an export reads besides its lines: only what its format and columns use. */
describe('export read passes', () => {
  it('a plain CSV export reads no account summary; the statement column and OFX do, and get the same ranges', async () => {
    const f = exportFixture();
    const summary = vi.spyOn(f.store.exports, 'summary');
    const plain = await exportToString(f.services, { format: 'csv', accountIds: [f.checking] });
    expect(plain.result.count).toBeGreaterThan(0);
    expect(summary).not.toHaveBeenCalled();

    // With statement periods off, each line's statement is the section's range: the summary's.
    f.store.accounts.updateSettings(f.checking, { statementPeriod: 'none' });
    const statement = await exportToString(f.services, { format: 'csv', accountIds: [f.checking], columns: ['date', 'statement'] });
    expect(summary).toHaveBeenCalledTimes(1);
    const first = statement.text.split('\n')[1]!.split(',')[0]!;
    const last = statement.text.trimEnd().split('\n').at(-1)!.split(',')[0]!;
    expect(statement.text.split('\n')[1]).toBe(`${first},${first}/${last}`);

    summary.mockClear();
    await exportToString(f.services, { format: 'ofx', accountIds: [f.checking] });
    expect(summary).toHaveBeenCalledTimes(1);
  });

  it('without a single transfer pair, the annotator does not join every line with the pairs', async () => {
    const f = exportFixture();
    const prepare = vi.spyOn(f.store.db, 'prepare');
    await exportToString(f.services, { format: 'csv', accountIds: [f.checking] });
    expect(prepare.mock.calls.map(([sql]) => sql).filter((sql) => sql.includes('JOIN transactions o'))).toEqual([]);
  });
});
