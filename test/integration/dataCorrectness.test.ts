/**
 * What the graph says about the data, over real HTTP against the embedded
 * sandbox (seeded: 50 store orders, 60% of a 300-part catalog in the store):
 * connection paging, node() typing, drift against what a sync writes, and
 * the store's currency.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetCursor } from '../../src/graphql/pagination.js';
import type { Sandbox } from '../../src/sandbox/createSandbox.js';
import { startControlledProxy, type ControlledProxy } from '../support/controlledProxy.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { pollUntil, sandboxUpstreamEnv } from '../support/processes.js';
import { startSandbox } from '../support/sandbox.js';

let gw: TestGateway;

beforeAll(async () => {
  // A sync marks supplier prices up 10% and rounds to .99: the store's prices then differ from the supplier's by design.
  gw = await startGateway({ PRICE_MARKUP_PERCENT: '10', PRICE_ROUNDING: 'x99' }, { parts: 300, bigcommerce: { storeShare: 0.6, driftShare: 0 } });
});
afterAll(async () => gw?.close());

describe('connections', () => {
  it('orders: no next page past the last order when the window straddles two vendor pages', async () => {
    // 50 orders; the window [35, 55) reads v2 page 2 of 20 (full: "maybe more") and page 3 (the last 10).
    const res = await gw.gql(`query($a: String) { orders(first: 20, after: $a) { edges { node { storeOrderId } } pageInfo { hasNextPage endCursor } } }`, {
      a: offsetCursor(34),
    });
    expect(res.body.errors).toBeUndefined();
    const conn = res.body.data?.orders as { edges: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
    expect(conn.edges).toHaveLength(15);
    expect(conn.pageInfo.hasNextPage).toBe(false);
    // And indeed nothing follows.
    const next = await gw.gql(`query($a: String) { orders(first: 20, after: $a) { edges { cursor } } }`, { a: conn.pageInfo.endCursor });
    expect((next.body.data?.orders as { edges: unknown[] }).edges).toHaveLength(0);
  });
});

describe('node(id)', () => {
  it('answers a Product id as a Product, a Part id as a Part and an Order id as an Order', async () => {
    const ids = await gw.gql(`{ products(first: 1) { edges { node { id sku supplierPart { id partNumber } } } } orders(first: 1) { edges { node { id storeOrderId } } } }`);
    expect(ids.body.errors).toBeUndefined();
    const product = (ids.body.data?.products as { edges: Array<{ node: { id: string; sku: string; supplierPart: { id: string; partNumber: string } } }> }).edges[0]!.node;
    const order = (ids.body.data?.orders as { edges: Array<{ node: { id: string; storeOrderId: string } }> }).edges[0]!.node;
    const res = await gw.gql(
      `query($p: ID!, $part: ID!, $o: ID!) {
        product: node(id: $p) { __typename id ... on Product { sku } ... on Part { partNumber } }
        part: node(id: $part) { __typename id ... on Part { partNumber } ... on Product { sku } }
        order: node(id: $o) { __typename id ... on Order { storeOrderId } }
      }`,
      { p: product.id, part: product.supplierPart.id, o: order.id },
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toEqual({
      product: { __typename: 'Product', id: product.id, sku: product.sku },
      part: { __typename: 'Part', id: product.supplierPart.id, partNumber: product.supplierPart.partNumber },
      order: { __typename: 'Order', id: order.id, storeOrderId: order.storeOrderId },
    });
  });
});

describe('drift', () => {
  type DriftView = { inSync: boolean; fields: Array<{ field: string; expected: string; actual: string }> };
  const PART = `query($id: ID!) { part(id: $id) { price { amount } storeProduct { price { amount } } drift { inSync fields { field expected actual } } } }`;
  const readPart = async (id: string) => {
    const res = await gw.gql(PART, { id });
    expect(res.body.errors).toBeUndefined();
    return (res.body.data as { part: { price: { amount: string }; storeProduct: { price: { amount: string } }; drift: DriftView } }).part;
  };

  it('compares the store with what the sync would write (markup and rounding), not with the raw supplier price', async () => {
    const list = await gw.gql(`{ products(first: 1) { edges { node { supplierPart { id partNumber } } } } }`);
    const linked = (list.body.data?.products as { edges: Array<{ node: { supplierPart: { id: string; partNumber: string } } }> }).edges[0]!.node.supplierPart;

    // Seeded at the supplier's price (no drift share), so before a sync the store is behind the markup.
    const before = await readPart(linked.id);
    expect(before.storeProduct.price.amount).toBe(before.price.amount);
    // +10% in 1/10,000 units, to the cent, then up to the whole unit's .99 (README: PRICE_MARKUP_PERCENT, PRICE_ROUNDING x99).
    const cents = Math.round(Number(before.price.amount) * 100);
    const toCent = Math.floor((cents * 110 + 50) / 100) * 100;
    const markedUp = `${Math.floor(toCent / 10_000)}.99`;
    expect(before.drift.fields).toContainEqual({ field: 'PRICE', expected: markedUp, actual: before.storeProduct.price.amount });
    expect(before.drift.inSync).toBe(false);

    const started = await gw.gql(`mutation($input: StartSyncInput!) { startSync(input: $input) { job { id } } }`, {
      input: { kind: 'PRICE', scope: { partNumbers: [linked.partNumber] } },
    });
    expect(started.body.errors).toBeUndefined();
    const jobId = (started.body.data?.startSync as { job: { id: string } }).job.id;
    const done = await pollUntil(
      async () => (await gw.gql(`query($id: ID!) { syncJob(id: $id) { status progress { updated failed } } }`, { id: jobId })).body.data?.syncJob as { status: string; progress: { updated: number; failed: number } },
      (job) => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.status),
      { timeoutMs: 20_000, what: 'the PRICE sync to end' },
    );
    expect(done).toMatchObject({ status: 'SUCCEEDED', progress: { updated: 1, failed: 0 } });

    // The store now holds exactly what the mapper wrote: no drift.
    const after = await readPart(linked.id);
    expect(after.storeProduct.price.amount).toBe(markedUp);
    expect(after.drift).toEqual({ inSync: true, fields: [] });
  });
});

describe('currencies (a store whose default currency is EUR)', () => {
  let sandbox: Sandbox;
  let proxy: ControlledProxy;
  let eur: TestGateway;
  /** SKUs whose price the proxy replaces with something that is not a number. */
  const corrupt = new Set<string>();

  beforeAll(async () => {
    sandbox = await startSandbox({ parts: 100, bigcommerce: { currency: 'EUR', quota: 10_000 } });
    proxy = await startControlledProxy(sandbox.bigcommerce.url);
    // A v3 product list whose price for some SKUs is not a number (the store's data, not the gateway's).
    proxy.rewrite = (req, answer) => {
      if (!req.path.includes('/v3/catalog/products') || answer.status !== 200 || corrupt.size === 0) return answer;
      const body = JSON.parse(answer.body) as { data: Array<{ sku: string; price: unknown }> };
      for (const p of body.data) if (corrupt.has(p.sku)) p.price = 'n/a';
      return { ...answer, body: JSON.stringify(body) };
    };
    const env = sandboxUpstreamEnv(sandbox);
    // Real (non-embedded) upstreams need configured keys, even in development.
    eur = await startGateway({ ...env, BIGCOMMERCE_API_URL: `${proxy.url}/stores/${sandbox.options.bigcommerce.storeHash}`, CROSSDOCK_API_KEYS: 'eur:admin:eur-test-key-0123456789' });
  });
  afterAll(async () => {
    await eur?.close();
    await proxy?.close();
    await sandbox?.close();
  });

  it("labels store prices, order totals and order lines with the store's currency", async () => {
    const res = await eur.gql(`{
      products(first: 3) { edges { node { price { amount currency } } } }
      orders(first: 3) { edges { node { subtotal { currency } total { currency } lines { unitPrice { currency } total { currency } } } } }
    }`);
    expect(res.body.errors).toBeUndefined();
    const products = (res.body.data?.products as { edges: Array<{ node: { price: { currency: string } } }> }).edges;
    expect(products.length).toBe(3);
    for (const e of products) expect(e.node.price.currency).toBe('EUR');
    const orders = (res.body.data?.orders as { edges: Array<{ node: { subtotal: { currency: string }; total: { currency: string }; lines: Array<{ unitPrice: { currency: string }; total: { currency: string } }> } }> }).edges;
    expect(orders.length).toBe(3);
    for (const { node } of orders) {
      expect([node.subtotal.currency, node.total.currency]).toEqual(['EUR', 'EUR']);
      expect(node.lines.length).toBeGreaterThan(0);
      for (const l of node.lines) expect([l.unitPrice.currency, l.total.currency]).toEqual(['EUR', 'EUR']);
    }
  });

  it('answers an unparseable store price as an error for that product, never 0.00, and leaves the others alone', async () => {
    const list = await eur.gql(`{ products(first: 2) { edges { node { sku } } } }`);
    const [a, b] = (list.body.data?.products as { edges: Array<{ node: { sku: string } }> }).edges.map((e) => e.node.sku);
    corrupt.add(b!);
    try {
      const res = await eur.gql(`query($s: [String!]) { products(filter: { skus: $s }) { edges { node { sku price { amount currency } } } } }`, { s: [a, b] });
      const nodes = (res.body.data?.products as { edges: Array<{ node: { sku: string; price: { amount: string } | null } }> }).edges.map((e) => e.node);
      const good = nodes.find((n) => n.sku === a);
      const bad = nodes.find((n) => n.sku === b);
      expect(good?.price?.amount).toMatch(/^\d+\.\d{2,}$/);
      expect(bad).toEqual({ sku: b, price: null });
      expect(res.body.errors).toHaveLength(1);
      expect(res.body.errors?.[0]).toMatchObject({ path: ['products', 'edges', nodes.indexOf(bad!), 'node', 'price'], extensions: { code: 'UPSTREAM_ERROR', upstream: 'bigcommerce' } });
    } finally {
      corrupt.clear();
    }
  });
});
