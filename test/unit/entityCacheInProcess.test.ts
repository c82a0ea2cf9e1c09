/**
 * The entity cache's in-process read (src/cache/entityCache.ts, issue 13):
 * with Keyv keeping its records in a Map in this process (the embedded
 * strategy), warm reads come straight from that Map, before any await, and
 * answer exactly what reading through Keyv answers: the same values, misses
 * for records past Keyv's expiry, the same hit counters.
 */
import Keyv from 'keyv';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BoundedMap } from '../../src/cache/boundedMap.js';
import { createEntityCache, type CacheResult } from '../../src/cache/entityCache.js';
import { createMetrics, type Metrics } from '../../src/observability/metrics.js';

/** A Keyv store that is not a Map (as the Redis-backed tiered store is not): Keyv's own async path. */
function adapterOver(map: Map<string, unknown>) {
  return {
    get: async (k: string) => map.get(k),
    set: async (k: string, v: unknown) => void map.set(k, v),
    delete: async (k: string) => map.delete(k),
    clear: async () => map.clear(),
  };
}

function setup(store: Keyv, metrics: Metrics = createMetrics()) {
  const cache = createEntityCache({ store, swrMs: 0, staleIfErrorMs: 0, metrics, batchWindowMs: 0 });
  const fetched: string[][] = [];
  const source = cache.source<{ id: string }>({
    kind: 'part',
    ttlMs: 60_000,
    fetchMany: async (keys) => {
      fetched.push(keys);
      return new Map(keys.map((k) => [k, k === 'none' ? null : { id: k }] as const));
    },
  });
  return { cache, source, fetched, metrics };
}

const inMap = () => new Keyv({ store: new BoundedMap<string, unknown>(1000), namespace: 'crossdock', serialize: undefined, deserialize: undefined });
const values = (rs: Array<CacheResult<{ id: string }> | Error>) => rs.map((r) => (r instanceof Error ? r : r.value));

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('entity cache, in-process store', () => {
  it('answers warm reads from the Map without Keyv reads, the same as Keyv answers them', async () => {
    const store = inMap();
    const { source, fetched } = setup(store);
    const keys = ['1', '2', 'none', '3'];
    expect(values(await source.loadMany(keys))).toEqual([{ id: '1' }, { id: '2' }, null, { id: '3' }]);
    expect(fetched).toEqual([keys]);

    const getMany = vi.spyOn(store, 'getMany');
    const get = vi.spyOn(store, 'get');
    const warm = await source.loadMany(['3', 'none', '1', '2']);
    expect(values(warm)).toEqual([{ id: '3' }, null, { id: '1' }, { id: '2' }]);
    expect(warm.every((r) => !(r instanceof Error) && r.stale === false)).toBe(true);
    expect(getMany).not.toHaveBeenCalled();
    expect(get).not.toHaveBeenCalled();
    expect(fetched).toHaveLength(1);

    // The same reads through Keyv's own path (a store that is not a Map) answer the same.
    const other = setup(new Keyv({ store: adapterOver(new Map()), namespace: 'crossdock', serialize: undefined, deserialize: undefined }));
    await other.source.loadMany(keys);
    expect(values(await other.source.loadMany(['3', 'none', '1', '2']))).toEqual(values(warm));
  });

  it('treats a record past Keyv\'s expiry as absent and fetches it again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const store = inMap();
    const { source, fetched } = setup(store);
    await source.loadMany(['1']);
    // Stored for the TTL plus max(swr, stale-if-error) = 60 s here; a minute and a second later it has expired.
    vi.setSystemTime(new Date('2026-01-01T00:01:01Z'));
    expect(values(await source.loadMany(['1']))).toEqual([{ id: '1' }]);
    expect(fetched).toEqual([['1'], ['1']]);
  });

  it('counts every key it answers as a hit', async () => {
    const { source, metrics } = setup(inMap());
    await source.loadMany(['1', '2', '3']);
    await source.loadMany(['1', '2', '3']);
    await source.loadMany(['2']);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/crossdock_cache_requests_total\{kind="part",result="hit"\} 4\b/);
    expect(text).toMatch(/crossdock_cache_requests_total\{kind="part",result="miss"\} 3\b/);
  });
});

describe('peek: the value at once, or nothing', () => {
  it('answers a value within its TTL (null for a cached "no such thing"), and undefined for what loadMany must answer', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const { source, fetched } = setup(inMap());
    // Never read: not at hand, and peeking fetches nothing.
    expect(source.peek?.('1')).toBeUndefined();
    expect(fetched).toEqual([]);
    await source.loadMany(['1', 'none']);
    expect(source.peek?.('1')).toEqual({ id: '1' });
    expect(source.peek?.('none')).toBeNull();
    // Past the TTL (60 s here) the entry may still be stored, but only loadMany decides what to do with it.
    vi.setSystemTime(new Date('2026-01-01T00:01:00Z'));
    expect(source.peek?.('1')).toBeUndefined();
    expect(fetched).toEqual([['1', 'none']]);
  });

  it('finds nothing once the key is invalidated', async () => {
    const { source } = setup(inMap());
    await source.loadMany(['1']);
    expect(source.peek?.('1')).toEqual({ id: '1' });
    await source.invalidate(['1']);
    expect(source.peek?.('1')).toBeUndefined();
  });

  it('counts what it answers as hits, on the counter whenever it is read', async () => {
    const { source, metrics, cache } = setup(inMap());
    await source.loadMany(['1', '2']);
    for (const k of ['1', '2', '1', 'x']) source.peek?.(k);
    expect(cache.stats().hits).toBe(3);
    expect(await metrics.registry.metrics()).toMatch(/crossdock_cache_requests_total\{kind="part",result="hit"\} 3\b/);
    // Read again: nothing counted twice; then what was answered since, beside loadMany's own hits.
    expect(await metrics.registry.metrics()).toMatch(/crossdock_cache_requests_total\{kind="part",result="hit"\} 3\b/);
    source.peek?.('2');
    await source.loadMany(['1']);
    expect(cache.stats().hits).toBe(5);
    expect((await metrics.cacheRequests.get()).values.find((v) => v.labels.result === 'hit')?.value).toBe(5);
  });

  it('is not offered over a store outside this process (Keyv\'s own async path)', () => {
    const { source } = setup(new Keyv({ store: adapterOver(new Map()), namespace: 'crossdock', serialize: undefined, deserialize: undefined }));
    expect(source.peek).toBeUndefined();
  });
});

describe('peek: the near memo (one lookup for a warm read)', () => {
  /** A source whose fetches answer a new version of every key each time. */
  function versioned(store: Keyv) {
    const cache = createEntityCache({ store, swrMs: 0, staleIfErrorMs: 0, metrics: createMetrics(), batchWindowMs: 0 });
    let version = 0;
    const source = cache.source<{ id: string; v: number }>({
      kind: 'part',
      ttlMs: 60_000,
      fetchMany: async (keys) => {
        version++;
        return new Map(keys.map((k) => [k, { id: k, v: version }] as const));
      },
    });
    return { cache, source };
  }

  it('reads the store once for a key peeked again and again', async () => {
    const store = inMap();
    const { source } = versioned(store);
    await source.loadMany(['1']);
    const reads = vi.spyOn(store.store as Map<string, unknown>, 'get');
    for (let i = 0; i < 5; i++) expect(source.peek?.('1')).toEqual({ id: '1', v: 1 });
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('answers what a refetch past the TTL stored, not what it peeked before', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const { source } = versioned(inMap());
    await source.loadMany(['1']);
    expect(source.peek?.('1')).toEqual({ id: '1', v: 1 });
    vi.setSystemTime(new Date('2026-01-01T00:01:00Z'));
    expect(source.peek?.('1')).toBeUndefined();
    expect(values(await source.loadMany(['1']))).toEqual([{ id: '1', v: 2 }]);
    expect(source.peek?.('1')).toEqual({ id: '1', v: 2 });
  });

  it('answers what prime wrote over a value it had peeked', async () => {
    const { cache, source } = versioned(inMap());
    await source.loadMany(['1']);
    expect(source.peek?.('1')).toEqual({ id: '1', v: 1 });
    await source.prime(new Map([['1', { id: '1', v: 99 }]]), await cache.mark());
    expect(source.peek?.('1')).toEqual({ id: '1', v: 99 });
  });

  it('finds nothing after an invalidation, though a peek ran while the store delete was on its way', async () => {
    const store = inMap();
    const { source } = versioned(store);
    await source.loadMany(['1']);
    expect(source.peek?.('1')).toEqual({ id: '1', v: 1 });
    const deleteMany = store.deleteMany.bind(store);
    let peekedMeanwhile: unknown = 'not yet';
    vi.spyOn(store, 'deleteMany').mockImplementation(async (keys) => {
      // The entry is still in the store here: a peek now reads it.
      peekedMeanwhile = source.peek?.('1');
      return deleteMany(keys);
    });
    await source.invalidate(['1']);
    expect(peekedMeanwhile).toEqual({ id: '1', v: 1 });
    expect(source.peek?.('1')).toBeUndefined();
    expect(values(await source.loadMany(['1']))).toEqual([{ id: '1', v: 2 }]);
  });

  it('holds no more than the store does: an entry the store evicted is soon read from the store again', async () => {
    const store = new Keyv({ store: new BoundedMap<string, unknown>(2), namespace: 'crossdock', serialize: undefined, deserialize: undefined });
    const { source } = versioned(store);
    await source.loadMany(['1', '2']);
    expect([source.peek?.('1'), source.peek?.('2')]).toEqual([{ id: '1', v: 1 }, { id: '2', v: 1 }]);
    // The store holds two: storing a third evicts the one written first.
    await source.loadMany(['3']);
    expect((store.store as Map<string, unknown>).has('crossdock:part:1')).toBe(false);
    expect(source.peek?.('3')).toEqual({ id: '3', v: 2 });
    // The memo was full at the store's bound and started over: '1' is read from the store, which has no such entry.
    expect(source.peek?.('1')).toBeUndefined();
  });

  it('moves its changes count on before and after each write, invalidation and clear, and never on a read', async () => {
    const store = inMap();
    const { cache, source } = versioned(store);
    const changes = () => source.changes?.() ?? Number.NaN;
    const start = changes();
    // What the count read when the store was written or deleted from: moved on already.
    const atWrite: number[] = [];
    const setMany = store.setMany.bind(store);
    vi.spyOn(store, 'setMany').mockImplementation(async (entries) => {
      atWrite.push(changes());
      return setMany(entries);
    });
    const deleteMany = store.deleteMany.bind(store);
    vi.spyOn(store, 'deleteMany').mockImplementation(async (keys) => {
      atWrite.push(changes());
      return deleteMany(keys);
    });

    await source.loadMany(['1', '2']); // a fetch, then its write
    const afterFetch = changes();
    expect(atWrite[0]).toBeGreaterThan(start);
    expect(afterFetch).toBeGreaterThan(atWrite[0] as number);
    // Reads, warm and through loadMany, leave it where it is.
    source.peek?.('1');
    source.peek?.('3');
    await source.loadMany(['1', '2']);
    expect(changes()).toBe(afterFetch);

    await source.prime(new Map([['2', { id: '2', v: 50 }]]), await cache.mark());
    expect(atWrite[1]).toBeGreaterThan(afterFetch);
    const afterPrime = changes();
    expect(afterPrime).toBeGreaterThan(atWrite[1] as number);

    await source.invalidate(['1']);
    expect(atWrite[2]).toBeGreaterThan(afterPrime);
    const afterInvalidate = changes();
    expect(afterInvalidate).toBeGreaterThan(atWrite[2] as number);

    cache.remoteInvalidated(['part:2']);
    const afterRemote = changes();
    expect(afterRemote).toBeGreaterThan(afterInvalidate);
    await cache.clear();
    expect(changes()).toBeGreaterThan(afterRemote);
  });

  it('finds nothing after the cache is cleared', async () => {
    const { cache, source } = versioned(inMap());
    await source.loadMany(['1', '2']);
    expect(source.peek?.('2')).toEqual({ id: '2', v: 1 });
    await cache.clear();
    expect(source.peek?.('1')).toBeUndefined();
    expect(source.peek?.('2')).toBeUndefined();
  });
});
