/**
 * The mirror read whole, for the routes that hand it out in bulk (the old
 * orders cache's `/fetch-data`, the NDJSON and CSV export): every order of a
 * filter, oldest first, in keyset pages with their lines, so memory stays
 * one page whatever the mirror's size — and the flat record each order is
 * handed out as (snake_case, as the old cache's JSON was; money as exact
 * decimal text with its currency).
 *
 * The bulk routes read the records as stored (StoredMirrorRecord: the
 * addresses still the JSON text they were written as) and write each NDJSON
 * line by hand (mirrorRecordJson): parsing two addresses per order only to
 * serialise them again, and building an object per order and per line, was
 * most of what the export spent beside SQLite (node --cpu-prof; issue 14,
 * acceptance 5: ≥ 50,000 orders/s). The text is byte for byte what
 * JSON.stringify gives for the record (ECMA-262 §25.5.2.2 SerializeJSONProperty:
 * strings quoted by JSON.stringify itself, keys in the record's order).
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

/** A record as the store reads it for the bulk routes: the addresses are the stored JSON text (encodeJson of the address). */
export type StoredMirrorRecord = Omit<MirrorRecord, 'shipping_address' | 'billing_address'> & { shipping_address: string | null; billing_address: string | null };

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

const text = (v: string | null): string => (v === null ? 'null' : JSON.stringify(v));

function lineJson(l: MirrorRecordLine): string {
  return `{"id":${JSON.stringify(l.id)},"sku":${text(l.sku)},"name":${JSON.stringify(l.name)},"quantity":${JSON.stringify(l.quantity)},"unit_price":${text(l.unit_price)}}`;
}

/** JSON.stringify(the record), the stored address text spliced in as it is (it was written by JSON.stringify). */
export function mirrorRecordJson(r: StoredMirrorRecord): string {
  let items = '';
  for (let i = 0; i < r.line_items.length; i++) items += (i === 0 ? '' : ',') + lineJson(r.line_items[i] as MirrorRecordLine);
  return (
    `{"id":${JSON.stringify(r.id)},"order_number":${JSON.stringify(r.order_number)},"name":${JSON.stringify(r.name)},` +
    `"created_at":${JSON.stringify(r.created_at)},"updated_at":${JSON.stringify(r.updated_at)},"closed_at":${text(r.closed_at)},"cancelled_at":${text(r.cancelled_at)},` +
    `"status":${JSON.stringify(r.status)},"financial_status":${text(r.financial_status)},"fulfillment_status":${text(r.fulfillment_status)},` +
    `"currency":${JSON.stringify(r.currency)},"subtotal":${text(r.subtotal)},"total":${text(r.total)},` +
    `"customer_id":${text(r.customer_id)},"customer_email":${text(r.customer_email)},"customer_name":${text(r.customer_name)},` +
    `"shipping_address":${r.shipping_address ?? 'null'},"billing_address":${r.billing_address ?? 'null'},` +
    `"item_count":${JSON.stringify(r.item_count)},"line_items":[${items}]}`
  );
}

/** A stored record as the record object (the addresses parsed). */
export function parsedMirrorRecord(r: StoredMirrorRecord): MirrorRecord {
  return { ...r, shipping_address: r.shipping_address === null ? null : (JSON.parse(r.shipping_address) as ChannelAddress), billing_address: r.billing_address === null ? null : (JSON.parse(r.billing_address) as ChannelAddress) };
}

/** Orders per page read: a page and its lines are all that is held at once. */
export const MIRROR_READ_PAGE = 1_000;

/**
 * A keyset listing read a page at a time, oldest first: `read(after)` answers a page and the position to go on
 * from (null: that was the last page). The caller's pace (backpressure) is the reading pace.
 */
export async function* keysetPages<T>(read: (after: MirrorPosition | null) => Promise<{ items: T[]; next: MirrorPosition | null }>): AsyncGenerator<T[]> {
  let after: MirrorPosition | null = null;
  for (;;) {
    const { items, next } = await read(after);
    if (items.length === 0) return;
    yield items;
    if (!next) return;
    after = next;
  }
}

/** Every order of the filter with its lines as stored, oldest first, a page at a time. */
export function storedMirrorRecordPages(store: MirrorStore, filter: MirrorOrderFilter, pageSize = MIRROR_READ_PAGE): AsyncGenerator<StoredMirrorRecord[]> {
  return keysetPages(async (after) => {
    const { records, hasNext } = await store.recordPage(filter, after, pageSize);
    const last = records[records.length - 1];
    return { items: records, next: hasNext && last ? { createdAt: last.created_at, id: last.id } : null };
  });
}

/** Every order of the filter with its lines, oldest first; the caller's pace (backpressure) is the reading pace. */
export async function* mirrorRecords(store: MirrorStore, filter: MirrorOrderFilter, pageSize = MIRROR_READ_PAGE): AsyncGenerator<MirrorRecord> {
  for await (const page of storedMirrorRecordPages(store, filter, pageSize)) for (const r of page) yield parsedMirrorRecord(r);
}
