/**
 * The third piece: the domain services over the capabilities the connectors
 * provide — sync jobs (records, events, the runner and its pipelines by job
 * kind, schedules) and supplier orders (durable intents, the outbox, status
 * polling, the write-back to the store). Built in dependency order, started
 * once the gateway serves, stopped through the lifecycle.
 */
import type { Config } from '../config.js';
import type { Capabilities } from '../domain/ports.js';
import { createErpItemRule, type ErpItemRule } from '../domain/erpItemRule.js';
import { createSkuRule, type SkuRule } from '../domain/skuRule.js';
import { createJobEvents, type JobEvents } from '../jobs/events.js';
import { runRouting } from '../jobs/pipeline/runRouting.js';
import { runSync } from '../jobs/pipeline/runSync.js';
import { createJobRunner } from '../jobs/runner.js';
import { startScheduler } from '../jobs/scheduler.js';
import type { JobStore } from '../jobs/store/jobStore.js';
import { createSyncService, type SyncService } from '../jobs/syncService.js';
import type { SyncJobRecord, SyncKind } from '../jobs/types.js';
import type { Bus } from '../events/emitterBus.js';
import type { BusinessRecorder } from '../observability/businessRecorder.js';
import type { Logger } from '../observability/logger.js';
import { createOrderService, type OrderService } from '../orders/orderService.js';
import type { OrderStore } from '../orders/orderStore.js';
import { createOutbox } from '../orders/outbox.js';
import { createStoreWriteBack } from '../orders/storeWriteBack.js';
import type { SupplierOrderRecord } from '../orders/types.js';
import type { Strategies } from '../strategies/index.js';
import { createOrderMirror, type OrderMirror } from '../mirror/orderMirror.js';
import type { Caches } from './caches.js';
import type { Lifecycle } from './lifecycle.js';

export interface Domain {
  skuRule: SkuRule;
  erpItemRule: ErpItemRule;
  jobs: { service: SyncService; store: JobStore; events: JobEvents };
  orders: { service: OrderService; store: OrderStore; events: Bus<SupplierOrderRecord> };
  /** The orders mirror of the channels whose orders are mirrored (Shopify): src/mirror/. */
  mirror: OrderMirror;
  /** Starts the workers (runner, outbox, write-back, scheduler); they stop through the lifecycle. */
  start(): Promise<void>;
}

export interface DomainOptions {
  config: Config;
  logger: Logger;
  strategies: Strategies;
  capabilities: Capabilities;
  caches: Caches;
  lifecycle: Lifecycle;
  /** The orders' clock (idempotency key expiry, claim leases). @default Date.now */
  clock?: () => number;
  /** Counts this instance's sync items and settled supplier orders (the dashboard's business figures). @default none */
  observe?: BusinessRecorder;
}

type Pipeline = (job: SyncJobRecord, signal: AbortSignal) => Promise<SyncJobRecord>;

export function createDomain(options: DomainOptions): Domain {
  const { config, logger, strategies, capabilities, lifecycle } = options;
  const { supplier, store } = capabilities;
  const { sources } = options.caches;
  const skuRule = createSkuRule(config.skuPrefix);
  const erpItemRule = createErpItemRule({ ...config.erpItem, skuRule });
  const jobStore = strategies.jobStore;
  const events = createJobEvents({ maxPerSecond: 10, bus: strategies.jobBus });
  lifecycle.defer(() => events.close());
  const publish = (job: SyncJobRecord) => {
    options.observe?.job(job);
    events.publish(job);
  };

  // Supplier orders: durable intents, the outbox worker, status polling.
  const orderStore = strategies.orderStore;
  const orderBus = strategies.orderBus;
  const outbox = createOutbox({
    store: orderStore,
    orders: supplier.ordering,
    logger,
    publish: (order, from) => {
      options.observe?.order(order, from);
      orderBus.emit(order);
    },
    retryStepMs: config.orders.retryStepMs,
    pollMs: config.orders.pollMs,
    leases: strategies.leases,
    leaseMs: strategies.leaseMs,
    now: options.clock,
  });
  const orderService = createOrderService({
    store: orderStore,
    outbox,
    fip: supplier.catalog,
    skuRule,
    defaults: { shippingMethod: config.orders.defaultShippingMethod, address: config.orders.defaultAddress },
    placeWaitMs: config.orders.placeWaitMs,
    dispatchDelayMs: config.orders.dispatchDelayMs,
    keyTtlMs: config.orders.keyTtlMs,
    claimLeaseMs: config.orders.claimLeaseMs,
    changes: orderBus,
    now: options.clock,
  });

  // Sync jobs: one pipeline per job kind.
  const sync: Pipeline = (job, signal) =>
    runSync(
      job,
      {
        supplier: supplier.catalog,
        storeCatalog: store.catalog,
        writer: store.writer,
        store: jobStore,
        rules: { skuRule, markupPercent: config.sync.markupPercent, rounding: config.sync.rounding, categoryMap: config.sync.categoryMap },
        pageSize: config.sync.pageSize,
        createConcurrency: config.sync.createConcurrency,
        publish,
        async invalidate(skus, storeIds) {
          await Promise.all([sources.productBySku.invalidate(skus), sources.storeStock.invalidate(skus), sources.productById.invalidate(storeIds)]);
        },
      },
      signal,
    );
  const routing: Pipeline = (job, signal) =>
    runRouting(
      job,
      {
        storeOrders: store.orders,
        orders: orderService,
        store: jobStore,
        publish,
        pageSize: 50,
        shippingAddress: async (id) => {
          const a = await store.orders.shippingAddress(id, 'bulk').catch(() => null);
          return a && a.street1 && a.city && a.zip && a.country && a.name && a.state ? a : null;
        },
      },
      signal,
    );
  // The orders mirror: refreshes are ORDER_MIRROR jobs; webhooks are taken as soon as the routes serve.
  const mirror = createOrderMirror({
    store: strategies.mirrorStore,
    jobs: jobStore,
    events,
    logger: logger.child({ component: 'order-mirror' }),
    sources: capabilities.orderSource ? { [capabilities.orderSource.channel]: capabilities.orderSource } : {},
    leases: strategies.leases,
    shared: strategies.shared,
    config: config.orderMirror,
    publish,
  });
  const pipelines: Record<SyncKind, Pipeline> = { CATALOG: sync, PRICE: sync, INVENTORY: sync, ORDER_ROUTING: routing, ORDER_MIRROR: (job, signal) => mirror.run(job, signal) };
  const runner = createJobRunner({
    store: jobStore,
    logger,
    concurrency: config.sync.concurrency,
    leases: strategies.leases,
    leaseMs: strategies.leaseMs,
    shared: strategies.shared,
    publish,
    execute: (job, signal) => pipelines[job.kind](job, signal),
  });
  const syncService = createSyncService(jobStore, runner, events);

  return {
    skuRule,
    erpItemRule,
    jobs: { service: syncService, store: jobStore, events },
    orders: { service: orderService, store: orderStore, events: orderBus },
    mirror,
    async start() {
      // Jobs start once the server is up; on close they stop first and are left INTERRUPTED.
      await runner.start();
      outbox.start();
      lifecycle.defer(() => outbox.stop());
      // Routing outcomes written back to the store orders (notes, status, shipments with tracking).
      const writeBack = createStoreWriteBack({ store: orderStore, writes: store.orderWrites, supplierName: supplier.displayName, logger, everyMs: config.orders.pollMs, leases: strategies.leases });
      const unsubscribe = orderBus.subscribe(null, (order) => {
        if (order.storeOrderId !== null) writeBack.kick();
      });
      writeBack.start();
      lifecycle.defer(async () => {
        unsubscribe();
        await writeBack.stop();
      });
      const scheduler = startScheduler(jobStore, syncService, logger, 1000, strategies.shared ? strategies.leases : undefined);
      lifecycle.defer(async () => {
        scheduler.stop();
        await runner.stop();
      });
      // Its schedule, the channel's webhooks (callbacks under the public URL: the gateway listens now), the event applier.
      await mirror.start(syncService);
      lifecycle.defer(() => mirror.stop());
    },
  };
}
