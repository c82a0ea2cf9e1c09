/**
 * The mirror's reads for bulk output, on the record layer: pages in the listing's order (keyset from
 * the last order's position) as whole records (the orders-cache drop-in's `/fetch-data`), as CSV rows
 * and as NDJSON lines (the exports, src/server/orderExport.ts). Part of createSqlMirrorStore.
 */
import type { RecordDatabase } from '../records/recordDatabase.js';
import { selectRowArrays } from '../records/rowArrays.js';
import { csvRowsStatement, type MirrorCsvRow } from './mirrorCsvRows.js';
import { ndjsonLinesOf, ndjsonLinesStatement, ndjsonOrdersStatement } from './mirrorNdjsonLines.js';
import type { MirrorRecordLine, StoredMirrorRecord } from './mirrorRecords.js';
import { chunks, IDS_PER_STATEMENT, listedOrders, RECORD_COLUMNS } from './mirrorRows.js';
import type { MirrorStore } from './mirrorStore.js';

export function sqlMirrorExportPages(records: RecordDatabase): Pick<MirrorStore, 'recordPage' | 'csvPage' | 'ndjsonPage'> {
  const { db } = records;
  return {
    async recordPage(filter, after, first) {
      const rows = await listedOrders(db, filter, after)
        .select(RECORD_COLUMNS)
        .orderBy('created_at')
        .orderBy('id')
        .limit(first + 1)
        .execute();
      const page = rows.slice(0, first);
      const byOrder = new Map<string, Array<MirrorRecordLine & { position: number }>>();
      for (const ids of chunks(page.map((r) => r.id), IDS_PER_STATEMENT)) {
        // In no particular order: sorting by position here took a temporary B-tree per page; each order's few lines are sorted below.
        const lineRows = await db
          .selectFrom('mirror_order_lines')
          .select(['order_id', 'line_id', 'position', 'sku', 'name', 'quantity', 'unit_price'])
          .where('channel', '=', filter.channel)
          .where('order_id', 'in', ids)
          .execute();
        for (const l of lineRows) {
          const line = { id: l.line_id, sku: l.sku, name: l.name, quantity: Number(l.quantity), unit_price: l.unit_price, position: Number(l.position) };
          const kept = byOrder.get(l.order_id);
          if (kept) kept.push(line);
          else byOrder.set(l.order_id, [line]);
        }
      }
      const out = page.map((r): StoredMirrorRecord => {
        const kept = byOrder.get(r.id) ?? [];
        if (kept.length > 1) kept.sort((a, b) => a.position - b.position);
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
          line_items: kept.map((l) => ({ id: l.id, sku: l.sku, name: l.name, quantity: l.quantity, unit_price: l.unit_price })),
        };
      });
      return { records: out, hasNext: rows.length > first };
    },
    async csvPage(filter, after, first) {
      const rows = (await selectRowArrays(records, csvRowsStatement(db, records.engine, filter, after, first + 1))) as MirrorCsvRow[];
      const hasNext = rows.length > first;
      if (hasNext) rows.length = first;
      return { rows, hasNext };
    },
    async ndjsonPage(filter, after, first) {
      const orders = await selectRowArrays(records, ndjsonOrdersStatement(db, filter, after, first + 1));
      const ids = orders.slice(0, first).map((r) => r[0] as string);
      const lineRows: unknown[][] = [];
      for (const chunk of chunks(ids, IDS_PER_STATEMENT)) for (const l of await selectRowArrays(records, ndjsonLinesStatement(db, filter, chunk))) lineRows.push(l);
      return ndjsonLinesOf(orders, first, lineRows);
    },
  };
}
