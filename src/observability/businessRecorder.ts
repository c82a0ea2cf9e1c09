/**
 * The business figures, counted where the work happens on this instance:
 * sync items from each job's published progress (the deltas of its
 * counters), supplier orders from the outbox's recorded transitions. They
 * are Prometheus counters (crossdock_sync_items_total,
 * crossdock_supplier_orders_total): each instance counts its own work, so a
 * sum over instances is the whole, and the dashboard's rates come from them.
 */
import type { SyncJobRecord } from '../jobs/types.js';
import type { SupplierOrderRecord, SupplierOrderStatus } from '../orders/types.js';
import type { Metrics } from './metrics.js';

export interface BusinessRecorder {
  /** A job this instance runs published its state. */
  job(job: SyncJobRecord): void;
  /** This instance's outbox moved `order` from `from` to its current status. */
  order(order: SupplierOrderRecord, from: SupplierOrderStatus | undefined): void;
}

interface Seen {
  processed: number;
  written: number;
  failed: number;
}

/** The supplier has the order (its answer, or found by po_number). */
const AT_SUPPLIER: ReadonlySet<SupplierOrderStatus> = new Set(['SUBMITTED', 'PROCESSING', 'SHIPPED']);
/** An order the outbox gave up on: it needs a person. */
const FAILED: ReadonlySet<SupplierOrderStatus> = new Set(['MANUAL_REVIEW', 'REJECTED']);
/** Jobs whose items are supplier parts (routing's items are store orders). */
const PART_KINDS: ReadonlySet<SyncJobRecord['kind']> = new Set(['CATALOG', 'PRICE', 'INVENTORY']);

const FINAL: ReadonlySet<SyncJobRecord['status']> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED', 'INTERRUPTED']);

export function createBusinessRecorder(metrics: Metrics): BusinessRecorder {
  /** Counters last seen per running job: each publish adds what grew since. */
  const seen = new Map<string, Seen>();
  return {
    job(job) {
      if (job.dryRun || !PART_KINDS.has(job.kind)) return;
      const now: Seen = { processed: job.counters.processed, written: job.counters.created + job.counters.updated, failed: job.counters.failed };
      // First sight of a job in this process (a new one at zero, or one resumed from its
      // checkpoint): its counters so far were counted before, or by another instance.
      const before = seen.get(job.id) ?? now;
      const add = (kind: keyof Seen) => {
        const grew = now[kind] - before[kind];
        if (grew > 0) metrics.syncItems.inc({ kind }, grew);
      };
      add('processed');
      add('written');
      add('failed');
      if (FINAL.has(job.status)) seen.delete(job.id);
      else seen.set(job.id, now);
    },
    order(order, from) {
      if (AT_SUPPLIER.has(order.status) && (from === undefined || !AT_SUPPLIER.has(from))) metrics.supplierOrders.inc({ outcome: 'placed' });
      else if (FAILED.has(order.status) && (from === undefined || !FAILED.has(from))) metrics.supplierOrders.inc({ outcome: 'failed' });
    },
  };
}
