/**
 * Fan-out is priced as the upstream calls it makes (issue 10, finding 16),
 * against a real gateway with a viewer on the default budget (1,000 points
 * per window):
 *
 * - `inventory(skus: [250]) { supplierQuantity }` makes a supplier lookup per
 *   SKU (the supplier has no batch lookup by part number): 250 lookups cost
 *   1 + 250 × (1 + 3) = 1,001 points, more than the viewer's whole budget, so
 *   it is refused before any upstream call instead of running for 251;
 * - a filtered `orders { totalCount }` is charged the 20 pages counting may
 *   read, not 2 points.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { sandboxStats } from '../support/sandbox.js';

const VIEWER = 'cdk_fanout_viewer_00000000001';
let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway(
    { CROSSDOCK_API_KEYS: `shop:viewer:${VIEWER}`, CLIENT_BUDGET_POINTS: '1000', CLIENT_BUDGET_WINDOW_SECONDS: '900', RESPONSE_CACHE: 'false' },
    // A fast supplier, so that a run of the unpriced query ends quickly instead of waiting out 5 lookups a second.
    { parts: 300, finditparts: { ratePerSecond: 2_000, burst: 2_000, perMinute: 200_000 } },
  );
});
afterAll(async () => {
  await gw?.close();
});

const remaining = (h: Headers) => Number(/;r=(\d+);/.exec(h.get('ratelimit') ?? '')?.[1] ?? NaN);
const supplierCalls = async () => (await sandboxStats(gw.fipUrl)).requests;

describe('a viewer’s fan-out is charged what its upstream calls cost', () => {
  it('inventory(skus: [250 skus]) { supplierQuantity } costs 1,001: over the viewer’s budget, refused before any supplier call', async () => {
    const skus = Array.from({ length: 250 }, (_, i) => `PN-${100_000 + i}`);
    const before = await supplierCalls();
    const res = await gw.gql('query($s: [String!]!) { inventory(skus: $s) { sku supplierQuantity } }', { s: skus }, { 'x-api-key': VIEWER });
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'budget', cost: 1 + 250 * (1 + 3), max: 1000 });
    expect(res.body.data ?? null).toBeNull();
    expect(await supplierCalls()).toBe(before);
    // Nothing was charged for it.
    expect(remaining(res.headers)).toBe(1000);
  });

  it('store stock alone stays cheap (one batched read per 250 SKUs)', async () => {
    const res = await gw.gql('query($s: [String!]!) { inventory(skus: $s) { sku storeQuantity } }', { s: ['PN-1', 'PN-2'] }, { 'x-api-key': VIEWER });
    expect(res.body.errors).toBeUndefined();
    expect(remaining(res.headers)).toBe(1000 - (1 + 2));
  });

  it('a filtered orders { totalCount } is charged its count’s pages', async () => {
    const before = remaining((await gw.gql('{ __typename }', {}, { 'x-api-key': VIEWER })).headers);
    const res = await gw.gql('{ orders(filter: { statusId: 11 }) { totalCount } }', {}, { 'x-api-key': VIEWER });
    expect(res.body.errors).toBeUndefined();
    expect(typeof (res.body.data?.orders as { totalCount: number }).totalCount).toBe('number');
    expect(before - remaining(res.headers)).toBe(1 + 1 + 20);
  });
});
