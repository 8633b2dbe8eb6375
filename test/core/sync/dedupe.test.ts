import { describe, expect, it } from 'vitest';
import { fingerprint, normalizeText, OrdinalCounter, stableTransactionId, toRow } from '../../../src/core/dedupe.js';

const line = { bookingDate: '2026-11-01', amountMinor: -380, currency: 'EUR', payee: 'Coffee Corner', memo: 'Espresso' };

describe('dedupe ladder', () => {
  it('normalises text that changes between fetches', () => {
    expect(normalizeText('  CAFÉ  de la Gare, Paris ')).toBe('cafe de la gare paris');
  });
  it('fingerprints ignore case, accents and spacing but not amount or date', () => {
    const a = fingerprint({ date: '2026-11-01', amountMinor: -380, currency: 'EUR', payee: 'Café', memo: 'x' });
    expect(fingerprint({ date: '2026-11-01', amountMinor: -380, currency: 'EUR', payee: ' cafe ', memo: 'X' })).toBe(a);
    expect(fingerprint({ date: '2026-11-01', amountMinor: -381, currency: 'EUR', payee: 'Café', memo: 'x' })).not.toBe(a);
    expect(fingerprint({ date: '2026-11-02', amountMinor: -380, currency: 'EUR', payee: 'Café', memo: 'x' })).not.toBe(a);
  });
  it('ASCII text takes a shortcut that gives what the Unicode folding gives', () => {
    const unicode = (text: string) =>
      text
        .normalize('NFKD')
        .replace(/\p{M}+/gu, '')
        .toLowerCase()
        .replace(/[^\p{L}\p{N}]+/gu, ' ')
        .trim();
    const every = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)).join('');
    for (const text of [every, ` ${every} x`, '  Coffee   Corner -- #42 ', 'A\tB\nC\u0000D', '', '   ', 'CAFÉ x', 'ﬁne ½']) {
      expect(normalizeText(text)).toBe(unicode(text));
    }
  });
  it('ids and fingerprints never change between versions (export ids are forever)', () => {
    expect(stableTransactionId(7, 'x:abc-123')).toBe('t3240e20e48c0045b2da04e1e');
    expect(fingerprint({ date: '2026-11-01', amountMinor: -380, currency: 'EUR', payee: 'Café', memo: 'x' })).toBe('5c2f6c5236d595e20665d5512d327eea');
    expect(fingerprint({ date: '2026-11-01', amountMinor: -380, currency: 'EUR', payee: 'Cafe', memo: 'X' })).toBe('5c2f6c5236d595e20665d5512d327eea');
  });
  it('stable ids are deterministic and scoped to the account', () => {
    expect(stableTransactionId(1, 'x:abc')).toBe(stableTransactionId(1, 'x:abc'));
    expect(stableTransactionId(2, 'x:abc')).not.toBe(stableTransactionId(1, 'x:abc'));
  });
  it('two identical lines get ordinals 0 and 1 and distinct ids', () => {
    const counter = new OrdinalCounter();
    const a = toRow(1, line, false, counter, 'test');
    const b = toRow(1, line, false, counter, 'test');
    expect([a.ordinal, b.ordinal]).toEqual([0, 1]);
    expect(a.id).not.toBe(b.id);
    // the same window fetched again maps onto the same rows
    const again = new OrdinalCounter();
    expect([toRow(1, line, false, again, 't').id, toRow(1, line, false, again, 't').id]).toEqual([a.id, b.id]);
  });
  it('uses the provider id only when the account trusts it', () => {
    expect(toRow(1, { ...line, externalId: 'p1' }, true, new OrdinalCounter(), 't').externalId).toBe('p1');
    expect(toRow(1, { ...line, externalId: 'p1' }, false, new OrdinalCounter(), 't').externalId).toBeNull();
    expect(toRow(1, line, true, new OrdinalCounter(), 't').externalId).toBeNull();
  });
});
