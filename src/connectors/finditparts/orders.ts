/**
 * FinditParts order calls (upstreams.md: `POST /partners/place_order`,
 * `GET /orders/{id}`, `GET /orders/search`). The vendor has no idempotency
 * keys: placing is never resent blind; `po_number` is the reference the
 * gateway searches by to learn whether an attempt landed. The order body's
 * shape is the sandbox's reading (the vendor's is access-on-request); it is
 * kept here, in one place.
 */
import type { ShippingAddress, SupplierOrderAck, SupplierOrderRequest, SupplierOrderState, SupplierOrdering } from '../../domain/ports.js';
import type { UpstreamClient } from '../../upstreams/http.js';
import { UpstreamError } from '../../upstreams/upstreamError.js';
import { isFipError } from './wire.js';

/** The order body's address has the domain's fields, named as the domain names them. */
export type FipOrderAddress = ShippingAddress;

export interface FipPlaceOrder {
  po_number: string;
  shipping_method: string;
  address: FipOrderAddress;
  items: Array<{ variant_id: number; quantity: number }>;
}

export interface FipOrder {
  id: number;
  po_number: string;
  status: string;
  created_at?: string;
  subtotal?: string;
  total?: string;
  tracking_number?: string | null;
}

/**
 * The vendor's order status words mapped to where the domain tracks an order
 * (the sandbox's reading of the access-on-request order API: processing,
 * shipped/delivered, cancelled; anything else is a placed order).
 */
export function supplierOrderState(status: string): SupplierOrderState {
  switch (status.toLowerCase()) {
    case 'processing':
      return 'PROCESSING';
    case 'shipped':
    case 'delivered':
      return 'SHIPPED';
    case 'cancelled':
    case 'canceled':
      return 'CANCELLED';
    default:
      return 'SUBMITTED';
  }
}

function ack(o: FipOrder): SupplierOrderAck {
  return { id: String(o.id), poNumber: o.po_number, state: supplierOrderState(o.status), statusText: o.status, trackingNumber: o.tracking_number ?? null };
}

function wireOrder(order: SupplierOrderRequest): FipPlaceOrder {
  const a = order.address;
  return {
    po_number: order.poNumber,
    shipping_method: order.shippingMethod,
    address: { name: a.name, street1: a.street1, ...(a.street2 ? { street2: a.street2 } : {}), city: a.city, state: a.state, zip: a.zip, country: a.country },
    items: order.items.map((i) => ({ variant_id: Number(i.variantId), quantity: i.quantity })),
  };
}

export function createFinditPartsOrdering(http: UpstreamClient): SupplierOrdering {
  return {
    async place(order, signal) {
      const res = await http.request({
        method: 'POST',
        path: ['partners', 'place_order'],
        body: wireOrder(order),
        endpoint: 'orders.place',
        lane: 'bulk',
        idempotent: false,
        timeoutMs: 30_000,
        signal,
      });
      if (isFipError(res.body)) throw new UpstreamError('rejected', http.name, res.body.message, { status: res.status });
      const placed = (res.body as { order?: FipOrder }).order;
      if (!placed) throw new UpstreamError('unavailable', http.name, 'order answer without an order', { outcomeUnknown: true });
      return ack(placed);
    },
    async get(id, lane) {
      const res = await http.request({ method: 'GET', path: ['orders', id], endpoint: 'orders.get', lane });
      if (res.status === 404) return null;
      return ack((res.body as { order: FipOrder }).order);
    },
    async findByPoNumber(poNumber, lane, signal) {
      const res = await http.request({ method: 'GET', path: ['orders', 'search'], query: { po_number: poNumber, per: 100 }, endpoint: 'orders.search', lane, signal });
      if (res.status === 404) return [];
      return ((res.body as { orders?: FipOrder[] }).orders ?? []).filter((o) => o.po_number === poNumber).map(ack);
    },
  };
}
