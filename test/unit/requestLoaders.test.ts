/**
 * The request's loaders (src/graphql/loaders.ts, issue 13): one DataLoader
 * per entity kind, made when a resolver first asks for that kind — a query
 * for parts and their prices makes two, not one of each of the nine kinds —
 * and the same one for every later ask in the request, so its batching and
 * per-request memo are unchanged.
 */
import { describe, expect, it, vi } from 'vitest';
import type { CacheResult, EntitySource } from '../../src/cache/entityCache.js';
import { createLoaders, newCacheHints } from '../../src/graphql/loaders.js';
import type { Sources } from '../../src/graphql/sources.js';

const made = vi.hoisted(() => ({ count: 0 }));
vi.mock('dataloader', async (importOriginal) => {
  const original = (await importOriginal<{ default: new (...args: never[]) => object }>()).default;
  class Counted extends (original as new (...args: unknown[]) => object) {
    constructor(...args: unknown[]) {
      super(...args);
      made.count++;
    }
  }
  return { default: Counted };
});

function fakeSource<V>(kind: string, ttlMs: number, value: (k: string) => V | null): EntitySource<V> & { asked: string[][]; atHand: Map<string, V | null> } {
  const asked: string[][] = [];
  /** What `peek` answers (the in-process cache's fresh entries). */
  const atHand = new Map<string, V | null>();
  return {
    kind,
    ttlMs,
    asked,
    atHand,
    peek: (k) => atHand.get(k),
    async loadMany(keys) {
      asked.push([...keys]);
      return keys.map((k): CacheResult<V> => ({ value: value(k), stale: false }));
    },
    prime: async () => undefined,
    invalidate: async () => undefined,
  };
}

function fakeSources() {
  const kinds = ['part', 'partNumber', 'price', 'stock', 'productById', 'productBySku', 'storeStock', 'order', 'orderLines'] as const;
  const sources = Object.fromEntries(kinds.map((k, i) => [k, fakeSource(k, 1000 * (i + 1), (key) => `${k}:${key}`)])) as unknown as Sources &
    Record<(typeof kinds)[number], ReturnType<typeof fakeSource<string>>>;
  return sources;
}

describe('request loaders', () => {
  it('makes a kind\'s loader when it is first asked for, and only that one', async () => {
    const sources = fakeSources();
    const hints = newCacheHints(60_000);
    made.count = 0;
    const loaders = createLoaders(sources, hints);
    expect(made.count).toBe(0);
    const [a, b] = await Promise.all([loaders.part.load('1'), loaders.part.load('2')]);
    expect([a, b]).toEqual(['part:1', 'part:2']);
    expect(await loaders.price.load('v1')).toBe('price:v1');
    expect(made.count).toBe(2);
    // The same loader every time: one batch per tick, and the request's memo.
    expect(loaders.part).toBe(loaders.part);
    expect(await loaders.part.load('1')).toBe('part:1');
    expect(sources.part.asked).toEqual([['1', '2']]);
    expect(sources.stock.asked).toEqual([]);
    // The shortest TTL among what was read (part 1 s, price 3 s).
    expect(hints.minTtlMs).toBe(1000);
  });

  it('gives every request loaders of its own', async () => {
    const sources = fakeSources();
    const one = createLoaders(sources, newCacheHints(60_000));
    const two = createLoaders(sources, newCacheHints(60_000));
    expect(one.part).not.toBe(two.part);
    await one.part.load('1');
    await two.part.load('1');
    expect(sources.part.asked).toEqual([['1'], ['1']]);
  });
});

describe('immediate reads', () => {
  it('answers a value at hand as a value, not a promise, and makes no loader for it', () => {
    const sources = fakeSources();
    sources.price.atHand.set('v1', 'price:v1');
    sources.price.atHand.set('v0', null);
    const hints = newCacheHints(60_000);
    made.count = 0;
    const loaders = createLoaders(sources, hints);
    expect(loaders.read('price', 'v1')).toBe('price:v1');
    expect(loaders.read('price', 'v0')).toBeNull();
    expect(made.count).toBe(0);
    expect(sources.price.asked).toEqual([]);
    // The TTL of what it read is the response's, as through a loader (price: 3 s).
    expect(hints.minTtlMs).toBe(3000);
  });

  it('hands what is not at hand to the kind\'s loader (one batch), and readMany all of them when one is missing', async () => {
    const sources = fakeSources();
    sources.part.atHand.set('1', 'part:1');
    const loaders = createLoaders(sources, newCacheHints(60_000));
    const two = loaders.read('part', '2');
    expect(two).toBeInstanceOf(Promise);
    const many = loaders.readMany('part', ['1', '3']);
    expect(many).toBeInstanceOf(Promise);
    expect([await two, await many]).toEqual(['part:2', ['part:1', 'part:3']]);
    expect(sources.part.asked).toEqual([['2', '1', '3']]);
    sources.part.atHand.set('3', 'part:3');
    expect(loaders.readMany('part', ['1', '3'])).toEqual(['part:1', 'part:3']);
  });

  it('answers a key read again in one request with what it answered first, as a loader\'s memo does', () => {
    const sources = fakeSources();
    sources.productBySku.atHand.set('SKU-1', 'first');
    const request = createLoaders(sources, newCacheHints(60_000));
    expect(request.read('productBySku', 'SKU-1')).toBe('first');
    // The cache moves on (a sync wrote a new value) while the request runs: the request keeps its answer.
    sources.productBySku.atHand.set('SKU-1', 'second');
    expect(request.read('productBySku', 'SKU-1')).toBe('first');
    expect(request.readMany('productBySku', ['SKU-1'])).toEqual(['first']);
    // The next request reads the new value.
    expect(createLoaders(sources, newCacheHints(60_000)).read('productBySku', 'SKU-1')).toBe('second');
  });

  /** A source that keeps the entity cache's `changes` count (entityCache.ts): `write` moves it on, as the cache does. */
  function countedSource() {
    const source = fakeSource<string>('productBySku', 1000, (k) => `fetched:${k}`);
    let changes = 0;
    const peek = vi.fn((k: string) => source.atHand.get(k));
    return Object.assign(source, {
      peek,
      changes: () => changes,
      write(k: string, v: string | undefined) {
        changes++;
        if (v === undefined) source.atHand.delete(k);
        else source.atHand.set(k, v);
      },
    });
  }

  it('keeps its first answers when a source that counts its changes moves on, without looking them up while it stands still', () => {
    const source = countedSource();
    const sources = { ...fakeSources(), productBySku: source } as unknown as Sources;
    source.atHand.set('A', 'a1');
    source.atHand.set('B', 'b1');
    source.atHand.set('C', 'c1');
    const request = createLoaders(sources, newCacheHints(60_000));
    expect(request.readMany('productBySku', ['A', 'B'])).toEqual(['a1', 'b1']);
    // Nothing changed: read again from the source, which answers as before.
    expect(request.read('productBySku', 'A')).toBe('a1');
    expect(source.peek).toHaveBeenCalledTimes(3);
    // A write moves the count on: what the request read stands, and a key read first now is kept too.
    source.write('A', 'a2');
    source.write('C', 'c2');
    expect(request.read('productBySku', 'A')).toBe('a1');
    expect(request.read('productBySku', 'C')).toBe('c2');
    source.write('C', 'c3');
    expect(request.readMany('productBySku', ['C', 'B', 'A'])).toEqual(['c2', 'b1', 'a1']);
    expect(source.asked).toEqual([]);
    expect(createLoaders(sources, newCacheHints(60_000)).readMany('productBySku', ['A', 'C'])).toEqual(['a2', 'c3']);
  });

  it('answers what it read before for a key no longer at hand (past its TTL, evicted), with the count unchanged', () => {
    const source = countedSource();
    const sources = { ...fakeSources(), productBySku: source } as unknown as Sources;
    source.atHand.set('A', 'a1');
    source.atHand.set('N', null as unknown as string);
    const request = createLoaders(sources, newCacheHints(60_000));
    expect(request.readMany('productBySku', ['A', 'N'])).toEqual(['a1', null]);
    // Gone from the cache without a write (as an entry past its TTL is): not fetched again in this request.
    source.atHand.delete('A');
    source.atHand.delete('N');
    expect(request.read('productBySku', 'A')).toBe('a1');
    expect(request.read('productBySku', 'N')).toBeNull();
    expect(source.asked).toEqual([]);
    // A key this request never read goes to the loader.
    expect(request.read('productBySku', 'Z')).toBeInstanceOf(Promise);
  });
});
