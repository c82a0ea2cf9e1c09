/**
 * Whole-response cache for identical read operations. A warm query then
 * skips parsing, validation and execution entirely. Entries are per client
 * (a response may depend on who asks), live no longer than the shortest TTL
 * of the entities the response used, are never stored for mutations, errors,
 * stale data or live-state fields, and are dropped whenever any entity is
 * invalidated.
 */
import { LRUCache } from 'lru-cache';

export interface CachedResponse {
  status: number;
  headers: Record<string, string>;
  /** The answer's bytes, sent as this same Buffer on every hit (so its compressed forms can be kept with it). */
  body: Buffer;
  /** What the request was charged when it ran; a hit is charged the same. */
  cost?: number;
}

export interface ResponseCache {
  get(key: string): CachedResponse | undefined;
  /**
   * Whether an answer to `key` that just executed is worth keeping: true the
   * second time a key is asked for (within the doorkeeper's memory of
   * recent keys), false the first. Records the ask either way.
   */
  admit(key: string): boolean;
  /**
   * Stores a response, unless the cache was cleared since `generation` (read
   * before the request executed): a response computed from data read before
   * an invalidation must not outlive it.
   */
  set(key: string, value: CachedResponse, ttlMs: number, generation: number): void;
  clear(): void;
  /** Advances on every clear(). */
  readonly generation: number;
  readonly size: number;
}

/**
 * A 30-bit FNV-1a hash of a key (a small integer: a Set of them allocates
 * nothing per member). Two keys sharing one only make an answer kept a
 * request early.
 */
function keyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h & 0x3fffffff;
}

export interface ResponseCacheOptions {
  maxEntries: number;
  /**
   * Keep an answer only the second time its key is asked for (TinyLFU's
   * doorkeeper; a CDN's "cache on second hit"): a key asked for once, as most
   * distinct variable sets are, is never stored, so it neither costs the
   * copy and the memory of an entry nor evicts an answer that is asked for
   * again. @default true
   */
  admitOnSecondAsk?: boolean;
}

export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const { maxEntries, admitOnSecondAsk = true } = options;
  const lru = new LRUCache<string, CachedResponse>({ max: Math.max(1, maxEntries), ttlAutopurge: false, allowStale: false });
  /** Hashes of keys asked for once; forgotten all at once past twice the cache's bound (a doorkeeper's reset). */
  const askedOnce = new Set<number>();
  const doorkeeperMax = Math.max(1, maxEntries) * 2;
  let generation = 0;
  return {
    get: (key) => lru.get(key),
    admit(key) {
      if (!admitOnSecondAsk) return true;
      const h = keyHash(key);
      if (askedOnce.delete(h)) return true;
      if (askedOnce.size >= doorkeeperMax) askedOnce.clear();
      askedOnce.add(h);
      return false;
    },
    set(key, value, ttlMs, asOf) {
      if (ttlMs > 0 && asOf === generation) lru.set(key, value, { ttl: ttlMs });
    },
    clear() {
      generation++;
      // The doorkeeper stays: how often a key is asked for does not change with the data.
      lru.clear();
    },
    get generation() {
      return generation;
    },
    get size() {
      return lru.size;
    },
  };
}

/** The cache key: who asks, and exactly what they asked. */
export function responseCacheKey(clientName: string, method: string, payload: string, accept: string): string {
  return `${clientName}\u0000${method}\u0000${accept}\u0000${payload}`;
}
