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

export function createResponseCache(maxEntries: number): ResponseCache {
  const lru = new LRUCache<string, CachedResponse>({ max: Math.max(1, maxEntries), ttlAutopurge: false, allowStale: false });
  let generation = 0;
  return {
    get: (key) => lru.get(key),
    set(key, value, ttlMs, asOf) {
      if (ttlMs > 0 && asOf === generation) lru.set(key, value, { ttl: ttlMs });
    },
    clear() {
      generation++;
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
