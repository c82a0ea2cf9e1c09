/**
 * How SQLite answers the mirror's exact counts (issue 14, acceptance 5: a
 * filtered page with `totalCount` from the 100,000-order mirror, p99 under
 * 10 ms). The count is exact, so it reads every matching order: when the
 * filter names a status beside the financial (or fulfillment) status, only
 * an index holding both lets SQLite count from the index alone; otherwise it
 * reads each candidate's table row to test the other status (SQLite's
 * "covering index", https://www.sqlite.org/queryplanner.html §1.7 and
 * https://www.sqlite.org/eqp.html for the plan's wording).
 *
 * The plans are asked of the store's own statement (countStatement), so a
 * change to the filter's SQL is checked too. No timing: the plan is the
 * assertion.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CompiledQuery } from 'kysely';
import type { MirrorOrderFilter } from '../../src/mirror/mirrorStore.js';
import { csvRowsStatement } from '../../src/mirror/mirrorCsvRows.js';
import { ndjsonOrdersStatement } from '../../src/mirror/mirrorNdjsonLines.js';
import { countStatement, filteredOrders, listedOrders } from '../../src/mirror/mirrorRows.js';
import { recordEngines } from '../support/recordEngines.js';

const engines = recordEngines();
afterAll(() => engines.close());

async function planOf(query: CompiledQuery): Promise<string> {
  const records = await engines.fresh('sqlite');
  try {
    const { rows } = await records.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]));
    return rows.map((r) => r.detail).join(' | ');
  } finally {
    await records.close();
  }
}

describe('the mirror’s filtered counts on SQLite', () => {
  const since = '2025-12-01T00:00:00.000Z';

  it.each<[string, MirrorOrderFilter]>([
    ['financial status, status and a creation window (the bench’s filtered page)', { channel: 'SHOPIFY', financialStatus: ['PAID'], status: ['OPEN'], createdFrom: since }],
    ['fulfillment status and status', { channel: 'SHOPIFY', fulfillmentStatus: ['UNFULFILLED'], status: ['OPEN'] }],
  ])('counts %s from an index alone, never reading the table', async (_name, filter) => {
    const records = await engines.fresh('sqlite');
    const query = countStatement(records.db, filter).compile();
    await records.close();
    const plan = await planOf(query);
    expect(plan).toMatch(/USING COVERING INDEX/);
    expect(plan).not.toMatch(/\bSCAN\b/);
  });

  it('reads the filtered page in the listing order from the same index (no sort)', async () => {
    const records = await engines.fresh('sqlite');
    const query = filteredOrders(records.db, { channel: 'SHOPIFY', financialStatus: ['PAID'], status: ['OPEN'], createdFrom: since }).selectAll().orderBy('created_at').orderBy('id').limit(51).compile();
    await records.close();
    const plan = await planOf(query);
    expect(plan).toMatch(/SEARCH mirror_orders USING INDEX \w+ \(channel=\? AND financial_status=\? AND status=\? AND created_at>\?\)/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });

  it.each<[string, MirrorOrderFilter]>([
    ['the whole channel (the export, the drop-in, the first page’s next pages)', { channel: 'SHOPIFY' }],
    ['a financial status and a status', { channel: 'SHOPIFY', financialStatus: ['PAID'], status: ['OPEN'] }],
  ])('continues a listing of %s from its cursor as an index range, not from the start of the channel', async (_name, filter) => {
    // With the position's values bound as parameters, as every statement runs: SQLite cannot see that the two
    // branches of `created_at > ? OR (created_at = ? AND id > ?)` bound the same column, and scanned every
    // order before the cursor (each page of the export cost more than the one before).
    const records = await engines.fresh('sqlite');
    const query = listedOrders(records.db, filter, { createdAt: since, id: 'gid://shopify/Order/1' }).selectAll().orderBy('created_at').orderBy('id').limit(1001).compile();
    await records.close();
    const plan = await planOf(query);
    expect(plan, `the plan: ${plan}`).toMatch(/SEARCH mirror_orders USING INDEX \w+ \(channel=\?( AND \w+=\?)* AND \(?created_at/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });

  it('reads a page of the CSV export from its cursor as an index range, each order’s lines by their key (no sort of the page)', async () => {
    const records = await engines.fresh('sqlite');
    const query = csvRowsStatement(records.db, 'sqlite', { channel: 'SHOPIFY' }, { createdAt: since, id: 'gid://shopify/Order/1' }, 1001).compile();
    await records.close();
    const plan = await planOf(query);
    expect(plan, `the plan: ${plan}`).toMatch(/SEARCH mirror_orders USING INDEX mirror_orders_created \(channel=\? AND created_at/);
    expect(plan, `the plan: ${plan}`).toMatch(/SEARCH l USING INDEX sqlite_autoindex_mirror_order_lines_1 \(channel=\? AND order_id=\?\)/);
    expect(plan).not.toMatch(/\bSCAN\b/);
  });

  it('reads a page of the NDJSON export from its cursor as a range of the listing index alone, each stored record text by its key (no sort, no scan)', async () => {
    const records = await engines.fresh('sqlite');
    const orders = ndjsonOrdersStatement(records.db, { channel: 'SHOPIFY' }, { createdAt: since, id: 'gid://shopify/Order/1' }, 1001).compile();
    await records.close();
    const ordersPlan = await planOf(orders);
    // Unfiltered, the orders' own rows are not read at all: the index holds channel, created_at and id.
    expect(ordersPlan, `the plan: ${ordersPlan}`).toMatch(/SEARCH mirror_orders USING COVERING INDEX mirror_orders_created \(channel=\? AND created_at/);
    expect(ordersPlan, `the plan: ${ordersPlan}`).toMatch(/SEARCH r USING INDEX sqlite_autoindex_mirror_order_records_1 \(channel=\? AND id=\?\)/);
    expect(ordersPlan).not.toMatch(/\bSCAN\b|TEMP B-TREE/);
  });
});
