/**
 * The OrderStore's compare-and-set rules, run against the one implementation
 * on the record layer (src/orders/sqlOrderStore.ts) on both engines: a
 * SQLite file, and a real PostgreSQL (test/support/postgresServer.ts, an
 * ephemeral server in a temp dir), parameterised as recordStores.test.ts is:
 *
 * - every transition names the states it is valid from; from any other,
 *   nothing is written (status, fields, history, work lists);
 * - a change can also require the attempt count it read, and that no send
 *   is in flight (so a cancel never wins against a send that has started);
 * - an idempotency claim is a lease: it can be taken over once the lease
 *   runs out, and then only the new claimant's completion counts;
 * - keys expire by the caller's clock, and purging removes every expired one;
 * - an order is created once per (client, key), whoever asks again — also
 *   under concurrent creates and claims, which on PostgreSQL are separate
 *   connections of the pool racing each other;
 * - the write-back's work list: orders of a store order whose status differs
 *   from the one last written back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderStore } from '../../src/orders/orderStore.js';
import { createSqlOrderStore } from '../../src/orders/sqlOrderStore.js';
import type { SupplierOrderRecord } from '../../src/orders/types.js';
import { engineAvailable, RECORD_ENGINES, recordEngines } from '../support/recordEngines.js';

const engines = recordEngines();
afterAll(() => engines.close());
let n = 0;

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

for (const name of RECORD_ENGINES) {
  /** A store on a fresh, migrated database of the engine. */
  const make = async (): Promise<OrderStore> => createSqlOrderStore(await engines.fresh(name));

  describe.skipIf(!engineAvailable(name))(`${name} order store: compare-and-set`, () => {
    let s: OrderStore;
    beforeAll(async () => {
      s = await make();
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

  describe.skipIf(!engineAvailable(name))(`${name} order store: idempotency claims are leases`, () => {
    let s: OrderStore;
    beforeAll(async () => {
      s = await make();
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
      s = await make(); // a store of its own: only this test's keys
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

  describe.skipIf(!engineAvailable(name))(`${name} order store: concurrency, history and the write-back list`, () => {
    let s: OrderStore;
    beforeAll(async () => {
      s = await make();
    });

    it('one idempotency claim per key under 20 concurrent claims; replay, mismatch and release', async () => {
      const lease = () => ({ leaseMs: 60_000, now: Date.now() });
      const claims = await Promise.all(Array.from({ length: 20 }, () => s.claimKey('c', 'k1', 'h1', DAY, lease())));
      expect(claims.filter((c) => c.kind === 'claimed')).toHaveLength(1);
      expect(claims.filter((c) => c.kind === 'inFlight')).toHaveLength(19);
      expect(await s.claimKey('c', 'k1', 'other', DAY, lease())).toEqual({ kind: 'mismatch' });
      const won = claims.find((c) => c.kind === 'claimed');
      if (won?.kind !== 'claimed') throw new Error('no claim');
      await s.completeKey('c', 'k1', { kind: 'placed', n: 1 }, won.token);
      expect(await s.claimKey('c', 'k1', 'h1', DAY, lease())).toEqual({ kind: 'replay', response: { kind: 'placed', n: 1 } });
      const k2 = await s.claimKey('c', 'k2', 'h', DAY, lease());
      if (k2.kind !== 'claimed') throw new Error('k2 not claimed');
      await s.releaseKey('c', 'k2', k2.token);
      expect((await s.claimKey('c', 'k2', 'h', DAY, lease())).kind).toBe('claimed');
    });

    it('20 concurrent takeovers of a claim whose lease ran out: exactly one wins', async () => {
      await s.claimKey('c', 'k-expired-lease', 'h', DAY, { leaseMs: 1_000, now: T0 });
      const claims = await Promise.all(Array.from({ length: 20 }, () => s.claimKey('c', 'k-expired-lease', 'h', DAY, { leaseMs: 1_000, now: T0 + 5_000 })));
      expect(claims.filter((c) => c.kind === 'claimed')).toEqual([expect.objectContaining({ kind: 'claimed', takenOver: true })]);
      expect(claims.filter((c) => c.kind === 'inFlight')).toHaveLength(19);
    });

    it('20 concurrent creates under one key: one order, one history, whoever asked', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, () => s.create(intent('race-1'), 'intent stored')));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.order.id)).size).toBe(1);
      const id = results[0]!.order.id;
      expect((await s.events(id)).map((e) => [e.from, e.to, e.reason])).toEqual([[null, 'PENDING', 'intent stored']]);
      expect((await s.list({}, 0, 1000)).items.filter((o) => o.idempotencyKey === 'race-1')).toHaveLength(1);
    });

    it('orders: transitions keep the history and the work lists; the newest is listed first', async () => {
      const { order: created } = await s.create(intent('o1', '5001'), 'intent stored');
      expect(created).toMatchObject({ ...intent('o1', '5001'), poNumber: created.poNumber, id: created.id });
      expect((await s.due(new Date().toISOString(), ['PENDING'])).map((o) => o.id)).toContain(created.id);
      await s.transition(created.id, 'PENDING', 'attempt 1 started', { from: ['PENDING'], set: { attempts: 1 } });
      const placed = await s.transition(created.id, 'SUBMITTED', 'placed', { from: ['PENDING'], set: { supplierOrderId: '55', nextAttemptAt: null } });
      expect(placed.order).toMatchObject({ status: 'SUBMITTED', attempts: 1, supplierOrderId: '55' });
      expect((await s.due(new Date().toISOString(), ['PENDING'])).map((o) => o.id)).not.toContain(created.id);
      expect((await s.inStatus(['SUBMITTED'])).map((o) => o.id)).toContain(created.id);
      await s.transition(created.id, 'SUBMITTED', 'polled, unchanged', { from: ['SUBMITTED'] });
      expect((await s.events(created.id)).map((e) => [e.from, e.to, e.reason])).toEqual([
        [null, 'PENDING', 'intent stored'],
        ['PENDING', 'SUBMITTED', 'placed'],
      ]);
      expect((await s.byKey('c', 'o1'))?.id).toBe(created.id);
      expect((await s.list({ status: ['SUBMITTED'] }, 0, 10)).total).toBe(1);
      expect((await s.list({ storeOrderId: '5001' }, 0, 10)).items.map((o) => o.id)).toEqual([created.id]);
      expect((await s.get(created.id))?.lines).toEqual(intent('o1').lines);
      // A retry due later is not due now.
      const { order: later } = await s.create({ ...intent('o2'), nextAttemptAt: '2999-01-01T00:00:00.000Z' }, 'intent stored');
      expect((await s.due(new Date().toISOString(), ['PENDING'])).map((o) => o.id)).not.toContain(later.id);
      const all = await s.list({}, 0, 1000);
      expect(all.items[0]?.id).toBe(later.id);
      expect(all.total).toBe(all.items.length);
      expect((await s.list({ createdAfter: '2999-01-01T00:00:00.000Z' }, 0, 10)).total).toBe(0);
    });

    it('the write-back list holds store orders whose status is not yet written back; markReported only for the status it saw', async () => {
      s = await make(); // a store of its own: only this test's orders
      const { order } = await s.create(intent('wb-1', '7001'), 'intent stored');
      await s.create(intent('wb-2'), 'intent stored'); // no store order: never written back
      const listed = async () => (await s.unreported(['SUBMITTED', 'SHIPPED'], 100)).map((o) => o.id);
      expect(await listed()).toEqual([]);
      await s.transition(order.id, 'SUBMITTED', 'placed', { from: ['PENDING'] });
      expect(await listed()).toEqual([order.id]);
      expect(await s.markReported(order.id, 'PENDING')).toBe(false);
      expect(await s.markReported(order.id, 'SUBMITTED')).toBe(true);
      expect(await listed()).toEqual([]);
      expect((await s.get(order.id))?.reportedStatus).toBe('SUBMITTED');
      await s.transition(order.id, 'SHIPPED', 'shipped', { from: ['SUBMITTED'], set: { trackingNumber: '1Z' } });
      expect(await listed()).toEqual([order.id]);
      expect(await s.unreported([], 100)).toEqual([]);
      expect(await s.unreported(['SUBMITTED'], 100)).toEqual([]);
    });
  });
}
