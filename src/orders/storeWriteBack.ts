/**
 * Writes dropship routing's outcome back to the store order, so the store
 * shows what happened to it (the DropStream/ShipStation practice on
 * BigCommerce): a staff note per outcome; Awaiting Fulfillment (11) becomes
 * Awaiting Shipment (9) once the supplier has the order; once it ships, a
 * shipment of the remaining items with the supplier's tracking number (which
 * moves the store order to Shipped).
 *
 * Durable: an order's last written-back status is recorded
 * (`reportedStatus`, compare-and-set on the status), and a pass picks every
 * order of a store order whose status differs — so a crash, a store outage or
 * a 429 only delays a write-back. Each step is idempotent on a re-run: a
 * note line already present is not added again, a shipment with the same
 * tracking number is not created twice, and only status 11 is ever changed
 * (a merchant's own status is left alone). One instance writes back at a
 * time (a lease), so two never race on one store order's notes.
 */
import type { Logger } from '../observability/logger.js';
import { createLocalLeases, type Leases } from '../storage/leases.js';
import { BC_ORDER_STATUS, type BigCommerceOrderWrites } from '../connectors/bigcommerce/orderWrites.js';
import type { OrderStore } from './orderStore.js';
import { createPassLoop } from './passLoop.js';
import type { SupplierOrderRecord, SupplierOrderStatus } from './types.js';

/** The statuses the store is told about (the others are the outbox's business). */
export const REPORTED: readonly SupplierOrderStatus[] = ['SUBMITTED', 'PROCESSING', 'SHIPPED', 'REJECTED', 'MANUAL_REVIEW', 'CANCELLED'];

export interface StoreWriteBackOptions {
  store: OrderStore;
  writes: BigCommerceOrderWrites;
  logger: Logger;
  /** How often orders not yet written back are looked for. @default 30000 */
  everyMs?: number;
  /** Where the one-writer lease lives. @default in-process leases */
  leases?: Leases;
  /** Orders per pass. @default 50 */
  batch?: number;
}

export interface StoreWriteBack {
  start(): void;
  /** Look for orders to write back now (after an order changed). */
  kick(): void;
  stop(): Promise<void>;
}

const short = (text: string | null, max = 200) => (text && text.length > max ? `${text.slice(0, max)}…` : (text ?? 'no detail'));

/** The note line for an outcome: stable for one outcome, so a re-run finds it and adds nothing. */
export function noteFor(order: SupplierOrderRecord): string {
  const ref = `FinditParts order ${order.supplierOrderId ?? '(none)'} (PO ${order.poNumber})`;
  switch (order.status) {
    case 'SUBMITTED':
    case 'PROCESSING':
      return `Crossdock: routed to ${ref}.`;
    case 'SHIPPED':
      return `Crossdock: ${ref} shipped, tracking ${order.trackingNumber ?? 'not given'}.`;
    case 'REJECTED':
      return `Crossdock: FinditParts refused PO ${order.poNumber}: ${short(order.lastError)}. Not routed.`;
    case 'MANUAL_REVIEW':
      return `Crossdock: PO ${order.poNumber} needs review after ${order.attempts} failed attempts (${short(order.lastError)}).`;
    case 'CANCELLED':
      return `Crossdock: supplier order PO ${order.poNumber} was cancelled.`;
    case 'PENDING':
    case 'RETRY_WAIT':
    case 'UNKNOWN':
      return `Crossdock: PO ${order.poNumber} is ${order.status}.`;
    default: {
      const never: never = order.status;
      throw new Error(`unknown order status ${String(never)}`);
    }
  }
}

export function createStoreWriteBack(options: StoreWriteBackOptions): StoreWriteBack {
  const { store, writes, logger } = options;
  const leases = options.leases ?? createLocalLeases();
  const everyMs = options.everyMs ?? 30_000;
  const batch = options.batch ?? 50;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function writeBack(order: SupplierOrderRecord): Promise<void> {
    const storeOrderId = order.storeOrderId as string;
    const state = await writes.state(storeOrderId, 'bulk');
    if (!state) {
      logger.warn({ orderId: order.id, storeOrderId }, 'store order not found: nothing written back');
      await store.markReported(order.id, order.status);
      return;
    }
    if (order.status === 'SHIPPED' && order.trackingNumber) {
      const shipped = await writes.shipments(storeOrderId, 'bulk');
      if (!shipped.some((s) => s.trackingNumber === order.trackingNumber)) {
        await writes.shipRemaining(storeOrderId, { trackingNumber: order.trackingNumber, comments: `Crossdock: FinditParts order ${order.supplierOrderId ?? ''} (PO ${order.poNumber})` }, 'bulk');
      }
    }
    const line = noteFor(order);
    const patch: { statusId?: number; staffNotes?: string } = {};
    if (!state.staffNotes.includes(line)) patch.staffNotes = state.staffNotes ? `${state.staffNotes}\n${line}` : line;
    if ((order.status === 'SUBMITTED' || order.status === 'PROCESSING') && state.statusId === BC_ORDER_STATUS.AWAITING_FULFILLMENT) {
      patch.statusId = BC_ORDER_STATUS.AWAITING_SHIPMENT;
    }
    if (patch.staffNotes !== undefined || patch.statusId !== undefined) await writes.update(storeOrderId, patch, 'bulk');
    // If the order moved on meanwhile, this marks nothing and the next pass writes the newer outcome.
    await store.markReported(order.id, order.status);
  }

  /** Answers whether there may be more to write back than one batch held. */
  async function pass(): Promise<boolean> {
    const lease = await leases.acquire('orders:write-back', Math.max(10_000, everyMs * 2));
    if (!lease) return false;
    try {
      const due = await store.unreported(REPORTED, batch);
      for (const order of due) {
        if (stopped) return false;
        try {
          await writeBack(order);
        } catch (err) {
          logger.warn({ orderId: order.id, storeOrderId: order.storeOrderId, err: err instanceof Error ? err.message : String(err) }, 'write-back to the store failed; retried on the next pass');
          // A failing store (outage, quota): wait for the interval rather than hammering it.
          return false;
        }
      }
      return due.length === batch;
    } finally {
      await lease.release();
    }
  }

  const passes = createPassLoop(pass, (err) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'write-back pass skipped'));

  return {
    start() {
      timer = setInterval(passes.kick, everyMs);
      timer.unref();
      passes.kick();
    },
    kick: passes.kick,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await passes.stop();
    },
  };
}
