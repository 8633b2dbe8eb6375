import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Services } from '../../src/core/context.js';
import { importFiles } from '../../src/core/import.js';
import { Store } from '../../src/store/index.js';
import { testServices } from '../helpers/services.js';

const NOW = '2026-11-22T07:00:00.000Z';

const services = (store: Store): Services => testServices(store, { now: NOW });

/**
 * Import time must not grow with what a day already holds: a file of many lines on the same date
 * and amount (a card processor's fees) asked the store for every earlier line of that day, once
 * per line (quadratic: 20,000 such lines took minutes). Counted, not timed.
 */
describe('import asks the store once per file, not once per line', () => {
  let dir: string;
  let store: Store;
  let s: Services;
  let file: string;
  const N = 2000;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'banksync-import-queries-'));
    store = Store.open(join(dir, 'b.db'), { keyFile: join(dir, 'secret.key') });
    s = services(store);
    file = join(dir, 'fees.csv');
    const rows = Array.from({ length: N }, (_, i) => `2024-03-0${1 + (i % 3)},-0.30,Stripe fee,Charge ${i % 50 === 0 ? 'batch' : `ch_${i}`}`);
    writeFileSync(file, ['date,amount,payee,memo', ...rows, ''].join('\n'));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const spies = () => {
    const tx = store.transactions;
    return {
      perLine: [vi.spyOn(tx, 'sameDateAndAmount'), vi.spyOn(tx, 'hasExternalId'), vi.spyOn(tx, 'fingerprintCount')],
      preload: vi.spyOn(tx, 'candidatesBetween'),
    };
  };

  it('a new account: no dedupe query at all; every line kept, identical ones included', async () => {
    const { perLine, preload } = spies();
    const r = await importFiles(s, { files: [file], format: 'auto', newAccount: 'Fees', currency: 'EUR' });
    expect(r.files[0]!.statements[0]).toMatchObject({ added: N, duplicates: 0 });
    for (const spy of perLine) expect(spy).not.toHaveBeenCalled();
    expect(preload).not.toHaveBeenCalled();
  });

  it('the same file again into the account: one preload of its dates, every line a duplicate, no per-line candidate query', async () => {
    await importFiles(s, { files: [file], format: 'auto', newAccount: 'Fees', currency: 'EUR' });
    const { perLine, preload } = spies();
    const r = await importFiles(s, { files: [file], format: 'auto', accountId: 1 });
    expect(r.files[0]!.statements[0]).toMatchObject({ added: 0, duplicates: N });
    expect(preload).toHaveBeenCalledTimes(1);
    expect(preload).toHaveBeenCalledWith(1, '2024-03-01', '2024-03-03', undefined);
    expect(perLine[0]).not.toHaveBeenCalled();
  });
});

/**
 * Ctrl-C's handler can only run between synchronous stretches: import must give it a turn after
 * every file is read and before anything is written, so a Ctrl-C during a long read writes nothing.
 */
describe('import yields to pending signals between reading and writing', () => {
  it('returns to the event loop after parsing, with nothing written yet', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'banksync-import-yield-'));
    const store = Store.open(join(dir, 'b.db'), { keyFile: join(dir, 'secret.key') });
    try {
      const file = join(dir, 'a.csv');
      writeFileSync(file, 'date,amount,payee\n2024-03-01,-1.00,Shop\n2024-03-02,-2.00,Shop\n');
      const running = importFiles(services(store), { files: [file], format: 'auto', newAccount: 'A', currency: 'EUR' });
      // The file is read synchronously up to the first turn: no account and no line exist yet.
      expect(store.accounts.list()).toHaveLength(0);
      const r = await running;
      expect(r.files[0]!.statements[0]).toMatchObject({ added: 2 });
      expect(store.accounts.list()).toHaveLength(1);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
