/**
 * The swappable backends of DESIGN.md's strategy table, as one bundle:
 * `createStrategies(config)` (index.ts) builds the embedded ones (memory,
 * in-process events and leases) or, with REDIS_URL, the Redis ones (cache,
 * limits, vendor gate, events, leases); the records — jobs, supplier
 * orders and idempotency keys, audit log, store tokens — come from the
 * record layer in both (SQLite, or PostgreSQL with DATABASE_URL). The gateway wires whichever it gets and never asks which.
 */
import type Keyv from 'keyv';
import type { Bus } from '../events/emitterBus.js';
import type { JobStore } from '../jobs/store/jobStore.js';
import type { MirrorStore } from '../mirror/mirrorStore.js';
import type { SyncJobRecord } from '../jobs/types.js';
import type { SharedGate } from '../limits/sharedGate.js';
import type { LimiterFactory } from '../limits/redisLimiter.js';
import type { MessageStore } from '../messaging/messageStore.js';
import type { ProductMessageRecord } from '../messaging/types.js';
import type { OrderStore } from '../orders/orderStore.js';
import type { ErpExportStore } from '../orders/erpExportStore.js';
import type { SupplierOrderRecord } from '../orders/types.js';
import type { Leases } from '../storage/leases.js';
import type { AuditStore } from '../observability/auditStore.js';
import type { TokenCipher, TokenVault } from '../auth/tokenVault.js';
import type { SharedGenerations } from '../cache/generations.js';
import type { DraftStore } from '../social/draftStore.js';

export interface StrategyHealth {
  /**
   * `degraded`: Redis or the record database is unreachable (reads that need no record
   * still answer; limits use insurance; records cannot be written).
   */
  status: 'ok' | 'degraded';
  /** For /ready's checks: e.g. `{ redis: 'up', latencyMs: 0.4, records: { engine: 'postgres', status: 'up', latencyMs: 0.6 } }`. */
  detail: Record<string, unknown>;
}

export interface Strategies {
  kind: 'embedded' | 'redis';
  /** Unique per process: tags leases and events. */
  instanceId: string;
  /** Keyv for the entity cache (memory; or L1 + @keyv/redis). */
  cacheStore: Keyv;
  /**
   * The invalidation clock every instance shares, so one instance's
   * invalidation refuses another's late cache writes (src/cache/generations.ts);
   * undefined embedded (one process: its own clock is exact).
   */
  cacheGenerations?: SharedGenerations;
  /** Registers what to drop when another instance invalidated cache entries (their store keys; null: all). No-op embedded. */
  onRemoteInvalidate(listener: (keys: string[] | null) => void): void;
  /** Limiter factory for the pacer and client budgets; undefined: the in-process default. */
  createLimiter?: LimiterFactory;
  /** The vendor-header gate shared across instances, per upstream; undefined embedded. */
  sharedGate?(upstream: string): SharedGate;
  /** Jobs and supplier orders: the record layer's tables (shared by every instance on PostgreSQL). */
  jobStore: JobStore;
  orderStore: OrderStore;
  /** Store orders entered in the ERP (ERP_ORDER_EXPORT): the record layer's erp_order_exports. */
  erpExportStore: ErpExportStore;
  /** Product drafts from social links (the record layer's `social_drafts`). */
  draftStore: DraftStore;
  /** The orders mirror (src/mirror/): its orders, cursors, webhook events and backfill checkpoints. */
  mirrorStore: MirrorStore;
  jobBus: Bus<SyncJobRecord>;
  orderBus: Bus<SupplierOrderRecord>;
  /** WhatsApp product messages (the record layer's whatsapp_messages) and their changes. */
  messageStore: MessageStore;
  messageBus: Bus<ProductMessageRecord>;
  leases: Leases;
  leaseMs: number;
  /** The audit log (the record layer's `audit_log`: shared by every instance on PostgreSQL). */
  auditStore: AuditStore;
  /** The store-token vault, given the cipher (the record layer's `store_tokens`). */
  createVault: (cipher: TokenCipher) => TokenVault;
  /** Several instances share the records and the leases: the runner takes jobs over by lease. */
  shared: boolean;
  health(): Promise<StrategyHealth>;
  close(): Promise<void>;
}
