/**
 * The orders export's NDJSON lines (GET /export/orders?format=ndjson), written
 * from the rows as they are read: each order's row and its lines' rows come
 * from the engine as value arrays (records/rowArrays.ts, better-sqlite3's raw
 * mode on SQLite), each line item's JSON is written as its row is read, and
 * the order's line is written from its row with the stored address text
 * spliced in — no record object per order or per line, no map of line
 * objects, no parse of the stored JSON.
 *
 * Why not the stored records (mirrorRecords.ts, storedMirrorRecordPages): a
 * record object per order, a line object per line (and a second copy of each
 * for its position), keyed rows from the driver, were most of the export's
 * CPU and garbage beside the engine (node --cpu-prof on the production
 * gateway; issue 14, acceptance 5: ≥ 50,000 orders/s).
 *
 * Each line is byte for byte JSON.stringify of the drop-in's record
 * (mirrorRecord, ECMA-262 §25.5.2.2 SerializeJSONProperty: keys in the
 * record's order, strings quoted by JSON.stringify itself): the addresses
 * are spliced as stored because the stored text is encodeJson of the
 * address, i.e. JSON.stringify of the very value the record's field holds
 * (a TEXT column on both engines, returned unchanged); the customer's name
 * is joined by the engine as the record joins it ([first, last].filter(Boolean)
 * .join(' ') || null). test/integration/mirrorBulkRecords.test.ts pins the
 * lines to JSON.stringify(mirrorRecord(…)) on both engines.
 */
import type { Kysely } from 'kysely';
import type { RecordTables } from '../records/tables.js';
import { keysetPages, MIRROR_READ_PAGE } from './mirrorRecords.js';
import { customerNameSql, HEAD_COLUMNS, listedOrders } from './mirrorRows.js';
import type { MirrorOrderFilter, MirrorPosition, MirrorStore } from './mirrorStore.js';

/** A page of the export: one JSON text per order (no newline), the last order's position for the next page. */
export interface MirrorNdjsonPage {
  lines: string[];
  last: MirrorPosition | null;
  hasNext: boolean;
}

/** The order columns a line is written from, in this order (each alias distinct: PostgreSQL's rows are keyed by them). */
export function ndjsonOrdersStatement(db: Kysely<RecordTables>, filter: MirrorOrderFilter, after: MirrorPosition | null, limit: number) {
  return listedOrders(db, filter, after)
    .select([
      ...HEAD_COLUMNS,
      // The CSV export's expression of the record's customer_name.
      customerNameSql.as('customer_name'),
      'shipping_address',
      'billing_address',
      'item_count',
    ])
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit);
}

/** The lines of some orders, in no particular order (sorting by position in the engine took a temporary B-tree per page). */
export function ndjsonLinesStatement(db: Kysely<RecordTables>, filter: MirrorOrderFilter, ids: readonly string[]) {
  return db.selectFrom('mirror_order_lines').select(['order_id', 'position', 'line_id', 'sku', 'name', 'quantity', 'unit_price']).where('channel', '=', filter.channel).where('order_id', 'in', [...ids]);
}

const text = (v: unknown): string => (v === null ? 'null' : JSON.stringify(v));

/** A line item's JSON, as JSON.stringify writes {id, sku, name, quantity, unit_price} (the row: order_id, position, line_id, sku, name, quantity, unit_price). */
function lineItemJson(l: readonly unknown[]): string {
  return `{"id":${JSON.stringify(l[2])},"sku":${text(l[3])},"name":${JSON.stringify(l[4])},"quantity":${JSON.stringify(Number(l[5]))},"unit_price":${text(l[6])}}`;
}

/**
 * A page of lines from the rows of ndjsonOrdersStatement (orders, at most `first` of them are written) and
 * ndjsonLinesStatement (their lines, any order).
 */
export function ndjsonLinesOf(orders: readonly unknown[][], first: number, lineRows: readonly unknown[][]): MirrorNdjsonPage {
  // Each order's line items as [position, json] pairs, flat: most orders have a few lines, sorted below when out of order.
  const items = new Map<unknown, Array<number | string>>();
  for (const l of lineRows) {
    const kept = items.get(l[0]);
    const position = Number(l[1]);
    if (kept) kept.push(position, lineItemJson(l));
    else items.set(l[0], [position, lineItemJson(l)]);
  }
  const n = Math.min(orders.length, first);
  const lines = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const r = orders[i] as unknown[];
    lines[i] =
      `{"id":${JSON.stringify(r[0])},"order_number":${JSON.stringify(r[1])},"name":${JSON.stringify(r[2])},` +
      `"created_at":${JSON.stringify(r[3])},"updated_at":${JSON.stringify(r[4])},"closed_at":${text(r[5])},"cancelled_at":${text(r[6])},` +
      `"status":${JSON.stringify(r[7])},"financial_status":${text(r[8])},"fulfillment_status":${text(r[9])},` +
      `"currency":${JSON.stringify(r[10])},"subtotal":${text(r[11])},"total":${text(r[12])},` +
      `"customer_id":${text(r[13])},"customer_email":${text(r[14])},"customer_name":${text(r[15])},` +
      `"shipping_address":${(r[16] as string | null) ?? 'null'},"billing_address":${(r[17] as string | null) ?? 'null'},` +
      `"item_count":${JSON.stringify(Number(r[18]))},"line_items":[${itemsJson(items.get(r[0]))}]}`;
  }
  const last = n > 0 ? (orders[n - 1] as unknown[]) : null;
  return { lines, last: last ? { createdAt: String(last[3]), id: String(last[0]) } : null, hasNext: orders.length > first };
}

/** The line items' JSON joined in position order ([position, json, position, json, …]). */
function itemsJson(pairs: Array<number | string> | undefined): string {
  if (!pairs) return '';
  if (pairs.length === 2) return pairs[1] as string;
  let sorted = true;
  for (let i = 2; i < pairs.length; i += 2) if ((pairs[i] as number) < (pairs[i - 2] as number)) sorted = false;
  const order: number[] = [];
  for (let i = 0; i < pairs.length; i += 2) order.push(i);
  if (!sorted) order.sort((a, b) => (pairs[a] as number) - (pairs[b] as number));
  let out = '';
  for (let k = 0; k < order.length; k++) out += (k === 0 ? '' : ',') + (pairs[(order[k] as number) + 1] as string);
  return out;
}

/** Every order of the filter as its NDJSON text (no newline), oldest first, a page at a time. */
export function mirrorNdjsonPages(store: MirrorStore, filter: MirrorOrderFilter, pageSize = MIRROR_READ_PAGE): AsyncGenerator<string[]> {
  return keysetPages(async (after) => {
    const { lines, last, hasNext } = await store.ndjsonPage(filter, after, pageSize);
    return { items: lines, next: hasNext ? last : null };
  });
}
