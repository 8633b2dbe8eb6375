import type { StorePort } from '../../src/store/index.js';
import { sqlitePort } from '../../src/store/index.js';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Prompts, Services } from '../../src/core/context.js';
import { stableTransactionId } from '../../src/core/dedupe.js';
import { AmountWindows, detectTransfers, type DetectResult } from '../../src/core/transfers/detect.js';
import { Store } from '../../src/store/index.js';
import { TransferRepo } from '../../src/store/sqlite/transfers.js';
import { detectTransfersPerLine } from './reference/detect-per-line.js';

const NOW = '2026-11-22T07:00:00.000Z';
const IBANS = ['NL91SBOX0417164300', 'NL39SBOX0123456789', 'NL55SBOX0987654321', 'DE89370400440532013000', 'GB29NWBK60161331926819'];
const STRANGER = 'FR1420041010050500013M02606';
const PAYEES = ['Own transfer', 'Overboeking', 'Albert Heijn', 'Savings', 'Books & Co', 'Rent', 'Umbuchung'];

/** Deterministic random numbers (mulberry32): a failing seed can be run again. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const services = (store: Store): Services => {
  const refuse = () => Promise.reject(new Error('unexpected prompt'));
  return {
    db: sqlitePort(store),
    clock: () => new Date(NOW),
    env: {},
    prompts: { interactive: false, confirm: refuse, select: refuse, checkbox: refuse, input: refuse } as Prompts,
    notify: { info: () => undefined, warn: () => undefined, always: () => undefined, progress: () => ({ update: () => undefined, stop: () => undefined }) },
    openBrowser: async () => false,
  };
};

interface Op {
  kind: 'write' | 'remove' | 'detect' | 'full';
  account?: number;
  ext?: string;
  date?: string;
  amount?: number;
  currency?: string;
  payee?: string;
  memo?: string | null;
  iban?: string | null;
}

/**
 * A random history over few amounts and days, so lines meet many partners: rounds of new lines,
 * corrections (a revised line is checked again) and removals, each followed by a detection run;
 * a full run at the end.
 */
function history(seed: number, accounts: number): Op[] {
  const r = random(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const amounts = [2_000, 5_000, 12_345, 20_000];
  const ops: Op[] = [];
  const written: Op[] = [];
  let n = 0;
  for (let round = 0; round < 6; round++) {
    const lines = 10 + Math.floor(r() * 40);
    for (let i = 0; i < lines; i++) {
      const old = written.length && r() < 0.15 ? pick(written) : undefined;
      if (old && r() < 0.3) {
        ops.push({ kind: 'remove', account: old.account!, ext: old.ext! });
        continue;
      }
      const amount = pick(amounts) * (r() < 0.5 ? -1 : 1);
      const named = r();
      const op: Op = {
        kind: 'write',
        account: old?.account ?? Math.floor(r() * accounts),
        ext: old?.ext ?? `e${n++}`,
        date: `2026-03-${String(1 + Math.floor(r() * 9)).padStart(2, '0')}`,
        // One line in ten in another currency (paired only by an IBAN and the FX tolerance).
        amount: r() < 0.1 ? Math.round(amount * 1.03) : amount,
        currency: r() < 0.1 ? 'USD' : 'EUR',
        payee: pick(PAYEES),
        memo: r() < 0.2 ? `to ${pick(IBANS)}` : r() < 0.5 ? 'transfer' : null,
        iban: named < 0.25 ? pick(IBANS) : named < 0.3 ? STRANGER : null,
      };
      ops.push(op);
      if (!old) written.push(op);
    }
    ops.push({ kind: 'detect' });
  }
  ops.push({ kind: 'full' });
  return ops;
}

/** Runs one history on a fresh database with the given detector; what each run said, and the pairs and candidates after it. */
async function replay(
  dir: string,
  name: string,
  ops: Op[],
  accounts: number,
  settings: Record<string, string>,
  detect: (s: Services, opts?: { full?: boolean }) => DetectResult | Promise<DetectResult>,
) {
  // Migrated once, copied per history: a fresh database runs every migration.
  const template = join(dir, 'template.db');
  if (!existsSync(template)) Store.open(template, { keyFile: join(dir, 'key') }).close();
  copyFileSync(template, join(dir, `${name}.db`));
  const store = Store.open(join(dir, `${name}.db`), { keyFile: join(dir, 'key') });
  const s = services(store);
  const seen: unknown[] = [];
  try {
    for (const [k, v] of Object.entries(settings)) store.settings.set(k, v, NOW);
    const ids: number[] = [];
    for (let i = 0; i < accounts; i++) {
      ids.push(
        store.accounts.create({
          connectionId: null,
          providerId: 'sandbox',
          institutionId: 'bank',
          externalId: `a${i}`,
          name: `a${i}`,
          iban: IBANS[i],
          currency: i === accounts - 1 ? 'USD' : 'EUR',
          kind: 'checking',
          stableIds: true,
          now: NOW,
        }),
      );
    }
    for (const op of ops) {
      if (op.kind === 'detect' || op.kind === 'full') {
        const result = await detect(s, { full: op.kind === 'full' });
        seen.push({
          result,
          pairs: store.transfers
            .pairs()
            .map((p) => `${p.id} ${p.outId}>${p.inId} ${p.how}`)
            .sort(),
          candidates: store.transfers.candidates().map((c) => `${c.id} ${c.reason}`),
        });
        continue;
      }
      const accountId = ids[op.account!]!;
      if (op.kind === 'remove') {
        store.transactions.markRemoved(accountId, [op.ext!], NOW);
        continue;
      }
      store.transactions.write(
        {
          id: stableTransactionId(accountId, `ext:${op.ext}`),
          accountId,
          externalId: op.ext!,
          fingerprint: op.ext!,
          ordinal: 0,
          bookingDate: op.date!,
          valueDate: null,
          amountMinor: op.amount!,
          currency: op.currency!,
          payee: op.payee!,
          memo: op.memo ?? null,
          type: 'transfer',
          counterpartyIban: op.iban ?? null,
          source: 'provider:sandbox',
        },
        NOW,
      );
    }
    return seen;
  } finally {
    store.close();
  }
}

describe('transfer detection reads each amount window once', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('finds the same pairs and candidates as the per-line queries did, run after run (random histories)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'banksync-detect-windows-'));
    const settings: Record<string, string>[] = [{}, { 'transfer-days': '1' }, { 'transfer-fx-tolerance': '5' }, { 'transfer-days': '5', 'transfer-fx-tolerance': '10' }];
    let compared = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const accounts = 2 + (seed % 4);
      const ops = history(seed, accounts);
      const rules = settings[seed % settings.length]!;
      const before = await replay(dir, `old-${seed}`, ops, accounts, rules, detectTransfersPerLine);
      const after = await replay(dir, `new-${seed}`, ops, accounts, rules, detectTransfers);
      expect(after, `seed ${seed}`).toEqual(before);
      compared += (before as { pairs: string[] }[]).reduce((n, r) => n + r.pairs.length, 0);
    }
    // The histories do pair lines (a comparison of empty results would prove nothing).
    expect(compared).toBeGreaterThan(100);
  });

  it('asks the store once per window however many lines ask for it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'banksync-detect-windows-'));
    // Ten copies of one bank: every transfer-like line has the same window as its copies.
    const ops: Op[] = [];
    for (let a = 0; a < 5; a++) {
      ops.push({ kind: 'write', account: a, ext: `out${a}`, date: '2026-03-02', amount: -20_000, currency: 'EUR', payee: 'Own transfer' });
      ops.push({ kind: 'write', account: a, ext: `in${a}`, date: '2026-03-02', amount: 20_000, currency: 'EUR', payee: 'Own transfer' });
    }
    ops.push({ kind: 'detect' });
    const spy = vi.spyOn(TransferRepo.prototype, 'amountWindow');
    try {
      await replay(dir, 'copies', ops, 5, {}, detectTransfers);
      // Two windows (−200.00 and +200.00 around one day) for the 10 lines and their partners.
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('reads windows afresh once the lines it holds pass its limit, with the same answers', async () => {
    const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `l${i}` }));
    const repo = { amountWindow: vi.fn(async (lo: number) => rows(lo)) } as unknown as StorePort['transfers'];
    const windows = new AmountWindows(repo, 10);
    const a = await windows.get(6, 6, '2026-03-01', '2026-03-03');
    expect(await windows.get(6, 6, '2026-03-01', '2026-03-03')).toBe(a);
    expect(repo.amountWindow).toHaveBeenCalledTimes(1);
    // 6 + 5 lines pass 10: the held windows are dropped, so the first is read again.
    await windows.get(5, 5, '2026-03-01', '2026-03-03');
    expect(await windows.get(6, 6, '2026-03-01', '2026-03-03')).toEqual(a);
    expect(repo.amountWindow).toHaveBeenCalledTimes(3);
  });
});
