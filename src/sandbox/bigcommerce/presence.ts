/**
 * Which catalog indices are in the store at start: one byte per index,
 * computed once from a hash, plus per-block counts so that "the k-th present
 * product" (a listing page deep into a million-part store) is found without
 * walking everything before it.
 */
const BLOCK = 1024;

export class Presence {
  /** bits[i] is 1 when catalog index i (1-based) is present. */
  private readonly bits: Uint8Array;
  private readonly blockCounts: Uint32Array;
  readonly count: number;

  constructor(
    readonly size: number,
    isPresent: (index: number) => boolean,
  ) {
    this.bits = new Uint8Array(size + 1);
    this.blockCounts = new Uint32Array(Math.ceil((size + 1) / BLOCK));
    let count = 0;
    for (let i = 1; i <= size; i++) {
      if (isPresent(i)) {
        this.bits[i] = 1;
        this.blockCounts[Math.floor(i / BLOCK)]!++;
        count++;
      }
    }
    this.count = count;
  }

  has(index: number): boolean {
    return Number.isInteger(index) && index >= 1 && index <= this.size && this.bits[index] === 1;
  }

  /** Up to `n` present indices, ascending, starting with the k-th (0-based) present one. */
  slice(k: number, n: number): number[] {
    const out: number[] = [];
    if (k < 0 || k >= this.count || n <= 0) return out;
    let block = 0;
    let skipped = 0;
    while (block < this.blockCounts.length && skipped + this.blockCounts[block]! <= k) {
      skipped += this.blockCounts[block]!;
      block++;
    }
    for (let i = Math.max(1, block * BLOCK); i <= this.size && out.length < n; i++) {
      if (this.bits[i] !== 1) continue;
      if (skipped < k) skipped++;
      else out.push(i);
    }
    return out;
  }

  /** The first present index at or after `from`, wrapping around; undefined when none is present. */
  nextFrom(from: number): number | undefined {
    if (this.count === 0) return undefined;
    for (let step = 0; step < this.size; step++) {
      const i = ((from - 1 + step) % this.size) + 1;
      if (this.bits[i] === 1) return i;
    }
    return undefined;
  }

  *all(): Generator<number> {
    for (let i = 1; i <= this.size; i++) if (this.bits[i] === 1) yield i;
  }
}
