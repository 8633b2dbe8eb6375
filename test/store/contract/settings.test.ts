import { describe, expect, it } from 'vitest';
import { STORE_KINDS, useStore } from '../../helpers/stores.js';

describe.each(STORE_KINDS)('settings on %s', (kind) => {
  const store = useStore(kind);

  it('stores one value per key, lists them by key, and forgets one set to null', async () => {
    const { db } = store();
    expect(await db.settings.all()).toEqual([]);
    expect(await db.settings.get('lock-date')).toBeUndefined();
    await db.settings.set('lock-date', '2025-01-01', '2026-11-20T09:00:00.000Z');
    await db.settings.set('expense-account', 'Expenses:Misc', '2026-11-20T09:00:00.000Z');
    await db.settings.set('lock-date', '2025-06-01', '2026-11-21T09:00:00.000Z');
    await db.settings.set('Zeta', 'upper case sorts first, bytewise', '2026-11-21T09:00:00.000Z');
    expect(await db.settings.all()).toEqual([
      { key: 'Zeta', value: 'upper case sorts first, bytewise', updatedAt: '2026-11-21T09:00:00.000Z' },
      { key: 'expense-account', value: 'Expenses:Misc', updatedAt: '2026-11-20T09:00:00.000Z' },
      { key: 'lock-date', value: '2025-06-01', updatedAt: '2026-11-21T09:00:00.000Z' },
    ]);
    await db.settings.set('lock-date', null, '2026-11-22T09:00:00.000Z');
    expect(await db.settings.get('lock-date')).toBeUndefined();
    expect(await store().reopen().settings.get('expense-account')).toBe('Expenses:Misc');
  });
});
