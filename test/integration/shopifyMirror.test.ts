/**
 * The Shopify orders mirror end to end: the real gateway against the Shopify
 * sandbox twin (issue 14, acceptance 1, 2 and 6) — a FULL refresh through
 * the bulk path with every order and line item and no THROTTLED; orders
 * created and updated in the shop arriving by webhook; an INCREMENTAL run
 * with webhooks off; bad signatures, duplicates and an older event after a
 * newer one changing nothing; a malformed JSONL line failing its order
 * alone; bad input refused with typed errors. The 100,000-order backfill is
 * shopifyBackfill.test.ts.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxStats } from '../support/sandbox.js';
import { startGateway, type GqlBody, type TestGateway } from '../support/gateway.js';

const ORDERS = 1_200;
const SECRET = 'sandbox-shopify-secret';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway({ ORDER_MIRROR_POLL_MS: '100', ORDER_MIRROR_OVERLAP_SECONDS: '1' }, { parts: 200, shopify: { orders: ORDERS, bulkStartDelayMs: 50, webhookRetryDelaysMs: [200, 400] } });
}, 60_000);
afterAll(async () => gw?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`not met within ${timeoutMs} ms; last: ${JSON.stringify(last).slice(0, 400)}`);
    await sleep(50);
    last = await read();
  }
  return last;
}

async function data<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await gw.gql(query, variables);
  if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
  return res.body.data as T;
}
const codes = (body: GqlBody) => (body.errors ?? []).map((e) => e.extensions?.code);

async function shop(path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${gw.shopifyUrl}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBeLessThan(300);
  return res.json();
}

async function refresh(mode: 'FULL' | 'INCREMENTAL'): Promise<{ id: string; status: string; error: string | null; counters: Record<string, number> }> {
  const started = await data(`mutation($mode: OrderMirrorRefreshMode!) { refreshOrderMirror(input: { channel: SHOPIFY, mode: $mode }) { alreadyRunning job { id status } } }`, { mode });
  const id = started.refreshOrderMirror.job.id as string;
  const job = await until(
    async () => (await data(`query($id: ID!) { syncJob(id: $id) { id status error progress { processed failed created updated unchanged } } }`, { id })).syncJob,
    (j) => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(j.status),
    50_000,
  );
  return { id, status: job.status, error: job.error, counters: job.progress };
}

const count = async (filter: Record<string, unknown> = {}) =>
  (await data(`query($f: OrderFilter) { orders(filter: $f, first: 1) { totalCount } }`, { f: { channel: 'SHOPIFY', ...filter } })).orders.totalCount as number;

const mirrored = async (gid: string) => (await data(`query($id: ID!) { order(id: $id) { id channel name updatedAt financialStatus fulfillmentStatus lines { sku quantity } } }`, { id: gid })).order;

describe('the Shopify mirror against the twin', () => {
  it('starts EMPTY; a FULL refresh fills it through the bulk export with every order and line item, and no THROTTLED', async () => {
    const before = (await data(`{ orderMirror(channel: SHOPIFY) { status count lastRefreshedAt lagSeconds refreshing configured } }`)).orderMirror;
    expect(before).toMatchObject({ status: 'EMPTY', count: 0, lastRefreshedAt: null, refreshing: false, configured: true });
    const job = await refresh('FULL');
    expect([job.status, job.error]).toEqual(['SUCCEEDED', null]);
    const truth = await shop('/__sandbox/orders');
    expect(truth.count).toBe(ORDERS);
    expect(await count()).toBe(ORDERS);
    // Every line item: the sum of the mirror's lines, read over pages of the graph.
    let lines = 0;
    let after: string | null = null;
    for (;;) {
      const page: any = (await data(`query($after: String) { orders(filter: { channel: SHOPIFY }, first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { lines { id } } } } }`, { after })).orders;
      for (const e of page.edges) lines += e.node.lines.length;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(lines).toBe(truth.lineItems);
    const stats: any = await sandboxStats(gw.shopifyUrl);
    expect(stats.graphql.throttled).toBe(0);
    expect(stats.bulkOperations.completed).toBeGreaterThanOrEqual(1);
    const state = (await data(`{ orderMirror(channel: SHOPIFY) { status count lastRefreshedAt lagSeconds refreshing } }`)).orderMirror;
    expect(state).toMatchObject({ status: 'READY', count: ORDERS, refreshing: false });
    expect(state.lastRefreshedAt).not.toBeNull();
  }, 60_000);

  it('answers mirrored orders in the one Order shape, filtered, with exact counts, from the mirror alone', async () => {
    const statsBefore: any = await sandboxStats(gw.shopifyUrl);
    const page = (await data(`{ orders(filter: { channel: SHOPIFY }, first: 50) { totalCount edges { node { id channel name currency total { amount currency } lines { sku } } } } }`)).orders;
    expect(page.totalCount).toBe(ORDERS);
    expect(page.edges).toHaveLength(50);
    expect(page.edges[0].node).toMatchObject({ channel: 'SHOPIFY', currency: 'USD' });
    const paid = await count({ financialStatus: ['PAID'] });
    expect(paid).toBeGreaterThan(0);
    expect(paid).toBeLessThan(ORDERS);
    const sku = page.edges.flatMap((e: any) => e.node.lines).find((l: any) => l.sku)?.sku as string;
    expect(await count({ sku })).toBeGreaterThan(0);
    const statsAfter: any = await sandboxStats(gw.shopifyUrl);
    // Zero upstream calls for the mirror's reads.
    expect(statsAfter.graphql.queries).toBe(statsBefore.graphql.queries);
    // Lines link to the supplier's Part by the SKU rule (the twin sells catalog parts).
    const linked = (await data(`{ orders(filter: { channel: SHOPIFY }, first: 2) { edges { node { lines { sku part { partNumber } } } } } }`)).orders;
    const line = linked.edges.flatMap((e: any) => e.node.lines).find((l: any) => l.sku);
    expect(line.part?.partNumber).toBe(line.sku);
    // The same order by its global id and by its gid.
    const first = page.edges[0].node;
    expect((await data(`query($id: ID!) { order(id: $id) { id name } }`, { id: first.id })).order).toEqual({ id: first.id, name: first.name });
  });

  it('shows orders created and updated in the shop within 2 s through the webhooks', async () => {
    const made = await shop('/__sandbox/orders', { create: 3 });
    const gids: string[] = made.created.map((o: any) => (typeof o === 'string' ? o : o.id));
    const t0 = Date.now();
    await until(() => count(), (n) => n === ORDERS + 3, 2_000);
    expect(Date.now() - t0).toBeLessThanOrEqual(2_000);
    const before = await mirrored(gids[0]!);
    await shop('/__sandbox/orders', { update: [{ id: gids[0], displayFinancialStatus: 'REFUNDED' }] });
    const after = await until(() => mirrored(gids[0]!), (o) => o?.financialStatus === 'REFUNDED', 2_000);
    expect(Date.parse(after.updatedAt)).toBeGreaterThan(Date.parse(before.updatedAt));
  });

  it('a delivery twice, and an older event after a newer one, change nothing', async () => {
    const gid = (await data(`{ orders(filter: { channel: SHOPIFY }, first: 1) { edges { node { id storeOrderId } } } }`)).orders.edges[0].node.storeOrderId as string;
    const id = `gid://shopify/Order/${gid}`;
    const older = await shop('/__sandbox/orders', { update: [{ id, displayFinancialStatus: 'PARTIALLY_REFUNDED' }] });
    await until(() => mirrored(id), (o) => o?.financialStatus === 'PARTIALLY_REFUNDED', 2_000);
    await shop('/__sandbox/orders', { update: [{ id, displayFinancialStatus: 'REFUNDED' }] });
    const newest = await until(() => mirrored(id), (o) => o?.financialStatus === 'REFUNDED', 2_000);
    const deliveredBefore = (await sandboxStats(gw.shopifyUrl) as any).webhooks.delivered;
    // The older event again, byte for byte (same event id): a duplicate, and older than what is kept.
    await shop('/__sandbox/webhooks/redeliver', { eventId: older.events[0].eventId });
    await until(async () => (await sandboxStats(gw.shopifyUrl) as any).webhooks.delivered, (n) => n > deliveredBefore, 5_000);
    await sleep(300);
    expect(await mirrored(id)).toEqual(newest);
    expect(await count()).toBe(ORDERS + 3);
  });

  it('refuses a webhook with no or a wrong signature (401) and keeps nothing of it', async () => {
    const body = JSON.stringify({ id: 5_999_999_999_999, admin_graphql_api_id: 'gid://shopify/Order/5999999999999', updated_at: new Date().toISOString(), created_at: new Date().toISOString(), name: '#X', line_items: [] });
    const post = (headers: Record<string, string>) => fetch(`${gw.url}/shopify/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-shopify-topic': 'orders/create', 'x-shopify-event-id': 'forged-1', ...headers }, body });
    expect((await post({})).status).toBe(401);
    const wrong = createHmac('sha256', 'not-the-secret').update(body).digest('base64');
    expect((await post({ 'x-shopify-hmac-sha256': wrong })).status).toBe(401);
    // The right signature over another body is wrong too.
    const other = createHmac('sha256', SECRET).update(`${body} `).digest('base64');
    expect((await post({ 'x-shopify-hmac-sha256': other })).status).toBe(401);
    await sleep(200);
    expect(await mirrored('gid://shopify/Order/5999999999999')).toBeNull();
    expect(await count()).toBe(ORDERS + 3);
  });

  it('with webhooks off, an INCREMENTAL refresh brings what changed since its cursor', async () => {
    await shop('/__sandbox/webhooks', { enabled: false });
    try {
      const made = await shop('/__sandbox/orders', { create: 2, webhooks: false });
      const gid = (typeof made.created[0] === 'string' ? made.created[0] : made.created[0].id) as string;
      await sleep(300);
      expect(await count()).toBe(ORDERS + 3);
      const job = await refresh('INCREMENTAL');
      expect([job.status, job.error]).toEqual(['SUCCEEDED', null]);
      expect(await count()).toBe(ORDERS + 5);
      expect((await mirrored(gid))?.channel).toBe('SHOPIFY');
      const stats: any = await sandboxStats(gw.shopifyUrl);
      expect(stats.graphql.throttled).toBe(0);
    } finally {
      await shop('/__sandbox/webhooks', { enabled: true });
    }
  });

  it('a refresh while one runs answers the running one (alreadyRunning)', async () => {
    const q = `mutation { refreshOrderMirror(input: { channel: SHOPIFY, mode: FULL }) { alreadyRunning job { id status } } }`;
    const [a, b] = await Promise.all([data(q), data(q)]);
    expect(a.refreshOrderMirror.job.id).toBe(b.refreshOrderMirror.job.id);
    expect([a.refreshOrderMirror.alreadyRunning, b.refreshOrderMirror.alreadyRunning].sort()).toEqual([false, true]);
    const id = a.refreshOrderMirror.job.id;
    await until(async () => (await data(`query($id: ID!) { syncJob(id: $id) { status } }`, { id })).syncJob.status, (s) => s === 'SUCCEEDED', 50_000);
    expect(await count()).toBe(ORDERS + 5);
  }, 60_000);

  it('a malformed JSONL line fails its order alone: the rest land and the failure is listed', async () => {
    const victim = (await data(`{ orders(filter: { channel: SHOPIFY }, first: 1, after: null) { edges { node { storeOrderId } } } }`)).orders.edges[0].node.storeOrderId as string;
    await shop('/__sandbox/bulk', { malformedOrders: [`gid://shopify/Order/${victim}`] });
    const job = await refresh('FULL');
    expect([job.status, job.error]).toEqual(['SUCCEEDED', null]);
    expect(job.counters.failed).toBe(1);
    const failures = (await data(`query($id: ID!) { syncJob(id: $id) { failures(first: 10) { totalCount nodes { sku message } } } }`, { id: job.id })).syncJob.failures;
    expect(failures.totalCount).toBe(1);
    // Nothing lost: the order is still there from before, every other order too.
    expect(await count()).toBe(ORDERS + 5);
  }, 60_000);

  it('keeps one INCREMENTAL schedule of its own every ORDER_MIRROR_INTERVAL_SECONDS (300), and refuses another', async () => {
    const schedules = (await data(`{ syncSchedules { kind intervalSeconds createdBy scope { channel mode } } }`)).syncSchedules;
    expect(schedules.filter((s: any) => s.kind === 'ORDER_MIRROR')).toEqual([{ kind: 'ORDER_MIRROR', intervalSeconds: 300, createdBy: 'order-mirror', scope: { channel: 'SHOPIFY', mode: 'INCREMENTAL' } }]);
    const refused = await gw.gql(`mutation { scheduleSync(input: { kind: ORDER_MIRROR, intervalSeconds: 60 }) { id } }`);
    expect(codes(refused.body)).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses bad input with typed errors', async () => {
    const bad = async (query: string) => codes((await gw.gql(query)).body);
    expect(await bad(`{ orders(filter: { channel: SHOPIFY }, first: 5, after: "bm90LWEtY3Vyc29y") { totalCount } }`)).toEqual(['BAD_USER_INPUT']);
    expect(await bad(`{ orders(filter: { channel: SHOPIFY, financialStatus: ["RICH"] }, first: 5) { totalCount } }`)).toEqual(['BAD_USER_INPUT']);
    expect(await bad(`{ orders(filter: { channel: SHOPIFY, customerEmail: "nobody" }, first: 5) { totalCount } }`)).toEqual(['BAD_USER_INPUT']);
    expect(await bad(`{ orders(filter: { channel: SHOPIFY, createdSince: "2026-01-02T00:00:00Z", createdBefore: "2026-01-01T00:00:00Z" }, first: 5) { totalCount } }`)).toEqual(['BAD_USER_INPUT']);
    expect(await bad(`{ orders(filter: { channel: SHOPIFY, statusId: 11 }, first: 5) { totalCount } }`)).toEqual(['BAD_USER_INPUT']);
    expect(await bad(`{ orders(filter: { channel: AMAZON }, first: 5) { totalCount } }`)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(await bad(`{ orderMirror(channel: BIGCOMMERCE) { count } }`)).toEqual(['BAD_USER_INPUT']);
    expect(await bad(`mutation { refreshOrderMirror(input: { channel: BIGCOMMERCE, mode: FULL }) { alreadyRunning } }`)).toEqual(['BAD_USER_INPUT']);
    expect(await bad(`{ order(id: "gid://shopify/Order/notanumber") { id } }`)).toEqual(['BAD_USER_INPUT']);
  });
});
