import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/cli/runtime.js';
import { legacyWarning, resolveDatabaseSettings } from '../../src/cli/settings.js';
import { Store, sqlitePort } from '../../src/store/index.js';

describe('per-database settings: this database, then an old config.json value, then the default', () => {
  const dir = mkdtempSync(join(tmpdir(), 'banksync-settings-'));
  const store = Store.open(join(dir, 'b.db'), { keyFile: join(dir, 'k') });
  const db = sqlitePort(store);
  const rt = new Runtime({ db: join(dir, 'b.db') }, { BANKSYNC_CONFIG_DIR: join(dir, 'config') });

  it('takes the database value first; an old config.json value fills a gap; null and "" in config.json count as unset', async () => {
    store.settings.set('expense-account', 'Expenses:Food', 't');
    const resolved = await resolveDatabaseSettings(db, { 'lock-date': '2025-01-01', 'expense-account': 'Expenses:Food', 'income-account': null }, ['lock-date', 'expense-account', 'income-account']);
    expect(resolved).toEqual([
      { key: 'lock-date', value: '2025-01-01', source: 'config.json' },
      { key: 'expense-account', value: 'Expenses:Food', source: 'database' },
      { key: 'income-account', value: null, source: 'default' },
    ]);
    expect(await resolveDatabaseSettings(undefined, { 'lock-date': '' }, ['lock-date'])).toEqual([{ key: 'lock-date', value: null, source: 'default' }]);
    // One warning for the command, naming this database (with --db, since it was given) and the command that moves the value.
    const warning = legacyWarning(rt, resolved)!;
    expect(warning).toContain(`Applied to ${join(dir, 'b.db')} for now; to keep it there: banksync --db ${join(dir, 'b.db')} config lock-date 2025-01-01`);
    expect(warning).not.toContain('expense-account');
  });

  it('a different old value the database overrides is not dropped without a word; nothing to say without one', async () => {
    const resolved = await resolveDatabaseSettings(db, { 'expense-account': 'Expenses:Old Stuff' }, ['expense-account']);
    expect(resolved).toEqual([{ key: 'expense-account', value: 'Expenses:Food', source: 'database', ignored: 'Expenses:Old Stuff' }]);
    expect(legacyWarning(rt, resolved)).toBe(
      `config.json also holds expense-account Expenses:Old Stuff, not used here: ${join(dir, 'b.db')} has its own (expense-account Expenses:Food); banksync --db ${join(dir, 'b.db')} config expense-account Expenses:Food removes the old value`,
    );
    expect(legacyWarning(rt, await resolveDatabaseSettings(db, {}, ['lock-date', 'expense-account']))).toBeUndefined();
  });
});
