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
