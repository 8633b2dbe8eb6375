import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/store/index.js';

/** The export's and the report's consistent read: a sync committing meanwhile is not seen half-way. */
describe('Store.snapshot', () => {
  const setup = () => {
    const dir = mkdtempSync(join(tmpdir(), 'banksync-snap-'));
    const path = join(dir, 'b.db');
    const reader = Store.open(path, { keyFile: join(dir, 'k') });
    const writer = Store.open(path, { keyFile: join(dir, 'k') });
    const now = '2026-11-22T07:00:00.000Z';
    const c = writer.connections.create({ providerId: 'fake', institutionId: 'i', institutionName: 'I', now });
    return { reader, writer, c, now };
  };
  const accounts = (s: Store) => s.accounts.list().length;
  const add = (w: ReturnType<typeof setup>, n: string) =>
    w.writer.accounts.create({ connectionId: w.c, providerId: 'fake', institutionId: 'i', externalId: n, name: n, currency: 'EUR', kind: 'checking', stableIds: true, now: w.now });

  it('sees the database as of its first read, whatever another connection commits meanwhile', () => {
    const w = setup();
    add(w, 'a');
    const seen = w.reader.snapshot(() => {
      const before = accounts(w.reader);
      add(w, 'b');
      return [before, accounts(w.reader)];
    });
    expect(seen).toEqual([1, 1]);
    expect(accounts(w.reader)).toBe(2);
    expect(w.reader.db.inTransaction).toBe(false);
  });

  it('the async form holds the snapshot across awaits and ends it when the read throws', async () => {
    const w = setup();
    add(w, 'a');
    await expect(
      w.reader.snapshotAsync(async () => {
        expect(accounts(w.reader)).toBe(1);
        add(w, 'b');
        await new Promise((r) => setImmediate(r));
        expect(accounts(w.reader)).toBe(1);
        throw new Error('pipe closed');
      }),
    ).rejects.toThrow('pipe closed');
    expect(w.reader.db.inTransaction).toBe(false);
    expect(accounts(w.reader)).toBe(2);
  });
});
