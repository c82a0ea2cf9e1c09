/**
 * The Leases contract, run against both implementations: in-process leases
 * (the embedded default) and Redis leases (a real redis-server on an
 * ephemeral port). One holder per lease is checked under concurrency. (The
 * records — jobs, orders, idempotency keys, the audit log, store tokens —
 * are on the SQL record layer: recordStores.test.ts and
 * orderStoreContract.test.ts run their contracts on SQLite and PostgreSQL.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { createRedisConnection, type RedisConnection } from '../../src/redis/connection.js';
import { createLocalLeases, type Leases } from '../../src/storage/leases.js';
import { createRedisLeases } from '../../src/storage/redisLeases.js';
import { isStoreUnavailable } from '../../src/storage/storeUnavailable.js';
import { redisServerAvailable, startRedisServer, type RedisServer } from '../support/redisServer.js';

const hasRedis = redisServerAvailable();
let redis: RedisServer | undefined;
let conn: RedisConnection | undefined;
let prefixN = 0;

const impls: Record<string, () => Leases> = {
  local: () => createLocalLeases(),
  redis: () => {
    if (!conn) throw new Error('no redis');
    return createRedisLeases({ redis: conn, prefix: `contract${prefixN++}:`, instanceId: 'test' });
  },
};

beforeAll(async () => {
  if (!hasRedis) return;
  redis = await startRedisServer();
  conn = await createRedisConnection({ url: redis.url, logger: createLogger({ level: 'silent' }) });
});

afterAll(async () => {
  await conn?.close();
  await redis?.destroy();
});

for (const [name, make] of Object.entries(impls)) {
  describe.skipIf(name === 'redis' && !hasRedis)(`${name} leases`, () => {
    it('a lease has one holder; it can be renewed and released only by its holder, and expires', async () => {
      const leases = make();
      const got = await Promise.all(Array.from({ length: 10 }, () => leases.acquire('job:x', 300)));
      const holders = got.filter((l) => l !== null);
      expect(holders).toHaveLength(1);
      expect(await holders[0]!.renew()).toBe(true);
      await new Promise((r) => setTimeout(r, 400));
      const next = await leases.acquire('job:x', 5_000);
      expect(next).not.toBeNull();
      expect(await holders[0]!.renew()).toBe(false);
      await holders[0]!.release(); // not the holder any more: no effect
      expect(await leases.acquire('job:x', 5_000)).toBeNull();
      await next!.release();
      expect(await leases.acquire('job:x', 5_000)).not.toBeNull();
    });
  });
}

describe.skipIf(!hasRedis)('redis leases when Redis is gone', () => {
  it('reject with StoreUnavailableError, and work again once Redis is back, the lease taken before kept (AOF)', async () => {
    const server = await startRedisServer();
    const c = await createRedisConnection({ url: server.url, logger: createLogger({ level: 'silent' }), timeoutMs: 1_000 });
    try {
      const leases = createRedisLeases({ redis: c, prefix: 'gone:', instanceId: 'test' });
      expect(await leases.acquire('order:1', 60_000)).not.toBeNull();
      await server.stop('SIGTERM');
      const err = await leases.acquire('order:2', 60_000).catch((e: unknown) => e);
      expect(isStoreUnavailable(err)).toBe(true);
      await server.start();
      const again = await (async () => {
        for (let i = 0; i < 100; i++) {
          try {
            return await leases.acquire('order:1', 60_000);
          } catch {
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        throw new Error('redis did not come back');
      })();
      // The AOF kept the first lease: it is still held.
      expect(again).toBeNull();
    } finally {
      await c.close();
      await server.destroy();
    }
  }, 30_000);
});
