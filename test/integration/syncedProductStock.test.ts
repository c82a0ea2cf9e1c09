/**
 * A store product a sync wrote carries its supplier id (custom field
 * `finditparts_id`), so everything that needs the supplier part behind it
 * reads it by id in the supplier's batch form (`/products/{ids}/multi`, 50 per
 * call) instead of a lookup by part number per SKU (the supplier has no batch
 * lookup by part number: README, "What a query costs").
 *
 * Defect pinned here: `Product.inventory` dropped the product's supplier id,
 * so `inventory { supplierQuantity | available | inStock }` looked every
 * synced product's part up by part number, one supplier call per SKU, while
 * `supplierPart` and `drift` on the same product used the batched call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { sandboxStats } from '../support/sandbox.js';
import { catalogParts, coldStart, syncPartNumbers } from '../support/syncedCatalog.js';

const PARTS = 60;
const SEED = 42;
let gw: TestGateway;
const parts = catalogParts(PARTS, SEED, PARTS).filter((p) => p.sellable).slice(0, 5);

beforeAll(async () => {
  gw = await startGateway(
    { SANDBOX_FINDITPARTS_RATE_PER_SECOND: '200', SANDBOX_FINDITPARTS_PER_MINUTE: '12000' },
    {
      parts: PARTS,
      seed: SEED,
      finditparts: { ratePerSecond: 200, burst: 200, perMinute: 12_000 },
      // No seeded store products: every product in the store is one the sync created.
      bigcommerce: { quota: 10_000, windowMs: 30_000, storeShare: 0 },
    },
  );
  await syncPartNumbers(gw, parts.map((p) => p.partNumber));
});
afterAll(async () => gw?.close());

describe('synced products read their supplier part by id', () => {
  it('Product.inventory reads supplier stock through the batched multi call, not a lookup per SKU', async () => {
    const skus = parts.map((p) => p.partNumber);
    await coldStart(gw);
    const res = await gw.gql(
      `query ($skus: [String!]!) { products(filter: { skus: $skus }, first: 50) { edges { node { sku inventory { supplierQuantity available } } } } }`,
      { skus },
    );
    expect(res.body.errors).toBeUndefined();
    const nodes = (res.body.data?.products as { edges: Array<{ node: { sku: string; inventory: { supplierQuantity: number | null } } }> }).edges.map((e) => e.node);
    expect(nodes.map((n) => n.sku).sort()).toEqual([...skus].sort());
    // The supplier's stock of each part's preferred variant, as the sandbox holds it.
    for (const n of nodes) expect(n.inventory.supplierQuantity).not.toBeNull();

    const fip = (await sandboxStats(gw.fipUrl)).endpoints;
    expect(fip['GET /api/v1/products/lookup'] ?? 0).toBe(0);
    expect(fip['GET /api/v1/products/:ids/multi']).toBe(1);
  });
});
