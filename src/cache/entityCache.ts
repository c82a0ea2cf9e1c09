/**
 * The entity cache behind every loader (DESIGN.md, "Query" flow): Keyv
 * (memory by default, Redis at scale) with a TTL per entity kind, and
 *
 * - stale-while-revalidate: up to `swrMs` past its TTL an entry is served
 *   at once and refreshed in the background;
 * - stale-if-error: up to `staleIfErrorMs` past its TTL an entry is kept,
 *   and served (marked stale) when the upstream fails;
 * - single-flight: concurrent misses for one key share one fetch;
 * - cross-request batching: misses from concurrent requests within a couple
 *   of milliseconds are fetched together, in the vendor's batch form, so a
 *   burst of single-item reads costs one upstream call, not one each;
 * - a write wins over a read that raced it (generations.ts): once
 *   `invalidate` has run, no fetch that started before it stores its value
 *   (nor primes one for another kind), and no read joins such a fetch. A
 *   read that started before the invalidation may still answer the old
 *   value: it was concurrent with the write.
 */
import type Keyv from 'keyv';
import type { Metrics } from '../observability/metrics.js';
import { createFetchBatcher } from './fetchBatcher.js';
import { createLocalGenerations, type CacheMark, type SharedGenerations } from './generations.js';
import { inProcessEntries } from './inProcessEntries.js';
import { nearReads } from './nearReads.js';

export type { CacheMark } from './generations.js';

export interface CacheResult<V> {
  value: V | null;
  /** Served past its TTL because the upstream failed. */
  stale: boolean;
}

interface Entry<V> {
  /** The value, null for "the upstream says there is no such thing". */
  v: V | null;
  /** When it was fetched (epoch ms). */
  t: number;
}

/** What a fetch is told: the mark to pass to `prime` for whatever it brings along for other kinds. */
export interface FetchContext {
  mark: CacheMark;
}

export interface SourceOptions<V> {
  /** Entity kind; the key prefix and the metric label. */
  kind: string;
  ttlMs: number;
  /**
   * Fetches many keys at once; keys missing from the map are "not found". An
   * Error for a key fails that key alone (not stored; stale-if-error applies
   * to it) while the others are stored: one item a batch call refused must
   * not fail the items it answered.
   */
  fetchMany(keys: string[], fetch: FetchContext): Promise<Map<string, V | null | Error>>;
  /** Largest batch handed to fetchMany. @default 250 */
  maxBatch?: number;
  /** Batches fetched at once; later keys wait and join the next batch. @default 2 */
  maxConcurrentFetches?: number;
}

export interface EntitySource<V> {
  readonly kind: string;
  readonly ttlMs: number;
  /** Results in the order of `keys`: a value (maybe null) or the error for that key. */
  loadMany(keys: readonly string[]): Promise<Array<CacheResult<V> | Error>>;
  /**
   * The value at once, without a promise, when the cache holds it in this
   * process within its TTL (null: "no such thing", cached); undefined when it
   * does not (absent, past its TTL, or a store that is not in this process),
   * and then only `loadMany` answers. Counted as a hit when it answers.
   */
  peek?(key: string): V | null | undefined;
  /**
   * With `peek`: a count that moves on before and after anything that can
   * change what `peek` answers for a key it answered before (a write of
   * fetched or primed values, an invalidation, a clear). While it stands
   * still, `peek` answers every key as it did (or, past the TTL or evicted,
   * not at all): a request may read again without keeping what it read.
   */
  changes?(): number;
  /**
   * Writes values fetched elsewhere (a search page primes the part cache).
   * `mark` is from before that fetch started (`EntityCache.mark()`, or the
   * FetchContext a fetchMany was given): values for keys invalidated since
   * are not written.
   */
  prime(values: Map<string, V | null>, mark: CacheMark): Promise<void>;
  /** Drops the keys (after their upstream write): later reads fetch them again, and no earlier fetch stores them. */
  invalidate(keys: readonly string[]): Promise<void>;
}

export interface EntityCacheOptions {
  store: Keyv;
  swrMs: number;
  staleIfErrorMs: number;
  metrics: Metrics;
  onBackgroundError?: (kind: string, err: unknown) => void;
  /** Called after any invalidation, so derived caches (whole responses) drop too. */
  onInvalidate?: () => void;
  /** Milliseconds to gather misses from concurrent requests into one batch. @default 2 */
  batchWindowMs?: number;
  /**
   * The invalidation clock shared by every instance on one store (Redis), so
   * another instance's invalidation refuses this one's late writes too.
   * @default none (this process's clock only)
   */
  sharedGenerations?: SharedGenerations;
  /** Invalidation stamps kept in process; beyond it the oldest only make writes more cautious. @default 100000 */
  maxTrackedInvalidations?: number;
}

export interface EntityCache {
  source<V>(options: SourceOptions<V>): EntitySource<V>;
  /** A mark for a fetch about to start whose results will be primed (a search page, a product list). */
  mark(): Promise<CacheMark>;
  /**
   * Another instance invalidated these store keys (null: everything): its
   * clock stamps are in the shared generations already; here, reads stop
   * joining fetches that started before, and this process's clock learns it.
   */
  remoteInvalidated(storeKeys: readonly string[] | null): void;
  stats(): { hits: number; misses: number; stale: number; staleServedOnError: number };
  clear(): Promise<void>;
}

export function createEntityCache(options: EntityCacheOptions): EntityCache {
  const { store, metrics } = options;
  const counters = { hits: 0, misses: 0, stale: 0, staleServedOnError: 0 };
  const inProcess = inProcessEntries(store);
  const batchWindowMs = options.batchWindowMs ?? 2;
  const local = createLocalGenerations(options.maxTrackedInvalidations ?? 100_000);
  const shared = options.sharedGenerations;
  const report = (kind: string) => (err: unknown) => options.onBackgroundError?.(kind, err);
  /**
   * Per kind, for the keys (all when null): `detach` drops its in-flight fetches, so later reads start
   * their own; `forget` drops its near entries (nearReads.ts), so the next read goes to the store.
   */
  type Drop = (keys: readonly string[] | null) => void;
  const kinds = new Map<string, { detach: Drop; forget: Drop }>();
  const forgetAll = () => {
    for (const k of kinds.values()) k.forget(null);
  };

  async function mark(): Promise<CacheMark> {
    // The local clock first: a mark may only ever be older than the fetch it stands for.
    const localNow = local.now();
    if (!shared) return { local: localNow };
    try {
      return { local: localNow, shared: await shared.mark() };
    } catch (err) {
      report('generations')(err);
      return { local: localNow };
    }
  }

  /** Of the store keys, those invalidated after `m`, here or (with shared generations) by any instance. */
  async function invalidatedSince(m: CacheMark, keys: readonly string[], kind: string): Promise<Set<string>> {
    const out = new Set(keys.filter((k) => local.invalidatedSince(m.local, k)));
    if (shared && out.size < keys.length) {
      try {
        // No shared mark (the clock was unreachable when the fetch started): any recent invalidation counts.
        for (const k of await shared.invalidatedSince(m.shared ?? -1, keys.filter((k) => !out.has(k)))) out.add(k);
      } catch (err) {
        // Unreachable now too: the write went to this process only (tieredStore.ts), where the local clock rules.
        report(kind)(err);
      }
    }
    return out;
  }

  /**
   * Stores what a fetch that started at `m` brought, except for keys
   * invalidated since. Checked before the write, and again after it: an
   * invalidation that ran while the write was on its way has advanced the
   * generations before it dropped the entries (invalidate below), so either
   * it dropped this write too, or this check sees it and drops it here.
   */
  async function write(kind: string, entries: Array<{ key: string; value: unknown; ttl: number }>, m: CacheMark): Promise<void> {
    const fresh = entries.filter((e) => !local.invalidatedSince(m.local, e.key));
    if (fresh.length === 0) return;
    await store.setMany(fresh).catch(report(kind));
    const late = await invalidatedSince(
      m,
      fresh.map((e) => e.key),
      kind,
    );
    if (late.size) await store.deleteMany([...late]).catch(report(kind));
  }

  function source<V>(src: SourceOptions<V>): EntitySource<V> {
    const keyOf = (k: string) => `${src.kind}:${k}`;
    // In process: reads straight from Keyv's Map, a warm one from the near memo (nearReads.ts).
    const near = inProcess && nearReads<Entry<V>>(inProcess, keyOf);
    /** EntitySource.changes: every forget (after each write, around each invalidation), and before each write. */
    let changes = 0;
    const forget: Drop = (keys) => {
      changes++;
      near?.forget(keys);
    };
    const storeTtl = src.ttlMs + Math.max(options.swrMs, options.staleIfErrorMs);
    /** Fetches under way, by key: single-flight. An invalidation detaches them (later reads start their own). */
    const inFlight = new Map<string, Promise<V | null>>();
    kinds.set(src.kind, {
      detach: (keys) => {
        if (keys === null) inFlight.clear();
        else for (const k of keys) inFlight.delete(k);
      },
      forget,
    });
    /** Stores what a fetch or a prime brought; `changes` moves on before the write and (forget) after it. */
    async function keep(entries: Array<{ key: string; value: Entry<V>; ttl: number }>, m: CacheMark, keys: readonly string[]): Promise<void> {
      changes++;
      await write(src.kind, entries, m);
      forget(keys);
    }
    // Misses from concurrent requests, one fetchMany a batch (fetchBatcher.ts).
    const batcher = createFetchBatcher<V | null>(
      async (keys) => {
        // A key can be queued twice in one batch: once before an invalidation detached its fetch, once after.
        const unique = [...new Set(keys)];
        const m = await mark();
        const found = await src.fetchMany(unique, { mark: m });
        const now = Date.now();
        const entries = unique
          .filter((k) => !(found.get(k) instanceof Error))
          .map((k) => ({ key: keyOf(k), value: { v: (found.get(k) as V | null | undefined) ?? null, t: now } satisfies Entry<V>, ttl: storeTtl }));
        await keep(entries, m, unique);
        // DataLoader rejects the load of a key answered with an Error, and only that one.
        return keys.map((k) => found.get(k) ?? null);
      },
      { maxConcurrent: src.maxConcurrentFetches ?? 2, maxBatch: src.maxBatch ?? 250, windowMs: batchWindowMs },
    );

    function fetchOne(key: string): Promise<V | null> {
      let p = inFlight.get(key);
      if (!p) {
        const started: Promise<V | null> = batcher.load(key).finally(() => {
          // Only its own entry: after an invalidation the key may name a newer fetch.
          if (inFlight.get(key) === started) inFlight.delete(key);
        });
        p = started;
        inFlight.set(key, p);
      }
      return p;
    }

    async function readEntries(keys: readonly string[]): Promise<Array<Entry<V> | undefined>> {
      try {
        return (await store.getMany<Entry<V>>(keys.map(keyOf))) as Array<Entry<V> | undefined>;
      } catch (err) {
        // A cache outage must not fail reads: fall through to the upstream.
        options.onBackgroundError?.(src.kind, err);
        return keys.map(() => undefined);
      }
    }

    // A peek's hits reach the counter when it is read (the counter's label lookup costs more than the read).
    const peekedHits = metrics.cacheHits(src.kind);

    return {
      kind: src.kind,
      ttlMs: src.ttlMs,
      ...(near && {
        peek(key: string): V | null | undefined {
          const now = Date.now();
          const entry = near.peek(key, now);
          // Within the TTL only: past it, loadMany decides (stale-while-revalidate, a refetch).
          if (entry === undefined || now - entry.t >= src.ttlMs) return undefined;
          counters.hits++;
          peekedHits.n++;
          return entry.v;
        },
        changes: () => changes,
      }),
      async loadMany(keys) {
        const now = Date.now();
        // In process, the entries are read before any await (Keyv's getMany runs an async function per key).
        const entries = near ? keys.map((k) => near.fromStore(k, now)) : await readEntries(keys);
        const results: Array<CacheResult<V> | Error | undefined> = new Array(keys.length);
        const waits: Array<Promise<void>> = [];
        let hits = 0;
        keys.forEach((key, i) => {
          const entry = entries[i];
          const age = entry ? now - entry.t : Infinity;
          if (entry && age < src.ttlMs) {
            hits++;
            results[i] = { value: entry.v, stale: false };
            return;
          }
          if (entry && age < src.ttlMs + options.swrMs) {
            counters.stale++;
            metrics.cacheRequests.inc({ kind: src.kind, result: 'stale' });
            results[i] = { value: entry.v, stale: false };
            fetchOne(key).catch((err: unknown) => options.onBackgroundError?.(src.kind, err));
            return;
          }
          counters.misses++;
          metrics.cacheRequests.inc({ kind: src.kind, result: 'miss' });
          waits.push(
            fetchOne(key).then(
              (value) => {
                results[i] = { value, stale: false };
              },
              (err: unknown) => {
                if (entry && age < src.ttlMs + options.staleIfErrorMs) {
                  counters.staleServedOnError++;
                  metrics.cacheRequests.inc({ kind: src.kind, result: 'stale_error' });
                  results[i] = { value: entry.v, stale: true };
                } else {
                  results[i] = err instanceof Error ? err : new Error(String(err));
                }
              },
            ),
          );
        });
        if (hits > 0) {
          // One increment per call, not per key: the counter's label lookup costs more than the read.
          counters.hits += hits;
          metrics.cacheRequests.inc({ kind: src.kind, result: 'hit' }, hits);
        }
        if (waits.length > 0) await Promise.all(waits);
        return results as Array<CacheResult<V> | Error>;
      },
      async prime(values, m) {
        const now = Date.now();
        const entries = [...values].map(([k, v]) => ({ key: keyOf(k), value: { v, t: now } satisfies Entry<V>, ttl: storeTtl }));
        if (entries.length === 0) return;
        await keep(entries, m, [...values.keys()]);
      },
      async invalidate(keys) {
        if (keys.length === 0) return;
        const storeKeys = keys.map(keyOf);
        // In this order: stamp (so no earlier fetch writes from here on), detach, then drop.
        local.advance(storeKeys);
        for (const k of keys) inFlight.delete(k);
        forget(keys);
        // Derived caches (whole responses) drop now and again once the entries are gone, so a response
        // computed from an entry read in between is not kept either.
        options.onInvalidate?.();
        if (shared) await shared.advance(storeKeys).catch(report(src.kind));
        await store.deleteMany(storeKeys).catch(report(src.kind));
        // Again: a peek while the delete was on its way read the old entry from the store.
        forget(keys);
        options.onInvalidate?.();
      },
    };
  }

  /** Keyv hands the store namespaced keys (`crossdock:part:1`); ours are `part:1`. */
  const namespace = typeof store.namespace === 'string' && store.namespace ? `${store.namespace}:` : '';

  return {
    source,
    mark,
    remoteInvalidated(storeKeys) {
      if (storeKeys === null) {
        local.advance(null);
        for (const k of kinds.values()) k.detach(null);
        forgetAll();
        return;
      }
      const keys = storeKeys.map((k) => (namespace && k.startsWith(namespace) ? k.slice(namespace.length) : k));
      local.advance(keys);
      for (const key of keys) {
        const colon = key.indexOf(':');
        const kind = colon > 0 ? kinds.get(key.slice(0, colon)) : undefined;
        const own = [key.slice(colon + 1)];
        kind?.detach(own);
        kind?.forget(own);
      }
    },
    stats: () => ({ ...counters }),
    async clear() {
      local.advance(null);
      for (const k of kinds.values()) k.detach(null);
      options.onInvalidate?.();
      forgetAll();
      if (shared) await shared.advance(null).catch(report('all'));
      await store.clear();
      forgetAll();
      options.onInvalidate?.();
    },
  };
}
