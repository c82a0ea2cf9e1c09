/**
 * The Shopify simulator's sandbox surface: the shared `/__sandbox/stats |
 * faults | reset | openapi.json` routes as on the other simulators (stats
 * counting THROTTLED answers and bulk operations), its own admin routes,
 * its `SANDBOX_SHOPIFY_*` variables, and `npm run sandbox` serving the shop
 * on its own with the printed URL, token and secret.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sandboxOptionsFromEnv } from '../../src/sandbox/config.js';
import { resetSandbox, sandboxStats, setFaults } from '../support/sandbox.js';
import { startShop, type Json, type Shop } from './shopify-support.js';

let shop: Shop;

beforeAll(async () => {
  shop = await startShop();
});
afterAll(async () => shop?.close());
beforeEach(async () => resetSandbox(shop.url, true));

describe('stats, faults and reset', () => {
  it('count API requests by route and status, THROTTLED answers, GraphQL root fields and bulk operations; admin routes are not counted', async () => {
    await shop.gql('{ shop { id } }');
    await shop.gql('{ orders(first: 2) { nodes { id } } }');
    await shop.admin('/__sandbox/limits', { currentlyAvailable: 0, restoreRate: 0.001 });
    await shop.gql('{ shop { id } }');
    await shop.gql('{ shop { id } }', undefined, { token: 'wrong' });
    const stats = (await sandboxStats(shop.url)) as Json;
    expect(stats).toMatchObject({
      requests: 4,
      endpoints: { 'POST /admin/api/:version/graphql.json': 4 },
      statuses: { '200': 3, '401': 1 },
      throttled: 1,
      graphql: { queries: 3, mutations: 0, throttled: 1, rootFields: { shop: 2, orders: 1 } },
      bulkOperations: { started: 0, completed: 0, failed: 0, canceled: 0, refused: 0 },
      webhooks: { events: 0, sent: 0 },
    });
    expect(stats.graphql.requestedPoints).toBe(1 + 4);
  });

  it('apply faults to the API with the vendor error bodies, never to admin routes', async () => {
    await setFaults(shop.url, { failNext: { status: 503, count: 1 } });
    const a = await shop.gql('{ shop { id } }');
    expect(a).toMatchObject({ status: 503, body: { errors: 'Service Unavailable' } });
    await setFaults(shop.url, { failNext: { status: 429, count: 1 } });
    const b = await shop.gql('{ shop { id } }');
    expect(b.status).toBe(429);
    expect(b.headers.get('retry-after')).toBe('2.0');
    await setFaults(shop.url, { errorRates: { '500': 1 } });
    expect((await shop.gql('{ shop { id } }')).status).toBe(500);
    expect((await shop.admin('/__sandbox/orders')).status).toBe(200);
    expect((await sandboxStats(shop.url)).faults).toEqual({ 'status-503': 1, 'status-429': 1, 'status-500': 1 });
  });

  it('reset clears stats and faults and restores the bucket; with data it drops created and changed orders and bulk results', async () => {
    const made = (await shop.admin('/__sandbox/orders', { create: 2, update: ['gid://shopify/Order/5600000000001'] })).body;
    expect(made.created).toHaveLength(2);
    await shop.admin('/__sandbox/limits', { maximumAvailable: 10 });
    await setFaults(shop.url, { latencyMs: 5 });
    await resetSandbox(shop.url);
    expect((await sandboxStats(shop.url)).requests).toBe(0);
    expect((await shop.admin('/__sandbox/faults')).body.latencyMs).toBe(0);
    expect((await shop.admin('/__sandbox/limits')).body).toMatchObject({ maximumAvailable: 2000, currentlyAvailable: 2000 });
    expect((await shop.admin('/__sandbox/orders')).body).toMatchObject({ count: 402, created: 2, touched: 1 });
    await resetSandbox(shop.url, true);
    expect((await shop.admin('/__sandbox/orders')).body).toMatchObject({ count: 400, created: 0, touched: 0 });
    expect((await shop.data('{ order(id: "gid://shopify/Order/5600000000401") { id } }')).order).toBeNull();
  });

  it('serves an OpenAPI document of every route and the SDL of the Admin API slice', async () => {
    const doc = (await shop.admin('/__sandbox/openapi.json')).body;
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/admin/api/{version}/graphql.json',
        '/bulk-operation-results/{file}',
        '/__sandbox/schema.graphql',
        '/__sandbox/limits',
        '/__sandbox/orders',
        '/__sandbox/webhooks',
        '/__sandbox/webhooks/redeliver',
        '/__sandbox/bulk',
      ].sort(),
    );
    expect(doc.components.securitySchemes.token).toMatchObject({ in: 'header', name: 'X-Shopify-Access-Token' });
    const sdl = await (await fetch(`${shop.url}/__sandbox/schema.graphql`)).text();
    for (const needle of ['type QueryRoot', 'orders(first: Int', 'bulkOperationRunQuery(query: String!', 'webhookSubscriptionCreate(', 'enum OrderDisplayFinancialStatus']) expect(sdl).toContain(needle);
    expect((await fetch(`${shop.url}/nowhere`)).status).toBe(404);
  });

  it('validates the admin bodies', async () => {
    expect((await shop.admin('/__sandbox/webhooks', { enabled: 'yes' })).status).toBe(400);
    expect((await shop.admin('/__sandbox/webhooks/redeliver', {})).status).toBe(400);
    expect((await shop.admin('/__sandbox/bulk', { failNext: { errorCode: 'BOOM' } })).status).toBe(400);
    expect((await shop.admin('/__sandbox/bulk', { malformedLines: [0] })).status).toBe(400);
    expect((await shop.admin('/__sandbox/bulk', { objectsPerSecond: 10 })).body.next).toMatchObject({ objectsPerSecond: 10 });
    expect((await shop.admin('/__sandbox/bulk')).body).toMatchObject({ operations: [], next: { objectsPerSecond: 10 } });
  });
});

describe('configuration', () => {
  it('reads SANDBOX_SHOPIFY_* from the environment', () => {
    const o = sandboxOptionsFromEnv({
      SANDBOX_SHOPIFY_PORT: '0',
      SANDBOX_SHOPIFY_SHOP_DOMAIN: 'parts-test.myshopify.com',
      SANDBOX_SHOPIFY_TOKEN: 't',
      SANDBOX_SHOPIFY_SECRET: 's',
      SANDBOX_SHOPIFY_ORDERS: '250',
      SANDBOX_SHOPIFY_CURRENCY: 'CAD',
      SANDBOX_SHOPIFY_SKU_PREFIX: 'FP-',
      SANDBOX_SHOPIFY_BUCKET_SIZE: '4000',
      SANDBOX_SHOPIFY_RESTORE_RATE: '200',
      SANDBOX_SHOPIFY_MAX_QUERY_COST: '500',
      SANDBOX_SHOPIFY_PAGINATION_LIMIT: '0',
      SANDBOX_SHOPIFY_BULK_START_DELAY_MS: '0',
      SANDBOX_SHOPIFY_BULK_OBJECTS_PER_SECOND: '1000',
      SANDBOX_SHOPIFY_WEBHOOKS: 'false',
      SANDBOX_SHOPIFY_WEBHOOK_URL: 'http://127.0.0.1:4000/webhooks/shopify',
      SANDBOX_SHOPIFY_WEBHOOK_API_VERSION: '2026-01',
      SANDBOX_SHOPIFY_WEBHOOK_RETRY_DELAYS_MS: '10, 20,30',
      SANDBOX_SHOPIFY_WEBHOOK_TIMEOUT_MS: '1000',
      SANDBOX_SHOPIFY_FAULTS: '{"latencyMs": 3}',
    });
    expect(o.shopify).toEqual({
      port: 0,
      shopDomain: 'parts-test.myshopify.com',
      accessToken: 't',
      apiSecret: 's',
      orders: 250,
      currency: 'CAD',
      skuPrefix: 'FP-',
      bucketSize: 4000,
      restoreRate: 200,
      maxQueryCost: 500,
      paginationLimit: 0,
      bulkStartDelayMs: 0,
      bulkObjectsPerSecond: 1000,
      webhooks: false,
      webhookUrl: 'http://127.0.0.1:4000/webhooks/shopify',
      webhookApiVersion: '2026-01',
      webhookRetryDelaysMs: [10, 20, 30],
      webhookTimeoutMs: 1000,
      faults: expect.objectContaining({ latencyMs: 3 }),
    });
  });

  it('refuses bad values, naming the variable', () => {
    for (const [name, value] of [
      ['SANDBOX_SHOPIFY_ORDERS', '2000000'],
      ['SANDBOX_SHOPIFY_CURRENCY', 'XYZ'],
      ['SANDBOX_SHOPIFY_WEBHOOK_RETRY_DELAYS_MS', '1,a'],
      ['SANDBOX_SHOPIFY_WEBHOOKS', 'maybe'],
      ['SANDBOX_SHOPIFY_SHOP_DOMAIN', 'example.com'],
      ['SANDBOX_SHOPIFY_WEBHOOK_URL', 'ftp://x'],
    ] as const) {
      expect(() => sandboxOptionsFromEnv({ [name]: value }), name).toThrow(name);
    }
  });
});

describe('npm run sandbox', () => {
  it('serves the shop on its own and prints its URL, token and secret', { timeout: 60_000 }, async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/sandbox/main.ts'], {
      cwd: root,
      env: { ...process.env, SANDBOX_HOST: '127.0.0.1', SANDBOX_FINDITPARTS_PORT: '0', SANDBOX_BIGCOMMERCE_PORT: '0', SANDBOX_ION_PORT: '0', SANDBOX_SHOPIFY_PORT: '0', SANDBOX_TIKTOK_PORT: '0', SANDBOX_WHATSAPP_PORT: '0', SANDBOX_SHOPIFY_ORDERS: '1000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      let out = '';
      const printed = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no Shopify line in 45 s:\n${out}`)), 45_000);
        const read = (chunk: Buffer) => {
          out += chunk.toString();
          if (/webhook secret: \S+/.test(out)) {
            clearTimeout(timer);
            resolve(out);
          }
        };
        child.stdout.on('data', read);
        child.stderr.on('data', read);
        child.once('exit', () => reject(new Error(`sandbox exited:\n${out}`)));
      });
      const m = /Shopify Admin GraphQL\s+(http:\/\/127\.0\.0\.1:\d+) \(shop crossdock-sandbox\.myshopify\.com, 1,000 orders\)/.exec(printed);
      expect(m, printed).not.toBeNull();
      expect(printed).toContain('X-Shopify-Access-Token: sandbox-shopify-token');
      expect(printed).toContain('webhook secret: sandbox-shopify-secret');
      expect(printed).toMatch(/cost bucket: 2000 points, restores 100\/s, at most 1000 per query/);
      const res = await fetch(`${m![1]}/admin/api/2025-10/graphql.json`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-shopify-access-token': 'sandbox-shopify-token' },
        body: JSON.stringify({ query: '{ ordersCount(limit: null) { count } shop { myshopifyDomain } }' }),
      });
      expect(((await res.json()) as Json).data).toEqual({ ordersCount: { count: 1000 }, shop: { myshopifyDomain: 'crossdock-sandbox.myshopify.com' } });
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
