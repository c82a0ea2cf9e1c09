/**
 * What the graph says about the data, over real HTTP against the embedded
 * sandbox (seeded: 50 store orders, 60% of a 300-part catalog in the store):
 * connection paging, node() typing, drift against what a sync writes, and
 * the store's currency.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetCursor } from '../../src/graphql/pagination.js';
import { startGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway({}, { parts: 300, bigcommerce: { storeShare: 0.6, driftShare: 0 } });
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
