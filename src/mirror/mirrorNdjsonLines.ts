/**
 * The orders export's NDJSON lines (GET /export/orders?format=ndjson) and the
 * orders-cache drop-in's `/fetch-data` records: each order's line is the
 * bulk record's JSON text as it was stored with the order
 * (mirror_order_records, migration 10; written by recordRow in mirrorRows.ts
 * and, when a bulk file adds lines to an order already written, by the store), read
 * a page at a time in the listing's order as value arrays
 * (records/rowArrays.ts, better-sqlite3's raw mode on SQLite).
 *
 * Why stored: writing each line from the order's columns and its lines'
 * rows on every export — twenty values and a second query per page — was
 * about half of the export's CPU on the main thread, against a third of it
 * to read the stored text (node --cpu-prof and a page-read comparison on the
 * 100,000-order mirror; issue 14, acceptance 5: ≥ 50,000 orders/s with the
 * answer compressed). The text is mirrorRecordJson of the record, i.e.
 * byte for byte JSON.stringify of the drop-in's record;
 * test/integration/mirrorBulkRecords.test.ts pins it on both engines.
 *
 * An order written before migration 10 has no stored text: its line is
 * written from its columns (storedRecordJson), as the export did before.
 */
import { type Kysely, sql } from 'kysely';
import type { RecordDatabase } from '../records/recordDatabase.js';
import { selectRowArrays } from '../records/rowArrays.js';
import type { RecordTables } from '../records/tables.js';
import { keysetPages, MIRROR_READ_PAGE } from './mirrorRecords.js';
import { listedOrders } from './mirrorRows.js';
import type { MirrorOrderFilter, MirrorPosition, MirrorStore } from './mirrorStore.js';
import { storedRecordJson } from './storedRecordJson.js';

/** A page of the export: one JSON text per order (no newline), the last order's position for the next page. */
export interface MirrorNdjsonPage {
  lines: string[];
  last: MirrorPosition | null;
  hasNext: boolean;
}

/** A page's rows: the stored text, then the order's position (each alias distinct: PostgreSQL's rows are keyed by them). */
export function ndjsonOrdersStatement(db: Kysely<RecordTables>, filter: MirrorOrderFilter, after: MirrorPosition | null, limit: number) {
  return listedOrders(db, filter, after)
    .select([
      // A subquery by the record's key rather than a join: the listing's filters name mirror_orders' columns unqualified.
      sql<string | null>`(select r.record_json from mirror_order_records r where r.channel = mirror_orders.channel and r.id = mirror_orders.id)`.as('record_json'),
      'created_at',
      'id',
    ])
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit);
}

/** A page of at most `first` lines of the filter after a position (`first + 1` rows are read to know whether there are more). */
export async function ndjsonPage(records: RecordDatabase, filter: MirrorOrderFilter, after: MirrorPosition | null, first: number): Promise<MirrorNdjsonPage> {
  const rows = await selectRowArrays(records, ndjsonOrdersStatement(records.db, filter, after, first + 1));
  const n = Math.min(rows.length, first);
  const lines = new Array<string>(n);
  const unstored: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = rows[i] as unknown[];
    if (r[0] === null) unstored.push(r[2] as string);
    else lines[i] = r[0] as string;
  }
  if (unstored.length > 0) {
    const written = await storedRecordJson(records.db, filter.channel, unstored);
    for (let i = 0; i < n; i++) lines[i] ??= written.get((rows[i] as unknown[])[2] as string) as string;
  }
  const last = n > 0 ? (rows[n - 1] as unknown[]) : null;
  return { lines, last: last ? { createdAt: String(last[1]), id: String(last[2]) } : null, hasNext: rows.length > first };
}

/** Every order of the filter as its NDJSON text (no newline), oldest first, a page at a time. */
export function mirrorNdjsonPages(store: MirrorStore, filter: MirrorOrderFilter, pageSize = MIRROR_READ_PAGE): AsyncGenerator<string[]> {
  return keysetPages(async (after) => {
    const { lines, last, hasNext } = await store.ndjsonPage(filter, after, pageSize);
    return { items: lines, next: hasNext ? last : null };
  });
}
