/**
 * Crossdock as a Federation v2 subgraph on its own /graphql (FEDERATION=true):
 * `_service { sdl }`, and `_entities` resolved through the request-scoped
 * loaders with the same keys, cost limits and error masking as any field.
 * Upstream calls are counted by the sandbox (the vendors' side).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type GqlBody, type TestGateway } from '../support/gateway.js';
import { resetSandbox, sandboxStats } from '../support/sandbox.js';
import { catalogParts } from '../support/syncedCatalog.js';

const PARTS = 500;
const SEED = 42;
const keyOf = () => randomBytes(18).toString('base64url');
const VIEWER_KEY = keyOf();
let gw: TestGateway;
let plain: TestGateway;

const ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Product { sku name }
    ... on Part { partNumber }
    ... on Inventory { sku storeQuantity }
    ... on Order { storeOrderId }
    ... on SyncJob { id status }
  }
}`;

const upstreamCalls = async () => {
  const [fip, bc] = await Promise.all([sandboxStats(gw.fipUrl), sandboxStats(gw.bcUrl)]);
  return { fip: fip.endpoints, bc: bc.endpoints, total: fip.requests + bc.requests };
};
const cold = async () => {
  await gw.services.cache.clear();
  await Promise.all([resetSandbox(gw.fipUrl), resetSandbox(gw.bcUrl)]);
};

beforeAll(async () => {
  gw = await startGateway(
    { FEDERATION: 'true', CROSSDOCK_API_KEYS: `router:viewer:${VIEWER_KEY}`, MAX_QUERY_COST: '5000' },
    { parts: PARTS, seed: SEED, bigcommerce: { storeShare: 1, quota: 10_000 } },
  );
  plain = await startGateway({}, { parts: 50 });
});
afterAll(async () => Promise.all([gw?.close(), plain?.close()]));

describe('the subgraph fields are served only with FEDERATION=true', () => {
  it('without it, _service and _entities are not in the schema', async () => {
    const res = await plain.gql('{ _service { sdl } }');
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const entities = await plain.gql(ENTITIES, { representations: [] });
    expect(entities.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('with it, _service { sdl } is the Federation v2 subgraph SDL: the entities and their keys, no Subscription', async () => {
    const res = await gw.gql<{ data: { _service: { sdl: string } } }>('{ _service { sdl } }');
    expect(res.status).toBe(200);
    const sdl = res.body.data._service.sdl;
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.3"');
    const keysOf = (type: string) => [...new RegExp(`type ${type}(?: implements \\w+)?((?:\\s+@\\w+(?:\\([^)]*\\))?)*)\\s*\\{`).exec(sdl)![1]!.matchAll(/@key\(fields: "(\w+)"\)/g)].map((m) => m[1]);
    expect(keysOf('Part')).toEqual(['id', 'partNumber']);
    expect(keysOf('Product')).toEqual(['id', 'sku']);
    expect(keysOf('Inventory')).toEqual(['sku']);
    expect(keysOf('Order')).toEqual(['id']);
    expect(keysOf('SyncJob')).toEqual(['id']);
    expect(sdl).not.toMatch(/type Subscription\b/);
    expect(sdl).toMatch(/type Mutation\b/);
    // Subscriptions still run on Crossdock's own endpoints against the same schema.
    const sse = await fetch(`${gw.url}/graphql/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': gw.key },
      body: JSON.stringify({ query: 'subscription { syncJobs { id } }' }),
      signal: AbortSignal.timeout(5_000),
    });
    expect(sse.status).toBe(200);
    expect(sse.headers.get('content-type')).toContain('text/event-stream');
    await sse.body?.cancel();
  });
});

describe('what a subgraph answers beyond the graph', () => {
  it('no federated inline trace (ftv1): resolver timings and raw errors are not handed to whoever sends the header', async () => {
    const res = await gw.gql(ENTITIES, { representations: [{ __typename: 'Product', sku: '../x' }] }, { 'apollo-federation-include-trace': 'ftv1' });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.body.extensions?.ftv1).toBeUndefined();
  });
});

describe('_entities', () => {
  it('resolves 100 Products by sku in one batched store call, in the order asked, null for an unknown SKU', async () => {
    const skus = catalogParts(PARTS, SEED, 100).map((p) => p.partNumber);
    await cold();
    const representations = [...skus.map((sku) => ({ __typename: 'Product', sku })), { __typename: 'Product', sku: 'NO-SUCH-SKU' }];
    const res = await gw.gql<GqlBody & { data: { _entities: Array<{ __typename: string; sku: string } | null> } }>(ENTITIES, { representations });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data._entities.slice(0, 100).map((e) => e?.sku)).toEqual(skus);
    expect(res.body.data._entities.every((e, i) => i === 100 ? e === null : e?.__typename === 'Product')).toBe(true);
    const calls = await upstreamCalls();
    expect(calls.bc).toEqual({ 'GET /stores/sandbox/v3/catalog/products': 1 });
    expect(calls.total).toBe(1);
  });

  it('resolves every entity type by each of its keys, through the same loaders', async () => {
    const [part] = catalogParts(PARTS, SEED, 1);
    const found = await gw.gql<{ data: { part: { id: string; storeProduct: { id: string; sku: string } }; orders: { edges: Array<{ node: { id: string; storeOrderId: string } }> } } }>(
      '{ part(id: "1") { id storeProduct { id sku } } orders(first: 1) { edges { node { id storeOrderId } } } }',
    );
    const { part: p, orders } = found.body.data;
    const order = orders.edges[0]!.node;
    const res = await gw.gql<GqlBody & { data: { _entities: Array<Record<string, unknown> | null> } }>(ENTITIES, {
      representations: [
        { __typename: 'Part', id: p.id },
        { __typename: 'Part', partNumber: part!.partNumber },
        { __typename: 'Product', id: p.storeProduct.id },
        { __typename: 'Product', sku: p.storeProduct.sku },
        { __typename: 'Inventory', sku: p.storeProduct.sku },
        { __typename: 'Order', id: order.id },
      ],
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data._entities).toEqual([
      { __typename: 'Part', partNumber: part!.partNumber },
      { __typename: 'Part', partNumber: part!.partNumber },
      expect.objectContaining({ __typename: 'Product', sku: p.storeProduct.sku }),
      expect.objectContaining({ __typename: 'Product', sku: p.storeProduct.sku }),
      { __typename: 'Inventory', sku: p.storeProduct.sku, storeQuantity: expect.any(Number) },
      { __typename: 'Order', storeOrderId: order.storeOrderId },
    ]);
  });

  it('a malformed representation is one typed BAD_USER_INPUT error for that entity; the others resolve', async () => {
    const [part] = catalogParts(PARTS, SEED, 1);
    const res = await gw.gql<GqlBody & { data: { _entities: Array<Record<string, unknown> | null> } }>(ENTITIES, {
      representations: [
        { __typename: 'Product', sku: part!.partNumber },
        'not an object',
        { sku: part!.partNumber },
        { __typename: 'Review', id: '1' },
        { __typename: 'Product', name: 'no key' },
        { __typename: 'Product', sku: '../admin' },
        { __typename: 'Part', id: 'UGFydDox%2F' },
        { __typename: 'SyncJob', id: 42 },
        { __typename: 'Part', partNumber: part!.partNumber },
      ],
    });
    expect(res.status).toBe(200);
    const entities = res.body.data._entities;
    expect(entities[0]).toMatchObject({ __typename: 'Product', sku: part!.partNumber });
    expect(entities[8]).toEqual({ __typename: 'Part', partNumber: part!.partNumber });
    expect(entities.slice(1, 8)).toEqual(Array(7).fill(null));
    const errors = res.body.errors ?? [];
    expect(errors.map((e) => e.path)).toEqual([1, 2, 3, 4, 5, 6, 7].map((i) => ['_entities', i]));
    for (const e of errors) expect(e.extensions?.code).toBe('BAD_USER_INPUT');
    expect(errors.map((e) => e.extensions?.index)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(errors[2]!.message).toContain('Review is not an entity of this subgraph');
    for (const e of errors) expect(JSON.stringify(e)).not.toMatch(/stack|at \//);
  });

  it('costs what its batched calls cost, and one over MAX_QUERY_COST is refused before any upstream call', async () => {
    const skus = catalogParts(PARTS, SEED, 200).map((p) => p.partNumber);
    const query = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { sku inventory { available } } } }`;
    // Per representation: the entity 1, Product.inventory 3 — what 200 `product(sku:) { inventory { available } }` fields cost.
    const budgetLeft = async (headers: Headers) => Number(/r=(\d+)/.exec(headers.get('ratelimit') ?? '')?.[1]);
    const before = await gw.gql('{ __typename }', undefined, { 'x-api-key': VIEWER_KEY });
    const ok = await gw.gql(query, { representations: skus.slice(0, 10).map((sku) => ({ __typename: 'Product', sku })) }, { 'x-api-key': VIEWER_KEY });
    expect(ok.body.errors).toBeUndefined();
    expect((await budgetLeft(before.headers)) - (await budgetLeft(ok.headers))).toBe(1 + 10 * (1 + 3));

    await cold();
    const many = Array.from({ length: 7 }, () => skus).flat().map((sku) => ({ __typename: 'Product', sku }));
    const refused = await gw.gql(query, { representations: many }, { 'x-api-key': VIEWER_KEY });
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost', cost: 1 + 1400 * 4 });
    expect((await upstreamCalls()).total).toBe(0);
  });
});
