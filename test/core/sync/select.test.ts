import { describe, expect, it } from 'vitest';
import type { Services } from '../../../src/core/context.js';
import { dueAt, selectAccounts, stillDue } from '../../../src/core/sync/select.js';
import type { Account } from '../../../src/domain/model.js';
import { quietNotifier, refusingPrompts } from '../../helpers/services.js';
import { STORE_KINDS, useStore } from '../../helpers/stores.js';

const NOW = '2026-11-22T07:00:00.000Z';
const HOUR = 3_600_000;

describe.each(STORE_KINDS)('which accounts a run syncs, on %s', (kind) => {
  const store = useStore(kind);
  const services = (): Services => ({
    db: store().db,
    clock: () => new Date(NOW),
    env: {},
    prompts: refusingPrompts(),
    notify: quietNotifier,
    openBrowser: async () => false,
  });
  const addAccount = async (s: Services): Promise<number> => {
    const connectionId = await s.db.connections.create({ providerId: 'sandbox', institutionId: 'sandbox-bank', institutionName: 'Sandbox Bank', now: NOW });
    return s.db.accounts.create({
      connectionId,
      providerId: 'sandbox',
      institutionId: 'sandbox-bank',
      externalId: 'x1',
      name: 'Checking',
      currency: 'EUR',
      kind: 'checking',
      stableIds: true,
      now: NOW,
    });
  };

  it('a due account synced by another worker between selection and claim is no longer due once claimed', async () => {
    const s = services();
    const id = await addAccount(s);
    const target = { kind: 'all', due: true } as const;
    const { accounts } = await selectAccounts(s, target);
    expect(accounts.map((a) => a.id)).toEqual([id]);
    expect((await stillDue(s, accounts[0]!.connectionId!, accounts, target)).map((a) => a.id)).toEqual([id]);
    // The other worker's sync lands before our claim.
    await s.db.accounts.recordOutcome(id, { state: 'synced', detail: null, attemptAt: NOW, successAt: NOW });
    expect(await stillDue(s, accounts[0]!.connectionId!, accounts, target)).toEqual([]);
    // Asked for by name (or without --due), it is synced as asked.
    expect(await stillDue(s, accounts[0]!.connectionId!, accounts, { kind: 'account', accountId: id })).toEqual(accounts);
  });

  it('a worker waits retry-minutes after a failed attempt; a cron run does not', async () => {
    const s = services();
    const id = await addAccount(s);
    const failedAt = new Date(Date.parse(NOW) - HOUR / 2).toISOString();
    await s.db.accounts.recordOutcome(id, { state: 'failed', detail: 'boom', attemptAt: failedAt });
    const account = (await s.db.accounts.get(id)) as Account;
    expect(dueAt(account)).toBe(0); // never synced: due
    expect(dueAt(account, HOUR)).toBe(Date.parse(failedAt) + HOUR);
    expect((await selectAccounts(s, { kind: 'all', due: true, retryAfterMs: HOUR })).accounts).toEqual([]);
    expect((await selectAccounts(s, { kind: 'all', due: true, retryAfterMs: HOUR / 4 })).accounts.map((a) => a.id)).toEqual([id]);
    expect((await selectAccounts(s, { kind: 'all', due: true })).accounts.map((a) => a.id)).toEqual([id]);
  });
});
