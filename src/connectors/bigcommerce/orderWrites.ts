/**
 * Writes to BigCommerce v2 orders, for dropship routing's write-back:
 *
 * - `PUT /v2/orders/{id}` with `status_id` and `staff_notes` (upstreams.md:
 *   the v2 status ids; the staff notes are the merchant's private notes,
 *   replaced whole by a PUT, so the caller appends to what it read);
 * - `POST /v2/orders/{id}/shipments` with `order_address_id`, `items:
 *   [{order_product_id, quantity}]` and `tracking_number` (≤ 50 characters),
 *   and `GET` of the same list (BigCommerce's Orders v2 reference, Order
 *   Shipments; upstreams.md lists only the orders). A shipment of every
 *   item moves the order to Shipped.
 *
 * v2 answers an empty list with 204 and no body, errors as `[{status, message}]`.
 */
import type { StoreOrderWrites } from '../../domain/ports.js';
import type { UpstreamClient } from '../../upstreams/http.js';
import { UpstreamError } from '../../upstreams/upstreamError.js';
import { BC_STATUS_ID } from './wire.js';

/** The vendor publishes no limit for staff_notes; 65,535 (a TEXT column, and the sandbox's cap) keeps the newest lines. */
export const STAFF_NOTES_MAX = 65_535;
/** BigCommerce Order Shipments: tracking_number is at most 50 characters. */
export const TRACKING_NUMBER_MAX = 50;

interface WireOrder {
  status_id: number;
  staff_notes?: string | null;
}
interface WireShipment {
  id: number;
  tracking_number?: string | null;
}
interface WireOrderProduct {
  id: number;
  quantity: number;
  quantity_shipped?: number;
}
interface WireShippingAddress {
  id: number;
}

const listOf = <T>(res: { status: number; body: unknown }): T[] => (res.status === 204 || res.status === 404 || !Array.isArray(res.body) ? [] : (res.body as T[]));

/** Awaiting Fulfillment (11) moves to Awaiting Shipment (9); no other status is ever changed. */
export function createBigCommerceOrderWrites(http: UpstreamClient): StoreOrderWrites {
  const ensureOk = (res: { status: number }, what: string) => {
    if (res.status >= 400) throw new UpstreamError('rejected', http.name, `${what}: HTTP ${res.status}`, { status: res.status });
  };
  return {
    async fulfillment(orderId, lane) {
      const res = await http.request({ method: 'GET', path: ['v2', 'orders', orderId], endpoint: 'orders.get', lane });
      if (res.status === 404 || res.status === 204) return null;
      const o = res.body as WireOrder;
      return { awaitingFulfillment: o.status_id === BC_STATUS_ID.AWAITING_FULFILLMENT, staffNotes: o.staff_notes ?? '' };
    },
    async update(orderId, patch, lane) {
      const body: Record<string, unknown> = {};
      if (patch.awaitingShipment) body.status_id = BC_STATUS_ID.AWAITING_SHIPMENT;
      if (patch.staffNotes !== undefined) body.staff_notes = patch.staffNotes.slice(-STAFF_NOTES_MAX);
      // Absolute values: safe to repeat after an unknown outcome.
      const res = await http.request({ method: 'PUT', path: ['v2', 'orders', orderId], body, endpoint: 'orders.update', lane, idempotent: true });
      ensureOk(res, 'order update');
    },
    async shipments(orderId, lane) {
      const res = await http.request({ method: 'GET', path: ['v2', 'orders', orderId, 'shipments'], endpoint: 'orders.shipments', lane });
      return listOf<WireShipment>(res).map((s) => s.tracking_number ?? '');
    },
    async shipRemaining(orderId, shipment, lane) {
      const [products, addresses] = await Promise.all([
        http.request({ method: 'GET', path: ['v2', 'orders', orderId, 'products'], query: { limit: 250 }, endpoint: 'orders.products', lane }),
        http.request({ method: 'GET', path: ['v2', 'orders', orderId, 'shipping_addresses'], endpoint: 'orders.shippingAddresses', lane }),
      ]);
      const items = listOf<WireOrderProduct>(products)
        .map((p) => ({ order_product_id: p.id, quantity: p.quantity - (p.quantity_shipped ?? 0) }))
        .filter((i) => i.quantity > 0);
      const address = listOf<WireShippingAddress>(addresses)[0];
      if (items.length === 0 || !address) return false;
      const res = await http.request({
        method: 'POST',
        path: ['v2', 'orders', orderId, 'shipments'],
        body: {
          order_address_id: address.id,
          tracking_number: shipment.trackingNumber.slice(0, TRACKING_NUMBER_MAX),
          // Empty: BigCommerce links the number through AfterShip rather than defaulting to "custom".
          shipping_provider: '',
          comments: shipment.comments,
          items,
        },
        endpoint: 'orders.shipments.create',
        lane,
        // A create: never resent blind. The write-back lists the shipments (by tracking number) before any retry.
        idempotent: false,
      });
      ensureOk(res, 'shipment');
      return true;
    },
  };
}
