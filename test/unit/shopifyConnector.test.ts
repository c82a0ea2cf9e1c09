/**
 * The Shopify connector's own parts, against a scripted loopback origin (no
 * twin): the Admin API client paced on cost and retrying THROTTLED, the page
 * size chosen under the single-query cap from what Shopify reports, the
 * webhook's HMAC, the bulk file read line by line with `__parentId` children
 * joined, and the three order shapes mapped alike.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createPacer, type Pacer } from '../../src/limits/pacer.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { createLogger } from '../../src/observability/logger.js';
import { createBreaker } from '../../src/upstreams/breaker.js';
import { createUpstreamClient, type UpstreamClient } from '../../src/upstreams/http.js';
import { downloadLines } from '../../src/upstreams/lineDownload.js';
import { UpstreamError } from '../../src/upstreams/upstreamError.js';
import { createAdminApi, shopifyVendor } from '../../src/connectors/shopify/adminApi.js';
import { bulkOrderItems } from '../../src/connectors/shopify/bulkExport.js';
import { mapOrderNode, mapRestOrder } from '../../src/connectors/shopify/map.js';
import { createShopifyOrderSource, updatedSinceQuery } from '../../src/connectors/shopify/orderSource.js';
import { ESTIMATED_COST_PER_ORDER, pageSizeFor } from '../../src/connectors/shopify/queries.js';
import { createWebhookIntake, verifyShopifyHmac, WEBHOOK_PATH } from '../../src/connectors/shopify/webhooks.js';
import type { BulkExportItem, OrderEvent } from '../../src/domain/orderSourcePorts.js';
import { startScriptedOrigin, type ScriptedOrigin } from '../support/scriptedOrigin.js';

const logger = createLogger({ level: 'silent' });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const cost = (requested: number, available: number, actual: number | null = requested) => ({
  cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: available, restoreRate: 100 } },
});

async function client(): Promise<{ origin: ScriptedOrigin; http: UpstreamClient; pacer: Pacer }> {
  const origin = await startScriptedOrigin();
  const pacer = createPacer({ name: 'shopify', budgets: [], costBucket: { maximum: 2000, restoreRate: 100 }, interactiveReserve: 0 });
  const http = createUpstreamClient({
    name: 'shopify',
    baseUrl: origin.url,
    vendor: shopifyVendor('shpat_test_token'),
    pacer,
    breaker: createBreaker({ failureThreshold: 5, cooldownMs: 60_000 }),
    metrics: createMetrics(),
    timeouts: { connectMs: 1000, headersMs: 2000, bodyMs: 2000 },
    deadlines: { interactive: 5_000, bulk: 5_000 },
    retryDelayScale: 0.001,
  });
  cleanups.push(async () => {
    await http.close();
    await origin.close();
  });
  return { origin, http, pacer };
}

describe('Admin API client', () => {
  it('retries a THROTTLED answer as the rate-limited row and corrects the bucket from throttleStatus', async () => {
    const { origin, http, pacer } = await client();
    origin.script(
      // No data, THROTTLED, the bucket nearly empty: 10 points needed, 5 there, 100/s → 50 ms to wait.
      { status: 200, body: JSON.stringify({ errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }], extensions: cost(10, 5, null) }) },
      { status: 200, body: JSON.stringify({ data: { shop: { currencyCode: 'CAD' } }, extensions: cost(10, 1500, 2) }) },
    );
    const api = createAdminApi(http);
    const answer = await api.query<{ shop: { currencyCode: string } }>({ name: 'shop', document: '{ shop { currencyCode } }', estimatedCost: 10, lane: 'bulk' });
    expect(answer.data.shop.currencyCode).toBe('CAD');
    expect(origin.requests()).toBe(2);
    expect(answer.cost).toEqual({ requested: 10, actual: 2 });
    // Corrected to the reported 1500 (the estimate alone would be near 1990); it restores at 100/s from there, so
    // a loaded machine reads a little more than 1500 (an exact 1500 failed once under load).
    const bucket = pacer.snapshot().bucket;
    expect(bucket).toMatchObject({ maximum: 2000, restoreRate: 100, inFlight: 0 });
    expect(bucket?.available).toBeGreaterThanOrEqual(1500);
    expect(bucket?.available).toBeLessThan(1900);
    // The next time the query is paced on the cost Shopify reported for it.
    expect(api.reportedCost('shop')).toBe(10);
  });

  it('gives up after three THROTTLED answers with a typed rate-limited error', async () => {
    const { origin, http } = await client();
    const throttled = { status: 200, body: JSON.stringify({ errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }], extensions: cost(10, 9, null) }) };
    origin.script(throttled, throttled, throttled, throttled);
    const err = await createAdminApi(http)
      .query({ name: 'q', document: '{ shop { id } }', estimatedCost: 10, lane: 'bulk' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).kind).toBe('rateLimited');
    expect(origin.requests()).toBe(4);
  });

  it('a GraphQL error other than THROTTLED is the vendor refusing the query, not retried', async () => {
    const { origin, http } = await client();
    origin.script({ status: 200, body: JSON.stringify({ errors: [{ message: "Field 'nope' doesn't exist on type 'Shop'" }], extensions: cost(1, 1999) }) });
    const err = await createAdminApi(http)
      .query({ name: 'q', document: '{ shop { nope } }', estimatedCost: 1, lane: 'bulk' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'rejected' });
    expect((err as Error).message).toContain("doesn't exist");
    expect(origin.requests()).toBe(1);
  });
});

describe('incremental pages', () => {
  it('sizes a page under the single-query cap, and the next from the cost Shopify reported for it', async () => {
    expect(pageSizeFor(28, 1000)).toBe(32);
    // One order of a page as Shopify counts it: 8 objects (a money set and its shopMoney are two), the line
    // connection's 2, and 10 lines of 3 objects each (seen failing at 28: the twin refused the first page, 1282 > 1000).
    expect(ESTIMATED_COST_PER_ORDER).toBe(40);
    expect(pageSizeFor(3, 1000)).toBe(250);
    const { origin, http } = await client();
    const sent: number[] = [];
    const page = (n: number, requested: number) => ({
      status: 200,
      body: JSON.stringify({
        data: { orders: { nodes: Array.from({ length: n }, (_, i) => wireOrder(i + 1)), pageInfo: { hasNextPage: true, endCursor: `c${n}` } } },
        extensions: cost(requested, 1900),
      }),
    });
    // Shopify says the first page (22 orders) cost 320 requested: about 14.5 an order, so the next is 61.
    origin.script(page(2, 320), page(2, 890));
    const source = createShopifyOrderSource({
      name: 'shopify',
      api: {
        ...createAdminApi(http),
        async query(q) {
          sent.push((q.variables as { first: number }).first);
          return createAdminApi(http).query(q);
        },
      },
      maxQueryCost: 1000,
      webhooks: { enabled: false, intake: createWebhookIntake({ secret: 's', shopCurrency: () => null, logger }), callbackBase: () => '' },
      shopCurrency: async () => 'USD',
      logger,
      metrics: createMetrics(),
    });
    const first = await source.updatedSince('2025-01-01T00:00:00.000Z', null);
    expect(first.orders.map((o) => o.number)).toEqual(['1', '2']);
    await source.updatedSince('2025-01-01T00:00:00.000Z', first.endCursor);
    expect(sent).toEqual([pageSizeFor(ESTIMATED_COST_PER_ORDER, 1000), 61]);
  });

  it('writes the search syntax with the time quoted, and refuses anything that is not one', () => {
    expect(updatedSinceQuery('2025-03-04T05:06:07.890Z')).toBe("updated_at:>='2025-03-04T05:06:07Z'");
    expect(() => updatedSinceQuery("2025' OR status:any")).toThrow();
  });
});

describe('webhook HMAC', () => {
  const secret = 'sandbox-shopify-secret';
  const body = Buffer.from(JSON.stringify(restOrder(7, '2025-05-01T10:00:00-04:00')));
  const sign = (b: Buffer, s = secret) => createHmac('sha256', s).update(b).digest('base64');
  const headers = (h: Record<string, string>) => ({ 'x-shopify-topic': 'orders/updated', 'x-shopify-event-id': 'evt-1', ...h });

  it('accepts the base64 HMAC-SHA256 of the exact bytes, and nothing else', () => {
    expect(verifyShopifyHmac(body, sign(body), secret)).toBe(true);
    expect(verifyShopifyHmac(body, sign(body, 'other'), secret)).toBe(false);
    expect(verifyShopifyHmac(Buffer.concat([body, Buffer.from(' ')]), sign(body), secret)).toBe(false);
    expect(verifyShopifyHmac(body, undefined, secret)).toBe(false);
    expect(verifyShopifyHmac(body, 'short', secret)).toBe(false);
  });

  it('is 401 without or with a wrong signature and hands nothing on; a good one reaches the sink mapped', async () => {
    const events: OrderEvent[] = [];
    const intake = createWebhookIntake({ secret, shopCurrency: () => 'USD', logger });
    expect(intake.route.path).toBe(WEBHOOK_PATH);
    const call = (h: Record<string, string>, raw = body) => intake.route.handle({ query: {}, headers: headers(h), ip: '127.0.0.1', rawBody: raw });
    expect((await call({ 'x-shopify-hmac-sha256': sign(body) })).status).toBe(503);
    intake.deliverTo(async (e) => void events.push(e));
    expect((await call({})).status).toBe(401);
    expect((await call({ 'x-shopify-hmac-sha256': sign(body, 'wrong-secret') })).status).toBe(401);
    expect(events).toHaveLength(0);
    const ok = await call({ 'x-shopify-hmac-sha256': sign(body) });
    expect(ok.status).toBe(200);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ eventId: 'evt-1', topic: 'orders/updated', problem: null, order: { id: 'gid://shopify/Order/7', updatedAt: '2025-05-01T14:00:00.000Z', currency: 'USD' } });
    // A signed body that is no order is kept as a problem, and acknowledged (Shopify would send it again and again).
    const junk = Buffer.from('{"hello":1}');
    expect((await call({ 'x-shopify-hmac-sha256': sign(junk), 'x-shopify-event-id': 'evt-2' }, junk)).status).toBe(200);
    expect(events[1]).toMatchObject({ eventId: 'evt-2', order: null, problem: expect.stringContaining('id') });
  });
});

describe('bulk file', () => {
  async function* lines(texts: string[]) {
    let n = 0;
    for (const text of texts) yield { n: ++n, text };
  }
  const items = async (texts: string[]) => {
    const out: BulkExportItem[] = [];
    for await (const i of bulkOrderItems(lines(texts), 'USD')) out.push(i);
    return out;
  };
  const order = (n: number) => JSON.stringify(wireOrder(n));
  const child = (n: number, k: number) => JSON.stringify({ ...wireLine(n, k), __parentId: `gid://shopify/Order/${n}` });

  it('joins each order with the line items after it, and says where a resume may start', async () => {
    const out = await items([order(1), child(1, 1), child(1, 2), order(2), order(3), child(3, 1)]);
    expect(out.map((i) => (i.kind === 'order' ? [i.order.number, i.order.lines.length, i.line] : i.kind))).toEqual([
      ['1', 2, 3],
      ['2', 0, 4],
      ['3', 1, 6],
    ]);
  });

  it('gives a child that comes after another order on its own, never past the order still being read', async () => {
    const out = await items([order(1), child(1, 1), order(2), child(1, 2), child(2, 1)]);
    expect(out).toMatchObject([
      { kind: 'order', order: { number: '1' }, line: 2 },
      // Line 4 belongs to order 1, but order 2 (from line 3) is not whole yet: a resume starts at 3.
      { kind: 'lines', orderId: 'gid://shopify/Order/1', line: 2 },
      { kind: 'order', order: { number: '2', lines: [{ lineId: 'gid://shopify/LineItem/2001' }] }, line: 5 },
    ]);
  });

  it('a malformed line fails the order it belongs to (read from the broken text), and the rest land', async () => {
    const out = await items([
      order(1),
      child(1, 1),
      order(2),
      '{"id":"gid://shopify/LineItem/2001","__parentId":"gid://shopify/Order/2", "quantity": 1',
      child(2, 2),
      order(3),
      '{"id":"gid://shopify/Order/4","name":',
      child(4, 1),
      order(5),
      'not json',
      order(6),
    ]);
    expect(out.filter((i) => i.kind === 'order').map((i) => (i.kind === 'order' ? i.order.number : ''))).toEqual(['1', '3', '6']);
    expect(out.filter((i) => i.kind === 'failure')).toEqual([
      { kind: 'failure', line: 4, orderId: 'gid://shopify/Order/2', message: 'line 4 is not JSON' },
      { kind: 'failure', line: 7, orderId: 'gid://shopify/Order/4', message: 'line 7 is not JSON' },
      // A broken line that names no order may be one of the order being read: that order fails too, nothing lands short.
      { kind: 'failure', line: 10, orderId: 'gid://shopify/Order/5', message: 'line 10, next to it, is not JSON' },
      { kind: 'failure', line: 10, orderId: null, message: 'line 10 is not JSON' },
    ]);
  });

  it('downloads line by line from a line on, and gives an over-long line as such', async () => {
    const texts = [order(1), child(1, 1), order(2), 'x'.repeat(5000), order(3)];
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/jsonl' });
      // In small chunks, so lines straddle them.
      const all = Buffer.from(texts.join('\n') + '\n');
      let at = 0;
      const step = () => {
        if (at >= all.length) return res.end();
        res.write(all.subarray(at, at + 7));
        at += 7;
        setImmediate(step);
      };
      step();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(() => r())));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/file.jsonl`;
    const got = [];
    for await (const l of downloadLines(url, { name: 'test', fromLine: 2, maxLineBytes: 3000 })) got.push(l);
    expect(got.map((l) => [l.n, l.tooLong ? 'long' : JSON.parse(l.text).id])).toEqual([
      [2, 'gid://shopify/LineItem/1001'],
      [3, 'gid://shopify/Order/2'],
      [4, 'long'],
      [5, 'gid://shopify/Order/3'],
    ]);
  });
});

describe('mapping', () => {
  it('maps the GraphQL node and the webhook REST JSON of the same order alike', () => {
    const node = mapOrderNode(wireOrder(7), [{ lineId: 'gid://shopify/LineItem/7001', sku: 'ABC-1', name: 'Brake pad', quantity: 2, unitPrice: '12.50' }], null);
    const rest = mapRestOrder(restOrder(7, '2025-05-01T14:00:00Z'), null);
    expect(rest).toEqual(node);
    expect(node).toMatchObject({ status: 'OPEN', financialStatus: 'PAID', fulfillmentStatus: 'UNFULFILLED', total: '25.00', currency: 'USD', customer: { email: 'ann@example.com' } });
  });

  it('refuses an order without an id or a version, and keeps an amount that is not one as null', () => {
    expect(() => mapOrderNode({ ...wireOrder(1), updatedAt: 'yesterday' }, [], 'USD')).toThrow(/updatedAt/);
    expect(() => mapOrderNode({ ...wireOrder(1), id: 'gid://shopify/Product/1' }, [], 'USD')).toThrow(/id/);
    expect(mapOrderNode({ ...wireOrder(1), totalPriceSet: { shopMoney: { amount: 'lots', currencyCode: 'USD' } } }, [], null).total).toBeNull();
  });
});

function wireLine(n: number, k: number) {
  return { id: `gid://shopify/LineItem/${n * 1000 + k}`, name: 'Brake pad', sku: 'ABC-1', quantity: 2, originalUnitPriceSet: { shopMoney: { amount: '12.50', currencyCode: 'USD' } } };
}

function wireOrder(n: number) {
  const address = { firstName: 'Ann', lastName: 'Lee', company: null, address1: '1 Main St', address2: null, city: 'Columbus', province: 'Ohio', provinceCode: 'OH', zip: '43215', country: 'United States', countryCodeV2: 'US', phone: null };
  return {
    id: `gid://shopify/Order/${n}`,
    name: `#${1000 + n}`,
    createdAt: '2025-05-01T12:00:00Z',
    updatedAt: '2025-05-01T14:00:00Z',
    closedAt: null,
    cancelledAt: null,
    displayFinancialStatus: 'PAID',
    displayFulfillmentStatus: 'UNFULFILLED',
    currencyCode: 'USD',
    subtotalPriceSet: { shopMoney: { amount: '25.00', currencyCode: 'USD' } },
    totalPriceSet: { shopMoney: { amount: '25.0', currencyCode: 'USD' } },
    email: 'Ann@Example.com',
    customer: { id: 'gid://shopify/Customer/9', email: 'Ann@Example.com', firstName: 'Ann', lastName: 'Lee' },
    shippingAddress: address,
    billingAddress: address,
    lineItems: { nodes: [], pageInfo: { hasNextPage: false, endCursor: null } },
  };
}

function restOrder(n: number, updatedAt: string) {
  const address = { first_name: 'Ann', last_name: 'Lee', company: null, address1: '1 Main St', address2: null, city: 'Columbus', province: 'Ohio', province_code: 'OH', zip: '43215', country: 'United States', country_code: 'US', phone: null };
  return {
    id: n,
    admin_graphql_api_id: `gid://shopify/Order/${n}`,
    name: `#${1000 + n}`,
    created_at: '2025-05-01T08:00:00-04:00',
    updated_at: updatedAt,
    closed_at: null,
    cancelled_at: null,
    financial_status: 'paid',
    fulfillment_status: null,
    currency: 'USD',
    subtotal_price: '25.00',
    total_price: '25.00',
    email: 'ann@example.com',
    customer: { id: 9, admin_graphql_api_id: 'gid://shopify/Customer/9', email: 'ann@example.com', first_name: 'Ann', last_name: 'Lee' },
    shipping_address: address,
    billing_address: address,
    line_items: [{ id: n * 1000 + 1, admin_graphql_api_id: `gid://shopify/LineItem/${n * 1000 + 1}`, name: 'Brake pad', title: 'Brake pad', sku: 'ABC-1', quantity: 2, price: '12.50' }],
  };
}
