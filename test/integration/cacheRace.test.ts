/**
 * Acceptance: a read racing a sync write never returns the old value after
 * the write's invalidation. Over real HTTP: the gateway, the sandbox, and a
 * proxy in front of the store that holds one answer back until the test
 * releases it. The held read reached the store before the sync wrote (it
 * carries the old price); the sync then writes the new price and
 * invalidates; only then does the old answer reach the gateway.
 *
 * After the invalidation, no read may answer the old price: not a read that
 * starts while the old fetch is still out (it must not join it), not a read
 * after the old answer came in (it must not have been cached, in the entity
 * cache, in what a fetch primes for another kind, or in the whole-response
 * cache).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/createSandbox.js';
import { startControlledProxy, type ControlledProxy, type ProxiedRequest } from '../support/controlledProxy.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { pollUntil, sandboxUpstreamEnv } from '../support/processes.js';
import { startSandbox } from '../support/sandbox.js';

let sandbox: Sandbox;
let proxy: ControlledProxy;
let gw: TestGateway;

beforeAll(async () => {
  // Every catalog part in the store at the supplier's price; a PRICE sync marks it up 25%, so it always writes.
  sandbox = await startSandbox({ parts: 60, bigcommerce: { storeShare: 1, driftShare: 0, quota: 10_000 }, finditparts: { ratePerSecond: 500, burst: 500, perMinute: 30_000 } });
  proxy = await startControlledProxy(sandbox.bigcommerce.url);
  gw = await startGateway({
    ...sandboxUpstreamEnv(sandbox),
    BIGCOMMERCE_API_URL: `${proxy.url}/stores/${sandbox.options.bigcommerce.storeHash}`,
    PRICE_MARKUP_PERCENT: '25',
    // Real (non-embedded) upstreams need configured keys, even in development.
    CROSSDOCK_API_KEYS: 'race:admin:race-test-key-0123456789',
  });
});
afterAll(async () => {
  await gw?.close();
  await proxy?.close();
  await sandbox?.close();
});

interface StoreProductWire {
  id: number;
  sku: string;
  price: number;
}
/** Straight from the sandbox (not through the gateway, whose caches must stay cold). */
async function storeProducts(): Promise<StoreProductWire[]> {
  const res = await fetch(`${sandbox.bigcommerce.apiBase}/v3/catalog/products?limit=10`, { headers: { 'x-auth-token': sandbox.options.bigcommerce.accessToken } });
  return ((await res.json()) as { data: StoreProductWire[] }).data;
}

const isProductRead = (filter: 'sku:in' | 'id:in', value: string) => (req: ProxiedRequest) =>
  req.method === 'GET' && req.path.includes('/v3/catalog/products?') && new URL(req.path, 'http://x').searchParams.get(filter)?.split(',').includes(value) === true;

async function syncPrice(partNumber: string): Promise<void> {
  const started = await gw.gql(`mutation($input: StartSyncInput!) { startSync(input: $input) { job { id } } }`, { input: { kind: 'PRICE', scope: { partNumbers: [partNumber] } } });
  expect(started.body.errors).toBeUndefined();
  const id = (started.body.data?.startSync as { job: { id: string } }).job.id;
  const done = await pollUntil(
    async () => (await gw.gql(`query($id: ID!) { syncJob(id: $id) { status progress { updated } } }`, { id })).body.data?.syncJob as { status: string; progress: { updated: number } },
    (job) => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.status),
    { timeoutMs: 20_000, what: 'the PRICE sync to end' },
  );
  // SUCCEEDED comes after the page's write and its invalidation (runSync.ts).
  expect(done).toEqual({ status: 'SUCCEEDED', progress: { updated: 1 } });
}

const priceOf = (body: { data?: Record<string, unknown> | null; errors?: unknown[] }, field: string) => {
  expect(body.errors).toBeUndefined();
  return (body.data?.[field] as { price: { amount: string } } | null)?.price.amount;
};

describe('a read racing a sync write', () => {
  it('by SKU: after the invalidation no read answers the old price, whether it starts while the old fetch is out or after it landed', async () => {
    const [product] = await storeProducts();
    const sku = product!.sku;
    const oldPrice = product!.price.toFixed(2);
    const READ = `query($s: String!) { product(sku: $s) { price { amount } } }`;

    // 1. A read reaches the store and gets the old price; its answer is held.
    const held = proxy.holdNext(isProductRead('sku:in', sku), 8_000);
    const racing = gw.gql(READ, { s: sku });
    await held.arrived;

    // 2. The sync writes the new price and invalidates.
    await syncPrice(sku);
    const newPrice = (await storeProducts()).find((p) => p.id === product!.id)!.price.toFixed(2);
    expect(newPrice).not.toBe(oldPrice);

    // 3. A read that starts now, while the old fetch is still out, gets the new price.
    const during = await gw.gql(`query($s: String!) { p: product(sku: $s) { sku price { amount } } }`, { s: sku });
    expect(priceOf(during.body, 'p')).toBe(newPrice);

    // 4. The old answer lands. The read that started before the write may show it...
    held.release();
    expect(priceOf((await racing).body, 'product')).toBe(oldPrice);

    // 5. ...but nothing after it does: not the same query (whole-response cache), not another one (entity cache).
    expect(priceOf((await gw.gql(READ, { s: sku })).body, 'product')).toBe(newPrice);
    expect(priceOf((await gw.gql(`query($s: String!) { again: product(sku: $s) { price { amount } } }`, { s: sku })).body, 'again')).toBe(newPrice);
  });

  it('by id: what the old fetch primes for the SKU lookup does not land either', async () => {
    const [, product] = await storeProducts();
    const { sku, id } = product!;
    const oldPrice = product!.price.toFixed(2);
    const BY_ID = `query($id: ID!) { product(id: $id) { price { amount } } }`;

    // A read by id: its answer also primes the by-SKU cache (sources.ts).
    const held = proxy.holdNext(isProductRead('id:in', String(id)), 8_000);
    const racing = gw.gql(BY_ID, { id: String(id) });
    await held.arrived;
    await syncPrice(sku);
    const newPrice = (await storeProducts()).find((p) => p.id === id)!.price.toFixed(2);
    expect(newPrice).not.toBe(oldPrice);
    held.release();
    await racing;

    expect(priceOf((await gw.gql(`query($s: String!) { product(sku: $s) { price { amount } } }`, { s: sku })).body, 'product')).toBe(newPrice);
    expect(priceOf((await gw.gql(BY_ID, { id: String(id) })).body, 'product')).toBe(newPrice);
  });
});
