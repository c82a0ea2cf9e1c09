/**
 * The mirror's rows and statements, shared by its store (sqlMirrorStore.ts)
 * and the query-plan tests: how a channel order becomes a mirror_orders row
 * and back, statement sizes for both engines, and the filter, listing and
 * count statements the graph and the exports run.
 */
import { type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import type { ChannelAddress, ChannelOrder, ChannelOrderStatus, MirrorChannel } from '../domain/channelOrders.js';
import { decodeJson, encodeJson } from '../records/engine.js';
import type { MirrorOrderRecordsTable, MirrorOrdersTable, RecordTables } from '../records/tables.js';
import { mirrorRecordJson, mirrorRecordLines, storedMirrorRecord } from './mirrorRecords.js';
import type { MirroredOrderHead, MirrorOrderFilter, MirrorPosition } from './mirrorStore.js';

export type On = Kysely<RecordTables>;
export type OrderRow = Selectable<MirrorOrdersTable>;

/** Rows per statement: well under SQLite's 32,766 parameters and PostgreSQL's 65,535. */
export const ORDERS_PER_STATEMENT = 400;
export const LINES_PER_STATEMENT = 2_000;
export const IDS_PER_STATEMENT = 1_000;

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export const json = (a: ChannelAddress | null) => (a ? encodeJson(a) : null);

/** An order's row: every column of mirror_orders (a Selectable row is an Insertable one). */
export function orderRow(channel: MirrorChannel, o: ChannelOrder, at: string): OrderRow {
  return {
    channel,
    id: o.id,
    number: o.number,
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
    customer_email: o.customer?.email?.toLowerCase() ?? null,
    customer_first_name: o.customer?.firstName ?? null,
    customer_last_name: o.customer?.lastName ?? null,
    shipping_address: json(o.shippingAddress),
    billing_address: json(o.billingAddress),
    line_count: o.lines.length,
    item_count: o.lines.reduce((n, l) => n + l.quantity, 0),
    mirrored_at: at,
  };
}

/**
 * An order's record text as the bulk routes hand it out, written from its row (orderRow: the e-mail lower-cased,
 * the addresses as stored) and its lines as the mirror keeps them.
 */
export function recordRow(o: ChannelOrder, row: OrderRow): Insertable<MirrorOrderRecordsTable> {
  return { channel: row.channel, id: row.id, record_json: mirrorRecordJson(storedMirrorRecord(row, mirrorRecordLines(o.lines))) };
}

export function headOf(r: OrderRow): MirroredOrderHead {
  const customer = r.customer_id || r.customer_email || r.customer_first_name || r.customer_last_name ? { id: r.customer_id, email: r.customer_email, firstName: r.customer_first_name, lastName: r.customer_last_name } : null;
  return {
    channel: r.channel as MirrorChannel,
    id: r.id,
    number: r.number,
    name: r.name,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    closedAt: r.closed_at,
    cancelledAt: r.cancelled_at,
    status: r.status as ChannelOrderStatus,
    financialStatus: r.financial_status,
    fulfillmentStatus: r.fulfillment_status,
    currency: r.currency,
    subtotal: r.subtotal,
    total: r.total,
    customer,
    shippingAddress: r.shipping_address ? decodeJson<ChannelAddress>(r.shipping_address) : null,
    billingAddress: r.billing_address ? decodeJson<ChannelAddress>(r.billing_address) : null,
    lineCount: Number(r.line_count),
    itemCount: Number(r.item_count),
  };
}

/** The newest copy of each order of a batch (the same order may come twice: a page and a webhook). */
export function newestById(orders: readonly ChannelOrder[]): ChannelOrder[] {
  const by = new Map<string, ChannelOrder>();
  for (const o of orders) {
    const seen = by.get(o.id);
    if (!seen || seen.updatedAt < o.updatedAt) by.set(o.id, o);
  }
  return [...by.values()];
}

export const count = (n: unknown) => Number(n ?? 0);

/** An order's columns every record and export starts with, in the bulk record's order. */
export const HEAD_COLUMNS = [
  'id',
  'number',
  'name',
  'created_at',
  'updated_at',
  'closed_at',
  'cancelled_at',
  'status',
  'financial_status',
  'fulfillment_status',
  'currency',
  'subtotal',
  'total',
  'customer_id',
  'customer_email',
] as const;

/** What a bulk record needs of an order's row (not the channel, the mirroring time or the line count). */
export const RECORD_COLUMNS = [...HEAD_COLUMNS, 'customer_first_name', 'customer_last_name', 'shipping_address', 'billing_address', 'item_count'] as const;

/** The record's customer_name, `[first, last].filter(Boolean).join(' ') || null`, computed by the engine (the exports read it so). */
export const customerNameSql = sql<string | null>`case
  when coalesce(customer_first_name, '') <> '' and coalesce(customer_last_name, '') <> '' then customer_first_name || ' ' || customer_last_name
  when coalesce(customer_first_name, '') <> '' then customer_first_name
  when coalesce(customer_last_name, '') <> '' then customer_last_name
end`;

/** The orders of a filter (every condition on mirror_orders' own columns, the SKU through its lines' index). */
export function filteredOrders(db: On, filter: MirrorOrderFilter) {
  let q = db.selectFrom('mirror_orders').where('channel', '=', filter.channel);
  if (filter.status?.length) q = q.where('status', 'in', [...filter.status]);
  if (filter.financialStatus?.length) q = q.where('financial_status', 'in', [...filter.financialStatus]);
  if (filter.fulfillmentStatus?.length) q = q.where('fulfillment_status', 'in', [...filter.fulfillmentStatus]);
  if (filter.createdFrom) q = q.where('created_at', '>=', filter.createdFrom);
  if (filter.createdTo) q = q.where('created_at', '<', filter.createdTo);
  if (filter.updatedFrom) q = q.where('updated_at', '>=', filter.updatedFrom);
  if (filter.updatedTo) q = q.where('updated_at', '<', filter.updatedTo);
  if (filter.customerEmail) q = q.where('customer_email', '=', filter.customerEmail.toLowerCase());
  if (filter.sku) {
    const sku = filter.sku;
    q = q.where('id', 'in', (eb) => eb.selectFrom('mirror_order_lines').select('order_id').where('channel', '=', filter.channel).where('sku', '=', sku));
  }
  return q;
}

/** A filter's orders after a position in the listing order (created, then id): a keyset range of the listing's index. */
export function listedOrders(db: On, filter: MirrorOrderFilter, after: MirrorPosition | null) {
  const q = filteredOrders(db, filter);
  if (!after) return q;
  const { createdAt, id } = after;
  // `created_at >= ?` on its own, beside the tie-break: with the values bound, SQLite cannot see that both
  // branches of `created_at > ? OR (created_at = ? AND id > ?)` bound the same column, and walked the index from
  // the channel's first order to the cursor on every page (https://www.sqlite.org/optoverview.html, "WHERE clause
  // analysis": an index range is bounded by AND-connected terms). PostgreSQL takes the same term as its range.
  return q.where('created_at', '>=', createdAt).where((eb) => eb.or([eb('created_at', '>', createdAt), eb('id', '>', id)]));
}

/** The exact count of a narrowed filter (`totalCount`); an unfiltered count is the state row's instead. */
export function countStatement(db: On, filter: MirrorOrderFilter) {
  return filteredOrders(db, filter).select((eb) => eb.fn.countAll().as('n'));
}
