/**
 * The in-process entity store's bound (src/cache/boundedMap.ts): at most
 * `max` entries, the least recently used evicted, with recency kept at half
 * resolution so that reading a recently used entry writes nothing.
 */
import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../src/cache/boundedMap.js';

const stampsOf = (m: BoundedMap<string, number>) => (m as unknown as { stamps: Map<string, number> }).stamps;

describe('BoundedMap', () => {
  it('holds at most max entries and evicts the one used longest ago', () => {
    const m = new BoundedMap<string, number>(4);
    for (const [i, k] of ['a', 'b', 'c', 'd'].entries()) m.set(k, i);
    m.set('e', 4);
    expect([...m.keys()]).toEqual(['b', 'c', 'd', 'e']);
    expect(m.size).toBe(4);
    expect(m.get('a')).toBeUndefined();
    // Rewriting a key makes it the most recent.
    m.set('b', 10);
    m.set('f', 5);
    expect([...m.keys()]).toEqual(['d', 'e', 'b', 'f']);
  });

  it('reads an entry used within the last max/2 writes without moving it', () => {
    const m = new BoundedMap<string, number>(10);
    for (const [i, k] of ['a', 'b', 'c', 'd'].entries()) m.set(k, i);
    const order = [...m.keys()];
    for (let i = 0; i < 100; i++) {
      expect(m.get('a')).toBe(0);
      expect(m.get('c')).toBe(2);
    }
    expect([...m.keys()]).toEqual(order);
  });

  it('moves an entry on read once it has drifted into the older half, so what is read keeps being kept', () => {
    const m = new BoundedMap<string, number>(10);
    m.set('hot', 1);
    // 1,000 other keys pass through; 'hot' is read every four writes (less than max/2 = 5).
    for (let i = 0; i < 1000; i++) {
      m.set(`k${i}`, i);
      if (i % 4 === 0) expect(m.get('hot')).toBe(1);
      expect(m.size).toBeLessThanOrEqual(10);
    }
    expect(m.get('hot')).toBe(1);
    // A key never read again is gone.
    expect(m.get('k0')).toBeUndefined();
  });

  it('keeps its bookkeeping to the entries it holds (deletes, evictions, clear)', () => {
    const m = new BoundedMap<string, number>(8);
    for (let i = 0; i < 100; i++) m.set(`k${i}`, i);
    m.delete('k99');
    expect(stampsOf(m).size).toBe(m.size);
    m.clear();
    expect(m.size).toBe(0);
    expect(stampsOf(m).size).toBe(0);
    // Still a Map to Keyv.
    expect(m).toBeInstanceOf(Map);
  });
});
