/**
 * One entity kind's reads from the in-process store (inProcessEntries.ts):
 *
 * - each key's Map key is built once and kept: building
 *   `namespace:kind:key` for every read made a new string to hash on every
 *   lookup (a warm 20-part query reads about 60);
 * - the near memo: the entry a peek last read from the store, by the
 *   caller's key, so a warm read is one Map lookup instead of three (the key
 *   memo, the store, the store's recency stamps), which were a tenth of the
 *   CPU of a 20-part query answered from the entity cache (bench/RESULTS.md,
 *   "Where the time goes"). The entity cache forgets keys here whenever it
 *   writes or invalidates them (entityCache.ts), so a read after that goes to
 *   the store again. An entry the store evicted may still be answered from
 *   here while it is within its TTL: it was correct when read, as the
 *   store's copy would have been.
 */
import type { InProcessEntries } from './inProcessEntries.js';

/** Keys whose Map key is kept (past it the memo starts over). */
const MAX_REMEMBERED_KEYS = 20_000;
/**
 * Entries the near memo holds at most (past it the memo starts over), and
 * never more than the store itself holds: what it keeps beyond the store's
 * bound is entries the store evicted, at most this many a kind.
 */
const MAX_NEAR_ENTRIES = 10_000;

export interface NearReads<E> {
  /** The near memo's entry for `key`, else the store's (then remembered); undefined when the store has none. */
  peek(key: string, now: number): E | undefined;
  /** The store's entry for `key`, not the memo's. */
  fromStore(key: string, now: number): E | undefined;
  /** Forgets the memo's entries for the keys (all when null): the next peek reads the store. */
  forget(keys: readonly string[] | null): void;
}

/** `storeKey`: the key the entity cache stores `key` under (`kind:key`). */
export function nearReads<E>(inProcess: InProcessEntries, storeKey: (key: string) => string): NearReads<E> {
  const mapKeys = new Map<string, string>();
  const mapKeyOf = (k: string): string => {
    let key = mapKeys.get(k);
    if (key === undefined) {
      key = inProcess.mapKey(storeKey(k));
      if (mapKeys.size >= MAX_REMEMBERED_KEYS) mapKeys.clear();
      mapKeys.set(k, key);
    }
    return key;
  };
  const near = new Map<string, E>();
  const nearMax = Math.min(MAX_NEAR_ENTRIES, inProcess.maxEntries);
  const fromStore = (key: string, now: number) => inProcess.read<E>(mapKeyOf(key), now);
  return {
    peek(key, now) {
      let entry = near.get(key);
      if (entry === undefined) {
        entry = fromStore(key, now);
        if (entry === undefined) return undefined;
        if (near.size >= nearMax) near.clear();
        near.set(key, entry);
      }
      return entry;
    },
    fromStore,
    forget(keys) {
      if (keys === null) near.clear();
      else for (const k of keys) near.delete(k);
    },
  };
}
