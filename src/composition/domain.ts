/**
 * The third piece: the domain services over the capabilities the connectors
 * provide — sync jobs (records, events, the runner and its pipelines by job
 * kind, schedules), supplier orders (durable intents, the outbox, status
 * polling, the write-back to the store), the store orders entered in the
 * ERP (the ERP_ORDER_EXPORT pipeline and its exporter) and, with a messaging
 * connector, WhatsApp product messages (durable intents, their outbox, the
 * vendor's events). Built in dependency order, started once the gateway
 * serves, stopped through the lifecycle.
 */
import type { Config } from '../config.js';
import { createBulkExports, type BulkExports } from '../bulk/exports.js';
import { createImportFiles } from '../bulk/importFiles.js';
import { createBulkImports, type BulkImports } from '../bulk/importService.js';
import { runImport } from '../bulk/runImport.js';
import type { Capabilities } from '../domain/ports.js';
import { createErpItemRule, type ErpItemRule } from '../domain/erpItemRule.js';
import { createSkuRule, type SkuRule } from '../domain/skuRule.js';
import { createJobEvents, type JobEvents } from '../jobs/events.js';
import { runErpExport } from '../jobs/pipeline/runErpExport.js';
import { runRouting } from '../jobs/pipeline/runRouting.js';
import { runSync } from '../jobs/pipeline/runSync.js';
import { createJobRunner } from '../jobs/runner.js';
import { startScheduler } from '../jobs/scheduler.js';
import type { JobStore } from '../jobs/store/jobStore.js';
import { createSyncService, type SyncService } from '../jobs/syncService.js';
import type { SyncJobRecord, SyncKind } from '../jobs/types.js';
import type { Bus } from '../events/emitterBus.js';
import { ErrorCode, crossdockError } from '../errors/crossdockError.js';
import type { BusinessRecorder } from '../observability/businessRecorder.js';
import type { AuditLog } from '../observability/auditLog.js';
import type { Logger } from '../observability/logger.js';
import { createErpExporter, type ErpExporter } from '../orders/erpExporter.js';
import type { ErpExportStore } from '../orders/erpExportStore.js';
import { createMessageOutbox } from '../messaging/messageOutbox.js';
import { createMessageService, type MessageService } from '../messaging/messageService.js';
import type { MessageStore } from '../messaging/messageStore.js';
import type { ProductMessageRecord } from '../messaging/types.js';
import { createOrderService, type OrderService } from '../orders/orderService.js';
import type { OrderStore } from '../orders/orderStore.js';
import { createOutbox } from '../orders/outbox.js';
import { createStoreWriteBack } from '../orders/storeWriteBack.js';
import type { SupplierOrderRecord } from '../orders/types.js';
import type { Strategies } from '../strategies/index.js';
import { createOrderMirror, type OrderMirror } from '../mirror/orderMirror.js';
import type { Caches } from './caches.js';
import type { Lifecycle } from './lifecycle.js';
import { createSocial, type Social } from './social.js';

export interface Domain {
  skuRule: SkuRule;
  erpItemRule: ErpItemRule;
  /** Bulk CSV: imports (upload → import job) and exports (streamed CSV). */
  bulk: { imports: BulkImports; exports: BulkExports };
  jobs: { service: SyncService; store: JobStore; events: JobEvents };
  orders: { service: OrderService; store: OrderStore; events: Bus<SupplierOrderRecord> };
  /** Store orders entered in the ERP; `exporter` is absent without an ERP that takes orders (`unavailable` says why). */
  erpExports: { store: ErpExportStore; exporter?: ErpExporter; unavailable(): Error | undefined };
  /** Social links → product drafts: ingestion, drafts, media (social.ts). */
  social: Social;
  /** Product messages, when a connector provides `messaging` (README "WhatsApp"). */
  messages?: MessagesDomain;
  /** The orders mirror of the channels whose orders are mirrored (Shopify): src/mirror/. */
  mirror: OrderMirror;
  /** Starts the workers (runner, outbox, write-back, scheduler); they stop through the lifecycle. */
  start(): Promise<void>;
}

export interface MessagesDomain {
  service: MessageService;
  store: MessageStore;
  events: Bus<ProductMessageRecord>;
}

export interface DomainOptions {
  config: Config;
  logger: Logger;
  strategies: Strategies;
  capabilities: Capabilities;
  caches: Caches;
  lifecycle: Lifecycle;
  /** Where imports are recorded, like mutations. */
  audit: AuditLog;
  /** The orders' clock (idempotency key expiry, claim leases). @default Date.now */
  clock?: () => number;
  /** Counts this instance's sync items and settled supplier orders (the dashboard's business figures). @default none */
  observe?: BusinessRecorder;
  /** The gateway's own origin once it listens (published images' URLs). @default none */
  publicUrl?: () => string;
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

  // Product messages: durable intents, the outbox, the vendor's events (the connector's webhooks).
  const messages = createMessages(options);

  // Sync jobs: one pipeline per job kind.
  const rules = { skuRule, markupPercent: config.sync.markupPercent, rounding: config.sync.rounding, categoryMap: config.sync.categoryMap, fitmentCap: config.sync.fitmentCap };
  const writes = {
    supplier: supplier.catalog,
    storeCatalog: store.catalog,
    writer: store.writer,
    store: jobStore,
    rules,
    pageSize: config.sync.pageSize,
    createConcurrency: config.sync.createConcurrency,
    publish,
    async invalidate(skus: string[], storeIds: string[]) {
      await Promise.all([sources.productBySku.invalidate(skus), sources.storeStock.invalidate(skus), sources.productById.invalidate(storeIds)]);
    },
  };
  const sync: Pipeline = (job, signal) => runSync(job, writes, signal);
  // Imports: a sync over exactly the rows of an uploaded file (src/bulk/runImport.ts).
  const importFiles = createImportFiles({ dir: config.bulk.importDir, maxBytes: config.bulk.importMaxBytes });
  const imports: Pipeline = (job, signal) => runImport(job, { ...writes, files: importFiles }, signal);
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
  // Store orders into the ERP: one exporter (per-export leases shared by the fleet), the job's pipeline.
  const erpExportStore = strategies.erpExportStore;
  const ordering = capabilities.erp?.orders;
  const exporter = ordering
    ? createErpExporter({ store: erpExportStore, ordering, itemRule: erpItemRule, logger, leases: strategies.leases, leaseMs: strategies.leaseMs })
    : undefined;
  const exportUnavailable = () =>
    exporter
      ? undefined
      : crossdockError(ErrorCode.UPSTREAM_UNAVAILABLE, capabilities.erp ? `the ERP takes no orders: ${capabilities.erp.ordersUnavailable ?? 'not set up'}` : 'no ERP is configured (set ION_API_FILE)', {
          upstream: 'erp',
          reason: 'NOT_CONFIGURED',
        });
  const erpExport: Pipeline = (job, signal) => {
    if (!exporter) throw exportUnavailable();
    return runErpExport(job, { exporter, exports: erpExportStore, storeOrders: store.orders, store: jobStore, publish, pageSize: 50 }, signal);
  };
  // Social links → product drafts; its pipeline is a job kind like the syncs.
  let syncService: SyncService | undefined;
  const social = createSocial({
    config,
    capabilities,
    sources,
    drafts: strategies.draftStore,
    jobs: jobStore,
    sync: () => syncService as SyncService,
    skuRule,
    publish,
    publicUrl: options.publicUrl ?? (() => ''),
  });
  const pipelines: Record<SyncKind, Pipeline> = {
    CATALOG: sync,
    PRICE: sync,
    INVENTORY: sync,
    ORDER_ROUTING: routing,
    ERP_ORDER_EXPORT: erpExport,
    PART_LIST: imports,
    PRICE_OVERRIDES: imports,
    STOCK_OVERRIDES: imports,
    SOCIAL_INGEST: (job, signal) => social.pipeline(job, signal),
    ORDER_MIRROR: (job, signal) => mirror.run(job, signal),
  };
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
  syncService = createSyncService(jobStore, runner, events, { unavailable: (kind) => (kind === 'ERP_ORDER_EXPORT' ? exportUnavailable() : undefined) });
  const bulk = {
    imports: createBulkImports({ files: importFiles, jobs: syncService, audit: options.audit }),
    exports: createBulkExports({ supplier: supplier.catalog, storeCatalog: store.catalog, jobs: jobStore, orders: orderStore, rules }),
  };

  return {
    skuRule,
    erpItemRule,
    bulk,
    jobs: { service: syncService, store: jobStore, events },
    orders: { service: orderService, store: orderStore, events: orderBus },
    erpExports: { store: erpExportStore, exporter, unavailable: exportUnavailable },
    social,
    ...(messages ? { messages: messages.domain } : {}),
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
      if (messages) {
        messages.outbox.start();
        lifecycle.defer(() => messages.outbox.stop());
      }
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

function createMessages(options: DomainOptions) {
  const { messaging } = options.capabilities;
  if (!messaging) return undefined;
  const { strategies, logger } = options;
  const store = strategies.messageStore;
  const bus = strategies.messageBus;
  const outbox = createMessageOutbox({ store, messaging, logger, publish: (m) => bus.emit(m), leases: strategies.leases, leaseMs: strategies.leaseMs, retryStepMs: options.config.messages.retryStepMs, now: options.clock });
  const service = createMessageService({ store, outbox, messaging, logger, publish: (m) => bus.emit(m), changes: bus, waitMs: options.config.messages.waitMs });
  // The connector's webhook routes hand their verified events here.
  messaging.onEvents((events) => service.handleEvents(events));
  return { outbox, domain: { service, store, events: bus } satisfies MessagesDomain };
}
