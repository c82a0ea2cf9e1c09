/**
 * Writes dropship routing's outcome back to the store order, so the store
 * shows what happened to it (the DropStream/ShipStation practice): a staff
 * note per outcome; an order awaiting fulfillment moves on to awaiting
 * shipment once the supplier has it (BigCommerce: status 11 → 9, mapped by
 * the connector); once it ships, a shipment of the remaining items with the
 * supplier's tracking number (which moves the store order to Shipped).
 *
 * Durable: an order's last written-back status is recorded
 * (`reportedStatus`, compare-and-set on the status), and a pass picks every
 * order of a store order whose status differs — so a crash, a store outage or
 * a 429 only delays a write-back. Each step is idempotent on a re-run: a
 * note line already present is not added again, a shipment with the same
 * tracking number is not created twice, and only an order awaiting fulfillment is moved
 * (a merchant's own status is left alone). One instance writes back at a
 * time (a lease), so two never race on one store order's notes.
 */
import type { Logger } from '../observability/logger.js';
import { createLocalLeases, type Leases } from '../storage/leases.js';
import type { StoreOrderWrites } from '../domain/ports.js';
import type { OrderStore } from './orderStore.js';
import { createPassLoop } from './passLoop.js';
import type { SupplierOrderRecord, SupplierOrderStatus } from './types.js';

/** The statuses the store is told about (the others are the outbox's business). */
export const REPORTED: readonly SupplierOrderStatus[] = ['SUBMITTED', 'PROCESSING', 'SHIPPED', 'REJECTED', 'MANUAL_REVIEW', 'CANCELLED'];

export interface StoreWriteBackOptions {
  store: OrderStore;
  /** The store's order writes (domain/ports.ts). */
  writes: StoreOrderWrites;
  /** The supplier's name, for the notes. @default "the supplier" */
  supplierName?: string;
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
export function noteFor(order: SupplierOrderRecord, supplier = 'the supplier'): string {
  const ref = `${supplier} order ${order.supplierOrderId ?? '(none)'} (PO ${order.poNumber})`;
  switch (order.status) {
    case 'SUBMITTED':
    case 'PROCESSING':
      return `Crossdock: routed to ${ref}.`;
    case 'SHIPPED':
      return `Crossdock: ${ref} shipped, tracking ${order.trackingNumber ?? 'not given'}.`;
    case 'REJECTED':
      return `Crossdock: ${supplier} refused PO ${order.poNumber}: ${short(order.lastError)}. Not routed.`;
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
  const supplier = options.supplierName ?? 'the supplier';
  const leases = options.leases ?? createLocalLeases();
  const everyMs = options.everyMs ?? 30_000;
  const batch = options.batch ?? 50;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function writeBack(order: SupplierOrderRecord): Promise<void> {
    const storeOrderId = order.storeOrderId as string;
    const state = await writes.fulfillment(storeOrderId, 'bulk');
    if (!state) {
      logger.warn({ orderId: order.id, storeOrderId }, 'store order not found: nothing written back');
      await store.markReported(order.id, order.status);
      return;
    }
    if (order.status === 'SHIPPED' && order.trackingNumber) {
      const shipped = await writes.shipments(storeOrderId, 'bulk');
      if (!shipped.includes(order.trackingNumber)) {
        await writes.shipRemaining(storeOrderId, { trackingNumber: order.trackingNumber, comments: `Crossdock: ${supplier} order ${order.supplierOrderId ?? ''} (PO ${order.poNumber})` }, 'bulk');
      }
    }
    const line = noteFor(order, supplier);
    const patch: { awaitingShipment?: true; staffNotes?: string } = {};
    if (!state.staffNotes.includes(line)) patch.staffNotes = state.staffNotes ? `${state.staffNotes}\n${line}` : line;
    if ((order.status === 'SUBMITTED' || order.status === 'PROCESSING') && state.awaitingFulfillment) patch.awaitingShipment = true;
    if (patch.staffNotes !== undefined || patch.awaitingShipment) await writes.update(storeOrderId, patch, 'bulk');
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
