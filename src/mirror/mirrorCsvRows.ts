/**
 * The orders export's CSV rows (GET /export/orders?format=csv), read as the
 * rows themselves: one array of values per order, in MIRROR_CSV_COLUMNS'
 * order, computed by the engine from the stored order — the customer's name
 * joined, three fields of the shipping address taken from its stored JSON,
 * the lines summarised as `SKU×quantity` (the name when there is no SKU)
 * joined by `; ` in their position order — and read as value arrays
 * (records/rowArrays.ts). csv-stringify quotes them (server/orderExport.ts).
 *
 * Why not the bulk record (mirrorRecords.ts): the export needs 21 values of
 * an order; building a record object per order and one per line, parsing the
 * shipping address's JSON for three of its fields, then an array per row,
 * was the CPU and the garbage of most of the export's time (node --cpu-prof
 * on the production gateway; issue 14, acceptance 5: ≥ 50,000 orders/s).
 * The values are those of the record's columns: the test
 * (test/integration/mirrorBulkRecords.test.ts) pins the rows, stringified,
 * to the record's on both engines.
 *
 * Engine by engine, the same values:
 * - the shipping fields: SQLite's json_extract (https://www.sqlite.org/json1.html#jex),
 *   PostgreSQL's `->>` on the text cast to json
 *   (https://www.postgresql.org/docs/15/functions-json.html); a JSON string
 *   comes out as its text in both;
 * - the line summary: an aggregate ordered by position, SQLite's
 *   `group_concat(X, Y ORDER BY Z)` (3.44+, https://www.sqlite.org/lang_aggfunc.html#group_concat)
 *   and PostgreSQL's `string_agg(X, Y ORDER BY Z)`; no lines is NULL, an empty field as ''.
 */
import { sql, type Kysely } from 'kysely';
import type { RecordEngine } from '../records/engine.js';
import type { RecordTables } from '../records/tables.js';
import { keysetPages, MIRROR_READ_PAGE } from './mirrorRecords.js';
import { customerNameSql, HEAD_COLUMNS, listedOrders } from './mirrorRows.js';
import type { MirrorOrderFilter, MirrorPosition, MirrorStore } from './mirrorStore.js';

/** The CSV columns, in order (the bulk record's own names). */
export const MIRROR_CSV_COLUMNS = [
  'id',
  'order_number',
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
  'customer_name',
  'shipping_country',
  'shipping_city',
  'shipping_zip',
  'item_count',
  'line_items',
] as const;

/** One order's CSV values, in MIRROR_CSV_COLUMNS' order (null is an empty field). */
export type MirrorCsvRow = Array<string | number | null>;

const ID = MIRROR_CSV_COLUMNS.indexOf('id');
const CREATED_AT = MIRROR_CSV_COLUMNS.indexOf('created_at');

/** A field of the stored shipping address's JSON, as text (null when there is no address or no such field). */
function shippingField(engine: RecordEngine, key: 'countryCode' | 'city' | 'zip') {
  return engine === 'postgres' ? sql<string | null>`cast(shipping_address as json) ->> ${sql.lit(key)}` : sql<string | null>`json_extract(shipping_address, ${sql.lit(`$.${key}`)})`;
}

/**
 * The statement of a page of CSV rows: the listing's keyset range (listedOrders), the select list in
 * MIRROR_CSV_COLUMNS' order (each alias distinct: PostgreSQL's rows are keyed by them), `limit` rows.
 */
export function csvRowsStatement(db: Kysely<RecordTables>, engine: RecordEngine, filter: MirrorOrderFilter, after: MirrorPosition | null, limit: number) {
  const aggregate = engine === 'postgres' ? sql.raw('string_agg') : sql.raw('group_concat');
  return (
    listedOrders(db, filter, after)
      .select([
        ...HEAD_COLUMNS,
        customerNameSql.as('customer_name'),
        shippingField(engine, 'countryCode').as('shipping_country'),
        shippingField(engine, 'city').as('shipping_city'),
        shippingField(engine, 'zip').as('shipping_zip'),
        'item_count',
        sql<string | null>`(select ${aggregate}(coalesce(l.sku, l.name) || '×' || cast(l.quantity as text), '; ' order by l.position)
          from mirror_order_lines l where l.channel = mirror_orders.channel and l.order_id = mirror_orders.id)`.as('line_items'),
      ])
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
  );
}

/** Every order of the filter as its CSV row, oldest first, a page at a time. */
export function mirrorCsvPages(store: MirrorStore, filter: MirrorOrderFilter, pageSize = MIRROR_READ_PAGE): AsyncGenerator<MirrorCsvRow[]> {
  return keysetPages(async (after) => {
    const { rows, hasNext } = await store.csvPage(filter, after, pageSize);
    const last = rows[rows.length - 1];
    return { items: rows, next: hasNext && last ? { createdAt: String(last[CREATED_AT]), id: String(last[ID]) } : null };
  });
}
