/**
 * Strings an import has seen, in flat memory: exact (a Map) up to `exactUpTo` keys (20k: a year of most accounts), then as
 * 64-bit hashes in a typed array (8 bytes a key, no object per key). `has` is then 'maybe'
 * for a hash seen before: the caller confirms with an exact source (the store) or accepts the
 * odds (two keys among a million share 64 bits about once in 3·10⁷ files).
 */
export class KeySet {
  private exact: Map<string, number> | null = new Map();
  private table = new Uint32Array(0);
  private size = 0;

  /** `expected`: how many keys will come, when known (a first pass counted them): a larger set starts hashed, at its final size, never growing. */
  constructor(
    private readonly exactUpTo = 20_000,
    expected = 0,
  ) {
    if (expected <= exactUpTo) return;
    this.exact = null;
    let slots = 1 << 16;
    while (slots < expected * 2) slots *= 2;
    this.table = new Uint32Array(slots * 2);
  }

  /** How often KEY was added, exactly; or 'maybe' once the set holds only hashes and KEY's hash is there. */
  count(key: string): number | 'maybe' {
    if (this.exact) return this.exact.get(key) ?? 0;
    return this.find(key) ? 'maybe' : 0;
  }

  add(key: string): void {
    if (this.exact) {
      this.exact.set(key, (this.exact.get(key) ?? 0) + 1);
      if (this.exact.size > this.exactUpTo) {
        const keys = [...this.exact.keys()];
        this.exact = null;
        for (const k of keys) this.insert(k);
      }
      return;
    }
    this.insert(key);
  }

  private find(key: string): boolean {
    const [h, l] = hash64(key);
    const mask = this.table.length / 2 - 1;
    for (let i = (h ^ l) & mask; ; i = (i + 1) & mask) {
      const a = this.table[2 * i]!;
      const b = this.table[2 * i + 1]!;
      if (a === 0 && b === 0) return false;
      if (a === h && b === l) return true;
    }
  }

  private insert(key: string): void {
    if ((this.size + 1) * 2 > this.table.length / 2) this.grow();
    const [h, l] = hash64(key);
    if (this.place(this.table, h, l)) this.size++;
  }

  private place(table: Uint32Array, h: number, l: number): boolean {
    const mask = table.length / 2 - 1;
    for (let i = (h ^ l) & mask; ; i = (i + 1) & mask) {
      const a = table[2 * i]!;
      const b = table[2 * i + 1]!;
      if (a === h && b === l) return false;
      if (a === 0 && b === 0) {
        table[2 * i] = h;
        table[2 * i + 1] = l;
        return true;
      }
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Uint32Array(Math.max(1 << 16, old.length * 2));
    for (let i = 0; i < old.length; i += 2) if (old[i] !== 0 || old[i + 1] !== 0) this.place(this.table, old[i]!, old[i + 1]!);
  }
}

/** Two 32-bit FNV-1a style hashes with different seeds and primes; (0, 0) is the empty slot, never a key. */
function hash64(s: string): [number, number] {
  let h = 0x811c9dc5;
  let l = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h = Math.imul(h ^ c, 0x01000193);
    l = Math.imul(l ^ c, 0x5bd1e995);
    l ^= l >>> 15;
  }
  h >>>= 0;
  l >>>= 0;
  return [h, l === 0 && h === 0 ? 1 : l];
}
