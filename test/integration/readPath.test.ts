/**
 * The read path over real HTTP: the gateway and its sandbox on ephemeral
 * ports, upstream calls counted by the sandbox itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetSandbox, sandboxStats } from '../support/sandbox.js';
import { startGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
const upstreamRequests = async () => (await sandboxStats(gw.fipUrl)).requests + (await sandboxStats(gw.bcUrl)).requests;
const resetStats = async () => Promise.all([resetSandbox(gw.fipUrl), resetSandbox(gw.bcUrl)]);

beforeAll(async () => {
  // The ERP holds none of these parts: drift here is supplier against store (the ERP's row: test/integration/erpReadPath.test.ts).
  gw = await startGateway({}, { parts: 500, bigcommerce: { storeShare: 0.6, driftShare: 0.2 }, ion: { itemShare: 0 } });
});
afterAll(async () => gw?.close());

const HUNDRED_PARTS = `query Hundred($ids: [ID!]!) {
  parts(ids: $ids) {
    id partNumber
    storeProduct { sku price { amount currency } inventory { supplierQuantity storeQuantity } }
    inventory { supplierQuantity storeQuantity available }
  }
}`;

describe('batching and caching', () => {
  it('100 parts with store product and stock cost at most 4 upstream calls cold and 0 warm', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => String(i + 101));
    await resetStats();
    const cold = await gw.gql(HUNDRED_PARTS, { ids });
    expect(cold.body.errors).toBeUndefined();
    const parts = cold.body.data?.parts as Array<{ partNumber: string; storeProduct: unknown }>;
    expect(parts).toHaveLength(100);
    expect(parts.filter((p) => p.storeProduct !== null).length).toBeGreaterThan(30);
    const coldCalls = await upstreamRequests();
    expect(coldCalls).toBeGreaterThan(0);
    expect(coldCalls).toBeLessThanOrEqual(4);

    await resetStats();
    const warm = await gw.gql(HUNDRED_PARTS, { ids });
    expect(warm.body).toEqual(cold.body);
    expect(await upstreamRequests()).toBe(0);

    // A different query text misses the whole-response cache but not the entity cache.
    await resetStats();
    const reshaped = await gw.gql(HUNDRED_PARTS.replace('id partNumber', 'partNumber id'), { ids });
    expect(reshaped.body.errors).toBeUndefined();
    expect(await upstreamRequests()).toBe(0);
  });

  it('keeps the order asked and answers null for unknown ids', async () => {
    const res = await gw.gql(`{ parts(ids: ["7", "999999", "3"]) { supplierId } }`);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.parts).toEqual([{ supplierId: '7' }, null, { supplierId: '3' }]);
  });

  it('accepts global ids and bare supplier ids alike, and refetches through node()', async () => {
    const search = await gw.gql(`{ searchParts(first: 2) { totalCount edges { cursor node { id partNumber } } pageInfo { hasNextPage endCursor } } }`);
    const conn = search.body.data?.searchParts as { totalCount: number; edges: Array<{ node: { id: string; partNumber: string } }>; pageInfo: { hasNextPage: boolean } };
    expect(conn.totalCount).toBe(500);
    expect(conn.pageInfo.hasNextPage).toBe(true);
    const first = conn.edges[0]!.node;
    const byGlobal = await gw.gql(`query($id: ID!) { part(id: $id) { partNumber } node(id: $id) { ... on Part { partNumber } } }`, { id: first.id });
    expect(byGlobal.body.data).toEqual({ part: { partNumber: first.partNumber }, node: { partNumber: first.partNumber } });
    const byNumber = await gw.gql(`query($n: String!) { partByNumber(partNumber: $n) { id } }`, { n: first.partNumber });
    expect(byNumber.body.data).toEqual({ partByNumber: { id: first.id } });
  });

  it('pages searchParts with cursors without gaps or repeats', async () => {
    const page1 = await gw.gql(`{ searchParts(first: 3) { edges { node { supplierId } } pageInfo { endCursor } } }`);
    const conn1 = page1.body.data?.searchParts as { edges: Array<{ node: { supplierId: string } }>; pageInfo: { endCursor: string } };
    const page2 = await gw.gql(`query($a: String) { searchParts(first: 3, after: $a) { edges { node { supplierId } } } }`, { a: conn1.pageInfo.endCursor });
    const ids = [...conn1.edges, ...(page2.body.data?.searchParts as typeof conn1).edges].map((e) => e.node.supplierId);
    expect(ids).toEqual(['1', '2', '3', '4', '5', '6']);
  });
});

describe('cross-system links', () => {
  it('links a store product back to its supplier part and reports drift field by field', async () => {
    const res = await gw.gql(`{ products(first: 40) { totalCount edges { node { sku price { amount } inventoryLevel supplierPart { partNumber price { amount } supplierStock description } drift { inSync fields { field expected actual } } } } } }`);
    expect(res.body.errors).toBeUndefined();
    type Node = { sku: string; price: { amount: string }; inventoryLevel: number; supplierPart: { partNumber: string; price: { amount: string }; supplierStock: number; description: string } | null; drift: { inSync: boolean; fields: Array<{ field: string; expected: string; actual: string }> } | null };
    const nodes = (res.body.data?.products as { edges: Array<{ node: Node }> }).edges.map((e) => e.node);
    expect(nodes.length).toBe(40);
    for (const n of nodes) {
      expect(n.supplierPart?.partNumber).toBe(n.sku);
      const expected = new Set<string>();
      if (n.supplierPart!.price.amount !== n.price.amount) expected.add('PRICE');
      if (n.supplierPart!.supplierStock !== n.inventoryLevel) expected.add('STOCK');
      expect(new Set(n.drift!.fields.map((f) => f.field).filter((f) => f !== 'NAME'))).toEqual(expected);
      expect(n.drift!.inSync).toBe(n.drift!.fields.length === 0);
    }
    // driftShare 0.2: some drifted, most in sync.
    const drifted = nodes.filter((n) => !n.drift!.inSync).length;
    expect(drifted).toBeGreaterThan(1);
    expect(drifted).toBeLessThan(25);
  });

  it('merges supplier and store stock in inventory(skus)', async () => {
    const products = await gw.gql(`{ products(first: 2) { edges { node { sku inventoryLevel supplierPart { supplierStock } } } } }`);
    const [a, b] = (products.body.data?.products as { edges: Array<{ node: { sku: string; inventoryLevel: number; supplierPart: { supplierStock: number } } }> }).edges.map((e) => e.node);
    const res = await gw.gql(`query($s: [String!]!) { inventory(skus: $s) { sku supplierQuantity storeQuantity available inStock storeLocations { locationId availableToSell } } }`, {
      s: [a!.sku, 'ZZ-0000000', b!.sku],
    });
    expect(res.body.errors).toBeUndefined();
    const inv = res.body.data?.inventory as Array<{ sku: string; supplierQuantity: number | null; storeQuantity: number | null; available: number }>;
    expect(inv.map((i) => i.sku)).toEqual([a!.sku, 'ZZ-0000000', b!.sku]);
    expect(inv[0]).toMatchObject({ supplierQuantity: a!.supplierPart.supplierStock, storeQuantity: a!.inventoryLevel });
    expect(inv[0]!.available).toBe(a!.supplierPart.supplierStock + a!.inventoryLevel);
    expect(inv[1]).toMatchObject({ supplierQuantity: null, storeQuantity: null, available: 0 });
  });

  it('reads store orders with lines linked to products and parts', async () => {
    const res = await gw.gql(`{ orders(first: 3) { totalCount edges { node { id storeOrderId status total { amount currency } createdAt lines { sku quantity unitPrice { amount } product { sku } part { partNumber } } } } } }`);
    expect(res.body.errors).toBeUndefined();
    const conn = res.body.data?.orders as { totalCount: number; edges: Array<{ node: { storeOrderId: string; createdAt: string; total: { amount: string }; lines: Array<{ sku: string; product: { sku: string } | null; part: { partNumber: string } | null }> } }> };
    expect(conn.totalCount).toBe(50);
    expect(conn.edges).toHaveLength(3);
    const order = conn.edges[0]!.node;
    expect(order.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(order.total.amount).toMatch(/^\d+\.\d{2,}$/);
    expect(order.lines.length).toBeGreaterThan(0);
    for (const line of order.lines) {
      expect(line.product?.sku).toBe(line.sku);
      expect(line.part?.partNumber).toBe(line.sku);
    }
    const one = await gw.gql(`query($id: ID!) { order(id: $id) { storeOrderId } }`, { id: order.storeOrderId });
    expect(one.body.data).toEqual({ order: { storeOrderId: order.storeOrderId } });
  });

  it('reports upstream health and cache status live', async () => {
    const res = await gw.gql(`{ upstreams { name breaker quotaRemaining quotaLimit requests latencyP99Ms } cacheStatus { store hits misses ttlSeconds { part stock } } }`);
    expect(res.body.errors).toBeUndefined();
    const ups = res.body.data?.upstreams as Array<{ name: string; breaker: string; quotaLimit: number | null; requests: number }>;
    expect(ups.map((u) => u.name).sort()).toEqual(['bigcommerce', 'finditparts', 'ion', 'ion-auth', 'shopify', 'tiktok', 'tiktok-media', 'whatsapp']);
    expect(ups.every((u) => u.breaker === 'CLOSED')).toBe(true);
    // The ones this suite read from (the ERP's authorization server only gave the start's token).
    expect(ups.filter((u) => ['bigcommerce', 'finditparts', 'ion-auth'].includes(u.name)).every((u) => u.requests > 0)).toBe(true);
    expect(ups.find((u) => u.name === 'bigcommerce')?.quotaLimit).toBe(150);
    expect(res.body.data?.cacheStatus).toMatchObject({ store: 'memory', ttlSeconds: { part: 600, stock: 60 } });
  });
});
