/**
 * The mirror read whole, for the routes that hand it out in bulk (the old
 * orders cache's `/fetch-data`, the NDJSON and CSV export): every order of a
 * filter, oldest first, in keyset pages with their lines, so memory stays
 * one page whatever the mirror's size — and the flat record each order is
 * handed out as (snake_case, as the old cache's JSON was; money as exact
 * decimal text with its currency).
 */
import type { ChannelAddress, ChannelOrderLine } from '../domain/channelOrders.js';
import type { MirroredOrderHead, MirrorOrderFilter, MirrorPosition, MirrorStore } from './mirrorStore.js';

export interface MirrorRecordLine {
  id: string;
  sku: string | null;
  name: string;
  quantity: number;
  unit_price: string | null;
}

export interface MirrorRecord {
  id: string;
  order_number: string;
  name: string;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  cancelled_at: string | null;
  status: string;
  financial_status: string | null;
  fulfillment_status: string | null;
  currency: string;
  subtotal: string | null;
  total: string | null;
  customer_id: string | null;
  customer_email: string | null;
  customer_name: string | null;
  shipping_address: ChannelAddress | null;
  billing_address: ChannelAddress | null;
  item_count: number;
  line_items: MirrorRecordLine[];
}

export function mirrorRecord(o: MirroredOrderHead, lines: readonly ChannelOrderLine[]): MirrorRecord {
  const name = [o.customer?.firstName, o.customer?.lastName].filter(Boolean).join(' ');
  return {
    id: o.id,
    order_number: o.number,
    name: o.name,
    created_at: o.createdAt,
    updated_at: o.updatedAt,
    closed_at: o.closedAt,
    cancelled_at: o.cancelledAt,
    status: o.status,
    financial_status: o.financialStatus,
    fulfillment_status: o.fulfillmentStatus,
    currency: o.currency,
    subtotal: o.subtotal,
    total: o.total,
    customer_id: o.customer?.id ?? null,
    customer_email: o.customer?.email ?? null,
    customer_name: name || null,
    shipping_address: o.shippingAddress,
    billing_address: o.billingAddress,
    item_count: o.itemCount,
    line_items: lines.map((l) => ({ id: l.lineId, sku: l.sku, name: l.name, quantity: l.quantity, unit_price: l.unitPrice })),
  };
}

/** Orders per page read: a page and its lines are all that is held at once. */
export const MIRROR_READ_PAGE = 1_000;

/** Every order of the filter with its lines, oldest first; the caller's pace (backpressure) is the reading pace. */
export async function* mirrorRecords(store: MirrorStore, filter: MirrorOrderFilter, pageSize = MIRROR_READ_PAGE): AsyncGenerator<MirrorRecord> {
  let after: MirrorPosition | null = null;
  for (;;) {
    const { orders, hasNext } = await store.list(filter, after, pageSize);
    if (orders.length === 0) return;
    const lines = await store.lines(filter.channel, orders.map((o) => o.id));
    for (const o of orders) yield mirrorRecord(o, lines.get(o.id) ?? []);
    const last = orders[orders.length - 1] as MirroredOrderHead;
    if (!hasNext) return;
    after = { createdAt: last.createdAt, id: last.id };
  }
}
