// Deterministic pseudo-randomness: every generated value derives from a string
// seed, so the same institution/day always yields the same data.
import { createHash } from 'node:crypto';

export function hash32(seed: string): number {
  return createHash('sha256').update(seed).digest().readUInt32BE(0);
}

/** mulberry32: tiny, fast, good enough for test data. Returns floats in [0, 1). */
export function prng(seed: string): () => number {
  let a = hash32(seed);
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)] as T;
}

/** Integer in [min, max]. */
export function between(rand: () => number, min: number, max: number): number {
  return min + Math.floor(rand() * (max - min + 1));
}

export function hexId(seed: string, length = 32): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}
