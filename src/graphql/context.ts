/** What every resolver gets: who is asking, the request's loaders, the gateway's services. */
import type { ExecutionResult } from 'graphql';
import type { Config, Role } from '../config.js';
import type { EntityCache } from '../cache/entityCache.js';
import type { SkuRule } from '../domain/skuRule.js';
import type { ErpItemRule } from '../domain/erpItemRule.js';
import type { RunningConnector } from '../connectors/connector.js';
import type { Erp, Store, Supplier } from '../domain/ports.js';
import type { CacheHints, Loaders } from './loaders.js';
import type { Sources } from './sources.js';
import type { JobEvents } from '../jobs/events.js';
import type { JobStore } from '../jobs/store/jobStore.js';
import type { SyncService } from '../jobs/syncService.js';
import type { Bus } from '../events/emitterBus.js';
import type { OrderService } from '../orders/orderService.js';
import type { OrderStore } from '../orders/orderStore.js';
import type { SupplierOrderRecord } from '../orders/types.js';
import type { ErpExportStore } from '../orders/erpExportStore.js';
import type { ErpExporter } from '../orders/erpExporter.js';
import type { AuditLog } from '../observability/auditLog.js';
import type { MessagesDomain } from '../composition/domain.js';
import type { OrderMirror } from '../mirror/orderMirror.js';
import type { OperationsMonitor } from '../observability/operationsMonitor.js';
import type { RequestCharge } from './limits/operationGuard.js';
import type { Social } from '../composition/social.js';

export interface Client {
  name: string;
  role: Role;
  /** Which of the client's keys was presented: a short hash (auth/keyring.ts keyIdOf), never the key. */
  keyId?: string;
}

export interface Services {
  config: Config;
  sources: Sources;
  cache: EntityCache;
  cacheStoreKind: 'memory' | 'redis';
  skuRule: SkuRule;
  /** The parts supplier and the storefront, as the connectors provide them (domain/ports.ts). */
  supplier: Supplier;
  store: Store;
  /** The ERP, when a connector provides one (optional: its fields are refused without it). */
  erp?: Erp;
  /** Supplier part / store SKU → ERP item number. */
  erpItemRule: ErpItemRule;
  /** Every connector the gateway runs, with its upstreams and health (src/connectors.ts lists them). */
  connectors: readonly RunningConnector[];
  responseCacheSize(): number;
  jobs: { service: SyncService; store: JobStore; events: JobEvents };
  orders: { service: OrderService; store: OrderStore; events: Bus<SupplierOrderRecord> };
  /** Store orders entered in the ERP (ERP_ORDER_EXPORT); no exporter without an ERP that takes orders (`unavailable` says why). */
  erpExports: { store: ErpExportStore; exporter?: ErpExporter; unavailable(): Error | undefined };
  /** Social links → product drafts (ingestion, drafts, the media store). */
  social: Social;
  /** WhatsApp product messages, when a connector provides messaging (README "WhatsApp"). */
  messages?: MessagesDomain;
  /** The orders mirror (Shopify's orders, read with no upstream call): src/mirror/. */
  mirror: OrderMirror;
  /** Every mutation is recorded here (guardSchema.ts, auditPlugin.ts); queried by admins through `auditLog`. */
  audit: AuditLog;
  /** Alerts, the dashboard's snapshots and history (observability/operationsMonitor.ts). */
  operations: OperationsMonitor;
}

export interface GraphQLContext {
  client: Client;
  loaders: Loaders;
  services: Services;
  hints: CacheHints;
  /** What this request was charged against the client's budget (set before execution; src/graphql/limits). */
  charge?: RequestCharge;
  /**
   * The result the direct path computed (src/server/directExecution.ts) for a request it hands to Apollo's
   * pipeline because it carries errors: Apollo formats and masks them, and the executor returns this rather than run again.
   */
  executed?: ExecutionResult;
}
