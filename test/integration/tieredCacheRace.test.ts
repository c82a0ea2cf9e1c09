/**
 * The write-wins rule across instances (REDIS_URL): two gateways' entity
 * caches on one real redis-server, each built the way the gateway builds it
 * from the Redis strategies (in-process L1, Redis L2, invalidations
 * published). One instance's fetch read the vendor before a write; the other
 * instance runs the write's invalidation; the old answer then arrives. It
 * must not land in Redis for every instance to read, nor stay in the L1 of
 * the instance that invalidated.
 *
 * The vendor is a fake whose answers the test releases by hand; the only
 * waits are on promises the test controls (a held answer, the arrival of the
 * invalidation message).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEntityCache, type EntityCache, type EntitySource } from '../../src/cache/entityCache.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { createStrategies, type Strategies } from '../../src/strategies/index.js';
import { startPostgresServer, type PostgresServer } from '../support/postgresServer.js';
import { startRedisServer, type RedisServer } from '../support/redisServer.js';

let redis: RedisServer;
// REDIS_URL needs DATABASE_URL (the instances' records); the race itself never touches them.
let postgres: PostgresServer;
let databaseUrl: string;

beforeAll(async () => {
  [redis, postgres] = await Promise.all([startRedisServer(), startPostgresServer()]);
  databaseUrl = await postgres.createDatabase();
}, 60_000);
afterAll(async () => {
  await Promise.allSettled([redis?.destroy(), postgres?.destroy()]);
});

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** One vendor for both instances; `hold()` makes the next call read now and answer when released. */
function fakeVendor(initial: Record<string, string>) {
  const data = new Map(Object.entries(initial));
  let calls = 0;
  let held: { arrived: ReturnType<typeof deferred<void>>; release: ReturnType<typeof deferred<void>> } | undefined;
  return {
    data,
    calls: () => calls,
    hold() {
      const h = { arrived: deferred<void>(), release: deferred<void>() };
      held = h;
      return { arrived: h.arrived.promise, release: () => h.release.resolve() };
    },
    async fetch(keys: string[]) {
      calls++;
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

interface Instance {
  strategies: Strategies;
  cache: EntityCache;
  price: EntitySource<string>;
  /** Resolves at the next invalidation another instance published. */
  nextRemoteInvalidation(): Promise<void>;
}

/** `hears`: false for an instance whose invalidation messages are late or lost (Redis pub/sub delivers at most once). */
async function instance(prefix: string, vendor: ReturnType<typeof fakeVendor>, hears = true): Promise<Instance> {
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    CROSSDOCK_DATA_DIR: mkdtempSync(join(tmpdir(), 'crossdock-tiered-')),
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: prefix,
    DATABASE_URL: databaseUrl,
    // A long L1, so a stale L1 entry could not hide behind its expiry.
    REDIS_L1_TTL_MS: '60000',
    REDIS_COMMAND_TIMEOUT_MS: '2000',
  });
  const strategies = await createStrategies(config, createLogger({ level: 'silent' }));
  // As gateway.ts wires them.
  const cache = createEntityCache({
    store: strategies.cacheStore,
    sharedGenerations: strategies.cacheGenerations,
    swrMs: 30_000,
    staleIfErrorMs: 60_000,
    metrics: createMetrics(),
    batchWindowMs: 0,
  });
  const waiters: Array<() => void> = [];
  strategies.onRemoteInvalidate((keys) => {
    // Waiters first (their continuations run after this listener returns, so after the line below).
    for (const w of waiters.splice(0)) w();
    if (hears) cache.remoteInvalidated(keys ?? null);
  });
  const price = cache.source<string>({ kind: 'price', ttlMs: 60_000, fetchMany: (keys) => vendor.fetch(keys) });
  return {
    strategies,
    cache,
    price,
    nextRemoteInvalidation: () =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no invalidation message within 5 s')), 5_000);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}

const valueOf = (r: unknown) => (r instanceof Error ? r : (r as { value: unknown }).value);
let n = 0;
const freshPrefix = () => `race${++n}:`;

describe('two instances on one Redis: a read racing a write', () => {
  it("one instance's late answer does not land in Redis after the other instance's invalidation, even if the message about it is late", async () => {
    const vendor = fakeVendor({ v1: 'price 10' });
    const prefix = freshPrefix();
    // B does not act on A's invalidation message: only what is in Redis can stop its late write.
    const [a, b] = [await instance(prefix, vendor), await instance(prefix, vendor, false)];
    try {
      const held = vendor.hold();
      const racing = b.price.loadMany(['v1']); // instance B reads the vendor: "price 10"
      await held.arrived;

      vendor.data.set('v1', 'price 12'); // a sync on instance A writes...
      await a.price.invalidate(['v1']); // ...and invalidates
      held.release(); // B's old answer comes in now
      await racing;

      // A has nothing in its L1 for v1: it reads Redis, where B's late answer must not be.
      expect(valueOf((await a.price.loadMany(['v1']))[0])).toBe('price 12');
    } finally {
      await Promise.all([a.strategies.close(), b.strategies.close()]);
    }
  });

  it('a read on another instance that starts after the invalidation reached it does not join its older fetch', async () => {
    const vendor = fakeVendor({ v1: 'price 10' });
    const prefix = freshPrefix();
    const [a, b] = [await instance(prefix, vendor), await instance(prefix, vendor)];
    try {
      const held = vendor.hold();
      const racing = b.price.loadMany(['v1']);
      await held.arrived;

      vendor.data.set('v1', 'price 12');
      const delivered = b.nextRemoteInvalidation();
      await a.price.invalidate(['v1']);
      await delivered; // B has heard of it

      const after = b.price.loadMany(['v1']);
      held.release();
      await racing;
      expect(valueOf((await after)[0])).toBe('price 12');
      expect(valueOf((await b.price.loadMany(['v1']))[0])).toBe('price 12');
    } finally {
      await Promise.all([a.strategies.close(), b.strategies.close()]);
    }
  });

  it('the tiered store: a Redis read in flight during an invalidation does not put the old value back into L1', async () => {
    const vendor = fakeVendor({});
    const prefix = freshPrefix();
    const [a, b] = [await instance(prefix, vendor), await instance(prefix, vendor)];
    try {
      // B wrote v1 to Redis; A has never read it (its L1 is empty).
      await b.strategies.cacheStore.set('price:v1', 'old');
      // A reads it from Redis; before Redis answers, A invalidates it (the commands reach Redis in that order).
      const reading = a.strategies.cacheStore.get('price:v1');
      const invalidating = a.strategies.cacheStore.delete('price:v1');
      expect(await reading).toBe('old'); // concurrent with the invalidation: either answer is fair
      await invalidating;
      // Afterwards nothing on A may answer the old value: not Redis, and not A's L1.
      expect(await a.strategies.cacheStore.get('price:v1')).toBeUndefined();
    } finally {
      await Promise.all([a.strategies.close(), b.strategies.close()]);
    }
  });
});
