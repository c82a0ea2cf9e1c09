/**
 * Contract tests of the Shopify simulator's orders (upstreams.md,
 * "Shopify"): the order fields to mirror, the SKU rule against the sandbox
 * catalog, money as exact decimal strings, the `orders` connection (first /
 * after, last / before, reverse, sort keys, page size ≤ 250, keyset cursors,
 * the 25,000 stop), the `query` search syntax (comparators, quoted dates,
 * implied AND, OR, NOT), `node`, `nodes`, `order`, `ordersCount`, and the
 * default 100,000 deterministic orders.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allOrders, startShop, type Json, type Shop } from './shopify-support.js';

const FINANCIAL = ['AUTHORIZED', 'EXPIRED', 'PAID', 'PARTIALLY_PAID', 'PARTIALLY_REFUNDED', 'PENDING', 'REFUNDED', 'VOIDED'];
const FULFILLMENT = ['FULFILLED', 'IN_PROGRESS', 'ON_HOLD', 'OPEN', 'PARTIALLY_FULFILLED', 'PENDING_FULFILLMENT', 'REQUEST_DECLINED', 'RESTOCKED', 'SCHEDULED', 'UNFULFILLED'];
const FIELDS = 'id legacyResourceId name createdAt updatedAt processedAt closedAt cancelledAt displayFinancialStatus displayFulfillmentStatus';

/** "12.3" → 1230: exact, through the string (never a float). */
function cents(amount: string): number {
  const m = /^(-?)(\d+)\.(\d{1,2})$/.exec(amount);
  if (!m) throw new Error(`not a decimal amount: ${amount}`);
  return (m[1] ? -1 : 1) * (Number(m[2]) * 100 + Number(m[3]!.padEnd(2, '0')));
}

let shop: Shop;
/** Every order with FIELDS, in id order. */
let orders: Json[];

beforeAll(async () => {
  shop = await startShop();
  orders = await allOrders(shop, FIELDS);
});
afterAll(async () => shop?.close());

async function ids(query: string, extra = ''): Promise<string[]> {
  return (await allOrders(shop, 'id', `query: ${JSON.stringify(query)}${extra ? `, ${extra}` : ''}`)).map((o) => o.id);
}
const where = (f: (o: Json) => boolean) => orders.filter(f).map((o) => o.id);

describe('order fields', () => {
  it('are the upstreams.md fields with Shopify ids, names, UTC timestamps and status enums', () => {
    expect(orders).toHaveLength(400);
    orders.forEach((o, k) => {
      expect(o.id).toMatch(/^gid:\/\/shopify\/Order\/\d+$/);
      expect(o.id.endsWith(`/${o.legacyResourceId}`)).toBe(true);
      expect(Number(o.legacyResourceId)).toBeGreaterThan(2 ** 32);
      expect(o.name).toBe(`#${1001 + k}`);
      for (const t of [o.createdAt, o.updatedAt, o.processedAt]) expect(t).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(Date.parse(o.updatedAt)).toBeGreaterThanOrEqual(Date.parse(o.createdAt));
      expect(FINANCIAL).toContain(o.displayFinancialStatus);
      expect(FULFILLMENT).toContain(o.displayFulfillmentStatus);
    });
    // Creation order is id order.
    for (let k = 1; k < orders.length; k++) expect(Date.parse(orders[k].createdAt)).toBeGreaterThanOrEqual(Date.parse(orders[k - 1].createdAt));
  });

  it('carry money as exact decimal strings in the shop currency, totals adding up', async () => {
    const d = await shop.data(`{ shop { currencyCode } orders(first: 20) { nodes {
      currencyCode subtotalPriceSet { shopMoney { amount currencyCode } } totalShippingPriceSet { shopMoney { amount } }
      totalTaxSet { shopMoney { amount } } totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
      lineItems(first: 5) { nodes { quantity originalUnitPriceSet { shopMoney { amount currencyCode } } originalTotalSet { shopMoney { amount } } } } } } }`);
    expect(d.shop.currencyCode).toBe('USD');
    for (const o of d.orders.nodes) {
      expect(o.currencyCode).toBe('USD');
      expect(o.totalPriceSet.shopMoney.currencyCode).toBe('USD');
      expect(typeof o.totalPriceSet.shopMoney.amount).toBe('string');
      const lines = o.lineItems.nodes.reduce((s: number, l: Json) => {
        expect(cents(l.originalTotalSet.shopMoney.amount)).toBe(cents(l.originalUnitPriceSet.shopMoney.amount) * l.quantity);
        return s + cents(l.originalUnitPriceSet.shopMoney.amount) * l.quantity;
      }, 0);
      expect(cents(o.subtotalPriceSet.shopMoney.amount)).toBe(lines);
      expect(cents(o.totalPriceSet.shopMoney.amount)).toBe(lines + cents(o.totalShippingPriceSet.shopMoney.amount) + cents(o.totalTaxSet.shopMoney.amount));
    }
  });

  it('have line items whose SKUs are the sandbox catalog part numbers (the SKU rule), and the counts the admin route reports', async () => {
    const fip = shop.sandbox.finditparts;
    const partNumbers = new Set<string>();
    for (let page = 1; page <= 3; page++) {
      const res = await fetch(`${fip.apiBase}/products?page=${page}&per=100`, { headers: { 'x-api-key': shop.sandbox.options.finditparts.apiKey } });
      for (const p of ((await res.json()) as Json).products) partNumbers.add(p.part_number);
    }
    expect(partNumbers.size).toBe(300);
    const withLines = await allOrders(shop, 'id customer { email } lineItems(first: 10) { nodes { id sku vendor title quantity } }', '', 50);
    const lines = withLines.flatMap((o) => o.lineItems.nodes);
    const custom = lines.filter((l: Json) => l.sku === null);
    expect(custom.length).toBeLessThan(lines.length * 0.1);
    for (const l of lines) if (l.sku !== null) expect(partNumbers.has(l.sku), l.sku).toBe(true);
    expect(withLines.filter((o) => o.customer?.email).length).toBeGreaterThan(300);
    const counts = (await shop.admin('/__sandbox/orders')).body;
    expect(counts).toMatchObject({ count: 400, seeded: 400, lineItems: lines.length, currency: 'USD' });
  });

  it('prefix SKUs with the shop SKU prefix, and use the configured currency', async () => {
    const other = await startShop({ shopify: { orders: 20, skuPrefix: 'CD-', currency: 'EUR' } });
    try {
      const d = await other.data('{ shop { currencyCode } orders(first: 20) { nodes { totalPriceSet { shopMoney { currencyCode } } lineItems(first: 10) { nodes { sku } } } } }');
      expect(d.shop.currencyCode).toBe('EUR');
      const skus = d.orders.nodes.flatMap((o: Json) => o.lineItems.nodes.map((l: Json) => l.sku)).filter((s: string | null) => s !== null);
      expect(skus.length).toBeGreaterThan(10);
      for (const s of skus) expect(s).toMatch(/^CD-[A-Z]{2}-\d{7}$/);
      for (const o of d.orders.nodes) expect(o.totalPriceSet.shopMoney.currencyCode).toBe('EUR');
    } finally {
      await other.close();
    }
  });

  it('are the same for the same seed and differ for another', async () => {
    const q = `{ orders(first: 30) { nodes { ${FIELDS} totalPriceSet { shopMoney { amount } } lineItems(first: 5) { nodes { sku quantity } } } } }`;
    const same = await startShop();
    const other = await startShop({ seed: 8 });
    try {
      const [a, b, c] = [await shop.data(q), await same.data(q), await other.data(q)];
      expect(b).toEqual(a);
      expect(c).not.toEqual(a);
    } finally {
      await Promise.all([same.close(), other.close()]);
    }
  });
});

describe('the orders connection', () => {
  it('walks every order once with first/after, and backwards with last/before', async () => {
    expect(new Set(orders.map((o) => o.id)).size).toBe(400);
    const back: string[] = [];
    let before: string | null = null;
    for (;;) {
      await shop.refill();
      const d: Json = await shop.data('query($before: String) { orders(last: 70, before: $before) { edges { cursor node { id } } pageInfo { hasPreviousPage startCursor endCursor } } }', { before });
      back.unshift(...d.orders.edges.map((e: Json) => e.node.id));
      expect(d.orders.pageInfo.startCursor).toBe(d.orders.edges[0].cursor);
      expect(d.orders.pageInfo.endCursor).toBe(d.orders.edges.at(-1).cursor);
      if (!d.orders.pageInfo.hasPreviousPage) break;
      before = d.orders.pageInfo.startCursor;
    }
    expect(back).toEqual(orders.map((o) => o.id));
  });

  it('reports hasPreviousPage and hasNextPage, and reverses', async () => {
    const first = await shop.data('{ orders(first: 5) { nodes { id } pageInfo { hasNextPage hasPreviousPage endCursor } } }');
    expect(first.orders.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const next = await shop.data('query($a: String) { orders(first: 5, after: $a) { nodes { id } pageInfo { hasPreviousPage } } }', { a: first.orders.pageInfo.endCursor });
    expect(next.orders.pageInfo.hasPreviousPage).toBe(true);
    expect(next.orders.nodes.map((n: Json) => n.id)).toEqual(orders.slice(5, 10).map((o) => o.id));
    const reversed = await allOrders(shop, 'id', 'reverse: true');
    expect(reversed.map((o) => o.id)).toEqual(orders.map((o) => o.id).reverse());
    const empty = await shop.data('{ orders(first: 5, query: "financial_status:paid financial_status:pending") { nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }');
    expect(empty.orders).toEqual({ nodes: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } });
  });

  it('sorts by UPDATED_AT, CREATED_AT and TOTAL_PRICE, ties by id', async () => {
    const byUpdated = await allOrders(shop, 'id legacyResourceId updatedAt', 'sortKey: UPDATED_AT');
    expect(byUpdated).toHaveLength(400);
    for (let k = 1; k < byUpdated.length; k++) {
      const [a, b] = [byUpdated[k - 1], byUpdated[k]];
      const order = Date.parse(a.updatedAt) - Date.parse(b.updatedAt) || Number(a.legacyResourceId) - Number(b.legacyResourceId);
      expect(order).toBeLessThan(0);
    }
    const byCreated = await allOrders(shop, 'id', 'sortKey: CREATED_AT');
    expect(byCreated.map((o) => o.id)).toEqual(orders.map((o) => o.id));
    const byTotal = await allOrders(shop, 'id totalPriceSet { shopMoney { amount } }', 'sortKey: TOTAL_PRICE, reverse: true');
    for (let k = 1; k < byTotal.length; k++) expect(cents(byTotal[k].totalPriceSet.shopMoney.amount)).toBeLessThanOrEqual(cents(byTotal[k - 1].totalPriceSet.shopMoney.amount));
  });

  it('has cursors of the vendor shape that are keysets: an order changed while paging moves, none is skipped', async () => {
    const edge = (await shop.data('{ orders(first: 1) { edges { cursor } } }')).orders.edges[0];
    expect(JSON.parse(Buffer.from(edge.cursor, 'base64').toString('utf8'))).toEqual({ last_id: Number(orders[0].legacyResourceId), last_value: orders[0].legacyResourceId });

    const seen: string[] = [];
    let after: string | null = null;
    let page = 0;
    let touchedRead = '';
    let touchedUnread = '';
    for (;;) {
      await shop.refill();
      const d: Json = await shop.data('query($a: String) { orders(first: 100, after: $a, sortKey: UPDATED_AT) { nodes { id } pageInfo { hasNextPage endCursor } } }', { a: after });
      seen.push(...d.orders.nodes.map((n: Json) => n.id));
      if (page++ === 0) {
        // One order already read, one not yet read: both move to the end of the UPDATED_AT order.
        touchedRead = seen[10]!;
        touchedUnread = (await allOrders(shop, 'id', 'sortKey: UPDATED_AT')).map((o) => o.id)[250]!;
        const res = await shop.admin('/__sandbox/orders', { update: [touchedRead, touchedUnread], webhooks: false });
        expect(res.status).toBe(200);
      }
      if (!d.orders.pageInfo.hasNextPage) break;
      after = d.orders.pageInfo.endCursor;
    }
    expect(new Set(seen)).toEqual(new Set(orders.map((o) => o.id)));
    expect(seen.filter((id) => id === touchedRead)).toHaveLength(2);
    expect(seen.filter((id) => id === touchedUnread)).toHaveLength(1);
    expect(seen.slice(-2).sort()).toEqual([touchedRead, touchedUnread].sort());
    expect(seen).toHaveLength(401);
    // Back to the seeded orders for the tests that compare with them.
    expect((await shop.admin('/__sandbox/reset', { data: true })).status).toBe(200);
  });

  it('refuses a page over 250, no page size, both sizes, and cursors it did not issue', async () => {
    const refused = async (query: string, variables?: Record<string, unknown>) => {
      const a = await shop.gql(query, variables);
      expect(a.status).toBe(200);
      expect(a.body.data).toBeNull();
      return a.body.errors[0].message as string;
    };
    expect(await refused('{ orders(first: 251) { nodes { id } } }')).toMatch(/at most 250/);
    expect(await refused('{ orders { nodes { id } } }')).toMatch(/one of first or last/);
    expect(await refused('{ orders(first: 1, last: 1) { nodes { id } } }')).toMatch(/both first and last/);
    expect(await refused('{ orders(first: 1, after: "not a cursor!") { nodes { id } } }')).toMatch(/Invalid cursor/);
    expect(await refused('query($a: String) { orders(first: 1, after: $a) { nodes { id } } }', { a: Buffer.from('{"x":1}').toString('base64') })).toMatch(/Invalid cursor/);
    const updatedCursor = (await shop.data('{ orders(first: 1, sortKey: UPDATED_AT) { edges { cursor } } }')).orders.edges[0].cursor;
    expect(await refused('query($a: String) { orders(first: 1, after: $a, sortKey: ID) { nodes { id } } }', { a: updatedCursor })).toMatch(/Invalid cursor/);
    expect(await refused('{ orders(first: 1) { nodes { lineItems(first: 300) { nodes { id } } } } }')).toMatch(/at most 250/);
  });

  it('stops forward pagination at the pagination limit (upstreams.md: 25,000 objects), narrowing the query reads on', async () => {
    const small = await startShop({ shopify: { orders: 200, paginationLimit: 120 } });
    try {
      const walked = await allOrders(small, 'id createdAt');
      expect(walked).toHaveLength(120);
      const page = await small.data('query($a: String) { orders(first: 50, after: $a) { nodes { id } pageInfo { hasNextPage } } }', { a: null });
      expect(page.orders.pageInfo.hasNextPage).toBe(true);
      const rest = await allOrders(small, 'id', `query: "created_at:>'${walked.at(-1).createdAt}'"`);
      expect(rest).toHaveLength(80);
    } finally {
      await small.close();
    }
  });
});

describe('the query search syntax', () => {
  let median = '';
  beforeAll(() => {
    const sorted = orders.map((o) => o.updatedAt).sort();
    median = sorted[200]!;
  });
  const at = (t: string) => Date.parse(t);

  it('compares timestamps with : :< :> :<= :>= on quoted ISO instants and dates', async () => {
    expect(await ids(`updated_at:>'${median}'`)).toEqual(where((o) => at(o.updatedAt) > at(median)));
    expect(await ids(`updated_at:>='${median}'`)).toEqual(where((o) => at(o.updatedAt) >= at(median)));
    expect(await ids(`updated_at:<'${median}'`)).toEqual(where((o) => at(o.updatedAt) < at(median)));
    expect(await ids(`updated_at:<="${median}"`)).toEqual(where((o) => at(o.updatedAt) <= at(median)));
    expect(await ids(`updated_at:'${median}'`)).toEqual(where((o) => o.updatedAt === median));
    const day = orders[100].createdAt.slice(0, 10);
    const dayStart = Date.parse(`${day}T00:00:00Z`);
    expect(await ids(`created_at:'${day}'`)).toEqual(where((o) => at(o.createdAt) >= dayStart && at(o.createdAt) < dayStart + 86_400_000));
    expect(await ids(`created_at:>=${day}`)).toEqual(where((o) => at(o.createdAt) >= dayStart));
    expect(await ids(`processed_at:<'${day}T00:00:00Z'`)).toEqual(where((o) => at(o.processedAt) < dayStart));
    expect((await ids(`updated_at:>'${median}'`)).length).toBeGreaterThan(150);
  });

  it('filters status, financial_status and fulfillment_status, case-insensitively, with the vendor aliases', async () => {
    expect(await ids('financial_status:paid')).toEqual(where((o) => o.displayFinancialStatus === 'PAID'));
    expect(await ids('financial_status:PARTIALLY_REFUNDED')).toEqual(where((o) => o.displayFinancialStatus === 'PARTIALLY_REFUNDED'));
    expect(await ids('fulfillment_status:unfulfilled')).toEqual(where((o) => o.displayFulfillmentStatus === 'UNFULFILLED'));
    expect(await ids('fulfillment_status:shipped')).toEqual(where((o) => o.displayFulfillmentStatus === 'FULFILLED'));
    expect(await ids('status:open')).toEqual(where((o) => o.closedAt === null && o.cancelledAt === null));
    expect(await ids('status:closed')).toEqual(where((o) => o.closedAt !== null));
    expect(await ids('status:cancelled')).toEqual(where((o) => o.cancelledAt !== null));
    for (const list of [await ids('status:closed'), await ids('status:cancelled'), await ids('financial_status:refunded')]) expect(list.length).toBeGreaterThan(0);
  });

  it('joins terms with implied AND, AND, OR (AND binding tighter), parentheses, NOT and -', async () => {
    const paid = (o: Json) => o.displayFinancialStatus === 'PAID';
    const fulfilled = (o: Json) => o.displayFulfillmentStatus === 'FULFILLED';
    const pending = (o: Json) => o.displayFinancialStatus === 'PENDING';
    expect(await ids('financial_status:paid fulfillment_status:fulfilled')).toEqual(where((o) => paid(o) && fulfilled(o)));
    expect(await ids('financial_status:paid AND fulfillment_status:fulfilled')).toEqual(where((o) => paid(o) && fulfilled(o)));
    expect(await ids('financial_status:refunded OR financial_status:voided')).toEqual(where((o) => ['REFUNDED', 'VOIDED'].includes(o.displayFinancialStatus)));
    expect(await ids('financial_status:paid fulfillment_status:fulfilled OR financial_status:pending')).toEqual(where((o) => (paid(o) && fulfilled(o)) || pending(o)));
    expect(await ids('financial_status:paid (fulfillment_status:fulfilled OR fulfillment_status:unfulfilled)')).toEqual(
      where((o) => paid(o) && (fulfilled(o) || o.displayFulfillmentStatus === 'UNFULFILLED')),
    );
    expect(await ids('-financial_status:paid')).toEqual(where((o) => !paid(o)));
    expect(await ids(`NOT financial_status:paid updated_at:>'${median}'`)).toEqual(where((o) => !paid(o) && at(o.updatedAt) > at(median)));
    expect(await ids(`id:>${orders[389].legacyResourceId}`)).toEqual(orders.slice(390).map((o) => o.id));
    expect(await ids('1005')).toEqual([orders[4].id]);
    expect(await ids('#1006')).toEqual([orders[5].id]);
  });

  it('ignores an unknown field with a warning, matches nothing for a value it cannot read, and refuses what does not parse', async () => {
    const a = await shop.gql('{ orders(first: 250, query: "foo:bar financial_status:paid") { nodes { id } } }');
    expect(a.body.data.orders.nodes.map((n: Json) => n.id)).toEqual(where((o) => o.displayFinancialStatus === 'PAID').slice(0, 250));
    expect(a.body.extensions.search).toEqual([{ path: ['orders'], query: 'foo:bar financial_status:paid', warnings: [{ field: 'foo', message: 'Invalid search field for this query.' }] }]);
    const b = await shop.gql("{ orders(first: 5, query: \"financial_status:bogus\") { nodes { id } } o2: orders(first: 5, query: \"updated_at:>'yesterday'\") { nodes { id } } }");
    expect(b.body.data.orders.nodes).toEqual([]);
    expect(b.body.data.o2.nodes).toEqual([]);
    expect(b.body.extensions.search.map((s: Json) => s.warnings[0].field)).toEqual(['financial_status', 'updated_at']);
    const c = await shop.gql('{ orders(first: 5, query: "(financial_status:paid") { nodes { id } } }');
    expect(c.body.data).toBeNull();
    expect(c.body.errors[0].message).toMatch(/Invalid search query/);
    const none = await shop.gql('{ orders(first: 5, query: "financial_status:paid") { nodes { id } } }');
    expect(none.body.extensions.search).toBeUndefined();
  });

  it('counts with ordersCount: exact, or the limit with AT_LEAST', async () => {
    const d = await shop.data('{ all: ordersCount(limit: null) { count precision } paid: ordersCount(query: "financial_status:paid") { count precision } few: ordersCount(limit: 10) { count precision } }');
    expect(d.all).toEqual({ count: 400, precision: 'EXACT' });
    expect(d.paid).toEqual({ count: where((o) => o.displayFinancialStatus === 'PAID').length, precision: 'EXACT' });
    expect(d.few).toEqual({ count: 10, precision: 'AT_LEAST' });
  });
});

describe('node, nodes, order, customer', () => {
  it('find orders, line items, customers, products, variants and the shop by global id', async () => {
    const o = (await shop.data('{ orders(first: 1, query: "1003") { nodes { id name customer { id email } lineItems(first: 1) { nodes { id sku product { id title } variant { id sku } } } } } }')).orders.nodes[0];
    const line = o.lineItems.nodes[0];
    const d = await shop.data(
      `query($o: ID!, $l: ID!, $c: ID!, $p: ID!, $v: ID!) {
        order(id: $o) { name }
        n1: node(id: $o) { __typename id ... on Order { name } }
        n2: node(id: $l) { __typename ... on LineItem { sku } }
        n3: node(id: $c) { __typename ... on Customer { email } }
        n4: node(id: $p) { __typename ... on Product { title } }
        n5: node(id: $v) { __typename ... on ProductVariant { sku } }
        n6: node(id: "gid://shopify/Shop/1") { __typename }
        customer(id: $c) { email }
        nodes(ids: [$l, "gid://shopify/Order/1", $o]) { id }
      }`,
      { o: o.id, l: line.id, c: o.customer?.id ?? 'gid://shopify/Customer/1', p: line.product?.id ?? 'gid://shopify/Product/1', v: line.variant?.id ?? 'gid://shopify/ProductVariant/1' },
    );
    expect(d.order.name).toBe('#1003');
    expect(d.n1).toEqual({ __typename: 'Order', id: o.id, name: '#1003' });
    expect(d.n2).toEqual({ __typename: 'LineItem', sku: line.sku });
    if (o.customer) expect(d.n3).toEqual({ __typename: 'Customer', email: o.customer.email });
    if (o.customer) expect(d.customer.email).toBe(o.customer.email);
    if (line.product) expect(d.n4).toEqual({ __typename: 'Product', title: line.product.title });
    if (line.variant) expect(d.n5).toEqual({ __typename: 'ProductVariant', sku: line.sku });
    expect(d.n6).toEqual({ __typename: 'Shop' });
    expect(d.nodes).toEqual([{ id: line.id }, null, { id: o.id }]);
  });

  it('answers null for an unknown id and an error for one that is not a global id', async () => {
    expect((await shop.data('{ order(id: "gid://shopify/Order/42") { id } node(id: "gid://shopify/Widget/1") { id } }'))).toEqual({ order: null, node: null });
    const bad = await shop.gql('{ order(id: "42") { id } }');
    expect(bad.body.data).toEqual({ order: null });
    expect(bad.body.errors[0]).toMatchObject({ message: "Invalid global id '42'", path: ['order'] });
  });
});

describe('the default shop', () => {
  let big: Shop;
  beforeAll(async () => {
    big = await startShop({ shopify: { orders: undefined } });
  });
  afterAll(async () => big?.close());

  it('holds 100,000 deterministic orders, generated lazily, pageable up to 25,000', async () => {
    const counts = (await big.admin('/__sandbox/orders')).body;
    expect(counts).toMatchObject({ count: 100_000, seeded: 100_000 });
    expect(counts.lineItems).toBeGreaterThan(150_000);
    const last = await big.data('{ orders(last: 1) { nodes { name } } }');
    expect(last.orders.nodes[0].name).toBe('#101000');
    let walked = 0;
    let after: string | null = null;
    for (let page = 0; page < 200; page++) {
      await big.refill();
      const d: Json = await big.data('query($a: String) { orders(first: 250, after: $a) { nodes { id } pageInfo { hasNextPage endCursor } } }', { a: after });
      walked += d.orders.nodes.length;
      if (!d.orders.pageInfo.hasNextPage) break;
      after = d.orders.pageInfo.endCursor;
    }
    expect(walked).toBe(25_000);
  });

  it('spreads seeded updates over time: no second of the span holds a pile of them', async () => {
    const newest = (await big.data('{ orders(first: 1, sortKey: UPDATED_AT, reverse: true) { nodes { updatedAt } } }')).orders.nodes[0].updatedAt;
    const d = await big.data(`{ ordersCount(query: "updated_at:'${newest}'", limit: null) { count } }`);
    expect(d.ordersCount.count).toBeLessThanOrEqual(3);
  });
});
