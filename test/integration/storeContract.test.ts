/**
 * The OrderStore and Leases contracts, run against both implementations:
 * the embedded ones (SQLite, in-process leases) and the Redis ones (a real
 * redis-server on an ephemeral port). The rules that must hold across
 * instances — one idempotency claim per key, one lease holder — are checked
 * under concurrency. (The job store, audit log and token vault are on the
 * SQL record layer now: recordStores.test.ts runs their contract on SQLite
 * and PostgreSQL.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { createSqliteOrderStore, type OrderStore } from '../../src/orders/orderStore.js';
import { createRedisOrderStore } from '../../src/orders/redisOrderStore.js';
import type { SupplierOrderRecord } from '../../src/orders/types.js';
import { createLocalLeases, type Leases } from '../../src/storage/leases.js';
import { createRedisLeases } from '../../src/storage/redisLeases.js';
import { isStoreUnavailable } from '../../src/storage/storeUnavailable.js';
import { createRedisConnection, type RedisConnection } from '../../src/redis/connection.js';
import { redisServerAvailable, startRedisServer, type RedisServer } from '../support/redisServer.js';

interface Impl {
  orders: OrderStore;
  leases: Leases;
}

const hasRedis = redisServerAvailable();
let redis: RedisServer | undefined;
let conn: RedisConnection | undefined;
const dir = mkdtempSync(join(tmpdir(), 'crossdock-contract-'));
let prefixN = 0;

const impls: Record<string, () => Promise<Impl>> = {
  sqlite: async () => {
    const path = join(dir, `db-${prefixN++}.db`);
    return { orders: createSqliteOrderStore({ path }), leases: createLocalLeases() };
  },
  redis: async () => {
    if (!conn) throw new Error('no redis');
    const prefix = `contract${prefixN++}:`;
    return {
      orders: createRedisOrderStore({ redis: conn, prefix }),
      leases: createRedisLeases({ redis: conn, prefix, instanceId: 'test' }),
    };
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
  rmSync(dir, { recursive: true, force: true });
});

const order = (key: string): Omit<SupplierOrderRecord, 'id' | 'createdAt' | 'updatedAt'> => ({
  client: 'c',
  idempotencyKey: key,
  requestHash: null,
  storeOrderId: null,
  poNumber: `PO-${key}`,
  status: 'PENDING',
  supplierOrderId: null,
  lines: [{ partId: '1', sku: 'A', partNumber: 'A', variantId: '9', quantity: 1, unitPrice: '1.00' }],
  shippingMethod: 'ground',
  address: { name: 'n', street1: 's', city: 'c', state: 'st', zip: 'z', country: 'US' },
  attempts: 0,
  nextAttemptAt: null,
  lastError: null,
  trackingNumber: null,
  sendingSince: null,
  reportedStatus: null,
});

for (const [name, make] of Object.entries(impls)) {
  describe.skipIf(name === 'redis' && !hasRedis)(`${name} stores`, () => {
    let s: Impl;
    beforeAll(async () => {
      s = await make();
    });

    it('one idempotency claim per key under 20 concurrent claims; replay, mismatch and release', async () => {
      const lease = () => ({ leaseMs: 60_000, now: Date.now() });
      const claims = await Promise.all(Array.from({ length: 20 }, () => s.orders.claimKey('c', 'k1', 'h1', 86_400_000, lease())));
      expect(claims.filter((c) => c.kind === 'claimed')).toHaveLength(1);
      expect(claims.filter((c) => c.kind === 'inFlight')).toHaveLength(19);
      expect(await s.orders.claimKey('c', 'k1', 'other', 86_400_000, lease())).toEqual({ kind: 'mismatch' });
      const won = claims.find((c) => c.kind === 'claimed');
      if (won?.kind !== 'claimed') throw new Error('no claim');
      await s.orders.completeKey('c', 'k1', { kind: 'placed', n: 1 }, won.token);
      expect(await s.orders.claimKey('c', 'k1', 'h1', 86_400_000, lease())).toEqual({ kind: 'replay', response: { kind: 'placed', n: 1 } });
      const k2 = await s.orders.claimKey('c', 'k2', 'h', 86_400_000, lease());
      if (k2.kind !== 'claimed') throw new Error('k2 not claimed');
      await s.orders.releaseKey('c', 'k2', k2.token);
      expect((await s.orders.claimKey('c', 'k2', 'h', 86_400_000, lease())).kind).toBe('claimed');
    });

    it('orders: transitions keep the history and the work lists', async () => {
      const { order: created } = await s.orders.create(order('o1'), 'intent stored');
      expect((await s.orders.due(new Date().toISOString(), ['PENDING'])).map((o) => o.id)).toContain(created.id);
      await s.orders.transition(created.id, 'PENDING', 'attempt 1 started', { from: ['PENDING'], set: { attempts: 1 } });
      const placed = await s.orders.transition(created.id, 'SUBMITTED', 'placed', { from: ['PENDING'], set: { supplierOrderId: '55', nextAttemptAt: null } });
      expect(placed.order).toMatchObject({ status: 'SUBMITTED', attempts: 1, supplierOrderId: '55' });
      expect((await s.orders.due(new Date().toISOString(), ['PENDING'])).map((o) => o.id)).not.toContain(created.id);
      expect((await s.orders.inStatus(['SUBMITTED'])).map((o) => o.id)).toContain(created.id);
      await s.orders.transition(created.id, 'SUBMITTED', 'polled, unchanged', { from: ['SUBMITTED'] });
      const history = await s.orders.events(created.id);
      expect(history.map((e) => [e.from, e.to, e.reason])).toEqual([
        [null, 'PENDING', 'intent stored'],
        ['PENDING', 'SUBMITTED', 'placed'],
      ]);
      expect((await s.orders.byKey('c', 'o1'))?.id).toBe(created.id);
      expect((await s.orders.list({ status: ['SUBMITTED'] }, 0, 10)).total).toBe(1);
      expect((await s.orders.get(created.id))?.lines).toEqual(order('o1').lines);
    });

    it('a lease has one holder; it can be renewed and released only by its holder, and expires', async () => {
      const got = await Promise.all(Array.from({ length: 10 }, () => s.leases.acquire('job:x', 300)));
      const holders = got.filter((l) => l !== null);
      expect(holders).toHaveLength(1);
      expect(await holders[0]!.renew()).toBe(true);
      await new Promise((r) => setTimeout(r, 400));
      const next = await s.leases.acquire('job:x', 5_000);
      expect(next).not.toBeNull();
      expect(await holders[0]!.renew()).toBe(false);
      await holders[0]!.release(); // not the holder any more: no effect
      expect(await s.leases.acquire('job:x', 5_000)).toBeNull();
      await next!.release();
      expect(await s.leases.acquire('job:x', 5_000)).not.toBeNull();
    });
  });
}

describe.skipIf(!hasRedis)('redis stores when Redis is gone', () => {
  it('reject with StoreUnavailableError (nothing recorded), and work again once Redis is back', async () => {
    const server = await startRedisServer();
    const c = await createRedisConnection({ url: server.url, logger: createLogger({ level: 'silent' }), timeoutMs: 1_000 });
    try {
      const orders = createRedisOrderStore({ redis: c, prefix: 'gone:' });
      expect((await orders.claimKey('c', 'k', 'h', 86_400_000, { leaseMs: 60_000, now: Date.now() })).kind).toBe('claimed');
      await server.stop('SIGTERM');
      const err = await orders.claimKey('c', 'k2', 'h', 86_400_000, { leaseMs: 60_000, now: Date.now() }).catch((e: unknown) => e);
      expect(isStoreUnavailable(err)).toBe(true);
      await server.start();
      const again = await (async () => {
        for (let i = 0; i < 100; i++) {
          try {
            return await orders.claimKey('c', 'k', 'h', 86_400_000, { leaseMs: 60_000, now: Date.now() });
          } catch {
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        throw new Error('redis did not come back');
      })();
      // The AOF kept the first claim: it is still in flight.
      expect(again).toMatchObject({ kind: 'inFlight' });
    } finally {
      await c.close();
      await server.destroy();
    }
  }, 30_000);
});
