import { describe, expect, it } from 'vitest';
import { STORE_KINDS, useStore } from '../../helpers/stores.js';

const T1 = '2026-11-20T09:00:00.000Z';
const T2 = '2026-11-21T10:30:00.000Z';

describe.each(STORE_KINDS)('connections on %s', (kind) => {
  const store = useStore(kind);

  it('creates connections, active and with their fields, and lists them by id', async () => {
    const { db } = store();
    expect(await db.connections.list()).toEqual([]);
    const a = await db.connections.create({ providerId: 'enable-banking', institutionId: 'DE_BANK', institutionName: 'Die Bank', consentExpiresAt: '2027-05-20', now: T1 });
    const b = await db.connections.create({ providerId: 'gocardless', institutionId: 'AB_CD', institutionName: 'Another', now: T2 });
    expect(b).toBeGreaterThan(a);
    expect(await db.connections.get(a)).toEqual({
      id: a,
      providerId: 'enable-banking',
      institutionId: 'DE_BANK',
      institutionName: 'Die Bank',
      status: 'active',
      statusDetail: null,
      consentExpiresAt: '2027-05-20',
      createdAt: T1,
      updatedAt: T1,
    });
    expect((await db.connections.get(b))?.consentExpiresAt).toBeNull();
    expect((await db.connections.list()).map((c) => c.id)).toEqual([a, b]);
    expect(await db.connections.get(b + 1000)).toBeUndefined();
    expect((await store().reopen().connections.list()).map((c) => c.institutionName)).toEqual(['Die Bank', 'Another']);
  });

  it('sets a status with its detail, and a new consent makes the connection active again', async () => {
    const { db } = store();
    const id = await db.connections.create({ providerId: 'p', institutionId: 'i', institutionName: 'I', consentExpiresAt: '2027-01-01', now: T1 });
    const other = await db.connections.create({ providerId: 'p', institutionId: 'j', institutionName: 'J', now: T1 });
    await db.connections.setStatus(id, 'needs_human', 'consent expired', T2);
    expect(await db.connections.get(id)).toMatchObject({ status: 'needs_human', statusDetail: 'consent expired', updatedAt: T2, createdAt: T1, consentExpiresAt: '2027-01-01' });
    expect(await db.connections.get(other)).toMatchObject({ status: 'active', updatedAt: T1 });
    await db.connections.setConsent(id, '2027-08-01', '2026-11-22T00:00:00.000Z');
    expect(await db.connections.get(id)).toMatchObject({ status: 'active', statusDetail: null, consentExpiresAt: '2027-08-01', updatedAt: '2026-11-22T00:00:00.000Z' });
    await db.connections.setConsent(id, null, '2026-11-23T00:00:00.000Z');
    expect((await db.connections.get(id))?.consentExpiresAt).toBeNull();
  });

  it('deletes a connection; its accounts stay, holding imported lines only', async () => {
    const { db } = store();
    const id = await db.connections.create({ providerId: 'p', institutionId: 'i', institutionName: 'I', now: T1 });
    const kept = await db.connections.create({ providerId: 'p', institutionId: 'j', institutionName: 'J', now: T1 });
    const account = await db.accounts.create({ connectionId: id, providerId: 'p', institutionId: 'i', externalId: 'x', name: 'A', currency: 'EUR', kind: 'checking', stableIds: true, now: T1 });
    await db.connections.delete(id);
    expect(await db.connections.get(id)).toBeUndefined();
    expect((await db.connections.list()).map((c) => c.id)).toEqual([kept]);
    expect((await db.accounts.get(account))?.connectionId).toBeNull();
  });
});
