/**
 * Migration 9: indexes for the orders mirror's exact counts when a filter
 * names the order's status beside its financial or fulfillment status (the
 * graph's `orders(filter: { channel: SHOPIFY, status, financialStatus, … })`
 * with `totalCount`; issue 14, acceptance 5).
 *
 * Migration 4's indexes hold one status each, so such a count read the
 * table row of every candidate to test the other status: 15–23 ms for PAID +
 * OPEN + the last six months of the 100,000-order mirror. Holding both
 * statuses, then the listing order (created_at, id), the count is read from
 * the index alone (SQLite's covering index,
 * https://www.sqlite.org/queryplanner.html §1.7; PostgreSQL's index-only
 * scan) and the page is an index range already in its order: under 1 ms.
 *
 * Frozen once released: a later change is a new migration, never an edit here.
 */
import { sql } from 'kysely';
import type { RecordMigration } from './recordMigration.js';

export const mirrorStatusPairs: RecordMigration = {
  async up(db) {
    // The same statements on both engines: the columns are migration 4's (text in the "C" collation on PostgreSQL).
    await sql`CREATE INDEX IF NOT EXISTS mirror_orders_financial_status ON mirror_orders(channel, financial_status, status, created_at, id)`.execute(db);
    await sql`CREATE INDEX IF NOT EXISTS mirror_orders_fulfillment_status ON mirror_orders(channel, fulfillment_status, status, created_at, id)`.execute(db);
  },
};
