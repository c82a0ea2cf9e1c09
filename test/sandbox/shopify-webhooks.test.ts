/**
 * Contract tests of the Shopify simulator's webhooks (upstreams.md,
 * "Webhooks"): subscriptions through `webhookSubscriptionCreate`;
 * `orders/create` and `orders/updated` POSTed with the REST order JSON and
 * the headers `X-Shopify-Topic`, `X-Shopify-Hmac-Sha256` = base64(HMAC-SHA256(raw
 * body, app secret)), `X-Shopify-Shop-Domain`, `X-Shopify-API-Version`,
 * `X-Shopify-Webhook-Id`, `X-Shopify-Event-Id`, `X-Shopify-Triggered-At`;
 * any 2xx is delivered, anything else retried with the same payload; and
 * the sandbox's `POST /__sandbox/orders` that makes them happen. A test
 * receiver on loopback stands in for the gateway and checks the signature
 * itself.
 */
import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resetSandbox, sandboxStats } from '../support/sandbox.js';
import { SECRET, sleep, startReceiver, startShop, subscribe, until, type Json, type Receiver, type Shop } from './shopify-support.js';

let shop: Shop;
let receiver: Receiver;

const sign = (raw: string, secret = SECRET) => createHmac('sha256', secret).update(raw, 'utf8').digest('base64');
const cents = (amount: string) => Math.round(Number(amount) * 100);

beforeAll(async () => {
  shop = await startShop({ shopify: { webhookRetryDelaysMs: [50, 100, 100], webhookTimeoutMs: 500 } });
  receiver = await startReceiver();
});
afterAll(async () => {
  await shop?.close();
  await receiver?.close();
});
afterEach(async () => {
  await shop.admin('/__sandbox/webhooks', { enabled: true, clearSubscriptions: true });
  await resetSandbox(shop.url, true);
  receiver.received.length = 0;
  receiver.answer = () => 200;
});

const arrived = (n: number, topic?: string) =>
  until(
    async () => receiver.received.filter((r) => !topic || r.headers['x-shopify-topic'] === topic),
    (list) => list.length >= n,
  );
const makeOrders = async (body: unknown) => {
  const res = await shop.admin('/__sandbox/orders', body);
  expect(res.status).toBe(200);
  return res.body;
};

describe('subscriptions', () => {
  it('are created, listed, refused when taken or invalid, and deleted through the Admin API', async () => {
    const created = await subscribe(shop, 'ORDERS_CREATE', `${receiver.url}/hooks`);
    expect(created).toEqual({ webhookSubscription: { id: expect.stringMatching(/^gid:\/\/shopify\/WebhookSubscription\/\d+$/), topic: 'ORDERS_CREATE', callbackUrl: `${receiver.url}/hooks` }, userErrors: [] });
    await subscribe(shop, 'ORDERS_UPDATED', `${receiver.url}/hooks`);
    const taken = await subscribe(shop, 'ORDERS_CREATE', `${receiver.url}/hooks`);
    expect(taken).toEqual({ webhookSubscription: null, userErrors: [{ field: ['webhookSubscription', 'callbackUrl'], message: 'Address for this topic has already been taken' }] });
    for (const bad of ['not a url', 'ftp://127.0.0.1/x']) expect((await subscribe(shop, 'ORDERS_CREATE', bad)).userErrors[0].message).toBe('Address is invalid');
    const unknownTopic = await shop.gql('mutation { webhookSubscriptionCreate(topic: ORDERS_EXPLODED, webhookSubscription: { callbackUrl: "http://127.0.0.1:9" }) { userErrors { message } } }');
    expect(unknownTopic.body.errors[0].message).toMatch(/ORDERS_EXPLODED/);

    const list = await shop.data('{ webhookSubscriptions(first: 10) { nodes { id topic callbackUrl format apiVersion { handle } endpoint { __typename ... on WebhookHttpEndpoint { callbackUrl } } } } }');
    expect(list.webhookSubscriptions.nodes.map((s: Json) => s.topic)).toEqual(['ORDERS_CREATE', 'ORDERS_UPDATED']);
    expect(list.webhookSubscriptions.nodes[0]).toMatchObject({ format: 'JSON', apiVersion: { handle: '2025-10' }, endpoint: { __typename: 'WebhookHttpEndpoint', callbackUrl: `${receiver.url}/hooks` } });
    const filtered = await shop.data('{ webhookSubscriptions(first: 10, topics: [ORDERS_UPDATED]) { nodes { topic } } }');
    expect(filtered.webhookSubscriptions.nodes).toEqual([{ topic: 'ORDERS_UPDATED' }]);

    const del = 'mutation($id: ID!) { webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { message } } }';
    const id = created.webhookSubscription.id;
    expect((await shop.data(del, { id })).webhookSubscriptionDelete).toEqual({ deletedWebhookSubscriptionId: id, userErrors: [] });
    expect((await shop.data(del, { id })).webhookSubscriptionDelete.userErrors[0].message).toMatch(/does not exist/);
    expect((await shop.data('{ webhookSubscriptions(first: 10) { nodes { topic } } }')).webhookSubscriptions.nodes).toEqual([{ topic: 'ORDERS_UPDATED' }]);
  });
});

describe('orders/create and orders/updated', () => {
  it('are POSTed with every header upstreams.md lists and a valid HMAC over the raw body', async () => {
    await subscribe(shop, 'ORDERS_CREATE', `${receiver.url}/hooks/create`);
    const made = await makeOrders({ create: 3 });
    expect(made.created).toHaveLength(3);
    const got = await arrived(3);
    expect(new Set(got.map((r) => r.headers['x-shopify-event-id']))).toEqual(new Set(made.events.map((e: Json) => e.eventId)));
    for (const r of got) {
      expect(r.path).toBe('/hooks/create');
      expect(r.headers['x-shopify-hmac-sha256']).toBe(sign(r.raw));
      expect(r.headers['x-shopify-hmac-sha256']).not.toBe(sign(r.raw, 'another-secret'));
      expect(r.headers).toMatchObject({
        'content-type': 'application/json',
        'x-shopify-topic': 'orders/create',
        'x-shopify-shop-domain': 'crossdock-sandbox.myshopify.com',
        'x-shopify-api-version': '2025-10',
        'x-shopify-webhook-id': expect.stringMatching(/^[0-9a-f-]{36}$/),
        'x-shopify-event-id': expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(Date.parse(r.headers['x-shopify-triggered-at']!)).not.toBeNaN();
    }
    expect(((await sandboxStats(shop.url)) as Json).webhooks).toMatchObject({ events: 3, sent: 3, delivered: 3, failed: 0 });
  });

  it('carry the REST order JSON: numeric ids, snake_case, two-decimal money, shop-time offsets; the order is in the API too', async () => {
    await subscribe(shop, 'ORDERS_CREATE', `${receiver.url}/hooks`);
    const made = await makeOrders({ create: 1 });
    const [hook] = await arrived(1);
    const rest = hook!.body;
    const order = (await shop.data(`{ order(id: "${made.created[0].id}") { id legacyResourceId name createdAt updatedAt displayFinancialStatus totalPriceSet { shopMoney { amount currencyCode } } lineItems(first: 10) { nodes { id sku quantity originalUnitPriceSet { shopMoney { amount } } } } } }`)).order;
    expect(rest).toMatchObject({ id: Number(order.legacyResourceId), admin_graphql_api_id: order.id, name: order.name, currency: 'USD', financial_status: order.displayFinancialStatus.toLowerCase(), fulfillment_status: null });
    expect(rest.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-05:00$/);
    expect(Date.parse(rest.created_at)).toBe(Date.parse(order.createdAt));
    expect(Date.parse(rest.updated_at)).toBe(Date.parse(order.updatedAt));
    expect(rest.total_price).toMatch(/^\d+\.\d{2}$/);
    expect(cents(rest.total_price)).toBe(cents(order.totalPriceSet.shopMoney.amount));
    expect(rest.total_price_set.shop_money).toEqual({ amount: rest.total_price, currency_code: 'USD' });
    expect(rest.line_items.map((l: Json) => ({ id: l.admin_graphql_api_id, sku: l.sku, quantity: l.quantity, price: cents(l.price) }))).toEqual(
      order.lineItems.nodes.map((l: Json) => ({ id: l.id, sku: l.sku, quantity: l.quantity, price: cents(l.originalUnitPriceSet.shopMoney.amount) })),
    );
    for (const l of rest.line_items) expect(l.price).toMatch(/^\d+\.\d{2}$/);
    // Created now: after every seeded order, and found by an incremental query.
    const since = (await shop.data(`{ orders(first: 10, sortKey: UPDATED_AT, query: "updated_at:>='${order.updatedAt}'") { nodes { id } } }`)).orders.nodes;
    expect(since.map((n: Json) => n.id)).toContain(order.id);
    expect((await shop.data('{ ordersCount { count } }')).ordersCount.count).toBe(401);
  });

  it('send orders/updated for a touch, moving updatedAt strictly forward, with the changes asked for', async () => {
    await subscribe(shop, 'ORDERS_UPDATED', `${receiver.url}/hooks`);
    const target = (await shop.data('{ orders(first: 1, query: "financial_status:paid") { nodes { id updatedAt } } }')).orders.nodes[0];
    const first = await makeOrders({ update: [target.id] });
    const second = await makeOrders({ update: [{ id: target.id, displayFinancialStatus: 'REFUNDED', cancel: true, note: 'returned' }] });
    expect(Date.parse(first.updated[0].updatedAt)).toBeGreaterThan(Date.parse(target.updatedAt));
    expect(Date.parse(second.updated[0].updatedAt)).toBeGreaterThan(Date.parse(first.updated[0].updatedAt));
    const got = await arrived(2, 'orders/updated');
    const byEvent = new Map(got.map((r) => [r.headers['x-shopify-event-id'], r.body]));
    expect(Date.parse(byEvent.get(first.events[0].eventId).updated_at)).toBe(Date.parse(first.updated[0].updatedAt));
    expect(byEvent.get(second.events[0].eventId)).toMatchObject({ financial_status: 'refunded', note: 'returned', cancel_reason: 'customer' });
    const now = (await shop.data(`{ order(id: "${target.id}") { updatedAt displayFinancialStatus cancelledAt note } }`)).order;
    expect(now).toMatchObject({ updatedAt: second.updated[0].updatedAt, displayFinancialStatus: 'REFUNDED', note: 'returned' });
    expect(now.cancelledAt).not.toBeNull();
    expect((await shop.data(`{ orders(first: 5, query: "status:cancelled updated_at:>='${second.updated[0].updatedAt}'") { nodes { id } } }`)).orders.nodes).toEqual([{ id: target.id }]);
  });

  it('refuses unknown orders and bad bodies, changing nothing', async () => {
    await subscribe(shop, 'ORDERS_UPDATED', `${receiver.url}/hooks`);
    const real = (await shop.data('{ orders(first: 1) { nodes { id updatedAt } } }')).orders.nodes[0];
    const res = await shop.admin('/__sandbox/orders', { update: [real.id, 'gid://shopify/Order/1'] });
    expect(res.status).toBe(400);
    expect(res.body.unknown).toEqual(['gid://shopify/Order/1']);
    for (const bad of [{ create: 0 }, { create: 'three' }, { update: [{ id: real.id, displayFinancialStatus: 'RICH' }] }, { delete: [real.id] }]) {
      expect((await shop.admin('/__sandbox/orders', bad)).status).toBe(400);
    }
    expect((await shop.data(`{ order(id: "${real.id}") { updatedAt } }`)).order.updatedAt).toBe(real.updatedAt);
    expect(((await shop.admin('/__sandbox/orders')).body as Json)).toMatchObject({ count: 400, created: 0, touched: 0 });
    expect(((await sandboxStats(shop.url)) as Json).webhooks.events).toBe(0);
  });
});

describe('delivery', () => {
  it('retries a non-2xx answer with the same ids, body and signature until one is 2xx', async () => {
    await subscribe(shop, 'ORDERS_CREATE', `${receiver.url}/hooks`);
    let calls = 0;
    receiver.answer = () => (++calls <= 2 ? 500 : 200);
    await makeOrders({ create: 1 });
    const got = await arrived(3);
    expect(new Set(got.map((r) => r.raw)).size).toBe(1);
    for (const h of ['x-shopify-webhook-id', 'x-shopify-event-id', 'x-shopify-hmac-sha256', 'x-shopify-triggered-at']) expect(new Set(got.map((r) => r.headers[h])).size).toBe(1);
    const log = (await shop.admin('/__sandbox/webhooks')).body.deliveries;
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ topic: 'orders/create', state: 'delivered' });
    expect(log[0].attempts.map((a: Json) => a.status)).toEqual([500, 500, 200]);
    expect(((await sandboxStats(shop.url)) as Json).webhooks).toMatchObject({ sent: 3, delivered: 1, retries: 2 });
  });

  it('gives up after the bounded retries; a redirect, a refused connection and a hang count as failures', async () => {
    await subscribe(shop, 'ORDERS_CREATE', `${receiver.url}/always-503`);
    await subscribe(shop, 'ORDERS_CREATE', `${receiver.url}/redirect`);
    await subscribe(shop, 'ORDERS_CREATE', `${receiver.url}/hang`);
    await subscribe(shop, 'ORDERS_CREATE', 'http://127.0.0.1:9/closed');
    receiver.answer = (r) => (r.path === '/hang' ? 'hang' : r.path === '/redirect' ? 302 : 503);
    await makeOrders({ create: 1 });
    const log = await until(
      async () => (await shop.admin('/__sandbox/webhooks')).body.deliveries as Json[],
      (list) => list.length === 4 && list.every((d) => d.state === 'failed'),
    );
    for (const d of log) expect(d.attempts).toHaveLength(4);
    const byUrl = new Map(log.map((d) => [new URL(d.url).pathname, d.attempts]));
    expect(byUrl.get('/always-503')!.map((a: Json) => a.status)).toEqual([503, 503, 503, 503]);
    expect(byUrl.get('/redirect')!.map((a: Json) => a.status)).toEqual([302, 302, 302, 302]);
    expect(byUrl.get('/hang')![0].error).toMatch(/no answer within 500 ms/);
    expect(byUrl.get('/closed')![0].error).toBeDefined();
    const sent = receiver.received.length;
    await sleep(400);
    expect(receiver.received.length).toBe(sent);
    expect(((await sandboxStats(shop.url)) as Json).webhooks).toMatchObject({ failed: 4, delivered: 0 });
  });

  it('sends one event to every subscriber of its topic: one event id, a webhook id each', async () => {
    await subscribe(shop, 'ORDERS_CREATE', `${receiver.url}/a`);
    await subscribe(shop, 'ORDERS_CREATE', `${receiver.url}/b`);
    await subscribe(shop, 'ORDERS_UPDATED', `${receiver.url}/c`);
    await makeOrders({ create: 1 });
    const got = await arrived(2);
    await sleep(200);
    expect(receiver.received.map((r) => r.path).sort()).toEqual(['/a', '/b']);
    expect(new Set(got.map((r) => r.headers['x-shopify-event-id'])).size).toBe(1);
    expect(new Set(got.map((r) => r.headers['x-shopify-webhook-id'])).size).toBe(2);
  });

  it('is off when switched off, or for one call; the events are still recorded', async () => {
    await subscribe(shop, 'ORDERS_CREATE', `${receiver.url}/hooks`);
    await shop.admin('/__sandbox/webhooks', { enabled: false });
    const quiet = await makeOrders({ create: 2 });
    await shop.admin('/__sandbox/webhooks', { enabled: true });
    const silent = await makeOrders({ create: 1, webhooks: false });
    const loud = await makeOrders({ create: 1 });
    await arrived(1);
    await sleep(200);
    expect(receiver.received.map((r) => r.headers['x-shopify-event-id'])).toEqual([loud.events[0].eventId]);
    const states = (await shop.admin('/__sandbox/webhooks')).body.deliveries.map((d: Json) => [d.eventId, d.state]);
    expect(states).toEqual([
      [quiet.events[0].eventId, 'off'],
      [quiet.events[1].eventId, 'off'],
      [silent.events[0].eventId, 'off'],
      [loud.events[0].eventId, 'delivered'],
    ]);
    expect((await shop.data('{ ordersCount { count } }')).ordersCount.count).toBe(404);
  });

  it('redelivers a recorded event exactly, so an older event can arrive after a newer one', async () => {
    await subscribe(shop, 'ORDERS_UPDATED', `${receiver.url}/hooks`);
    const id = (await shop.data('{ orders(first: 1) { nodes { id } } }')).orders.nodes[0].id;
    const older = await makeOrders({ update: [id] });
    await arrived(1);
    const newer = await makeOrders({ update: [id] });
    await arrived(2);
    const again = await shop.admin('/__sandbox/webhooks/redeliver', { eventId: older.events[0].eventId });
    expect(again.body).toEqual({ eventId: older.events[0].eventId, deliveries: 1 });
    const got = await arrived(3);
    const [first, , third] = got;
    expect(third!.raw).toBe(first!.raw);
    for (const h of ['x-shopify-event-id', 'x-shopify-webhook-id', 'x-shopify-hmac-sha256']) expect(third!.headers[h]).toBe(first!.headers[h]);
    expect(Date.parse(third!.body.updated_at)).toBeLessThan(Date.parse(got[1]!.body.updated_at));
    expect(got[1]!.headers['x-shopify-event-id']).toBe(newer.events[0].eventId);
    expect((await shop.admin('/__sandbox/webhooks/redeliver', { eventId: 'nope' })).status).toBe(404);
  });

  it('keeps subscriptions over a data reset (they are the app configuration) and forgets the deliveries', async () => {
    await subscribe(shop, 'ORDERS_CREATE', `${receiver.url}/hooks`);
    await makeOrders({ create: 1 });
    await arrived(1);
    await resetSandbox(shop.url, true);
    const after = (await shop.admin('/__sandbox/webhooks')).body;
    expect(after.subscriptions).toHaveLength(1);
    expect(after.deliveries).toEqual([]);
    await makeOrders({ create: 1 });
    await arrived(2);
  });
});

describe('an endpoint configured with the app', () => {
  it('gets orders/create and orders/updated without a subscription, at its API version', async () => {
    const own = await startReceiver();
    const other = await startShop({ shopify: { webhookUrl: `${own.url}/configured`, webhookApiVersion: '2026-01' } });
    try {
      const made = (await other.admin('/__sandbox/orders', { create: 1 })).body;
      await other.admin('/__sandbox/orders', { update: [made.created[0].id] });
      const got = await until(async () => own.received, (l) => l.length >= 2);
      expect(got.map((r) => r.headers['x-shopify-topic']).sort()).toEqual(['orders/create', 'orders/updated']);
      for (const r of got) expect(r.headers).toMatchObject({ 'x-shopify-api-version': '2026-01', 'x-shopify-hmac-sha256': sign(r.raw) });
    } finally {
      await other.close();
      await own.close();
    }
  });
});
