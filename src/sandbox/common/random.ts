/**
 * Deterministic pseudo-random numbers for the sandbox. Every simulated record
 * is a pure function of (seed, index), so a million-part catalog needs no
 * memory until somebody writes to it.
 */

/** 32-bit integer hash (a variant of Thomas Mueller's finaliser); mixes seed and index. */
export function hash32(seed: number, index: number, salt = 0): number {
  let x = (seed ^ Math.imul(index, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca6b)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** A small fast PRNG (mulberry32). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A generator seeded from (seed, index, salt). */
export function rng(seed: number, index: number, salt = 0): () => number {
  return mulberry32(hash32(seed, index, salt));
}

/** A uniform number in [0, 1) for one (seed, index, salt) without building a generator. */
export function unit(seed: number, index: number, salt = 0): number {
  return hash32(seed, index, salt) / 4294967296;
}

export function pick<T>(items: readonly T[], r: number): T {
  const item = items[Math.floor(r * items.length) % items.length];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}
