/**
 * Records' JSON text written from their orders' columns and lines' rows:
 * for an order whose lines a bulk file completed after the order was
 * written (the store rewrites its stored text in the same transaction), and
 * for an order written before the text was stored (migration 10; the
 * export writes its line so). Read through `on`: a transaction's view when
 * given one.
 */
import type { MirrorChannel } from '../domain/channelOrders.js';
import { mirrorRecordJson, type MirrorRecordLine, storedMirrorRecord } from './mirrorRecords.js';
import { chunks, IDS_PER_STATEMENT, type On, RECORD_COLUMNS } from './mirrorRows.js';

/** Each order's record JSON, by id (an id not in the mirror is not in the answer). */
export async function storedRecordJson(on: On, channel: MirrorChannel, ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const part of chunks([...new Set(ids)], IDS_PER_STATEMENT)) {
    const rows = await on.selectFrom('mirror_orders').select(RECORD_COLUMNS).where('channel', '=', channel).where('id', 'in', part).execute();
    // In no particular order: each order's few lines are sorted by position here.
    const lineRows = await on
      .selectFrom('mirror_order_lines')
      .select(['order_id', 'line_id', 'position', 'sku', 'name', 'quantity', 'unit_price'])
      .where('channel', '=', channel)
      .where('order_id', 'in', part)
      .execute();
    const byOrder = new Map<string, Array<MirrorRecordLine & { position: number }>>();
    for (const l of lineRows) {
      const line = { id: l.line_id, sku: l.sku, name: l.name, quantity: Number(l.quantity), unit_price: l.unit_price, position: Number(l.position) };
      const kept = byOrder.get(l.order_id);
      if (kept) kept.push(line);
      else byOrder.set(l.order_id, [line]);
    }
    for (const r of rows) {
      const kept = (byOrder.get(r.id) ?? []).sort((a, b) => a.position - b.position);
      out.set(r.id, mirrorRecordJson(storedMirrorRecord(r, kept.map(({ position: _p, ...line }) => line))));
    }
  }
  return out;
}
