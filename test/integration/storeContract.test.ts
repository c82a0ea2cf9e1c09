/**
 * The JobStore, OrderStore and Leases contracts, run against both
 * implementations: the embedded ones (SQLite, in-process leases) and the
 * Redis ones (a real redis-server on an ephemeral port). The rules that
 * must hold across instances — one active job per scope, one idempotency
 * claim per key, one lease holder — are checked under concurrency.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobStore } from '../../src/jobs/store/jobStore.js';
import { createRedisJobStore } from '../../src/jobs/store/redisJobStore.js';
import { createSqliteJobStore } from '../../src/jobs/store/sqliteJobStore.js';
import { scopeKeyOf } from '../../src/jobs/types.js';
import { createLogger } from '../../src/observability/logger.js';
import { createSqliteOrderStore, type OrderStore } from '../../src/orders/orderStore.js';
import { createRedisOrderStore } from '../../src/orders/redisOrderStore.js';
import type { SupplierOrderRecord } from '../../src/orders/types.js';
import { createLocalLeases, type Leases } from '../../src/storage/leases.js';
import { createRedisLeases } from '../../src/storage/redisLeases.js';
import { isStoreUnavailable } from '../../src/storage/storeUnavailable.js';
import { randomBytes } from 'node:crypto';
import { createRedisTokenVault } from '../../src/auth/redisTokenVault.js';
import { createSqliteTokenVault, createTokenCipher, type TokenCipher, type TokenVault } from '../../src/auth/tokenVault.js';
import { createSqliteAuditStore, type AuditStore } from '../../src/observability/auditStore.js';
import { createRedisAuditStore } from '../../src/observability/redisAuditStore.js';
import { createRedisConnection, type RedisConnection } from '../../src/redis/connection.js';
import { redisServerAvailable, startRedisServer, type RedisServer } from '../support/redisServer.js';

interface Impl {
  jobs: JobStore;
  orders: OrderStore;
  leases: Leases;
  audit: AuditStore;
  vault: (cipher: TokenCipher) => TokenVault;
}

const hasRedis = redisServerAvailable();
let redis: RedisServer | undefined;
let conn: RedisConnection | undefined;
const dir = mkdtempSync(join(tmpdir(), 'crossdock-contract-'));
let prefixN = 0;

const impls: Record<string, () => Promise<Impl>> = {
  sqlite: async () => {
    const path = join(dir, `db-${prefixN++}.db`);
    return { jobs: createSqliteJobStore({ path }), orders: createSqliteOrderStore({ path }), leases: createLocalLeases(), audit: createSqliteAuditStore({ path }), vault: (cipher) => createSqliteTokenVault({ path, cipher }) };
  },
  redis: async () => {
    if (!conn) throw new Error('no redis');
    const prefix = `contract${prefixN++}:`;
    const redisConn = conn;
    return {
      jobs: createRedisJobStore({ redis: conn, prefix }),
      orders: createRedisOrderStore({ redis: conn, prefix }),
      leases: createRedisLeases({ redis: conn, prefix, instanceId: 'test' }),
      audit: createRedisAuditStore({ redis: conn, prefix }),
      vault: (cipher) => createRedisTokenVault({ redis: redisConn, prefix, cipher }),
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

    it('one active job per scope, even for 20 concurrent creates; a final job frees the scope', async () => {
      const scope = { manufacturer: 'Bendix' };
      const job = { kind: 'CATALOG' as const, scope, scopeKey: scopeKeyOf('CATALOG', scope, false), dryRun: false, startedBy: 't' };
      const results = await Promise.all(Array.from({ length: 20 }, () => s.jobs.createOrGetActive(job)));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.job.id)).size).toBe(1);
      const id = results[0]!.job.id;
      await s.jobs.update(id, { status: 'RUNNING', phase: 'READING_SUPPLIER' });
      // A cancel request and a progress update written concurrently both land.
      await Promise.all([s.jobs.update(id, { cancelRequested: true }), s.jobs.update(id, { counters: { total: 9, processed: 3, created: 1, updated: 1, unchanged: 1, failed: 0 } })]);
      const both = await s.jobs.get(id);
      expect(both).toMatchObject({ cancelRequested: true, counters: { processed: 3 }, status: 'RUNNING' });
      expect((await s.jobs.list({ status: ['RUNNING'] }, 0, 10)).items.map((j) => j.id)).toEqual([id]);
      await s.jobs.update(id, { status: 'SUCCEEDED', phase: 'DONE' });
      const next = await s.jobs.createOrGetActive(job);
      expect(next.created).toBe(true);
      expect(next.job.id).not.toBe(id);
      expect((await s.jobs.pending()).map((j) => j.id)).toContain(next.job.id);
      expect((await s.jobs.list({}, 0, 10)).total).toBe(2);
    });

    it('commitPage lands failures, cleared items, planned changes and the checkpoint together', async () => {
      const scope = { query: 'brake' };
      const { job } = await s.jobs.createOrGetActive({ kind: 'PRICE', scope, scopeKey: scopeKeyOf('PRICE', scope, true), dryRun: true, startedBy: 't' });
      const counters = { total: 3, processed: 3, created: 0, updated: 1, unchanged: 0, failed: 2 };
      await s.jobs.commitPage(job.id, {
        failures: [
          { sku: 'B', partNumber: 'B', code: 'VALIDATION', message: 'bad' },
          { sku: 'A', partNumber: 'A', code: 'VALIDATION', message: 'bad' },
        ],
        succeeded: [],
        planned: [{ jobId: job.id, action: 'UPDATE', sku: 'C', productId: '7', changes: [{ field: 'price', before: '1.00', after: '2.00' }] }],
        checkpoint: { nextPage: 2, counters },
      });
      const after = await s.jobs.commitPage(job.id, {
        failures: [{ sku: 'B', partNumber: 'B', code: 'VALIDATION', message: 'still bad' }],
        succeeded: ['A'],
        planned: [{ jobId: job.id, action: 'CREATE', sku: 'D', productId: null, changes: [] }],
        checkpoint: { nextPage: 3, counters },
      });
      expect(after.checkpoint).toEqual({ nextPage: 3, counters });
      const failures = await s.jobs.failures(job.id, 0, 10);
      expect(failures.items).toEqual([{ jobId: job.id, sku: 'B', partNumber: 'B', code: 'VALIDATION', message: 'still bad', attempts: 2 }]);
      const planned = await s.jobs.plannedChanges(job.id, 1, 5);
      expect(planned.total).toBe(2);
      expect(planned.items).toEqual([{ jobId: job.id, seq: 2, action: 'CREATE', sku: 'D', productId: null, changes: [] }]);
    });

    it('schedules are added, marked and removed', async () => {
      const added = await s.jobs.addSchedule({ kind: 'INVENTORY', scope: {}, intervalSeconds: 60, cron: null, createdBy: 't', nextRunAt: new Date().toISOString() });
      await s.jobs.markScheduleRun(added.id, '2030-01-01T00:00:00.000Z', '2030-01-01T00:01:00.000Z');
      expect((await s.jobs.schedules()).find((x) => x.id === added.id)).toMatchObject({ lastRunAt: '2030-01-01T00:00:00.000Z', nextRunAt: '2030-01-01T00:01:00.000Z' });
      expect(await s.jobs.removeSchedule(added.id)).toBe(true);
      expect(await s.jobs.removeSchedule(added.id)).toBe(false);
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

    it('audit log: append, newest first, filters, pages and purge', async () => {
      const base = { role: 'admin', operationName: null, arguments: null, variables: '{}', outcome: 'OK' as const, errorCode: null, durationMs: 1 };
      const a = await s.audit.append({ ...base, at: '2020-01-01T00:00:00.000Z', client: 'x', field: 'startSync' });
      await s.audit.append({ ...base, at: '2030-01-01T00:00:00.000Z', client: 'y', field: 'cancelSync' });
      const c = await s.audit.append({ ...base, at: '2030-01-02T00:00:00.000Z', client: 'x', field: 'cancelSync' });
      const all = await s.audit.list({}, { limit: 2 });
      expect(all.total).toBe(3);
      expect(all.items.map((e) => e.id)).toEqual([c.id, String(Number(c.id) - 1)]);
      const next = await s.audit.list({}, { beforeId: Number(all.items[1]!.id), limit: 2 });
      expect(next.items.map((e) => e.id)).toEqual([a.id]);
      const xs = await s.audit.list({ client: 'x', operation: 'cancelSync' }, { limit: 10 });
      expect(xs).toMatchObject({ total: 1, items: [{ id: c.id, client: 'x', field: 'cancelSync' }] });
      expect(await s.audit.purgeOlderThan('2025-01-01T00:00:00.000Z')).toBe(1);
      expect((await s.audit.list({}, { limit: 10 })).total).toBe(2);
    });

    it('token vault: sealed put, get, another key cannot read it, delete', async () => {
      const vault = s.vault(createTokenCipher(randomBytes(32)));
      expect(await vault.get('abc')).toEqual({ kind: 'absent' });
      await vault.put({ storeHash: 'abc', accessToken: 'tok-secret-1234567890', scope: 'store_v2_products', installedAt: '2030-01-01T00:00:00.000Z', userId: 42 });
      expect(await vault.get('abc')).toEqual({ kind: 'installed', record: { storeHash: 'abc', accessToken: 'tok-secret-1234567890', scope: 'store_v2_products', installedAt: '2030-01-01T00:00:00.000Z', userId: 42 } });
      expect(await s.vault(createTokenCipher(randomBytes(32))).get('abc')).toEqual({ kind: 'unreadable', keyMismatch: true });
      expect(await vault.delete('abc')).toBe(true);
      expect(await vault.get('abc')).toEqual({ kind: 'absent' });
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
      const jobs = createRedisJobStore({ redis: c, prefix: 'gone:' });
      const scope = {};
      const job = { kind: 'CATALOG' as const, scope, scopeKey: scopeKeyOf('CATALOG', scope, false), dryRun: false, startedBy: 't' };
      const { job: first } = await jobs.createOrGetActive(job);
      await server.stop('SIGTERM');
      const err = await jobs.createOrGetActive(job).catch((e: unknown) => e);
      expect(isStoreUnavailable(err)).toBe(true);
      await server.start();
      const again = await (async () => {
        for (let i = 0; i < 100; i++) {
          try {
            return await jobs.createOrGetActive(job);
          } catch {
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        throw new Error('redis did not come back');
      })();
      // The AOF kept the first job: it is still the active one.
      expect(again).toMatchObject({ created: false, job: { id: first.id } });
    } finally {
      await c.close();
      await server.destroy();
    }
  }, 30_000);
});
