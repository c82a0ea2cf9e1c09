/**
 * Migration 4: the orders mirror (DESIGN.md, "Mirrors"; src/mirror/): a
 * durable local copy of a sales channel's orders, read by the graph with no
 * upstream call.
 *
 * - mirror_orders: one row per order and channel, the version it is at
 *   (`updated_at`: an older copy never replaces a newer one), its statuses,
 *   exact decimal money with its currency, the customer and both addresses
 *   (JSON). Indexed for the graph's filters, each ending in the listing
 *   order (created_at, id), so a filtered page is an index range.
 * - mirror_order_lines: an order's line items, indexed by SKU (the graph's
 *   `sku` filter and the SKU rule's links).
 * - mirror_state: per channel, the durable incremental cursor (the latest
 *   `updated_at` a pull committed), as of when the mirror is known whole,
 *   the last refresh and its error, and the channel's order count (kept in
 *   the transaction that inserts orders: an unfiltered `totalCount` is one
 *   row read, not a scan of the whole mirror).
 * - mirror_webhook_events: each webhook event recorded before it is
 *   acknowledged (dedupe on the vendor's event id), applied afterwards in
 *   order of the order's `updated_at`.
 * - mirror_backfills: a backfill job's bulk export and the last file line
 *   committed with the orders before it, so a killed job resumes after it.
 *
 * PostgreSQL gets the same tables in its types as migration 1 does (text in
 * the "C" collation, so both engines sort and compare alike).
 *
 * Frozen once released: a later change is a new migration, never an edit here.
 */
import { sql } from 'kysely';
import type { RecordMigration } from './recordMigration.js';

const DDL = `
CREATE TABLE IF NOT EXISTS mirror_orders (
  channel TEXT NOT NULL, id TEXT NOT NULL, number TEXT NOT NULL, name TEXT NOT NULL,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, closed_at TEXT, cancelled_at TEXT,
  status TEXT NOT NULL, financial_status TEXT, fulfillment_status TEXT,
  currency TEXT NOT NULL, subtotal TEXT, total TEXT,
  customer_id TEXT, customer_email TEXT, customer_first_name TEXT, customer_last_name TEXT,
  shipping_address TEXT, billing_address TEXT,
  line_count INTEGER NOT NULL, item_count INTEGER NOT NULL, mirrored_at TEXT NOT NULL,
  PRIMARY KEY (channel, id)
);
CREATE INDEX IF NOT EXISTS mirror_orders_created ON mirror_orders(channel, created_at, id);
CREATE INDEX IF NOT EXISTS mirror_orders_updated ON mirror_orders(channel, updated_at, id);
CREATE INDEX IF NOT EXISTS mirror_orders_status ON mirror_orders(channel, status, created_at, id);
CREATE INDEX IF NOT EXISTS mirror_orders_financial ON mirror_orders(channel, financial_status, created_at, id);
CREATE INDEX IF NOT EXISTS mirror_orders_fulfillment ON mirror_orders(channel, fulfillment_status, created_at, id);
CREATE INDEX IF NOT EXISTS mirror_orders_email ON mirror_orders(channel, customer_email, created_at, id);
CREATE TABLE IF NOT EXISTS mirror_order_lines (
  channel TEXT NOT NULL, order_id TEXT NOT NULL, line_id TEXT NOT NULL, position INTEGER NOT NULL,
  sku TEXT, name TEXT NOT NULL, quantity INTEGER NOT NULL, unit_price TEXT,
  PRIMARY KEY (channel, order_id, line_id)
);
CREATE INDEX IF NOT EXISTS mirror_order_lines_sku ON mirror_order_lines(channel, sku, order_id);
CREATE TABLE IF NOT EXISTS mirror_state (
  channel TEXT PRIMARY KEY, cursor_updated_at TEXT, as_of TEXT, last_refreshed_at TEXT, last_full_at TEXT,
  last_error TEXT, last_error_at TEXT, order_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS mirror_webhook_events (
  channel TEXT NOT NULL, event_id TEXT NOT NULL, topic TEXT NOT NULL, order_id TEXT, order_updated_at TEXT,
  payload TEXT, problem TEXT, received_at TEXT NOT NULL, applied_at TEXT, outcome TEXT,
  PRIMARY KEY (channel, event_id)
);
CREATE INDEX IF NOT EXISTS mirror_webhook_events_pending ON mirror_webhook_events(channel, order_updated_at) WHERE applied_at IS NULL;
CREATE INDEX IF NOT EXISTS mirror_webhook_events_received ON mirror_webhook_events(received_at);
CREATE TABLE IF NOT EXISTS mirror_backfills (
  job_id TEXT PRIMARY KEY, channel TEXT NOT NULL, bulk_id TEXT, bulk_created_at TEXT, url TEXT,
  lines_committed INTEGER NOT NULL, counters TEXT NOT NULL, updated_at TEXT NOT NULL
)`;

const POSTGRES_TYPES: Array<[RegExp, string]> = [[/\bTEXT\b/g, 'text COLLATE "C"']];

export const orderMirror: RecordMigration = {
  async up(db, engine) {
    const ddl = engine === 'postgres' ? POSTGRES_TYPES.reduce((text, [from, to]) => text.replace(from, to), DDL) : DDL;
    // One statement at a time: SQLite prepares only one per call.
    for (const statement of ddl.split(';\n')) await sql.raw(statement).execute(db);
  },
};
