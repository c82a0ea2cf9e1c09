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
 *   burst of single-item reads costs one upstream call, not one each.
 */
import DataLoader from 'dataloader';
import type Keyv from 'keyv';
import type { Metrics } from '../observability/metrics.js';

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

export interface SourceOptions<V> {
  /** Entity kind; the key prefix and the metric label. */
  kind: string;
  ttlMs: number;
  /** Fetches many keys at once; keys missing from the map are "not found". */
  fetchMany(keys: string[]): Promise<Map<string, V | null>>;
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
  /** Writes fresh values fetched elsewhere (a search page primes the part cache). */
  prime(values: Map<string, V | null>): Promise<void>;
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
}

export interface EntityCache {
  source<V>(options: SourceOptions<V>): EntitySource<V>;
  stats(): { hits: number; misses: number; stale: number; staleServedOnError: number };
  clear(): Promise<void>;
}

export function createEntityCache(options: EntityCacheOptions): EntityCache {
  const { store, metrics } = options;
  const counters = { hits: 0, misses: 0, stale: 0, staleServedOnError: 0 };
  const batchWindowMs = options.batchWindowMs ?? 2;

  function source<V>(src: SourceOptions<V>): EntitySource<V> {
    const keyOf = (k: string) => `${src.kind}:${k}`;
    const storeTtl = src.ttlMs + Math.max(options.swrMs, options.staleIfErrorMs);
    /** Fetches under way, by key: single-flight. */
    const inFlight = new Map<string, Promise<V | null>>();
    // A process-wide loader with no memo: it only gathers keys across callers
    // into one fetchMany call per batch. At most `maxConcurrentFetches`
    // batches run at once; while they do (waiting for quota or for the
    // vendor), new keys keep joining the next batch, so a burst of reads
    // under a tight quota becomes a few large calls instead of many small ones.
    let active = 0;
    const parked: Array<() => void> = [];
    const maxConcurrent = src.maxConcurrentFetches ?? 2;
    const release = () => {
      active--;
      const next = parked.shift();
      if (next) setTimeout(next, 0);
    };
    const batcher = new DataLoader<string, V | null>(
      async (keys) => {
        try {
          const found = await src.fetchMany([...keys]);
          const now = Date.now();
          const entries = keys.map((k) => ({ key: keyOf(k), value: { v: found.get(k) ?? null, t: now } satisfies Entry<V>, ttl: storeTtl }));
          await store.setMany(entries).catch((err: unknown) => options.onBackgroundError?.(src.kind, err));
          return keys.map((k) => found.get(k) ?? null);
        } finally {
          release();
        }
      },
      {
        cache: false,
        maxBatchSize: src.maxBatch ?? 250,
        batchScheduleFn: (dispatch) => {
          const run = () => {
            active++;
            dispatch();
          };
          if (active < maxConcurrent) setTimeout(run, batchWindowMs);
          else parked.push(run);
        },
      },
    );

    function fetchOne(key: string): Promise<V | null> {
      let p = inFlight.get(key);
      if (!p) {
        p = batcher.load(key).finally(() => inFlight.delete(key));
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

    return {
      kind: src.kind,
      ttlMs: src.ttlMs,
      async loadMany(keys) {
        const now = Date.now();
        const entries = await readEntries(keys);
        const results: Array<CacheResult<V> | Error | undefined> = new Array(keys.length);
        const waits: Array<Promise<void>> = [];
        keys.forEach((key, i) => {
          const entry = entries[i];
          const age = entry ? now - entry.t : Infinity;
          if (entry && age < src.ttlMs) {
            counters.hits++;
            metrics.cacheRequests.inc({ kind: src.kind, result: 'hit' });
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
        await Promise.all(waits);
        return results as Array<CacheResult<V> | Error>;
      },
      async prime(values) {
        const now = Date.now();
        const entries = [...values].map(([k, v]) => ({ key: keyOf(k), value: { v, t: now } satisfies Entry<V>, ttl: storeTtl }));
        if (entries.length) await store.setMany(entries).catch((err: unknown) => options.onBackgroundError?.(src.kind, err));
      },
      async invalidate(keys) {
        if (keys.length === 0) return;
        await store.deleteMany(keys.map(keyOf)).catch((err: unknown) => options.onBackgroundError?.(src.kind, err));
        options.onInvalidate?.();
      },
    };
  }

  return {
    source,
    stats: () => ({ ...counters }),
    async clear() {
      await store.clear();
      options.onInvalidate?.();
    },
  };
}
