/**
 * Contract tests of the Shopify simulator's cost-based throttle and its
 * HTTP surface (upstreams.md, "Shopify"): `POST
 * /admin/api/{YYYY-MM}/graphql.json` with `X-Shopify-Access-Token`; every
 * answer carries `extensions.cost {requestedQueryCost, actualQueryCost,
 * throttleStatus {maximumAvailable, currentlyAvailable, restoreRate}}`; 1
 * point per object, a connection `first` × its children; a bucket restoring
 * 100 points/s up to 2000; THROTTLED with no `data` when over budget; at
 * most 1000 points a query.
 *
 * Restoration is slowed to almost nothing where a test checks exact
 * figures, so the bucket only moves by what the queries cost.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetSandbox, sandboxStats } from '../support/sandbox.js';
import { startShop, TOKEN, until, type Json, type Shop } from './shopify-support.js';

let shop: Shop;

beforeAll(async () => {
  shop = await startShop();
});
afterAll(async () => shop?.close());
beforeEach(async () => {
  await resetSandbox(shop.url);
  await shop.admin('/__sandbox/limits', { restoreRate: 0.001, currentlyAvailable: 2000 });
});

const costOf = async (query: string, variables?: Record<string, unknown>) => {
  const a = await shop.gql(query, variables);
  expect(a.status).toBe(200);
  expect(a.body.errors).toBeUndefined();
  return { ...a.body.extensions.cost, data: a.body.data } as Json;
};

describe('what a query costs', () => {
  it('is 1 per object and 2 plus first × the node for a connection, requested and actual', async () => {
    expect(await costOf('{ shop { currencyCode } }')).toMatchObject({ requestedQueryCost: 1, actualQueryCost: 1 });
    expect(await costOf('{ orders(first: 10) { nodes { id name } } }')).toMatchObject({ requestedQueryCost: 12, actualQueryCost: 12 });
    expect(await costOf('{ orders(first: 4) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }')).toMatchObject({ requestedQueryCost: 6, actualQueryCost: 6 });
    expect(await costOf('query($n: Int) { orders(first: $n) { nodes { id } } }', { n: 7 })).toMatchObject({ requestedQueryCost: 9, actualQueryCost: 9 });
    expect(await costOf('{ __schema { queryType { name } } }')).toMatchObject({ requestedQueryCost: 0, actualQueryCost: 0 });
  });

  it('multiplies nested connections, and the actual cost counts what came back', async () => {
    const c = await costOf('{ orders(first: 5) { nodes { id customer { id } lineItems(first: 3) { nodes { sku originalUnitPriceSet { shopMoney { amount } } } } } } }');
    // Per line 1 + 2 (the money bag and its money); lineItems 2 + 3 × 3; per order 1 + 1 + 11.
    expect(c.requestedQueryCost).toBe(2 + 5 * (1 + 1 + (2 + 3 * 3)));
    const actual = 2 + c.data.orders.nodes.reduce((s: number, o: Json) => s + 1 + (o.customer ? 1 : 0) + 2 + 3 * o.lineItems.nodes.length, 0);
    expect(c.actualQueryCost).toBe(actual);
    expect(c.actualQueryCost).toBeLessThan(c.requestedQueryCost);
  });

  it('prices an abstract field at its costliest type, lists by their ids, and a mutation at 10', async () => {
    const o = (await costOf('{ orders(first: 1) { nodes { id } } }')).data.orders.nodes[0].id;
    expect(await costOf('query($id: ID!) { node(id: $id) { id ... on Order { name totalPriceSet { shopMoney { amount } } } } }', { id: o })).toMatchObject({ requestedQueryCost: 3, actualQueryCost: 3 });
    expect(await costOf('query($id: ID!) { node(id: $id) { id ... on BulkOperation { url } } }', { id: o })).toMatchObject({ requestedQueryCost: 1, actualQueryCost: 1 });
    expect(await costOf('query($id: ID!) { nodes(ids: [$id, $id, "gid://shopify/Order/1"]) { id } }', { id: o })).toMatchObject({ requestedQueryCost: 3, actualQueryCost: 2 });
    const m = await costOf('mutation { webhookSubscriptionCreate(topic: ORDERS_CREATE, webhookSubscription: { callbackUrl: "http://127.0.0.1:9/hooks" }) { webhookSubscription { id } userErrors { message } } }');
    expect(m).toMatchObject({ requestedQueryCost: 10, actualQueryCost: 10 });
  });
});

describe('the bucket', () => {
  it('reports the defaults of upstreams.md on every answer', async () => {
    const fresh = await startShop();
    try {
      const a = await fresh.gql('{ shop { id } }');
      expect(a.body.extensions.cost.throttleStatus).toMatchObject({ maximumAvailable: 2000, restoreRate: 100 });
      expect((await fresh.admin('/__sandbox/limits')).body).toMatchObject({ maximumAvailable: 2000, restoreRate: 100, maxQueryCost: 1000 });
    } finally {
      await fresh.close();
    }
  });

  it('takes the actual cost: the requested points are taken, the unused ones given back', async () => {
    await shop.admin('/__sandbox/limits', { currentlyAvailable: 500 });
    const none = await costOf('{ orders(first: 10, query: "financial_status:paid financial_status:pending") { nodes { id } } }');
    expect(none).toMatchObject({ requestedQueryCost: 12, actualQueryCost: 2 });
    expect(none.throttleStatus.currentlyAvailable).toBe(498);
    const ten = await costOf('{ orders(first: 10) { nodes { id } } }');
    expect(ten.throttleStatus.currentlyAvailable).toBe(486);
  });

  it('answers THROTTLED with no data when the requested cost is more than is available, and takes nothing', async () => {
    await shop.admin('/__sandbox/limits', { currentlyAvailable: 11 });
    const before = await sandboxStats(shop.url);
    const a = await shop.gql('{ orders(first: 10) { nodes { id } } }');
    expect(a.status).toBe(200);
    expect(a.body).not.toHaveProperty('data');
    expect(a.body.errors).toEqual([{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: expect.any(String) } }]);
    expect(a.body.extensions.cost).toMatchObject({ requestedQueryCost: 12, actualQueryCost: null, throttleStatus: { currentlyAvailable: 11, maximumAvailable: 2000 } });
    const after = await sandboxStats(shop.url);
    expect(after.throttled - before.throttled).toBe(1);
    expect((after as Json).graphql.throttled).toBe(1);
    // What fits still runs.
    expect(await costOf('{ orders(first: 9) { nodes { id } } }')).toMatchObject({ actualQueryCost: 11, throttleStatus: { currentlyAvailable: 0 } });
  });

  it('restores at restoreRate, never past maximumAvailable', async () => {
    // Empty and restoring slowly first (12 points take 24 s), so the THROTTLED answer does not depend on
    // how fast a loaded machine sends the next request; at 200/s it was seen answered after 60 ms of restore.
    await shop.admin('/__sandbox/limits', { restoreRate: 0.5, maximumAvailable: 50, currentlyAvailable: 0 });
    expect((await shop.gql('{ orders(first: 10) { nodes { id } } }')).body.errors[0].extensions.code).toBe('THROTTLED');
    await shop.admin('/__sandbox/limits', { restoreRate: 200 });
    const ok = await until(
      () => shop.gql('{ orders(first: 10) { nodes { id } } }'),
      (a) => !a.body.errors,
      20_000,
      20,
    );
    expect(ok.body.extensions.cost.throttleStatus).toMatchObject({ maximumAvailable: 50, restoreRate: 200 });
    await until(
      () => shop.admin('/__sandbox/limits'),
      (a) => a.body.currentlyAvailable === 50,
      20_000,
      20,
    );
    expect((await shop.admin('/__sandbox/limits')).body.currentlyAvailable).toBe(50);
  });

  it('refuses a query over the single-query cap (1000) as MAX_COST_EXCEEDED, without charging it', async () => {
    const a = await shop.gql('{ orders(first: 250) { nodes { id lineItems(first: 10) { nodes { sku } } } } }');
    expect(a.status).toBe(200);
    expect(a.body).not.toHaveProperty('data');
    expect(a.body.errors[0].extensions).toEqual({ code: 'MAX_COST_EXCEEDED', cost: 2 + 250 * (1 + 2 + 10), maxCost: 1000 });
    expect(a.body.extensions.cost).toMatchObject({ requestedQueryCost: 3252, actualQueryCost: null, throttleStatus: { currentlyAvailable: 2000 } });
    await shop.admin('/__sandbox/limits', { maxQueryCost: 2 });
    expect((await shop.gql('{ shop { id } }')).body.errors).toBeUndefined();
    expect((await shop.gql('{ orders(first: 1) { nodes { id } } }')).body.errors[0].extensions.code).toBe('MAX_COST_EXCEEDED');
  });

  it('validates changes to the limits', async () => {
    expect((await shop.admin('/__sandbox/limits', { restoreRate: -1 })).status).toBe(400);
    expect((await shop.admin('/__sandbox/limits', { bucket: 5 })).status).toBe(400);
    expect((await shop.admin('/__sandbox/limits', { maximumAvailable: 300 })).body).toMatchObject({ maximumAvailable: 300, currentlyAvailable: 300 });
  });
});

describe('the endpoint', () => {
  it('wants the access token: 401 with the vendor message otherwise, charging nothing', async () => {
    for (const token of [null, 'wrong-token']) {
      const a = await shop.gql('{ shop { id } }', undefined, { token });
      expect(a.status).toBe(401);
      expect(a.body).toEqual({ errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
    }
    expect(((await sandboxStats(shop.url)) as Json).graphql.queries).toBe(0);
  });

  it('serves any YYYY-MM version and says which in X-Shopify-API-Version; anything else is 404', async () => {
    for (const v of ['2025-10', '2024-01', '2026-07', 'unstable']) {
      const a = await shop.gql('{ shop { id } }', undefined, { version: v });
      expect(a.status).toBe(200);
      expect(a.headers.get('x-shopify-api-version')).toBe(v);
    }
    for (const v of ['latest', '2025-13', '25-10']) expect((await shop.gql('{ shop { id } }', undefined, { version: v })).status).toBe(404);
  });

  it('answers a missing query 400, a syntax or validation error 200 with errors and the cost extension', async () => {
    const post = (body: string, type = 'application/json') => fetch(shop.endpoint, { method: 'POST', headers: { 'content-type': type, 'x-shopify-access-token': TOKEN }, body });
    const missing = await post('{}');
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ errors: { query: 'Required parameter missing or invalid' } });
    const syntax = (await (await post(JSON.stringify({ query: '{ shop {' }))).json()) as Json;
    expect(syntax.errors[0].message).toMatch(/Syntax Error/);
    expect(syntax.extensions.cost).toMatchObject({ requestedQueryCost: 0, actualQueryCost: 0 });
    const invalid = (await (await post(JSON.stringify({ query: '{ shop { nope } }' }))).json()) as Json;
    expect(invalid.errors[0].message).toMatch(/nope/);
    expect(invalid).not.toHaveProperty('data');
    const raw = (await (await post('{ shop { currencyCode } }', 'application/graphql')).json()) as Json;
    expect(raw.data).toEqual({ shop: { currencyCode: 'USD' } });
  });
});
