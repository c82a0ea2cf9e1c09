/**
 * The flat record each mirrored order is handed out as by the bulk routes
 * (the old orders cache's `/fetch-data`, the NDJSON export): snake_case, as
 * the old cache's JSON was, money as exact decimal text with its currency —
 * and its JSON text, which the mirror stores with the order
 * (mirror_order_records, written by recordRow in mirrorRows.ts) so the
 * routes hand it out as read (mirrorNdjsonLines.ts).
 *
 * The text is written by hand (mirrorRecordJson) from the record as stored
 * (StoredMirrorRecord: the addresses still the JSON text they were written
 * as): parsing two addresses per order only to serialise them again was
 * most of what writing it cost. It is byte for byte what JSON.stringify
 * gives for the record (ECMA-262 §25.5.2.2 SerializeJSONProperty: strings
 * quoted by JSON.stringify itself, keys in the record's order).
 */
import type { Selectable } from 'kysely';
import type { ChannelAddress, ChannelOrderLine } from '../domain/channelOrders.js';
import type { MirrorOrdersTable } from '../records/tables.js';
import type { MirroredOrderHead, MirrorPosition } from './mirrorStore.js';

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

/** The columns of mirror_orders a record is written from (RECORD_COLUMNS in mirrorRows.ts). */
export type MirrorRecordColumns = Pick<
  Selectable<MirrorOrdersTable>,
  'id' | 'number' | 'name' | 'created_at' | 'updated_at' | 'closed_at' | 'cancelled_at' | 'status' | 'financial_status' | 'fulfillment_status' | 'currency' | 'subtotal' | 'total' | 'customer_id' | 'customer_email' | 'customer_first_name' | 'customer_last_name' | 'shipping_address' | 'billing_address' | 'item_count'
>;

/** The record of an order's row and its lines (in position order), the addresses as stored. */
export function storedMirrorRecord(r: MirrorRecordColumns, lines: readonly MirrorRecordLine[]): StoredMirrorRecord {
  const name = [r.customer_first_name, r.customer_last_name].filter(Boolean).join(' ');
  return {
    id: r.id,
    order_number: r.number,
    name: r.name,
    created_at: r.created_at,
    updated_at: r.updated_at,
    closed_at: r.closed_at,
    cancelled_at: r.cancelled_at,
    status: r.status,
    financial_status: r.financial_status,
    fulfillment_status: r.fulfillment_status,
    currency: r.currency,
    subtotal: r.subtotal,
    total: r.total,
    customer_id: r.customer_id,
    customer_email: r.customer_email,
    customer_name: name || null,
    shipping_address: r.shipping_address,
    billing_address: r.billing_address,
    item_count: Number(r.item_count),
    line_items: [...lines],
  };
}

/** An order's lines as the mirror keeps them: a line id given twice (a malformed answer) keeps its first position. */
export function mirrorRecordLines(lines: readonly ChannelOrderLine[]): MirrorRecordLine[] {
  const seen = new Set<string>();
  const out: MirrorRecordLine[] = [];
  for (const l of lines) {
    if (seen.has(l.lineId)) continue;
    seen.add(l.lineId);
    out.push({ id: l.lineId, sku: l.sku, name: l.name, quantity: l.quantity, unit_price: l.unitPrice });
  }
  return out;
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
