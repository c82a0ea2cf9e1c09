/**
 * Migration 10: each mirrored order's bulk record as JSON text
 * (`mirror_order_records`), written with the order and its lines: the NDJSON
 * export and the orders-cache drop-in's `/fetch-data` hand it out as it is
 * stored.
 *
 * Writing each line from the order's twenty columns and a second query for
 * its lines was about half of the export's CPU on the gateway's main thread
 * (7 ms of SQLite reading and 6 ms of string building per 1,000 orders
 * against 3 ms to read the stored text, on the 100,000-order mirror; issue
 * 14, acceptance 5: ≥ 50,000 orders/s with the answer compressed).
 *
 * A table of its own, not a column of mirror_orders: a 1.3 KB text beside
 * the order's columns left one order per 4 KiB SQLite page (the 100,000-order
 * file went from 230 to 490 MB; 412 MB with this table) and every read of the
 * orders' columns — the graph's pages, the counts' row reads, the CSV export —
 * read about three times the pages. The export's page is then a range of the
 * listing index alone and one lookup by key per order.
 *
 * Not filled here: orders written before this migration have no row, and the
 * readers write their text from their columns as before (the text of a
 * record is defined by src/mirror/mirrorRecords.ts, which a frozen migration
 * must not import). Any later write of the order adds it.
 *
 * Frozen once released: a later change is a new migration, never an edit here.
 */
import { sql } from 'kysely';
import type { RecordMigration } from './recordMigration.js';

export const mirrorRecordJson: RecordMigration = {
  async up(db, engine) {
    // Text in byte order on PostgreSQL, as every column of migration 1 (SQLite's BINARY).
    const text = sql.raw(engine === 'postgres' ? 'text COLLATE "C"' : 'TEXT');
    await sql`CREATE TABLE IF NOT EXISTS mirror_order_records (
      channel ${text} NOT NULL, id ${text} NOT NULL, record_json ${text} NOT NULL,
      PRIMARY KEY (channel, id)
    )`.execute(db);
  },
};
