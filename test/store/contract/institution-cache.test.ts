import { describe, expect, it } from 'vitest';
import type { Institution } from '../../../src/domain/model.js';
import { STORE_KINDS, useStore } from '../../helpers/stores.js';

const T1 = '2026-11-20T09:00:00.000Z';
const T2 = '2026-11-21T09:00:00.000Z';

const bank = (id: string, name: string, country: string, more: Partial<Institution> = {}): Institution => ({
  id,
  providerId: 'gocardless',
  name,
  country,
  beta: false,
  scaEveryFetch: false,
  stableTransactionIds: true,
  ...more,
});

describe.each(STORE_KINDS)('the institution cache on %s', (kind) => {
  const store = useStore(kind);

  it('keeps the last list per provider and country, replacing it whole', async () => {
    const { db } = store();
    expect(await db.institutionCache.get('gocardless', 'DE')).toBeUndefined();
    const de = [bank('ING_DE', 'ING', 'DE', { consentDays: 90, historyDays: 730 }), bank('N26', 'N26 — “Bank”', 'DE', { beta: true })];
    await db.institutionCache.put('gocardless', 'DE', de, T1);
    await db.institutionCache.put('gocardless', '', [bank('ALL', 'All of them', 'XX')], T1);
    await db.institutionCache.put('enablebanking', 'DE', [bank('OTHER', 'Other provider', 'DE')], T1);
    expect(await db.institutionCache.get('gocardless', 'DE')).toEqual({ fetchedAt: T1, institutions: de });
    await db.institutionCache.put('gocardless', 'DE', [bank('N26', 'N26', 'DE')], T2);
    expect(await db.institutionCache.get('gocardless', 'DE')).toEqual({ fetchedAt: T2, institutions: [bank('N26', 'N26', 'DE')] });
    expect((await db.institutionCache.get('gocardless', ''))?.institutions.map((i) => i.id)).toEqual(['ALL']);
    expect((await db.institutionCache.get('enablebanking', 'DE'))?.institutions.map((i) => i.id)).toEqual(['OTHER']);
    expect(await db.institutionCache.get('gocardless', 'FR')).toBeUndefined();
  });

  it("finds an institution by id in any of the provider's lists, the first by country when several hold it, never another provider's", async () => {
    const { db } = store();
    await db.institutionCache.put('gocardless', 'FR', [bank('BNP', 'BNP Paribas', 'FR'), bank('SHARED', 'as listed for FR', 'FR')], T1);
    await db.institutionCache.put('gocardless', 'DE', [bank('ING_DE', 'ING', 'DE'), bank('SHARED', 'as listed for DE', 'DE', { refreshesPerDay: 4 })], T1);
    await db.institutionCache.put('gocardless', '', [bank('SHARED', 'as listed in the whole list', 'XX'), bank('WHOLE', 'whole only', 'XX')], T1);
    await db.institutionCache.put('enablebanking', 'DE', [bank('EB_ONLY', 'Enable Banking only', 'DE')], T1);
    expect(await db.institutionCache.find('gocardless', 'BNP')).toEqual(bank('BNP', 'BNP Paribas', 'FR'));
    expect(await db.institutionCache.find('gocardless', 'WHOLE')).toEqual(bank('WHOLE', 'whole only', 'XX'));
    expect((await db.institutionCache.find('gocardless', 'SHARED'))?.name).toBe('as listed in the whole list');
    await db.institutionCache.put('gocardless', '', [], T2);
    expect(await db.institutionCache.find('gocardless', 'SHARED')).toEqual(bank('SHARED', 'as listed for DE', 'DE', { refreshesPerDay: 4 }));
    expect(await db.institutionCache.find('gocardless', 'EB_ONLY')).toBeUndefined();
    expect(await db.institutionCache.find('gocardless', 'bnp')).toBeUndefined(); // ids are exact
    expect(await db.institutionCache.find('nobody', 'BNP')).toBeUndefined();
  });
});
