import type Keyv from 'keyv';

/**
 * The store's entries when Keyv keeps them in a Map in this process (the
 * embedded strategy's BoundedMap): Keyv stores each as `{ value, expires }`
 * (its StoredDataRaw, serialisation off) under `namespace:key`, and reading
 * that Map directly answers without a promise per key. Writes and deletes
 * still go through Keyv. Undefined for any other store (Redis, the tiered L1).
 */
export interface InProcessEntries {
  /** How many entries the Map holds at most (a BoundedMap's bound; Infinity for a plain Map). */
  maxEntries: number;
  /** The key Keyv files `key` under in the Map. */
  mapKey(key: string): string;
  /** `now`: the caller's clock reading (Date.now()), which it also checks its own TTL against. */
  read<E>(mapKey: string, now: number): E | undefined;
}

export function inProcessEntries(store: Keyv): InProcessEntries | undefined {
  const map: unknown = store.store;
  if (!(map instanceof Map) || store.opts.serialize || store.opts.compression) return undefined;
  const prefix = store.useKeyPrefix && typeof store.namespace === 'string' && store.namespace ? `${store.namespace}:` : '';
  const bound = (map as { max?: unknown }).max;
  return {
    maxEntries: typeof bound === 'number' && bound > 0 ? bound : Infinity,
    mapKey: (key) => (prefix && !key.startsWith(prefix) ? prefix + key : key),
    read<E>(mapKey: string, now: number): E | undefined {
      const stored = map.get(mapKey) as { value?: E; expires?: number } | undefined;
      if (stored === undefined || stored === null) return undefined;
      if (typeof stored.expires === 'number' && now > stored.expires) {
        // What Keyv does with an expired record it reads.
        map.delete(mapKey);
        return undefined;
      }
      return stored.value;
    },
  };
}
