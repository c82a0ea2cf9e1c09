/**
 * The scale-out entity cache store: a small in-process L1 in front of Redis
 * (@keyv/redis), given to Keyv as its store, so the entity cache
 * (entityCache.ts) is unchanged.
 *
 * - L1: bounded (LRU), values kept for `l1TtlMs` only (a second by
 *   default), so a hot key costs no Redis round trip while an invalidation
 *   made elsewhere is seen within that time at worst.
 * - L2: Redis, JSON, under `<prefix>cache:`, each key with the entity's TTL;
 *   shared by every instance, so one instance's upstream call warms all.
 * - Invalidations (a sync wrote products) delete from both and are
 *   published, so every instance drops its L1 copy and its whole-response
 *   cache at once rather than after the L1 TTL, and its entity cache stops
 *   sharing fetches that started before (entityCache.ts, remoteInvalidated).
 *   A Redis read that was on its way while a key was dropped does not put
 *   what it read into L1: it may have read the value from before the drop.
 * - That no instance's late fetch writes an old value back into Redis after
 *   an invalidation is the entity cache's rule, on the shared clock of
 *   redisGenerations.ts.
 * - Redis unreachable or slow (past `timeoutMs`): reads answer from L1 or
 *   as misses (the entity cache then asks the upstream), writes go to L1
 *   only. Nothing throws; errors are reported through `onError`.
 */
import KeyvRedis from '@keyv/redis';
import { BoundedMap } from './boundedMap.js';
import type { RedisConnection } from '../redis/connection.js';
import { withDeadline } from '../redis/connection.js';

export interface TieredStoreOptions {
  redis: RedisConnection;
  /** Key prefix (REDIS_KEY_PREFIX); cache keys live under `<prefix>cache:`. */
  prefix: string;
  /** This instance's id (its own invalidations are not applied twice). */
  instanceId: string;
  l1TtlMs: number;
  l1MaxEntries: number;
  /** Deadline of one Redis read or write. */
  timeoutMs: number;
  onError?: (err: unknown) => void;
}

interface L1Entry {
  value: unknown;
  until: number;
}

/** What Keyv calls on a store (its KeyvStoreAdapter, the parts the entity cache uses). */
export interface TieredStore {
  namespace?: string;
  get(key: string): Promise<unknown>;
  getMany(keys: string[]): Promise<unknown[]>;
  set(key: string, value: unknown, ttl?: number): Promise<boolean>;
  setMany(entries: Array<{ key: string; value: unknown; ttl?: number }>): Promise<boolean[]>;
  delete(key: string): Promise<boolean>;
  deleteMany(keys: string[]): Promise<boolean>;
  has(key: string): Promise<boolean>;
  clear(): Promise<void>;
  /** Called when another instance invalidated keys (null: all), to drop derived caches and in-flight fetches here. */
  onRemoteInvalidate(listener: (keys: string[] | null) => void): void;
  l1Size(): number;
  close(): Promise<void>;
}

export async function createTieredStore(options: TieredStoreOptions): Promise<TieredStore> {
  const { redis, timeoutMs } = options;
  const base = `${options.prefix}cache:`;
  const channel = `${options.prefix}events:cache`;
  const useL1 = options.l1TtlMs > 0 && options.l1MaxEntries > 0;
  const l1 = new BoundedMap<string, L1Entry>(Math.max(1, options.l1MaxEntries));
  // @keyv/redis on the gateway's own client (no second connection); errors are thrown to us, not swallowed.
  const l2 = new KeyvRedis<string>(redis.client as never, { throwOnErrors: true, throwOnConnectError: true, useUnlink: true });
  const remoteListeners: Array<(keys: string[] | null) => void> = [];
  /** Advances on every drop from L1; a Redis read fills L1 only if none happened while it was out. */
  let drops = 0;
  const fail = (err: unknown) => options.onError?.(err);
  const guard = <T>(p: Promise<T>, what: string) => withDeadline(p, timeoutMs, what);

  const l1Get = (key: string): unknown => {
    if (!useL1) return undefined;
    const e = l1.get(key);
    if (!e) return undefined;
    if (e.until <= Date.now()) {
      l1.delete(key);
      return undefined;
    }
    return e.value;
  };
  const l1Set = (key: string, value: unknown) => {
    if (useL1) l1.set(key, { value, until: Date.now() + options.l1TtlMs });
  };

  const onMessage = (message: string) => {
    try {
      const msg = JSON.parse(message) as { o: string; keys: string[] | null };
      if (msg.o === options.instanceId) return;
      drops++;
      if (msg.keys === null) l1.clear();
      else for (const k of msg.keys) l1.delete(k);
      for (const listener of remoteListeners) listener(msg.keys);
    } catch (err) {
      fail(err);
    }
  };
  const unlisten = await redis.listen(channel, onMessage);
  const announce = (keys: string[] | null) => {
    redis.client.publish(channel, JSON.stringify({ o: options.instanceId, keys })).catch(fail);
  };

  async function getMany(keys: string[]): Promise<unknown[]> {
    const out: unknown[] = keys.map(l1Get);
    const missing = keys.map((k, i) => (out[i] === undefined ? i : -1)).filter((i) => i >= 0);
    if (missing.length === 0) return out;
    const dropsBefore = drops;
    try {
      const raw = await guard(l2.getMany(missing.map((i) => base + (keys[i] as string))), 'cache read');
      // A key dropped while this read was out may have been read as it was before the drop:
      // answer it (the read was concurrent with the drop) but do not keep it.
      const keep = drops === dropsBefore;
      missing.forEach((i, j) => {
        const r = raw[j];
        if (typeof r !== 'string') return;
        const value = JSON.parse(r) as unknown;
        out[i] = value;
        if (keep) l1Set(keys[i] as string, value);
      });
    } catch (err) {
      // Redis unreachable: what L1 lacks is a miss, and the upstream answers it.
      fail(err);
    }
    return out;
  }

  async function setMany(entries: Array<{ key: string; value: unknown; ttl?: number }>): Promise<boolean[]> {
    for (const e of entries) l1Set(e.key, e.value);
    try {
      await guard(l2.setMany(entries.map((e) => ({ key: base + e.key, value: JSON.stringify(e.value), ttl: e.ttl }))), 'cache write');
      return entries.map(() => true);
    } catch (err) {
      fail(err);
      return entries.map(() => false);
    }
  }

  async function deleteMany(keys: string[]): Promise<boolean> {
    drops++;
    for (const k of keys) l1.delete(k);
    announce(keys);
    try {
      await guard(l2.deleteMany(keys.map((k) => base + k)), 'cache delete');
      return true;
    } catch (err) {
      fail(err);
      return false;
    }
  }

  return {
    namespace: undefined,
    get: async (key) => (await getMany([key]))[0],
    getMany,
    set: async (key, value, ttl) => (await setMany([{ key, value, ttl }]))[0] ?? false,
    setMany,
    delete: (key) => deleteMany([key]),
    deleteMany,
    has: async (key) => (await getMany([key]))[0] !== undefined,
    async clear() {
      drops++;
      l1.clear();
      announce(null);
      try {
        await withDeadline(
          (async () => {
            const batch: string[] = [];
            for await (const keys of redis.client.scanIterator({ MATCH: `${base}*`, COUNT: 500 })) {
              batch.push(...keys);
              if (batch.length >= 500) await redis.client.unlink(batch.splice(0));
            }
            if (batch.length) await redis.client.unlink(batch);
          })(),
          timeoutMs * 20,
          'cache clear',
        );
      } catch (err) {
        fail(err);
      }
    },
    onRemoteInvalidate: (listener) => void remoteListeners.push(listener),
    l1Size: () => l1.size,
    async close() {
      unlisten();
    },
  };
}
