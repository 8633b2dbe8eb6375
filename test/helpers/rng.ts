import { createHash } from 'node:crypto';

/** Deterministic pseudo-random numbers in [0, 1), so a failing fuzz or property case reproduces. */
export function rng(seed: string): () => number {
  let block = createHash('sha256').update(seed).digest();
  let i = 0;
  return () => {
    if (i + 4 > block.length) {
      block = createHash('sha256').update(block).digest();
      i = 0;
    }
    const v = block.readUInt32BE(i) / 2 ** 32;
    i += 4;
    return v;
  };
}
