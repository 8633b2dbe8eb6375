import { describe, expect, it } from 'vitest';
import { STORE_KINDS, useStore } from '../../helpers/stores.js';
import { addAccount } from './arrange-secrets.js';

const T1 = '2026-11-20T09:00:00.000Z';
const T2 = '2026-11-21T09:00:00.000Z';
const T3 = '2026-11-22T09:00:00.000Z';

const conflict = (accountId: number, key: string, message = `id ${key} carried two lines`) => ({
  accountId,
  kind: 'id-conflict' as const,
  key,
  severity: 'warning' as const,
  source: 'gocardless',
  message,
  detail: { externalId: key, lines: [1, 2] },
});

describe.each(STORE_KINDS)('input issues on %s', (kind) => {
  const store = useStore(kind);

  it('a finding seen again is counted, not repeated: its message, detail, source and last sighting updated, its first kept', async () => {
    const { db } = store();
    const a = await addAccount(db, 'Checking');
    expect(await db.inputIssues.record(conflict(a, 'tx-1'), T1)).toBe(true);
    expect(await db.inputIssues.record({ ...conflict(a, 'tx-1', 'seen again'), source: 'file:a.csv', detail: undefined }, T2)).toBe(false);
    expect(await db.inputIssues.record(conflict(a, 'tx-1', 'and again'), T3)).toBe(false);
    // Same key, another kind: another finding.
    expect(await db.inputIssues.record({ ...conflict(a, 'tx-1'), kind: 'fuzzy-merge', severity: 'info', detail: undefined }, T1)).toBe(true);
    expect(await db.inputIssues.list({ accountId: a, kind: 'id-conflict' })).toEqual([
      {
        accountId: a,
        kind: 'id-conflict',
        key: 'tx-1',
        severity: 'warning',
        source: 'gocardless',
        message: 'and again',
        detail: { externalId: 'tx-1', lines: [1, 2] },
        firstSeenAt: T1,
        lastSeenAt: T3,
        times: 3,
      },
    ]);
    const merge = await db.inputIssues.list({ kind: 'fuzzy-merge' });
    expect(merge.map((i) => [i.key, i.detail, i.times])).toEqual([['tx-1', null, 1]]);
  });

  it('lists the latest sighting first (ties: the later recorded first), filtered by account and kind', async () => {
    const { db } = store();
    const a = await addAccount(db, 'Checking');
    const b = await addAccount(db, 'Savings');
    await db.inputIssues.record(conflict(a, 'x'), T2);
    await db.inputIssues.record(conflict(b, 'y'), T1);
    await db.inputIssues.record(conflict(a, 'z'), T2);
    await db.inputIssues.record({ ...conflict(b, 'w'), kind: 'provider-warning' }, T3);
    await db.inputIssues.record(conflict(b, 'y'), T3); // seen again: now the latest of its kind
    const keys = async (q?: Parameters<typeof db.inputIssues.list>[0]) => (await db.inputIssues.list(q)).map((i) => `${i.accountId === a ? 'a' : 'b'}:${i.key}`);
    expect(await keys()).toEqual(['b:w', 'b:y', 'a:z', 'a:x']);
    expect(await keys({ accountId: a })).toEqual(['a:z', 'a:x']);
    expect(await keys({ kind: 'id-conflict' })).toEqual(['b:y', 'a:z', 'a:x']);
    expect(await keys({ accountId: b, kind: 'provider-warning' })).toEqual(['b:w']);
    expect(await keys({ accountId: a, kind: 'quarantined' })).toEqual([]);
  });

  it('keys of one kind for an account; forget drops one finding', async () => {
    const { db } = store();
    const a = await addAccount(db, 'Checking');
    const b = await addAccount(db, 'Savings');
    await db.inputIssues.record(conflict(a, 'k1'), T1);
    await db.inputIssues.record(conflict(a, 'k2'), T1);
    await db.inputIssues.record({ ...conflict(a, 'k3'), kind: 'quarantined' }, T1);
    await db.inputIssues.record(conflict(b, 'k4'), T1);
    expect(await db.inputIssues.keys(a, 'id-conflict')).toEqual(new Set(['k1', 'k2']));
    await db.inputIssues.forget(a, 'id-conflict', 'k1');
    await db.inputIssues.forget(a, 'quarantined', 'k2'); // another kind: nothing to forget
    expect(await db.inputIssues.keys(a, 'id-conflict')).toEqual(new Set(['k2']));
    expect(await db.inputIssues.keys(a, 'quarantined')).toEqual(new Set(['k3']));
    expect(await db.inputIssues.keys(b, 'id-conflict')).toEqual(new Set(['k4']));
  });

  it("counts: an account's warnings (not its info findings) and the latest warning's message; by account, only accounts with warnings", async () => {
    const { db } = store();
    const quiet = await addAccount(db, 'Quiet');
    const a = await addAccount(db, 'Checking');
    const b = await addAccount(db, 'Savings');
    const infoOnly = await addAccount(db, 'Info only');
    await db.inputIssues.record(conflict(b, 'b1', 'b first'), T1);
    await db.inputIssues.record(conflict(a, 'a1', 'a older'), T1);
    await db.inputIssues.record(conflict(a, 'a2', 'a newer'), T2);
    await db.inputIssues.record(conflict(a, 'a3', 'a tie, recorded later'), T2);
    await db.inputIssues.record({ ...conflict(a, 'a4', 'a info, latest'), severity: 'info' }, T3);
    await db.inputIssues.record({ ...conflict(infoOnly, 'i1'), severity: 'info' }, T1);
    await db.inputIssues.record(conflict(b, 'b1', 'b seen again'), T3);

    expect(await db.inputIssues.counts(a)).toEqual({ warnings: 3, latest: 'a tie, recorded later' });
    expect(await db.inputIssues.counts(b)).toEqual({ warnings: 1, latest: 'b seen again' });
    expect(await db.inputIssues.counts(quiet)).toEqual({ warnings: 0, latest: null });
    expect(await db.inputIssues.counts(infoOnly)).toEqual({ warnings: 0, latest: null });
    const byAccount = await db.inputIssues.countsByAccount();
    expect([...byAccount]).toEqual([
      [a, { warnings: 3, latest: 'a tie, recorded later' }],
      [b, { warnings: 1, latest: 'b seen again' }],
    ]);
    // The same answer, account by account.
    for (const [id, c] of byAccount) expect(await db.inputIssues.counts(id)).toEqual(c);
  });

  it('a record inside a unit that is rolled back leaves nothing', async () => {
    const { db } = store();
    const a = await addAccount(db, 'Checking');
    await db.write(async () => db.inputIssues.record(conflict(a, 'gone'), T1), { keep: false });
    expect(await db.inputIssues.list()).toEqual([]);
    expect(await db.inputIssues.countsByAccount()).toEqual(new Map());
  });
});
