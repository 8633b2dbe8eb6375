import { sqlitePort } from '../../src/store/index.js';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Prompts, Services } from '../../src/core/context.js';
import { explainLine } from '../../src/core/explain.js';
import { unmergeLine } from '../../src/core/explain-unmerge.js';
import { Store } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations/index.js';

const NOW = '2026-11-22T07:00:00.000Z';
const refuse = () => Promise.reject(new Error('unexpected prompt'));
const services = (store: Store): Services => ({
  db: sqlitePort(store),
  clock: () => new Date(NOW),
  env: {},
  openBrowser: async () => false,
  prompts: { interactive: false, confirm: refuse, select: refuse, checkbox: refuse, input: refuse } as Prompts,
  notify: { info: () => undefined, warn: () => undefined, always: () => undefined, progress: () => ({ update: () => undefined, stop: () => undefined }) },
});

describe('migration 010: line origins', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("keeps the merges recorded before it as merged origins (an import's can be undone); lines stored before it say what is unknown", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'banksync-v10-'));
    dirs.push(dir);
    const path = join(dir, 'b.db');
    const v9 = new Database(path);
    for (const m of MIGRATIONS.slice(0, 9)) m.up(v9);
    v9.pragma('application_id = 0x42534e43');
    v9.pragma('user_version = 9');
    v9.prepare("INSERT INTO connections (provider_id, institution_id, institution_name, created_at, updated_at) VALUES ('sandbox','x','X','t','t')").run();
    v9.prepare("INSERT INTO accounts (connection_id, provider_id, institution_id, external_id, name, currency, kind, created_at) VALUES (1,'sandbox','x','acc','A','EUR','checking','t')").run();
    const line = (id: string, ext: string | null, source: string, payee: string) =>
      v9
        .prepare(
          "INSERT INTO transactions (id, account_id, external_id, fingerprint, ordinal, booking_date, amount_minor, currency, payee, type, source, first_seen_at, updated_at) VALUES (?, 1, ?, ?, 0, '2024-03-01', -4200, 'EUR', ?, 'debit', ?, 't', 't')",
        )
        .run(id, ext, `fp-${id}`, payee, source);
    const synced = `t${'a'.repeat(24)}`;
    const fromFile = `t${'b'.repeat(24)}`;
    line(synced, 'p1', 'provider:sandbox', 'Evil Corp');
    line(fromFile, 'ofx:F1', 'file:old.ofx#0123456789ab', 'Old shop');
    const finding = (key: string, source: string, detail: unknown) =>
      v9
        .prepare(
          "INSERT INTO input_issues (account_id, kind, key, severity, source, message, detail, first_seen_at, last_seen_at) VALUES (1, 'fuzzy-merge', ?, 'info', ?, 'm', ?, '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z')",
        )
        .run(key, source, JSON.stringify(detail));
    finding(`${synced}|x`, 'file:a.csv#feedfacecafe', {
      line: { bookingDate: '2024-03-01', amountMinor: -4200, currency: 'EUR', payee: 'EVIL CORP', memo: 'card', type: 'debit', where: 'line 2' },
      matched: synced,
      why: 'same date and amount, 2 of 2 words shared',
    });
    finding(`${synced}|y`, 'provider:other', { line: `t${'c'.repeat(24)}`, matched: synced, why: 'same date and amount, 1 of 1 words shared' });
    v9.close();

    const store = Store.open(path, { keyFile: join(dir, 'k') });
    const s = services(store);
    const merged = (await explainLine(s, synced)).merged;
    expect(merged).toEqual([
      expect.objectContaining({ rung: 'text', source: 'file:a.csv#feedfacecafe', record: 'line 2', undoable: true, text: 'EVIL CORP card', firstSeenAt: '2026-01-01T00:00:00.000Z' }),
      expect.objectContaining({ rung: 'accounts-merge-text', source: 'provider:other', undoable: false, text: null }),
    ]);
    expect(merged[0]!.unknown).toEqual(['the candidates it was compared with (not recorded for this merge)']);
    expect((await explainLine(s, fromFile)).origin).toMatchObject({
      kind: 'file',
      rawId: 'F1',
      rung: 'unknown',
      file: { name: 'old.ofx', sha256: '0123456789ab' },
      unknown: ['where in the file', 'which rung matched and the candidates compared'],
    });
    expect(store.transactions.byId(synced)).toMatchObject({ ignoredAt: null, ignoredReason: null });

    const r = await unmergeLine(s, synced, {});
    expect(store.transactions.byId(r.line)).toMatchObject({ payee: 'EVIL CORP', memo: 'card', amountMinor: -4200, source: 'file:a.csv#feedfacecafe' });
    store.close();
  });
});
