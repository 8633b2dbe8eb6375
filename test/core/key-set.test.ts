import { describe, expect, it } from 'vitest';
import { KeySet } from '../../src/domain/key-set.js';

/** The set an import keeps of what it has seen: exact while small, 64-bit hashes beyond (flat memory). */
describe('KeySet', () => {
  it('counts exactly up to its limit', () => {
    const k = new KeySet(10);
    for (const key of ['a', 'b', 'a']) k.add(key);
    expect([k.count('a'), k.count('b'), k.count('c')]).toEqual([2, 1, 0]);
  });

  it('beyond the limit: every key added is "maybe" (the caller confirms), a key never added is 0', () => {
    const k = new KeySet(10);
    for (let i = 0; i < 50_000; i++) k.add(`fitid-${i}`);
    for (let i = 0; i < 50_000; i += 997) expect(k.count(`fitid-${i}`)).toBe('maybe');
    let falseHits = 0;
    for (let i = 50_000; i < 100_000; i++) if (k.count(`fitid-${i}`) !== 0) falseHits++;
    expect(falseHits).toBe(0);
  });

  it('told how many keys will come, starts hashed at its final size', () => {
    const k = new KeySet(10, 5_000);
    expect(k.count('x')).toBe(0);
    k.add('x');
    expect(k.count('x')).toBe('maybe');
  });
});
