/**
 * The entity cache against a write (src/cache/entityCache.ts): a read that
 * races a sync write never leaves, nor hands to later readers, the value
 * from before the write once the write's invalidation has run.
 *
 * The upstream here is a fake whose answers the test releases by hand: a
 * call reads the vendor's value when it is made (as an HTTP request reaches
 * the vendor), and the gateway only learns the result when the test lets it.
 * No timers are used to order anything.
 */
import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../src/cache/boundedMap.js';
import { createEntityCache, type CacheMark, type EntityCache } from '../../src/cache/entityCache.js';
import { createMetrics } from '../../src/observability/metrics.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A vendor with one record per key; `hold()` makes the next call wait for the test. */
function fakeVendor(initial: Record<string, string>) {
  const data = new Map(Object.entries(initial));
  const calls: string[][] = [];
  let held: { arrived: Deferred<void>; release: Deferred<void> } | undefined;
  return {
    data,
    calls,
    /** The next call reads the vendor at once, then answers only when `release()` is called. */
    hold() {
      const h = { arrived: deferred<void>(), release: deferred<void>() };
      held = h;
      return { arrived: h.arrived.promise, release: () => h.release.resolve() };
    },
    async fetch(keys: string[]): Promise<Map<string, string | null>> {
      calls.push(keys);
      const answer = new Map(keys.map((k) => [k, data.get(k) ?? null] as const));
      const h = held;
      held = undefined;
      if (h) {
        h.arrived.resolve();
        await h.release.promise;
      }
      return answer;
    },
  };
}

function newCache(): EntityCache {
  return createEntityCache({
    store: new Keyv({ store: new BoundedMap<string, unknown>(1000), namespace: 'test', serialize: undefined, deserialize: undefined }),
    swrMs: 30_000,
    staleIfErrorMs: 60_000,
    metrics: createMetrics(),
    batchWindowMs: 0,
  });
}

const valueOf = (r: unknown) => (r instanceof Error ? r : (r as { value: unknown }).value);

describe('entity cache: a read racing a write', () => {
  it('a fetch that read the vendor before the write does not store its value once the invalidation ran', async () => {
    const vendor = fakeVendor({ p1: 'price 10' });
    const cache = newCache();
    const source = cache.source<string>({ kind: 'price', ttlMs: 60_000, fetchMany: (keys) => vendor.fetch(keys) });

    const held = vendor.hold();
    const before = source.loadMany(['p1']);
    await held.arrived; // the read reached the vendor: it has "price 10"

    vendor.data.set('p1', 'price 12'); // the sync writes the store...
    await source.invalidate(['p1']); // ...then drops what the caches hold

    held.release(); // the old answer arrives after the invalidation
    await before;

    // The next read must not be served the value from before the write.
    const after = await source.loadMany(['p1']);
    expect(valueOf(after[0])).toBe('price 12');
    expect(vendor.calls).toHaveLength(2);
    // And that fresh value is what the cache keeps.
    expect(valueOf((await source.loadMany(['p1']))[0])).toBe('price 12');
    expect(vendor.calls).toHaveLength(2);
  });

  it('a read that starts after the invalidation does not join a fetch that started before it', async () => {
    const vendor = fakeVendor({ p1: 'price 10' });
    const cache = newCache();
    const source = cache.source<string>({ kind: 'price', ttlMs: 60_000, fetchMany: (keys) => vendor.fetch(keys) });

    const held = vendor.hold();
    const before = source.loadMany(['p1']);
    await held.arrived;
    vendor.data.set('p1', 'price 12');
    await source.invalidate(['p1']);

    const after = source.loadMany(['p1']);
    held.release();
    await before;
    expect(valueOf((await after)[0])).toBe('price 12');
    expect(vendor.calls).toHaveLength(2);
  });

  it('a background refresh (stale-while-revalidate) that started before the write does not store its value', async () => {
    const vendor = fakeVendor({ p1: 'price 10' });
    const cache = newCache();
    // TTL 0: every entry is past its TTL at once, inside the SWR window, so a read answers it and refreshes it.
    const source = cache.source<string>({ kind: 'price', ttlMs: 0, fetchMany: (keys) => vendor.fetch(keys) });
    await source.loadMany(['p1']);
    expect(vendor.calls).toHaveLength(1);

    const held = vendor.hold();
    const stale = await source.loadMany(['p1']); // answered from the cache; a refresh starts behind it
    expect(valueOf(stale[0])).toBe('price 10');
    await held.arrived;
    vendor.data.set('p1', 'price 12');
    await source.invalidate(['p1']);
    held.release();

    const after = await source.loadMany(['p1']);
    expect(valueOf(after[0])).toBe('price 12');
  });

  it('what a fetch brings along for another kind (prime) is not stored when that kind was invalidated meanwhile', async () => {
    const vendor = fakeVendor({ 'id:7': 'sku A7 at 10' });
    const cache = newCache();
    const bySku = cache.source<string>({ kind: 'productBySku', ttlMs: 60_000, fetchMany: async (skus) => new Map(skus.map((s) => [s, `fetched ${s}`])) });
    // Like sources.ts: a product read by id also primes the by-SKU entry, with the mark its fetch was given.
    const byId = cache.source<string>({
      kind: 'product',
      ttlMs: 60_000,
      async fetchMany(ids, fetch?: { mark: CacheMark }) {
        const found = await vendor.fetch(ids.map((id) => `id:${id}`));
        await bySku.prime(new Map([['A7', found.get('id:7') ?? null]]), fetch?.mark as CacheMark);
        return new Map(ids.map((id) => [id, found.get(`id:${id}`) ?? null]));
      },
    });

    const held = vendor.hold();
    const before = byId.loadMany(['7']);
    await held.arrived;
    vendor.data.set('id:7', 'sku A7 at 12');
    await Promise.all([byId.invalidate(['7']), bySku.invalidate(['A7'])]);
    held.release();
    await before;

    expect(valueOf((await bySku.loadMany(['A7']))[0])).toBe('fetched A7');
    expect(valueOf((await byId.loadMany(['7']))[0])).toBe('sku A7 at 12');
  });

  it('clear() undoes nothing either: a fetch from before it does not store its value', async () => {
    const vendor = fakeVendor({ p1: 'price 10' });
    const cache = newCache();
    const source = cache.source<string>({ kind: 'price', ttlMs: 60_000, fetchMany: (keys) => vendor.fetch(keys) });
    const held = vendor.hold();
    const before = source.loadMany(['p1']);
    await held.arrived;
    vendor.data.set('p1', 'price 12');
    await cache.clear();
    held.release();
    await before;
    expect(valueOf((await source.loadMany(['p1']))[0])).toBe('price 12');
  });

  it('keeps single-flight for reads that do not race a write', async () => {
    const vendor = fakeVendor({ p1: 'price 10' });
    const cache = newCache();
    const source = cache.source<string>({ kind: 'price', ttlMs: 60_000, fetchMany: (keys) => vendor.fetch(keys) });
    const held = vendor.hold();
    const a = source.loadMany(['p1']);
    await held.arrived;
    const b = source.loadMany(['p1']);
    held.release();
    expect([valueOf((await a)[0]), valueOf((await b)[0])]).toEqual(['price 10', 'price 10']);
    expect(vendor.calls).toHaveLength(1);
  });
});
