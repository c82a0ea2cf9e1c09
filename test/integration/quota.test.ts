/**
 * The store's quota is the only speed limit, and the gateway never earns a
 * 429: concurrent reads are batched across requests and paced against the
 * vendor's own headers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetSandbox, sandboxStats } from '../support/sandbox.js';
import { startGateway, type TestGateway } from '../support/gateway.js';

describe('store quota 20 per 30 s', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({}, { parts: 2000, bigcommerce: { quota: 20, windowMs: 30_000, storeShare: 1 } });
  });
  afterAll(async () => gw?.close());

  it('200 concurrent product reads all succeed and the sandbox counts zero 429s', async () => {
    await resetSandbox(gw.bcUrl);
    const reads = Array.from({ length: 200 }, (_, i) => {
      const id = String(10_000_000 + 1 + i * 7); // seeded store ids: 10,000,000 + catalog index
      return gw.gql(`query($id: ID!) { product(id: $id) { storeId sku price { amount } } }`, { id });
    });
    const results = await Promise.all(reads);
    for (const r of results) {
      expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
      expect(r.status).toBe(200);
      expect(r.body.errors).toBeUndefined();
      expect((r.body.data?.product as { storeId: string } | null)?.storeId).toMatch(/^100\d+$/);
    }
    const stats = await sandboxStats(gw.bcUrl);
    expect(stats.statuses['429'] ?? 0).toBe(0);
    expect(stats.throttled).toBe(0);
    expect(stats.requests).toBeLessThanOrEqual(20);
  });
});

describe('reads beyond the quota wait instead of failing', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({}, { parts: 500, bigcommerce: { quota: 5, windowMs: 2_000 } });
  });
  afterAll(async () => gw?.close());

  it('15 unbatchable list reads over a 5-per-2-s quota: all succeed, zero 429s, paced over several windows', async () => {
    await resetSandbox(gw.bcUrl);
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 15 }, (_, i) => gw.gql(`query($k: String) { products(first: 1, filter: { keyword: $k }) { totalCount } }`, { k: `Q${i}` })),
    );
    for (const r of results) expect(r.body.errors).toBeUndefined();
    const stats = await sandboxStats(gw.bcUrl);
    expect(stats.requests).toBe(15);
    expect(stats.statuses['429'] ?? 0).toBe(0);
    // 15 calls at 5 per 2 s need at least two full windows.
    expect(Date.now() - started).toBeGreaterThanOrEqual(3_500);
  }, 30_000);
});
