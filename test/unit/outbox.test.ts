/**
 * The outbox worker against a scripted supplier (no HTTP) and the order
 * store on an in-memory SQLite record database: a lost send lease aborts the call in flight and
 * leaves the outcome to the next holder; the retry cap holds even when every
 * attempt's outcome is unknown; and expired idempotency keys are purged.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import type { OrderStore } from '../../src/orders/orderStore.js';
import { createOutbox, type Outbox } from '../../src/orders/outbox.js';
import { createSqlOrderStore } from '../../src/orders/sqlOrderStore.js';
import { migrateRecords } from '../../src/records/migrate.js';
import { createRecordDatabase, type RecordDatabase } from '../../src/records/recordDatabase.js';
import type { SupplierOrderRecord } from '../../src/orders/types.js';
import type { Lease, Leases } from '../../src/storage/leases.js';
import type { SupplierOrderAck, SupplierOrderRequest, SupplierOrdering } from '../../src/domain/ports.js';
import { UpstreamError } from '../../src/upstreams/upstreamError.js';

const logger = createLogger({ level: 'silent' });
let outbox: Outbox | undefined;
let store: OrderStore | undefined;
let records: RecordDatabase | undefined;
afterEach(async () => {
  await outbox?.stop();
  await records?.close();
  outbox = undefined;
  store = undefined;
  records = undefined;
});

/** An order store on a fresh in-memory record database (closed after the test). */
async function memoryStore(): Promise<OrderStore> {
  records = await createRecordDatabase({ engine: 'sqlite', path: ':memory:' });
  await migrateRecords(records);
  return createSqlOrderStore(records);
}

const intent: Omit<SupplierOrderRecord, 'id' | 'createdAt' | 'updatedAt'> = {
  client: 'c',
  idempotencyKey: 'k',
  requestHash: 'h',
  storeOrderId: null,
  poNumber: 'CD-TEST-1',
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
};

/** Stores the intent and answers the one order in the store. */
async function stored(s: OrderStore): Promise<SupplierOrderRecord> {
  await s.create(intent, 'intent stored');
  const only = (await s.list({}, 0, 1)).items[0];
  if (!only) throw new Error('no order stored');
  return only;
}

async function until<T>(read: () => Promise<T> | T, done: (v: T) => boolean, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('outbox', () => {
  it('a send lease lost mid-send aborts the place call, and this instance records no outcome', async () => {
    store = await memoryStore();
    const order = await stored(store);
    // The first lease is lost at its first renewal (another instance took it over); later
    // acquisitions find it held elsewhere.
    let acquired = 0;
    const leases: Leases = {
      async acquire(name) {
        if (!name.startsWith('order:') || acquired++ > 0) return null;
        const lease: Lease = { name, renew: async () => false, release: async () => undefined };
        return lease;
      },
    };
    const signals: Array<AbortSignal | undefined> = [];
    const orders: SupplierOrdering = {
      place(_order: SupplierOrderRequest, signal?: AbortSignal) {
        signals.push(signal);
        // The supplier is slow: the answer would come after 3 s, unless the call is aborted.
        return new Promise<SupplierOrderAck>((resolve, reject) => {
          const timer = setTimeout(() => resolve({ id: '1', poNumber: 'CD-TEST-1', state: 'SUBMITTED', statusText: 'submitted', trackingNumber: null }), 3_000);
          signal?.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
          });
        });
      },
      findByPoNumber: async () => [],
      get: async () => null,
    };
    outbox = createOutbox({ store, orders, logger, publish: () => undefined, leases, leaseMs: 300, tickMs: 20, pollMs: 60_000 });
    outbox.start();
    await until(() => signals.length, (n) => n === 1, 'the place call');
    expect(signals[0], 'place() got no abort signal').toBeInstanceOf(AbortSignal);
    await until(() => signals[0]?.aborted ?? false, Boolean, 'the lost lease to abort the place call', 2_000);
    await outbox.stop();
    outbox = undefined;
    // The attempt is counted and marked in flight (the next holder looks it up by po_number first);
    // no outcome was written by the instance that lost the lease.
    const after = await store.get(order.id);
    expect(after).toMatchObject({ status: 'PENDING', attempts: 1, supplierOrderId: null, lastError: null });
    expect(after?.sendingSince).not.toBeNull();
    expect((await store.events(order.id)).map((e) => e.to)).toEqual(['PENDING']);
    expect(signals).toHaveLength(1);
  });

  it('every attempt timing out (outcome unknown, not found by po_number) ends in MANUAL_REVIEW after the retry cap', async () => {
    store = await memoryStore();
    const order = await stored(store);
    let placed = 0;
    let lookups = 0;
    const orders: SupplierOrdering = {
      async place() {
        placed++;
        throw new UpstreamError('timeout', 'finditparts', 'timed out', { outcomeUnknown: true });
      },
      async findByPoNumber() {
        lookups++;
        return [];
      },
      get: async () => null,
    };
    outbox = createOutbox({ store, orders, logger, publish: () => undefined, maxRetries: 3, retryStepMs: 1, tickMs: 10, pollMs: 60_000 });
    outbox.start();
    const s = store;
    const final = await until(
      async () => (await s.get(order.id)) as SupplierOrderRecord,
      (o) => o.status === 'MANUAL_REVIEW' || o.attempts > 8,
      'MANUAL_REVIEW',
    );
    expect(final.status, `after ${final.attempts} attempts the order is ${final.status}`).toBe('MANUAL_REVIEW');
    expect(final.attempts).toBe(4);
    expect(placed).toBe(4);
    // Every resend was preceded by a po_number lookup.
    expect(lookups).toBe(3);
    await new Promise((r) => setTimeout(r, 100));
    expect(placed).toBe(4);
  });

  it('purges expired idempotency keys when it starts, by its clock', async () => {
    store = await memoryStore();
    const s = store;
    const purgedAt: Array<number | undefined> = [];
    const spy: OrderStore = {
      ...s,
      purgeExpiredKeys: async (now?: number) => {
        purgedAt.push(now);
        return s.purgeExpiredKeys(now as number);
      },
    };
    const orders: SupplierOrdering = { place: async () => ({ id: '1', poNumber: 'x', state: 'SUBMITTED', statusText: 'submitted', trackingNumber: null }), findByPoNumber: async () => [], get: async () => null };
    const now = Date.UTC(2031, 5, 1);
    outbox = createOutbox({ store: spy, orders, logger, publish: () => undefined, tickMs: 50, pollMs: 60_000, now: () => now });
    outbox.start();
    await until(() => purgedAt.length, (k) => k > 0, 'a purge of expired keys', 2_000);
    expect(purgedAt[0]).toBe(now);
  });
});
