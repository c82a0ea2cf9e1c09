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
