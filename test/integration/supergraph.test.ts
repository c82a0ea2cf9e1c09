/**
 * Crossdock composed into a supergraph by a real gateway from npm (Apollo
 * Gateway with IntrospectAndCompose, its own process: test/support/supergraph/),
 * beside a tiny "reviews" subgraph defined here that extends Product by sku.
 *
 * The gateway reaches Crossdock with a service key of its own (role viewer),
 * as README "Federation" describes. The store's products are written by a
 * real catalog sync first, so they carry their supplier ids as a synced store
 * does; upstream calls are counted by the sandbox (the vendors' side).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type GqlBody, type TestGateway } from '../support/gateway.js';
import { PROJECT_ROOT } from '../support/processes.js';
import { sandboxStats } from '../support/sandbox.js';
import { startSupergraph, type SupergraphProcess } from '../support/supergraph/gatewayProcess.js';
import { REVIEWS_SDL, reviewsFor, startReviewsSubgraph, type ReviewsSubgraph } from '../support/supergraph/reviewsSubgraph.js';
import { catalogParts, coldStart, syncPartNumbers } from '../support/syncedCatalog.js';

const PARTS = 300;
const SEED = 42;
const keyOf = () => randomBytes(18).toString('base64url');
const ROUTER_KEY = keyOf();
const OPS_KEY = keyOf();
const skus = catalogParts(PARTS, SEED, PARTS).filter((p) => p.sellable).slice(0, 100).map((p) => p.partNumber);

let crossdock: TestGateway;
let reviews: ReviewsSubgraph;
let supergraph: SupergraphProcess;
const tmp = mkdtempSync(join(tmpdir(), 'crossdock-supergraph-'));

beforeAll(async () => {
  crossdock = await startGateway(
    {
      FEDERATION: 'true',
      CROSSDOCK_API_KEYS: `supergraph:viewer:${ROUTER_KEY},ops:operator:${OPS_KEY}`,
      SANDBOX_FINDITPARTS_RATE_PER_SECOND: '200',
      SANDBOX_FINDITPARTS_PER_MINUTE: '12000',
    },
    {
      parts: PARTS,
      seed: SEED,
      finditparts: { ratePerSecond: 200, burst: 200, perMinute: 12_000 },
      // The store holds only what the sync writes.
      bigcommerce: { quota: 10_000, windowMs: 30_000, storeShare: 0 },
    },
  );
  await syncPartNumbers(crossdock, skus, OPS_KEY);
  reviews = await startReviewsSubgraph(skus);
  supergraph = await startSupergraph([
    { name: 'crossdock', url: `${crossdock.url}/graphql`, apiKey: ROUTER_KEY },
    { name: 'reviews', url: reviews.url },
  ]);
}, 120_000);
afterAll(async () => {
  await supergraph?.stop();
  await reviews?.close();
  await crossdock?.close();
});

type Joined = { sku: string; averageRating: number; reviews: Array<{ rating: number; body: string }>; name: string; inventory: { available: number; storeQuantity: number | null; supplierQuantity: number | null } };

describe('a supergraph composed from Crossdock and a reviews subgraph', () => {
  it('runs one query that joins both: products with their reviews and Crossdock inventory', async () => {
    const res = await supergraph.gql<GqlBody & { data: { topReviewed: Joined[]; product: { sku: string; name: string; reviews: Array<{ rating: number }> } } }>(
      `query Joined($sku: String!) {
        topReviewed(first: 3) { sku averageRating reviews { rating body } name inventory { available storeQuantity supplierQuantity } }
        product(sku: $sku) { sku name reviews { rating } }
      }`,
      { sku: skus[5] },
    );
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const joined = res.body.data.topReviewed;
    expect(joined.map((p) => p.sku)).toEqual(skus.slice(0, 3));
    // What Crossdock answers for the same SKUs on its own endpoint.
    const direct = await crossdock.gql<{ data: { inventory: Array<{ sku: string; available: number; storeQuantity: number | null; supplierQuantity: number | null }>; products: { edges: Array<{ node: { sku: string; name: string } }> } } }>(
      'query ($skus: [String!]!) { inventory(skus: $skus) { sku available storeQuantity supplierQuantity } products(filter: { skus: $skus }) { edges { node { sku name } } } }',
      { skus: skus.slice(0, 3) },
    );
    const names = new Map(direct.body.data.products.edges.map((e) => [e.node.sku, e.node.name]));
    joined.forEach((p, i) => {
      expect(p.reviews).toEqual(reviewsFor(p.sku).map(({ rating, body }) => ({ rating, body })));
      expect(p.name).toBe(names.get(p.sku));
      const { sku: _sku, ...stock } = direct.body.data.inventory[i]!;
      expect(p.inventory).toEqual(stock);
      expect(p.inventory.supplierQuantity).not.toBeNull();
    });
    // And from Crossdock's side into the reviews subgraph.
    expect(res.body.data.product).toEqual({ sku: skus[5], name: names.get(skus[5]!) ?? expect.any(String), reviews: reviewsFor(skus[5]!).map(({ rating }) => ({ rating })) });
  });

  it('100 products by sku with inventory { available } cost 4 upstream calls cold: one store read, the supplier multi calls of 50, one stock read', async () => {
    await coldStart(crossdock);
    const res = await supergraph.gql<GqlBody & { data: { topReviewed: Array<{ sku: string; inventory: { available: number } }> } }>('{ topReviewed(first: 100) { sku inventory { available } } }');
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.topReviewed).toHaveLength(100);
    for (const p of res.body.data.topReviewed) expect(p.inventory.available).toBeGreaterThanOrEqual(0);
    const [fip, bc] = await Promise.all([sandboxStats(crossdock.fipUrl), sandboxStats(crossdock.bcUrl)]);
    // upstreams.md: the supplier's multi endpoint takes 50 ids per call, so 100 parts are 2 calls; no lookup by part number.
    expect(fip.endpoints).toEqual({ 'GET /api/v1/products/:ids/multi': 2 });
    expect(bc.endpoints).toEqual({ 'GET /stores/sandbox/v3/catalog/products': 1, 'GET /stores/sandbox/v3/inventory/items': 1 });
    expect(fip.requests + bc.requests).toBe(4);
  });

  it("the gateway's service key keeps its own role: a mutation through the supergraph is refused for a viewer key", async () => {
    const res = await supergraph.gql<GqlBody>('mutation { startSync(input: { kind: CATALOG }) { job { id } } }');
    expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(res.body.errors?.[0]?.message).toMatch(/role viewer/);
  });
});

describe('npx crossdock schema --federation', () => {
  const cli = (...args: string[]) =>
    promisify(execFile)(process.execPath, [join(PROJECT_ROOT, 'bin', 'crossdock.js'), ...args], { env: { ...process.env, CROSSDOCK_CLI_SOURCE: '1' }, timeout: 30_000 });

  it('prints the SDL _service { sdl } serves, and the gateway composes it with the reviews subgraph and runs the joining query', async () => {
    const { stdout } = await cli('schema', '--federation');
    const served = await crossdock.gql<{ data: { _service: { sdl: string } } }>('{ _service { sdl } }', undefined, { 'x-api-key': ROUTER_KEY });
    expect(stdout.trim()).toBe(served.body.data._service.sdl.trim());

    const crossdockSdl = join(tmp, 'crossdock.graphql');
    const reviewsSdl = join(tmp, 'reviews.graphql');
    writeFileSync(crossdockSdl, stdout);
    writeFileSync(reviewsSdl, REVIEWS_SDL);
    const composed = await startSupergraph([
      { name: 'crossdock', url: `${crossdock.url}/graphql`, apiKey: ROUTER_KEY, sdlFile: crossdockSdl },
      { name: 'reviews', url: reviews.url, sdlFile: reviewsSdl },
    ]);
    try {
      const res = await composed.gql<GqlBody & { data: { topReviewed: Array<{ sku: string; reviews: unknown[]; inventory: { available: number } }> } }>('{ topReviewed(first: 2) { sku reviews { rating } inventory { available } } }');
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.topReviewed.map((p) => p.sku)).toEqual(skus.slice(0, 2));
    } finally {
      await composed.stop();
    }
  });

  it('a subgraph that disagrees with it fails composition (the check can fail)', async () => {
    const { stdout } = await cli('schema', '--federation');
    const crossdockSdl = join(tmp, 'crossdock-2.graphql');
    const brokenSdl = join(tmp, 'reviews-broken.graphql');
    writeFileSync(crossdockSdl, stdout);
    // The reviews service claims Product.sku is an Int: the two definitions of the key field cannot merge.
    writeFileSync(brokenSdl, REVIEWS_SDL.replace('sku: String!', 'sku: Int!'));
    await expect(
      startSupergraph([
        { name: 'crossdock', url: `${crossdock.url}/graphql`, sdlFile: crossdockSdl },
        { name: 'reviews', url: reviews.url, sdlFile: brokenSdl },
      ]),
    ).rejects.toThrow(/Product\.sku|FIELD_TYPE_MISMATCH|incompatible types/i);
  });
});
