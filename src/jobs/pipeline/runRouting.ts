/**
 * ORDER_ROUTING: dropship routing. Reads the store's orders awaiting
 * fulfillment and places one supplier order per store order, keyed by the
 * store order id, for good: a store order that already has its supplier
 * order is skipped however long ago it was routed (the idempotency key's
 * 24 h are not the dedupe; the order record bound to the key is), and
 * concurrent runs meet at the key's claim — so running it again, a day later
 * or after a crash, places none twice. The outcome is written back to the
 * store order by src/orders/storeWriteBack.ts.
 */
import type { StoreOrder } from '../../domain/types.js';
import type { OrderService } from '../../orders/orderService.js';
import type { ShippingAddress } from '../../orders/types.js';
import type { StoreOrders } from '../../domain/ports.js';
import type { JobStore } from '../store/jobStore.js';
import type { SyncCounters, SyncJobRecord } from '../types.js';
import { ACTIVE_STATUSES, ZERO_COUNTERS } from '../types.js';
import { JobCancelled } from './runSync.js';

export const ROUTER_CLIENT = 'order-router';

export interface RoutingDeps {
  /** The store's orders: those awaiting fulfillment are routed. */
  storeOrders: StoreOrders;
  orders: OrderService;
  store: JobStore;
  publish(job: SyncJobRecord): void;
  /** Store orders per page. */
  pageSize: number;
  shippingAddress(orderId: string): Promise<ShippingAddress | null>;
}

export const routingKey = (storeOrderId: string) => `store-order:${storeOrderId}`;

export async function runRouting(initial: SyncJobRecord, deps: RoutingDeps, signal: AbortSignal): Promise<SyncJobRecord> {
  const { store } = deps;
  const checkpoint = initial.checkpoint ?? { nextPage: 1, counters: { ...ZERO_COUNTERS } };
  const counters: SyncCounters = { ...checkpoint.counters };
  // Compare-and-set, as in runSync: a job cancelled since the runner read it is not started again.
  const started = await store.updateIf(initial.id, ACTIVE_STATUSES, {
    status: 'RUNNING',
    phase: 'READING_STORE',
    counters,
    startedAt: initial.startedAt ?? new Date().toISOString(),
    runStartedAt: new Date().toISOString(),
    runStartProcessed: counters.processed,
  });
  if (!started.applied) return started.job;
  let job = started.job;
  deps.publish(job);

  for (let page = checkpoint.nextPage; ; page++) {
    if (signal.aborted || (await store.get(job.id))?.cancelRequested) throw new JobCancelled();
    const orders: StoreOrder[] = await deps.storeOrders.list({ awaitingFulfillment: true, page, limit: deps.pageSize }, 'bulk');
    counters.total = Math.max(counters.total, (page - 1) * deps.pageSize + orders.length);
    job = await store.update(job.id, { phase: 'WRITING', counters: { ...counters } });
    deps.publish(job);
    for (const order of orders) {
      if (job.scope.limit && counters.processed >= job.scope.limit) break;
      if (await deps.orders.find(ROUTER_CLIENT, routingKey(order.orderId))) {
        // Routed before (the store still shows it awaiting fulfillment: a write-back not done yet, or
        // a merchant set it back). Nothing to place, and no store calls for its lines.
        counters.processed++;
        counters.unchanged++;
        job = await store.update(job.id, { counters: { ...counters } });
        deps.publish(job);
        continue;
      }
      const lines = await deps.storeOrders.lines(order.orderId, order.currency, 'bulk');
      const address = await deps.shippingAddress(order.orderId);
      counters.processed++;
      try {
        if (lines.length === 0) throw new Error('the store order has no lines');
        const result = await deps.orders.place(
          {
            idempotencyKey: routingKey(order.orderId),
            storeOrderId: order.orderId,
            lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
            address,
          },
          ROUTER_CLIENT,
          { wait: false },
        );
        if (result.kind === 'rejected') {
          counters.failed++;
          await store.addFailure({ jobId: job.id, sku: `order:${order.orderId}`, partNumber: null, code: result.reason, message: result.message });
        } else if (result.replayed) counters.unchanged++;
        else counters.created++;
      } catch (err) {
        counters.failed++;
        const code = (err as { extensions?: { code?: string } }).extensions?.code ?? 'INTERNAL';
        await store.addFailure({ jobId: job.id, sku: `order:${order.orderId}`, partNumber: null, code, message: err instanceof Error ? err.message : String(err) });
      }
      job = await store.update(job.id, { counters: { ...counters } });
      deps.publish(job);
    }
    job = await store.update(job.id, { checkpoint: { nextPage: page + 1, counters: { ...counters } } });
    if (orders.length < deps.pageSize || (job.scope.limit && counters.processed >= job.scope.limit)) break;
  }
  counters.total = counters.processed;
  const finished = await store.updateIf(job.id, ['RUNNING'], { status: 'SUCCEEDED', phase: 'DONE', counters, finishedAt: new Date().toISOString() });
  if (finished.applied) deps.publish(finished.job);
  return finished.job;
}
