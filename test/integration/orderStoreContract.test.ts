/**
 * The OrderStore's compare-and-set rules, run against both implementations
 * (SQLite embedded, and Redis on a real redis-server on an ephemeral port),
 * parameterised as storeContract.test.ts is:
 *
 * - every transition names the states it is valid from; from any other,
 *   nothing is written (status, fields, history, work lists);
 * - a change can also require the attempt count it read, and that no send
 *   is in flight (so a cancel never wins against a send that has started);
 * - an idempotency claim is a lease: it can be taken over once the lease
 *   runs out, and then only the new claimant's completion counts;
 * - keys expire by the caller's clock, and purging removes every expired one;
 * - an order is created once per (client, key), whoever asks again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { createSqliteOrderStore, type OrderStore } from '../../src/orders/orderStore.js';
import { createRedisOrderStore } from '../../src/orders/redisOrderStore.js';
import type { SupplierOrderRecord } from '../../src/orders/types.js';
import { createRedisConnection, type RedisConnection } from '../../src/redis/connection.js';
import { redisServerAvailable, startRedisServer, type RedisServer } from '../support/redisServer.js';

const hasRedis = redisServerAvailable();
let redis: RedisServer | undefined;
let conn: RedisConnection | undefined;
const dir = mkdtempSync(join(tmpdir(), 'crossdock-order-contract-'));
let n = 0;

const impls: Record<string, () => OrderStore> = {
  sqlite: () => createSqliteOrderStore({ path: join(dir, `db-${n++}.db`) }),
  redis: () => {
    if (!conn) throw new Error('no redis');
    return createRedisOrderStore({ redis: conn, prefix: `ordercontract${n++}:` });
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

const DAY = 86_400_000;
const T0 = Date.UTC(2030, 0, 1);

const intent = (key: string, storeOrderId: string | null = null): Omit<SupplierOrderRecord, 'id' | 'createdAt' | 'updatedAt'> => ({
  client: 'c',
  idempotencyKey: key,
  requestHash: `hash-${key}`,
  storeOrderId,
  poNumber: `PO-${key}-${n++}`,
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
  describe.skipIf(name === 'redis' && !hasRedis)(`${name} order store: compare-and-set`, () => {
    let s: OrderStore;
    beforeAll(() => {
      s = make();
    });

    it('a transition from a state the order is not in writes nothing: status, fields, history and work lists stay', async () => {
      const { order } = await s.create(intent('cas-1'), 'intent stored');
      const cancelled = await s.transition(order.id, 'CANCELLED', 'cancelled', { from: ['PENDING'], set: { nextAttemptAt: null } });
      expect(cancelled).toMatchObject({ applied: true, order: { status: 'CANCELLED' } });
      // A send that read PENDING before the cancel now reports its outcome: refused.
      const late = await s.transition(order.id, 'SUBMITTED', 'placed', { from: ['PENDING'], set: { supplierOrderId: '77', lastError: 'x' } });
      expect(late.applied).toBe(false);
      expect(late.order).toMatchObject({ status: 'CANCELLED', supplierOrderId: null, lastError: null });
      expect(await s.get(order.id)).toMatchObject({ status: 'CANCELLED', supplierOrderId: null, lastError: null });
      expect((await s.events(order.id)).map((e) => e.to)).toEqual(['PENDING', 'CANCELLED']);
      expect((await s.inStatus(['SUBMITTED'])).map((o) => o.id)).not.toContain(order.id);
      expect((await s.inStatus(['CANCELLED'])).map((o) => o.id)).toContain(order.id);
    });

    it('20 concurrent transitions from PENDING: exactly one applies', async () => {
      const { order } = await s.create(intent('cas-2'), 'intent stored');
      const targets = ['CANCELLED', 'SUBMITTED', 'RETRY_WAIT', 'UNKNOWN', 'REJECTED'] as const;
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => s.transition(order.id, targets[i % targets.length] as (typeof targets)[number], `racer ${i}`, { from: ['PENDING'] })));
      const winners = results.filter((r) => r.applied);
      expect(winners).toHaveLength(1);
      const final = await s.get(order.id);
      expect(final?.status).toBe(winners[0]?.order.status);
      expect((await s.events(order.id)).map((e) => e.to)).toEqual(['PENDING', final?.status]);
      // The order sits in exactly one status work list.
      const lists = await Promise.all(targets.map(async (t) => (await s.inStatus([t])).some((o) => o.id === order.id)));
      expect(lists.filter(Boolean)).toHaveLength(1);
    });

    it('the attempt count guards a send: a stale count fails, and a started send blocks an idle-only change (cancel)', async () => {
      const { order } = await s.create(intent('cas-3'), 'intent stored');
      // Start attempt 1 (the status stays PENDING; no history entry for bookkeeping).
      const started = await s.transition(order.id, 'PENDING', 'attempt 1 started', { from: ['PENDING'], attempts: 0, set: { attempts: 1, sendingSince: new Date(T0).toISOString() } });
      expect(started).toMatchObject({ applied: true, order: { attempts: 1, sendingSince: new Date(T0).toISOString() } });
      // A second sender that read attempts 0 cannot start another attempt.
      expect((await s.transition(order.id, 'PENDING', 'attempt 1 started', { from: ['PENDING'], attempts: 0, set: { attempts: 1 } })).applied).toBe(false);
      // A cancel (idle only) loses against the send in flight.
      const cancel = await s.transition(order.id, 'CANCELLED', 'cancelled', { from: ['PENDING', 'RETRY_WAIT', 'MANUAL_REVIEW'], idle: true });
      expect(cancel).toMatchObject({ applied: false, order: { status: 'PENDING', sendingSince: new Date(T0).toISOString() } });
      // The send fails (5xx): the outcome clears the in-flight mark, and the cancel may now win.
      const failed = await s.transition(order.id, 'RETRY_WAIT', 'attempt 1 failed', { from: ['PENDING'], attempts: 1, set: { sendingSince: null, lastError: 'HTTP 500' } });
      expect(failed).toMatchObject({ applied: true, order: { status: 'RETRY_WAIT', sendingSince: null, attempts: 1 } });
      expect((await s.transition(order.id, 'CANCELLED', 'cancelled', { from: ['PENDING', 'RETRY_WAIT', 'MANUAL_REVIEW'], idle: true })).applied).toBe(true);
      expect((await s.events(order.id)).map((e) => e.to)).toEqual(['PENDING', 'RETRY_WAIT', 'CANCELLED']);
      // Nothing moves a cancelled order on.
      expect((await s.transition(order.id, 'PENDING', 'attempt 2 started', { from: ['RETRY_WAIT'], attempts: 1, set: { attempts: 2 } })).applied).toBe(false);
      expect(await s.get(order.id)).toMatchObject({ status: 'CANCELLED', attempts: 1 });
    });

    it('an unknown order id is an error, not a silent no-op', async () => {
      await expect(s.transition('00000000-0000-4000-8000-000000000000', 'CANCELLED', 'x', { from: ['PENDING'] })).rejects.toThrow(/no supplier order/);
    });

    it('an order is created once per (client, key): asking again answers the first', async () => {
      const first = await s.create(intent('once-1'), 'intent stored');
      const again = await s.create({ ...intent('once-1'), poNumber: 'PO-other' }, 'intent stored');
      expect(first.created).toBe(true);
      expect(again).toMatchObject({ created: false, order: { id: first.order.id, poNumber: first.order.poNumber } });
      expect((await s.byKey('c', 'once-1'))?.id).toBe(first.order.id);
      expect((await s.list({}, 0, 1000)).items.filter((o) => o.idempotencyKey === 'once-1')).toHaveLength(1);
      expect((await s.inStatus(['PENDING'])).filter((o) => o.idempotencyKey === 'once-1')).toHaveLength(1);
    });
  });

  describe.skipIf(name === 'redis' && !hasRedis)(`${name} order store: idempotency claims are leases`, () => {
    let s: OrderStore;
    beforeAll(() => {
      s = make();
    });

    it('a claim whose lease ran out is taken over; only the new claimant completes or releases it', async () => {
      const first = await s.claimKey('c', 'lease-1', 'h', DAY, { leaseMs: 1_000, now: T0 });
      expect(first.kind).toBe('claimed');
      expect(await s.claimKey('c', 'lease-1', 'h', DAY, { leaseMs: 1_000, now: T0 + 500 })).toMatchObject({ kind: 'inFlight' });
      const second = await s.claimKey('c', 'lease-1', 'h', DAY, { leaseMs: 1_000, now: T0 + 1_500 });
      expect(second).toMatchObject({ kind: 'claimed', takenOver: true });
      if (first.kind !== 'claimed' || second.kind !== 'claimed') throw new Error('unreachable');
      expect(second.token).not.toBe(first.token);
      // The first claimant, alive but late, can neither free nor answer the key any more.
      await s.releaseKey('c', 'lease-1', first.token);
      expect(await s.claimKey('c', 'lease-1', 'h', DAY, { leaseMs: 1_000, now: T0 + 1_600 })).toMatchObject({ kind: 'inFlight' });
      expect(await s.completeKey('c', 'lease-1', { from: 'first' }, first.token)).toBe(false);
      expect(await s.completeKey('c', 'lease-1', { from: 'second' }, second.token)).toBe(true);
      expect(await s.claimKey('c', 'lease-1', 'h', DAY, { leaseMs: 1_000, now: T0 + 1_700 })).toEqual({ kind: 'replay', response: { from: 'second' } });
      // Another input under the key is still a mismatch, lease or not.
      expect(await s.claimKey('c', 'lease-1', 'other', DAY, { leaseMs: 1_000, now: T0 + 1_800 })).toEqual({ kind: 'mismatch' });
    });

    it('a key expires by the caller clock: 25 h later it can be claimed afresh', async () => {
      const claim = await s.claimKey('c', 'ttl-1', 'h', DAY, { leaseMs: 60_000, now: T0 });
      if (claim.kind !== 'claimed') throw new Error('not claimed');
      await s.completeKey('c', 'ttl-1', { n: 1 }, claim.token);
      expect(await s.claimKey('c', 'ttl-1', 'h', DAY, { leaseMs: 60_000, now: T0 + 23 * 3_600_000 })).toEqual({ kind: 'replay', response: { n: 1 } });
      expect(await s.claimKey('c', 'ttl-1', 'h', DAY, { leaseMs: 60_000, now: T0 + 25 * 3_600_000 })).toMatchObject({ kind: 'claimed', takenOver: false });
    });

    it('purging removes every key past its TTL, answered or abandoned in flight, and keeps live ones', async () => {
      s = make(); // a store of its own: only this test's keys
      const done = await s.claimKey('c', 'purge-done', 'h', DAY, { leaseMs: 60_000, now: T0 });
      if (done.kind !== 'claimed') throw new Error('not claimed');
      await s.completeKey('c', 'purge-done', { ok: true }, done.token);
      await s.claimKey('c', 'purge-crashed', 'h', DAY, { leaseMs: 60_000, now: T0 });
      await s.claimKey('c', 'purge-live', 'h', DAY, { leaseMs: 60_000, now: T0 + DAY });
      const purged = await s.purgeExpiredKeys(T0 + DAY + 1);
      expect(purged).toBe(2);
      expect(await s.purgeExpiredKeys(T0 + DAY + 1)).toBe(0);
      expect(await s.claimKey('c', 'purge-live', 'h', DAY, { leaseMs: 60_000, now: T0 + DAY + 2 })).toMatchObject({ kind: 'inFlight' });
      // The purged ones are gone even for a clock that has not reached their expiry.
      expect(await s.claimKey('c', 'purge-done', 'h', DAY, { leaseMs: 60_000, now: T0 + 1 })).toMatchObject({ kind: 'claimed', takenOver: false });
    });
  });
}
