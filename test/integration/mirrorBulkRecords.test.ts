/**
 * The bulk routes' records (the NDJSON export, the drop-in's /fetch-data)
 * read as stored on both engines (src/mirror/mirrorNdjsonLines.ts): each
 * NDJSON line, the record's text as stored with the order (or written from
 * its columns for an order stored before the text was: migration 10), must
 * be byte for byte JSON.stringify of the record the listing gives (the old
 * path: list, lines, mirrorRecord), for awkward text too — quotes,
 * backslashes, control characters, U+2028, astral characters — with the
 * lines in their position order whatever their ids (lines a later batch of
 * a bulk file added included), and the keyset pages
 * meeting exactly (no order twice, none missed). The CSV export's rows,
 * read as value arrays with the shipping columns and the line summary
 * computed by the engine (mirrorCsvRows.ts), must be the columns of the same
 * record (the export's rule before: parse the shipping address, summarise
 * the lines as `SKU×quantity` in position order) and stringify to the same
 * bytes.
 */
import { stringify } from 'csv-stringify/sync';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChannelAddress, ChannelOrder } from '../../src/domain/channelOrders.js';
import { mirrorCsvPages, MIRROR_CSV_COLUMNS } from '../../src/mirror/mirrorCsvRows.js';
import { mirrorNdjsonPages } from '../../src/mirror/mirrorNdjsonLines.js';
import { mirrorRecord, mirrorRecordLines, type MirrorRecord } from '../../src/mirror/mirrorRecords.js';
import { orderRow } from '../../src/mirror/mirrorRows.js';
import type { MirrorOrderFilter } from '../../src/mirror/mirrorStore.js';
import { createSqlMirrorStore } from '../../src/mirror/sqlMirrorStore.js';
import { migrateRecords } from '../../src/records/migrate.js';
import { engineAvailable, RECORD_ENGINES, recordEngines } from '../support/recordEngines.js';

const engines = recordEngines();
afterAll(() => engines.close());

const T0 = Date.UTC(2030, 0, 1);
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const AWKWARD = 'Zoë "Q" \\ back\nslash\t\u0001 \u2028 sep 🚚 </script>';

function address(n: number): ChannelAddress {
  return {
    firstName: n % 2 ? AWKWARD : 'Ann',
    lastName: 'Lee',
    company: null,
    address1: `${n} Main St`,
    address2: null,
    city: 'Tulsa',
    province: 'Oklahoma',
    provinceCode: 'OK',
    zip: '74103',
    country: 'United States',
    countryCode: 'US',
    phone: null,
  };
}

function order(n: number): ChannelOrder {
  return {
    channel: 'SHOPIFY',
    id: `gid://shopify/Order/${7_100_000_000_000 + n}`,
    number: String(1000 + n),
    name: n % 3 ? `#${1000 + n}` : AWKWARD,
    // Pairs share a creation time: the keyset goes on by id between them.
    createdAt: at(Math.floor(n / 2)),
    updatedAt: at(n + 5),
    closedAt: n % 4 === 0 ? at(n + 6) : null,
    cancelledAt: null,
    status: n % 4 === 0 ? 'CLOSED' : 'OPEN',
    financialStatus: n % 2 ? 'PAID' : null,
    fulfillmentStatus: 'UNFULFILLED',
    currency: 'USD',
    subtotal: n % 5 ? '10.10' : null,
    total: '12.34',
    customer: n % 3 ? { id: `gid://shopify/Customer/${n}`, email: `b${n}@example.com`, firstName: n % 2 ? AWKWARD : null, lastName: 'B' } : null,
    shippingAddress: n % 2 ? address(n) : null,
    billingAddress: address(n + 1),
    // Line ids out of position order (9 before 1), a null SKU and price.
    lines:
      n % 7 === 0
        ? []
        : [
            { lineId: `gid://shopify/LineItem/${n}9`, sku: `SKU-${n}`, name: AWKWARD, quantity: 2, unitPrice: '5.05' },
            { lineId: `gid://shopify/LineItem/${n}1`, sku: null, name: 'Custom', quantity: 1, unitPrice: null },
            { lineId: `gid://shopify/LineItem/${n}5`, sku: 'B', name: 'Bolt', quantity: 30, unitPrice: '0.10' },
          ],
  };
}

/** The export's CSV row of a record as the route built it before (columns of MIRROR_CSV_COLUMNS, in order). */
function csvRowOf(r: MirrorRecord): Array<string | number | null> {
  const ship = r.shipping_address;
  const items = r.line_items.map((l) => `${l.sku ?? l.name}×${l.quantity}`).join('; ');
  return [r.id, r.order_number, r.name, r.created_at, r.updated_at, r.closed_at, r.cancelled_at, r.status, r.financial_status, r.fulfillment_status, r.currency, r.subtotal, r.total, r.customer_id, r.customer_email, r.customer_name, ship?.countryCode ?? null, ship?.city ?? null, ship?.zip ?? null, r.item_count, items];
}

/** Customers whose names join differently (an empty first name, none at all), a shipping address without a zip, a line twice. */
function oddOrders(): ChannelOrder[] {
  const base = order(40);
  return [
    { ...base, id: 'gid://shopify/Order/7100000000901', customer: { id: 'gid://shopify/Customer/1', email: null, firstName: '', lastName: 'Solo' } },
    { ...base, id: 'gid://shopify/Order/7100000000902', customer: { id: 'gid://shopify/Customer/2', email: 'x@example.com', firstName: null, lastName: null } },
    { ...base, id: 'gid://shopify/Order/7100000000903', customer: { id: null, email: null, firstName: 'Only', lastName: '' }, shippingAddress: { ...address(1), zip: null, city: 'São Paulo, "SP"' } },
    // A line id given twice (a malformed answer): the mirror keeps its first position; an upper-case e-mail is kept lower-cased.
    { ...base, id: 'gid://shopify/Order/7100000000904', customer: { id: null, email: 'Mixed@Example.COM', firstName: 'M', lastName: 'C' }, lines: [...base.lines, { ...(base.lines[0] as ChannelOrder['lines'][number]), name: 'again', quantity: 7 }] },
  ];
}

describe.each(RECORD_ENGINES.filter(engineAvailable))('bulk mirror records on %s', (engine) => {
  /** A fresh store holding 23 plain orders and the 4 odd ones, and its listing with the lines, as the export's reference. */
  async function seeded() {
    const records = await engines.fresh(engine);
    const store = createSqlMirrorStore(records);
    await store.applyBatch('SHOPIFY', { orders: [...Array.from({ length: 23 }, (_, i) => order(i + 1)), ...oddOrders()] });
    const filter: MirrorOrderFilter = { channel: 'SHOPIFY' };
    const { orders } = await store.list(filter, null, 1000);
    const lines = await store.lines('SHOPIFY', orders.map((o) => o.id));
    return { records, store, filter, orders, lines };
  }

  it("gives the CSV export's rows as its record's columns, lines summarised in position order, pages meeting exactly", async () => {
    const { records, store, filter, orders, lines } = await seeded();
    const expected = orders.map((o) => csvRowOf(mirrorRecord(o, lines.get(o.id) ?? [])));
    expect(expected).toHaveLength(27);
    expect(expected[0]?.[20]).toBe(`SKU-1×2; Custom×1; B×30`);

    // Pages of 4 (27 orders: six full pages and one of 3).
    const got: unknown[][] = [];
    for await (const page of mirrorCsvPages(store, filter, 4)) got.push(...page);
    const options = { cast: { number: (n: number) => String(n) } };
    expect(stringify([[...MIRROR_CSV_COLUMNS], ...got], options)).toBe(stringify([[...MIRROR_CSV_COLUMNS], ...expected], options));
    // A narrowed filter pages the same orders as the listing.
    const paid: MirrorOrderFilter = { channel: 'SHOPIFY', financialStatus: ['PAID'], status: ['OPEN'] };
    const ids: unknown[] = [];
    for await (const page of mirrorCsvPages(store, paid, 2)) ids.push(...page.map((r) => r[0]));
    expect(ids).toEqual((await store.list(paid, null, 100)).orders.map((o) => o.id));
    await records.close();
  });

  it('hands out the same text for an order whose lines a bulk file completed later, and for one written before the text was stored', async () => {
    const records = await engines.fresh(engine);
    const store = createSqlMirrorStore(records);
    const given = Array.from({ length: 23 }, (_, i) => order(i + 1));
    // Order 1 arrives with its first line only; the bulk file's next batch brings the other two (JSONL children after a batch boundary).
    const [one, ...rest] = given as [ChannelOrder, ...ChannelOrder[]];
    await store.applyBatch('SHOPIFY', { orders: [{ ...one, lines: one.lines.slice(0, 1) }, ...rest] });
    await store.applyBatch('SHOPIFY', { orders: [], lateLines: [{ orderId: one.id, lines: one.lines.slice(1) }] });
    // Orders 2–8 as a build before migration 10 left them: no stored text.
    const before = given.slice(1, 8).map((o) => o.id);
    await records.db.deleteFrom('mirror_order_records').where('id', 'in', before).execute();
    expect(await records.db.selectFrom('mirror_order_records').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).toEqual({ n: 16 });

    // The old path, read with a page of 1000: the listing, its lines, the record object.
    const filter: MirrorOrderFilter = { channel: 'SHOPIFY' };
    const { orders } = await store.list(filter, null, 1000);
    const lines = await store.lines('SHOPIFY', orders.map((o) => o.id));
    const expected = orders.map((o) => JSON.stringify(mirrorRecord(o, lines.get(o.id) ?? [])));
    expect(expected).toHaveLength(23);
    const first = JSON.parse(expected[0] as string) as { item_count: number; line_items: Array<{ id: string }> };
    expect(first.line_items.map((l) => l.id)).toEqual(['gid://shopify/LineItem/19', 'gid://shopify/LineItem/11', 'gid://shopify/LineItem/15']);
    expect(first.item_count).toBe(33);
    // Pages of 4 (23 orders: five full pages and one of 3), and of 1000.
    for (const size of [4, 1000]) {
      const got: string[] = [];
      for await (const page of mirrorNdjsonPages(store, filter, size)) got.push(...page);
      expect(got).toEqual(expected);
    }
    // Any later write of such an order stores its text.
    await store.applyBatch('SHOPIFY', { orders: [{ ...(given[1] as ChannelOrder), updatedAt: at(500), total: '99.00' }] });
    const rewritten = await records.db.selectFrom('mirror_order_records').select('record_json').where('id', '=', (given[1] as ChannelOrder).id).executeTakeFirstOrThrow();
    expect(JSON.parse(rewritten.record_json)).toMatchObject({ id: (given[1] as ChannelOrder).id, total: '99.00' });
    await records.close();
  });

  it('reads orders mirrored at migration 9 (no stored text) the same after migration 10, and stores the text on their next write', async () => {
    const records = await engines.fresh(engine, { migrate: false });
    await migrateRecords(records, { to: '0009_mirror_status_pairs' });
    // What the store of migration 9 wrote: the orders' rows and their lines' rows.
    const given = [...Array.from({ length: 9 }, (_, i) => order(i + 1)), ...oddOrders()];
    await records.db.insertInto('mirror_orders').values(given.map((o) => orderRow('SHOPIFY', o, at(0)))).execute();
    const lineRows = given.flatMap((o) => mirrorRecordLines(o.lines).map((l, i) => ({ channel: 'SHOPIFY', order_id: o.id, line_id: l.id, position: i + 1, sku: l.sku, name: l.name, quantity: l.quantity, unit_price: l.unit_price })));
    await records.db.insertInto('mirror_order_lines').values(lineRows).execute();
    expect((await migrateRecords(records)).applied).toEqual(['0010_mirror_record_json']);

    const store = createSqlMirrorStore(records);
    const filter: MirrorOrderFilter = { channel: 'SHOPIFY' };
    const { orders } = await store.list(filter, null, 1000);
    const lines = await store.lines('SHOPIFY', orders.map((o) => o.id));
    const expected = orders.map((o) => JSON.stringify(mirrorRecord(o, lines.get(o.id) ?? [])));
    expect(expected).toHaveLength(13);
    const got: string[] = [];
    for await (const page of mirrorNdjsonPages(store, filter, 4)) got.push(...page);
    expect(got).toEqual(expected);

    const next = { ...(given[0] as ChannelOrder), updatedAt: at(900), financialStatus: 'REFUNDED' };
    expect((await store.applyBatch('SHOPIFY', { orders: [next] })).updated).toBe(1);
    const stored = await records.db.selectFrom('mirror_order_records').select(['id', 'record_json']).execute();
    expect(stored.map((r) => r.id)).toEqual([next.id]);
    expect(JSON.parse((stored[0] as { record_json: string }).record_json)).toMatchObject({ id: next.id, financial_status: 'REFUNDED' });
    await records.close();
  });

  it("writes the NDJSON export's lines from the rows as JSON.stringify of each record, byte for byte, pages meeting exactly", async () => {
    // The drop-in's semantics: the listing, its lines, JSON.stringify of the record object.
    const { records, store, filter, orders, lines } = await seeded();
    const expected = orders.map((o) => JSON.stringify(mirrorRecord(o, lines.get(o.id) ?? [])));
    expect(expected).toHaveLength(27);
    expect(expected.some((l) => l.includes('\\u0001') && l.includes('\u2028') && l.includes('"shipping_address":{'))).toBe(true);

    // Pages of 4 (27 orders: six full pages and one of 3), and of 1000 (one page).
    for (const size of [4, 1000]) {
      const got: string[] = [];
      for await (const page of mirrorNdjsonPages(store, filter, size)) got.push(...page);
      expect(got.join('\n')).toBe(expected.join('\n'));
    }
    // A narrowed filter pages the same orders as the listing.
    const paid: MirrorOrderFilter = { channel: 'SHOPIFY', financialStatus: ['PAID'], status: ['OPEN'] };
    const ids: string[] = [];
    for await (const page of mirrorNdjsonPages(store, paid, 2)) ids.push(...page.map((l) => (JSON.parse(l) as { id: string }).id));
    expect(ids).toEqual((await store.list(paid, null, 100)).orders.map((o) => o.id));
    await records.close();
  });

  it('narrows the records to a filter as the listing does', async () => {
    const records = await engines.fresh(engine);
    const store = createSqlMirrorStore(records);
    await store.applyBatch('SHOPIFY', { orders: Array.from({ length: 12 }, (_, i) => order(i + 1)) });
    const filter: MirrorOrderFilter = { channel: 'SHOPIFY', financialStatus: ['PAID'], status: ['OPEN'] };
    const { orders } = await store.list(filter, null, 100);
    const ids: string[] = [];
    for await (const page of mirrorNdjsonPages(store, filter, 2)) ids.push(...page.map((l) => (JSON.parse(l) as { id: string }).id));
    expect(ids).toEqual(orders.map((o) => o.id));
    expect(ids.length).toBe(await store.count(filter));
    expect(ids.length).toBeGreaterThan(0);
    await records.close();
  });
});
