/**
 * Supplier orders: the outbox record and its lifecycle. Every state change
 * is recorded with its time and reason.
 *
 *   PENDING ──send──▶ SUBMITTED ──poll──▶ PROCESSING ▶ SHIPPED
 *      │  ▲             (outcome unknown: UNKNOWN, resolved by po_number)
 *      ▼  │retry
 *   RETRY_WAIT ──(3 retries spent)──▶ MANUAL_REVIEW ──retry/cancel mutation
 *   REJECTED (the supplier refused it: 4xx), CANCELLED
 */
export type SupplierOrderStatus =
  | 'PENDING'
  | 'RETRY_WAIT'
  | 'UNKNOWN'
  | 'SUBMITTED'
  | 'PROCESSING'
  | 'SHIPPED'
  | 'REJECTED'
  | 'MANUAL_REVIEW'
  | 'CANCELLED';

/** States the outbox worker acts on. */
export const SENDABLE: readonly SupplierOrderStatus[] = ['PENDING', 'RETRY_WAIT', 'UNKNOWN'];
/**
 * States an operator may cancel from — and only while no send is in flight
 * (`sendingSince` null): an attempt that has started may land at the
 * supplier, so its outcome decides, never a cancel that overtakes it.
 */
export const CANCELLABLE: readonly SupplierOrderStatus[] = ['PENDING', 'RETRY_WAIT', 'MANUAL_REVIEW'];
/** States the status poller follows. */
export const TRACKED: readonly SupplierOrderStatus[] = ['SUBMITTED', 'PROCESSING'];

export interface OrderLineIntent {
  partId: string;
  sku: string;
  partNumber: string;
  variantId: string;
  quantity: number;
  unitPrice: string;
}

export interface ShippingAddress {
  name: string;
  street1: string;
  street2?: string | null;
  city: string;
  state: string;
  zip: string;
  country: string;
}

export interface SupplierOrderRecord {
  id: string;
  client: string;
  idempotencyKey: string;
  /**
   * SHA-256 of the canonical request that created it (null for orders stored
   * before it was kept). An order stays bound to its key after the key's TTL,
   * so the same key later replays it, and other input under it is a conflict.
   */
  requestHash: string | null;
  storeOrderId: string | null;
  poNumber: string;
  status: SupplierOrderStatus;
  supplierOrderId: string | null;
  lines: OrderLineIntent[];
  shippingMethod: string;
  address: ShippingAddress;
  /** Send attempts that reached the supplier or may have. */
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  trackingNumber: string | null;
  /**
   * When the attempt now in flight started; null when none is. Set (compare-
   * and-set) before the supplier is called and cleared with the attempt's
   * outcome, so a cancel cannot win against a started send. A crash leaves
   * it set: the next sender looks the order up by po_number first.
   */
  sendingSince: string | null;
  /** The status last written back to the store order (dropship routing); null: nothing written yet. */
  reportedStatus: SupplierOrderStatus | null;
  createdAt: string;
  updatedAt: string;
}

export interface OrderEventRecord {
  orderId: string;
  at: string;
  from: SupplierOrderStatus | null;
  to: SupplierOrderStatus;
  reason: string;
}

export function isFinalOrder(status: SupplierOrderStatus): boolean {
  switch (status) {
    case 'SHIPPED':
    case 'REJECTED':
    case 'CANCELLED':
      return true;
    case 'PENDING':
    case 'RETRY_WAIT':
    case 'UNKNOWN':
    case 'SUBMITTED':
    case 'PROCESSING':
    case 'MANUAL_REVIEW':
      return false;
    default: {
      const never: never = status;
      throw new Error(`unknown order status ${String(never)}`);
    }
  }
}
