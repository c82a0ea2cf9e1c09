/**
 * Fault injection, stats and admin routes of a simulated origin, exercised
 * against the FinditParts origin over real HTTP on loopback.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/createSandbox.js';
import { resetSandbox, sandboxStats, setFaults, startSandbox } from '../support/sandbox.js';

/** Wire bodies are checked field by field, not typed with the sandbox's own types. */
type Json = any;

let sb: Sandbox;
let origin: string;
let base: string;
let headers: Record<string, string>;
/** A variant that can be ordered (sellable, in stock, minimum 1). */
let variantId: number;

const address = { name: 'Fleet Shop', street1: '1 Depot Rd', city: 'Columbus', state: 'OH', zip: '43004', country: 'US' };

function placeOrder(po: string, signal?: AbortSignal): Promise<Response> {
  return fetch(`${base}/partners/place_order`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ po_number: po, shipping_method: 'ground', address, items: [{ variant_id: variantId, quantity: 1 }] }),
    signal: signal ?? null,
  });
}

const getApi = (path: string, signal?: AbortSignal) => fetch(`${base}${path}`, { headers, signal: signal ?? null });

async function searchPo(po: string): Promise<Json[]> {
  const res = await getApi(`/orders/search?po_number=${encodeURIComponent(po)}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as Json).orders;
}

beforeAll(async () => {
  sb = await startSandbox({ parts: 200, finditparts: { ratePerSecond: 100_000, burst: 100_000, perMinute: 10_000_000 } });
  origin = sb.finditparts.url;
  base = sb.finditparts.apiBase;
  headers = { 'x-api-key': sb.options.finditparts.apiKey };
  const page = (await (await getApi('/products?per=100')).json()) as Json;
  const candidate = page.products
    .filter((p: Json) => p.sellable)
    .flatMap((p: Json) => p.variants)
    .find((v: Json) => v.quantity > 0 && v.minimum === 1);
  variantId = candidate.variant_id;
});

afterEach(async () => {
  await resetSandbox(origin, true);
});

afterAll(async () => {
  await sb?.close();
});

describe('fault kinds', () => {
  it('adds fixed latency', async () => {
    await setFaults(origin, { latencyMs: 300 });
    const t0 = performance.now();
    const res = await getApi('/products/1');
    const elapsed = performance.now() - t0;
    expect(res.status).toBe(200);
    expect(elapsed).toBeGreaterThanOrEqual(295);
  });

  it.each([429, 500, 503, 504])('answers %i at errorRate 1 with the vendor error body', async (status) => {
    await setFaults(origin, { errorRates: { [String(status)]: 1 } });
    for (let i = 0; i < 3; i++) {
      const res = await getApi('/products/1');
      expect(res.status).toBe(status);
      const body = (await res.json()) as Json;
      expect(body.errno).toBe(99);
      expect(typeof body.message).toBe('string');
      if (status === 429) expect(res.headers.get('retry-after')).toBe('1');
    }
    const stats = await sandboxStats(origin);
    expect(stats.faults[`status-${status}`]).toBe(3);
    expect(stats.statuses[String(status)]).toBe(3);
    expect(stats.throttled).toBe(0); // fault 429s are not the rate limiter's
  });

  it('hangs at hangRate 1: the client times out', async () => {
    await setFaults(origin, { hangRate: 1 });
    const err = await getApi('/products/1', AbortSignal.timeout(300)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('TimeoutError');
    expect((await sandboxStats(origin)).faults['hang']).toBe(1);
  });

  it('resets the connection at resetRate 1: fetch rejects', async () => {
    await setFaults(origin, { resetRate: 1 });
    await expect(getApi('/products/1', AbortSignal.timeout(5_000))).rejects.toThrow(TypeError);
    expect((await sandboxStats(origin)).faults['reset']).toBe(1);
  });

  it('acceptThenHang records the order but never answers', async () => {
    await setFaults(origin, { acceptThenHang: true });
    // Reads are not order placements: they pass.
    expect((await getApi('/products/1')).status).toBe(200);
    const err = await placeOrder('PO-HANG-1', AbortSignal.timeout(500)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as Error | undefined)?.name).toBe('TimeoutError');
    await setFaults(origin, {});
    const orders = await searchPo('PO-HANG-1');
    expect(orders).toHaveLength(1);
    expect(orders[0].po_number).toBe('PO-HANG-1');
    expect((await sandboxStats(origin)).faults['acceptThenHang']).toBe(1);
  });

  it('failNext fails exactly the next N requests', async () => {
    await setFaults(origin, { failNext: { status: 500, count: 3 } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await getApi('/products/1')).status);
    expect(statuses).toEqual([500, 500, 500, 200, 200]);
  });

  it('match.methods narrows faults to some methods', async () => {
    await setFaults(origin, { errorRates: { '503': 1 }, match: { methods: ['post'] } });
    expect((await getApi('/products/1')).status).toBe(200);
    const res = await placeOrder('PO-MATCH-POST');
    expect(res.status).toBe(503);
    expect(((await res.json()) as Json).errno).toBe(99);
    await setFaults(origin, {});
    expect(await searchPo('PO-MATCH-POST')).toEqual([]); // the fault answered before the handler ran
  });

  it('match.path narrows faults to matching paths', async () => {
    await setFaults(origin, { errorRates: { '500': 1 }, match: { path: '/multi$' } });
    expect((await getApi('/products/1,2/multi')).status).toBe(500);
    expect((await getApi('/products/1')).status).toBe(200);
    expect((await getApi('/products?ids=1,2')).status).toBe(200);
  });

  it('rejects an invalid fault spec with 400 and keeps the current one', async () => {
    await setFaults(origin, { latencyMs: 5 });
    for (const spec of [{ hangRate: 2 }, { bogus: true }, { errorRates: { '418': 1 } }, { match: { path: '(' } }]) {
      const res = await fetch(`${origin}/__sandbox/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(spec),
      });
      expect(res.status, JSON.stringify(spec)).toBe(400);
    }
    const current = (await (await fetch(`${origin}/__sandbox/faults`)).json()) as Json;
    expect(current.latencyMs).toBe(5);
  });

  it('never applies faults to the admin routes', async () => {
    await setFaults(origin, { errorRates: { '500': 1 } });
    expect((await getApi('/products/1')).status).toBe(500);
    expect((await fetch(`${origin}/__sandbox/stats`)).status).toBe(200);
    expect((await fetch(`${origin}/__sandbox/openapi.json`)).status).toBe(200);
  });
});

describe('stats and reset', () => {
  it('counts requests by endpoint and status, excluding admin routes', async () => {
    expect((await getApi('/products/1')).status).toBe(200);
    expect((await getApi('/products/2')).status).toBe(200);
    expect((await getApi('/products/1,2/multi')).status).toBe(200);
    expect((await placeOrder('PO-STATS')).status).toBe(201);
    expect((await getApi('/nowhere')).status).toBe(404);
    await sandboxStats(origin); // admin calls are not counted
    const stats = await sandboxStats(origin);
    expect(stats.requests).toBe(5);
    const endpoints = Object.entries(stats.endpoints);
    const count = (needle: string) => endpoints.filter(([k]) => k.includes(needle)).reduce((n, [, v]) => n + v, 0);
    expect(count('place_order')).toBe(1);
    expect(count('multi')).toBe(1);
    expect(stats.endpoints['GET /api/v1/products/:id']).toBe(2);
    expect(stats.statuses).toEqual({ '200': 3, '201': 1, '404': 1 });
    expect(stats.writes).toBe(1);
  });

  it('POST /__sandbox/reset clears stats and faults', async () => {
    await setFaults(origin, { errorRates: { '500': 1 }, latencyMs: 10 });
    expect((await getApi('/products/1')).status).toBe(500);
    expect((await sandboxStats(origin)).requests).toBe(1);
    await resetSandbox(origin);
    const stats = await sandboxStats(origin);
    expect(stats.requests).toBe(0);
    expect(stats.faults).toEqual({});
    const spec = (await (await fetch(`${origin}/__sandbox/faults`)).json()) as Json;
    expect(spec.errorRates).toEqual({});
    expect(spec.latencyMs).toBe(0);
    expect((await getApi('/products/1')).status).toBe(200);
  });

  it('serves an OpenAPI 3 document listing every route', async () => {
    const res = await fetch(`${origin}/__sandbox/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Json;
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/api/v1/products',
        '/api/v1/products/lookup',
        '/api/v1/products/{id}',
        '/api/v1/products/{ids}/multi',
        '/api/v1/variants/{ids}',
        '/api/v1/vehicles',
        '/api/v1/partners/place_order',
        '/api/v1/orders/search',
        '/api/v1/orders/{id}',
        '/api/v1/shipping_methods',
        '/__sandbox/stats',
        '/__sandbox/faults',
        '/__sandbox/reset',
        '/__sandbox/limits',
        '/__sandbox/orders/{id}/status',
        '/__sandbox/parts/{partNumber}/fitments',
        '/__sandbox/openapi.json',
      ].sort(),
    );
    expect(Object.keys(doc.paths['/api/v1/partners/place_order'])).toEqual(['post']);
    expect(doc.paths['/api/v1/partners/place_order'].post.responses).toHaveProperty('201');
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ in: 'header', name: 'X-API-Key' });
    // Every documented path template answers something other than the router's 404.
    for (const path of Object.keys(doc.paths).filter((p) => p.startsWith('/api/v1'))) {
      for (const method of Object.keys(doc.paths[path])) {
        const concrete = path.replace('{ids}', '1,2').replace('{id}', '1');
        const r = await fetch(`${origin}${concrete}`, { method: method.toUpperCase(), headers });
        const body = (await r.json()) as Json;
        expect(body.message ?? '', `${method} ${path}`).not.toBe('not found');
      }
    }
  });
});
