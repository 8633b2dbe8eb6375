import { sqlitePort } from '../../src/store/index.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Prompts, Services } from '../../src/core/context.js';
import { explainLine } from '../../src/core/explain.js';
import { setIgnored } from '../../src/core/explain-ignore.js';
import { unmergeLine } from '../../src/core/explain-unmerge.js';
import { exportTransactions } from '../../src/core/export.js';
import { mergeAccounts } from '../../src/core/account-merge.js';
import { importFiles } from '../../src/core/import.js';
import { fingerprint, lineId } from '../../src/core/dedupe.js';
import { Store } from '../../src/store/index.js';
import { AccountWriter } from '../../src/core/sync/account-sync.js';

const NOW = '2026-11-22T07:00:00.000Z';

function services(store: Store, select?: Prompts['select']): Services {
  const refuse = () => Promise.reject(new Error('unexpected prompt'));
  return {
    db: sqlitePort(store),
    clock: () => new Date(NOW),
    env: {},
    prompts: { interactive: !!select, confirm: refuse, select: select ?? refuse, checkbox: refuse, input: refuse } as Prompts,
    notify: { info: () => undefined, warn: () => undefined, always: () => undefined, progress: () => ({ update: () => undefined, stop: () => undefined }) },
    openBrowser: async () => false,
  };
}

/** A provider line as a sync stores it. */
function synced(store: Store, accountId: number, date: string, amountMinor: number, payee: string, memo: string, externalId: string): string {
  const fp = fingerprint({ date, amountMinor, currency: 'EUR', payee, memo });
  const id = lineId(accountId, externalId, fp, 0);
  store.transactions.write(
    {
      id,
      accountId,
      externalId,
      fingerprint: fp,
      ordinal: 0,
      bookingDate: date,
      valueDate: null,
      amountMinor,
      currency: 'EUR',
      payee,
      memo,
      type: 'debit',
      counterpartyIban: null,
      source: 'provider:sandbox',
    },
    NOW,
  );
  return id;
}

async function exported(s: Services, target?: string): Promise<string> {
  let text = '';
  const out = new Writable({ write: (c, _e, done) => ((text += String(c)), done()) });
  await exportTransactions(s, { format: 'csv', ...(target ? { target, changes: true } : {}) }, out);
  return text;
}

describe('explain and unmerge', () => {
  let dir: string;
  let store: Store;
  let s: Services;
  let account: number;
  let shop: string;
  let bakery: string;
  const file = (name: string, rows: string[]) => {
    const p = join(dir, name);
    writeFileSync(p, ['date,amount,currency,payee,memo', ...rows, ''].join('\n'));
    return p;
  };
  const lines = () => [...store.transactions.iterate({ accountIds: [account] })].map((t) => t.id);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'banksync-explain-'));
    store = Store.open(join(dir, 'b.db'), { keyFile: join(dir, 'k') });
    s = services(store);
    const c = store.connections.create({ providerId: 'sandbox', institutionId: 'x', institutionName: 'X', now: NOW });
    account = store.accounts.create({ connectionId: c, providerId: 'sandbox', institutionId: 'x', externalId: 'acc', name: 'Checking', currency: 'EUR', kind: 'checking', stableIds: true, now: NOW });
    shop = synced(store, account, '2024-03-01', -4200, 'Evil Corp', 'Invoice 7', 'p1');
    bakery = synced(store, account, '2024-03-01', -4200, 'Evil Twin Bakery', 'bread', 'p2');
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records the rung and each candidate with why it was taken or refused', async () => {
    await importFiles(s, {
      files: [file('a.csv', ['2024-03-01,-42.00,EUR,EVIL CORP,invoice 7 card', '2024-03-02,-1.00,EUR,Tea,', '2024-03-01,-42.00,EUR,Garage Müller,repair'])],
      format: 'auto',
      accountId: account,
    });
    const e = await explainLine(s, shop);
    expect(e.origin).toMatchObject({ kind: 'provider', rawId: 'p1', rung: 'provider-id', unknown: [] });
    expect(e.merged).toHaveLength(1);
    expect(e.merged[0]).toMatchObject({ rung: 'text', record: 'line 2', undoable: true, file: { name: 'a.csv' } });
    expect(e.merged[0]!.candidates).toEqual([
      expect.objectContaining({ id: shop, verdict: 'accepted' }),
      expect.objectContaining({ id: bakery, verdict: 'refused', why: expect.stringMatching(/only 1 of 4 words shared/) }),
    ]);
    const [garage, tea] = [...store.transactions.iterate({ accountIds: [account] })].filter((t) => t.id !== shop && t.id !== bakery).map((t) => t.id);
    expect((await explainLine(s, tea!)).origin).toMatchObject({ kind: 'file', rung: 'new', record: 'line 3', candidates: [], file: { name: 'a.csv' }, unknown: [] });
    // Weighed and refused: the bakery line (the shop was taken by line 2 of the file).
    expect((await explainLine(s, garage!)).origin).toMatchObject({ kind: 'file', rung: 'new', record: 'line 4' });
    expect((await explainLine(s, garage!)).origin.candidates).toEqual([expect.objectContaining({ id: bakery, verdict: 'refused', why: expect.stringMatching(/words shared/) })]);
  });

  it('unmerge makes the file line its own line in one step; later imports keep the two apart', async () => {
    const a = file('a.csv', ['2024-03-01,-42.00,EUR,EVIL CORP,invoice 7 card']);
    await importFiles(s, { files: [a], format: 'auto', accountId: account });
    expect(lines()).toHaveLength(2);
    const r = await unmergeLine(s, shop, {});
    expect(lines().sort()).toEqual([shop, bakery, r.line].sort());
    expect(store.inputIssues.list({ kind: 'fuzzy-merge' })).toEqual([]);
    // Again, and a longer statement holding the same line: it is found, the synced one is refused.
    await importFiles(s, { files: [a, file('longer.csv', ['2024-03-01,-42.00,EUR,EVIL CORP,invoice 7 card', '2024-03-09,-1.00,EUR,Tea,'])], format: 'auto', accountId: account });
    expect(lines()).toHaveLength(4);
    expect((await explainLine(s, r.line)).merged.map((m) => m.file?.name)).toEqual(['longer.csv']); // a.csv again is the same observation
    const copy = (await explainLine(s, r.line)).merged[0]!;
    expect(copy.rung).toBe('fingerprint');
    expect(copy.candidates).toContainEqual(expect.objectContaining({ id: shop, verdict: 'refused', why: 'kept apart by `banksync unmerge`' }));
    expect((await explainLine(s, shop)).merged).toEqual([]);
  });

  it('a merge by fingerprint undone stays undone: the same file again is not taken as the synced line', async () => {
    const a = file('same.csv', ['2024-03-01,-42.00,EUR,Evil Corp,Invoice 7']);
    await importFiles(s, { files: [a], format: 'auto', accountId: account });
    expect((await explainLine(s, shop)).merged).toEqual([expect.objectContaining({ rung: 'fingerprint', undoable: true })]);
    const r = await unmergeLine(s, shop, {});
    await importFiles(s, { files: [a], format: 'auto', accountId: account });
    expect(lines()).toHaveLength(3);
    expect((await explainLine(s, shop)).merged).toEqual([]);
    expect((await explainLine(s, r.line)).origin).toMatchObject({ rung: 'unmerged', unmergedFrom: shop });
  });

  it('several merges: asks which one, naming the flag; --source picks without asking', async () => {
    await importFiles(s, {
      files: [file('a.csv', ['2024-03-01,-42.00,EUR,EVIL CORP,invoice 7 card']), file('b.csv', ['2024-03-01,-42.00,EUR,Evil Corp,Invoice 7 paid'])],
      format: 'auto',
      accountId: account,
    });
    const merged = (await explainLine(s, shop)).merged;
    expect(merged).toHaveLength(2);
    let asked: { flag: string; choices: number } | undefined;
    const chooser = services(store, (async (_m: string, choices: { value: unknown }[], flag: string) => {
      asked = { flag, choices: choices.length };
      return choices[1]!.value;
    }) as Prompts['select']);
    const r = await unmergeLine(chooser, shop, {});
    expect(asked).toEqual({ flag: `--source ${merged[0]!.ref}|${merged[1]!.ref}`, choices: 2 });
    expect(r.ref).toBe(merged[1]!.ref);
    await expect(unmergeLine(s, shop, { source: 'o999' })).rejects.toThrow(/--source o999 names no merge/);
    expect((await unmergeLine(s, shop, { source: merged[0]!.ref })).ref).toBe(merged[0]!.ref);
    await expect(unmergeLine(s, shop, {})).rejects.toThrow(/nothing was merged|nothing on/);
  });

  it('accounts merge: a line taken by its text keeps its file origin; unmerge brings it back under its own id', async () => {
    const c = store.connections.create({ providerId: 'file', institutionId: 'file', institutionName: 'File', now: NOW });
    const other = store.accounts.create({
      connectionId: c,
      providerId: 'file',
      institutionId: 'file',
      externalId: null,
      name: 'From file',
      currency: 'EUR',
      kind: 'checking',
      stableIds: true,
      now: NOW,
    });
    await importFiles(s, { files: [file('old.csv', ['2024-03-01,-42.00,EUR,EVIL CORP,invoice 7 card'])], format: 'auto', accountId: other });
    const [former] = [...store.transactions.iterate({ accountIds: [other] })].map((t) => t.id);
    await mergeAccounts(s, other, account, { yes: true });
    expect(lines()).toHaveLength(2);
    const m = (await explainLine(s, shop)).merged;
    expect(m).toEqual([expect.objectContaining({ rung: 'accounts-merge-text', undoable: true, record: 'line 2', file: expect.objectContaining({ name: 'old.csv' }) })]);
    const r = await unmergeLine(s, shop, {});
    expect(r.line).toBe(former);
    expect(store.transactions.byId(former!)).toMatchObject({ accountId: account, payee: 'EVIL CORP' });
  });

  it('a sync without provider ids that meets a line a file stored records the merge, which cannot be undone', async () => {
    const c = store.connections.create({ providerId: 'sandbox', institutionId: 'y', institutionName: 'Y', now: NOW });
    const noIds = store.accounts.create({
      connectionId: c,
      providerId: 'sandbox',
      institutionId: 'y',
      externalId: 'acc2',
      name: 'No ids',
      currency: 'EUR',
      kind: 'checking',
      stableIds: false,
      now: NOW,
    });
    await importFiles(s, { files: [file('old.csv', ['2024-03-01,-5.00,EUR,Bakery,bread'])], format: 'auto', accountId: noIds });
    const [fromFile] = [...store.transactions.iterate({ accountIds: [noIds] })].map((t) => t.id);
    const sync = async () => {
      const w = await AccountWriter.open({ db: sqlitePort(store), provider: { id: 'sandbox' }, account: store.accounts.get(noIds)!, window: { from: '2024-03-01', to: '2024-03-02' }, now: NOW });
      await w.add({
        booked: [
          { bookingDate: '2024-03-01', amountMinor: -500, currency: 'EUR', payee: 'Bakery', memo: 'bread' },
          { bookingDate: '2024-03-02', amountMinor: -100, currency: 'EUR', payee: 'Tea' },
        ],
      });
      await w.finish();
    };
    await sync();
    await sync(); // its own line again: not recorded
    expect(store.transactions.count(noIds)).toBe(2);
    expect((await explainLine(s, fromFile!)).merged).toEqual([expect.objectContaining({ source: 'provider:sandbox', rung: 'fingerprint', undoable: false, unknown: [] })]);
    const tea = [...store.transactions.iterate({ accountIds: [noIds] })].find((t) => t.payee === 'Tea')!;
    expect(await explainLine(s, tea.id)).toMatchObject({ origin: { kind: 'provider', rung: 'provider-fingerprint' }, merged: [] });
    await expect(unmergeLine(s, fromFile!, {})).rejects.toThrow(/nothing on .* can be undone/);
  });

  it("a match by the file's own id cannot be undone", async () => {
    const ids = (name: string, rows: string[]) => {
      const p = join(dir, name);
      writeFileSync(p, ['date,amount,currency,payee,memo,id', ...rows, ''].join('\n'));
      return p;
    };
    await importFiles(s, { files: [ids('ids.csv', ['2024-03-05,-1.00,EUR,Tea,,T1'])], format: 'auto', accountId: account });
    const tea = lines().find((id) => id !== shop && id !== bakery)!;
    await importFiles(s, { files: [ids('more.csv', ['2024-03-05,-1.00,EUR,Tea,,T1', '2024-03-06,-2.00,EUR,Cake,,T2'])], format: 'auto', accountId: account });
    expect((await explainLine(s, tea)).merged).toEqual([expect.objectContaining({ rung: 'file-id', undoable: false, rawId: 'T1' })]);
    await expect(unmergeLine(s, tea, {})).rejects.toThrow(/nothing on .* can be undone/);
    await expect(unmergeLine(s, bakery, {})).rejects.toThrow(/nothing was merged into/);
  });
});

describe('ignore', () => {
  let dir: string;
  let store: Store;
  let s: Services;
  let account: number;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'banksync-ignore-'));
    store = Store.open(join(dir, 'b.db'), { keyFile: join(dir, 'k') });
    s = services(store);
    const c = store.connections.create({ providerId: 'sandbox', institutionId: 'x', institutionName: 'X', now: NOW });
    account = store.accounts.create({ connectionId: c, providerId: 'sandbox', institutionId: 'x', externalId: 'acc', name: 'Checking', currency: 'EUR', kind: 'checking', stableIds: true, now: NOW });
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hides the line from exports and balances, survives a provider correction, and a target defined later gets no removal', async () => {
    const keep = synced(store, account, '2024-03-01', -100, 'Shop', '', 'p1');
    const gone = synced(store, account, '2024-03-02', -250, 'Double', '', 'p2');
    store.accounts.setBalanceCheck(account, 1000, 0);
    await exported(s, 'early');
    expect(await setIgnored(s, gone, true, 'booked twice')).toMatchObject({ changed: true, reason: 'booked twice' });
    expect(await setIgnored(s, gone, true, 'twice')).toMatchObject({ changed: false });

    const full = await exported(s);
    expect(full).toContain(keep);
    expect(full).not.toContain(gone);
    expect(full).toMatch(/,9\.00,[^,\n]*,[^,\n]*$/m); // the running balance leaves the ignored line out

    // The provider corrects the line: it stays ignored.
    synced(store, account, '2024-03-02', -260, 'Double', '', 'p2');
    expect(await exported(s)).not.toContain(gone);
    expect(store.transactions.byId(gone)).toMatchObject({ amountMinor: -260, ignoredReason: 'twice' });

    expect((await exported(s, 'early')).split('\n').filter((l) => l.includes(gone))).toEqual([expect.stringMatching(/,removed$/)]);
    await exported(s, 'late');
    expect(await exported(s, 'late')).not.toContain(gone);

    expect(await setIgnored(s, gone, false)).toMatchObject({ changed: true });
    expect(await exported(s)).toContain(gone);
    expect((await exported(s, 'early')).split('\n').filter((l) => l.includes(gone))).toEqual([expect.stringMatching(/,changed$/)]);
    const e = await explainLine(s, gone);
    expect(e.decisions.map((d) => d.kind)).toEqual(['ignored', 'unignored']);
    expect(e.revisions.map((r) => [r.revision, r.amount, r.changed])).toEqual([
      [0, '-2.50', ['(no field: removed, restored, ignored or unignored)']],
      [1, '-2.50', ['amountMinor']],
      [2, '-2.60', ['(no field: removed, restored, ignored or unignored)']],
      [3, '-2.60', []],
    ]);
  });

  it('explain shows the pending line a booked one resolved', async () => {
    const id = synced(store, account, '2024-03-04', -1234, 'Restaurant', '', 'p9');
    store.pending.upsert({ accountId: account, dedupeKey: 'x:pend1', externalId: 'pend1', date: '2024-03-02', amountMinor: -1000, currency: 'EUR', payee: 'Restaurant', memo: null }, NOW);
    store.pending.link(store.pending.open(account)[0]!.rowId, id);
    expect((await explainLine(s, id)).pending).toEqual([
      { date: '2024-03-02', amount: '-10.00', payee: 'Restaurant', status: 'booked', why: 'booked 2 days after the pending date, amount differs by -2.34, pending id pend1' },
    ]);
  });
});
