/**
 * FinditParts order calls (upstreams.md: `POST /partners/place_order`,
 * `GET /orders/{id}`, `GET /orders/search`). The vendor has no idempotency
 * keys: placing is never resent blind; `po_number` is the reference the
 * gateway searches by to learn whether an attempt landed. The order body's
 * shape is the sandbox's reading (the vendor's is access-on-request); it is
 * kept here, in one place.
 */
import type { Lane } from '../../limits/pacer.js';
import type { UpstreamClient } from '../../upstreams/http.js';
import { UpstreamError } from '../../upstreams/upstreamError.js';
import { isFipError } from './wire.js';

export interface FipOrderAddress {
  name: string;
  street1: string;
  street2?: string;
  city: string;
  state: string;
  zip: string;
  country: string;
}

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

export interface FinditPartsOrders {
  /** `signal`: abandons the call (the send lease was lost); the order may still have landed. */
  place(order: FipPlaceOrder, signal?: AbortSignal): Promise<FipOrder>;
  get(id: string, lane: Lane): Promise<FipOrder | null>;
  findByPo(poNumber: string, lane: Lane, signal?: AbortSignal): Promise<FipOrder[]>;
}

export function createFinditPartsOrders(http: UpstreamClient): FinditPartsOrders {
  return {
    async place(order, signal) {
      const res = await http.request({
        method: 'POST',
        path: ['partners', 'place_order'],
        body: order,
        endpoint: 'orders.place',
        lane: 'bulk',
        idempotent: false,
        timeoutMs: 30_000,
        signal,
      });
      if (isFipError(res.body)) throw new UpstreamError('rejected', http.name, res.body.message, { status: res.status });
      const placed = (res.body as { order?: FipOrder }).order;
      if (!placed) throw new UpstreamError('unavailable', http.name, 'order answer without an order', { outcomeUnknown: true });
      return placed;
    },
    async get(id, lane) {
      const res = await http.request({ method: 'GET', path: ['orders', id], endpoint: 'orders.get', lane });
      if (res.status === 404) return null;
      return (res.body as { order: FipOrder }).order;
    },
    async findByPo(poNumber, lane, signal) {
      const res = await http.request({ method: 'GET', path: ['orders', 'search'], query: { po_number: poNumber, per: 100 }, endpoint: 'orders.search', lane, signal });
      if (res.status === 404) return [];
      return ((res.body as { orders?: FipOrder[] }).orders ?? []).filter((o) => o.po_number === poNumber);
    },
  };
}
