/**
 * Contract tests of the FinditParts Reseller API simulator, over real HTTP on
 * loopback. Expectations come from upstreams.md ("FinditParts") and are
 * checked against the wire, not against the sandbox's own types.
 */
import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/createSandbox.js';
import { resetSandbox, sandboxStats, startSandbox } from '../support/sandbox.js';

/** Wire bodies are checked field by field, not typed with the sandbox's own types. */
type Json = any;

const GENEROUS = { ratePerSecond: 100_000, burst: 100_000, perMinute: 10_000_000 };
const PRICE = /^\d+\.\d{2}$/;

let sb: Sandbox;
let origin: string;
let base: string;
let apiKey: string;
/** Every product of the 500-part catalog, fetched page by page (unfiltered). */
let all: Json[];

function signJwt(payload: Record<string, unknown>, secret: string, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${enc(header)}.${enc(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

const now = () => Math.floor(Date.now() / 1000);

async function call(path: string, init: RequestInit = {}, auth: Record<string, string> | null = { 'x-api-key': apiKey }) {
  const headers = { ...(auth ?? {}), ...(init.headers as Record<string, string> | undefined) };
  const res = await fetch(`${base}${path}`, { ...init, headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as Json };
}

const get = (path: string, auth?: Record<string, string> | null) => call(path, {}, auth);
const post = (path: string, body: unknown) =>
  call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function admin(path: string, body?: unknown) {
  const res = await fetch(`${origin}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

const ids = (products: Json[]) => products.map((p: Json) => p.id);

beforeAll(async () => {
  sb = await startSandbox({ parts: 500, finditparts: GENEROUS });
  origin = sb.finditparts.url;
  base = sb.finditparts.apiBase;
  apiKey = sb.options.finditparts.apiKey;
  all = [];
  for (let page = 1; page <= 5; page++) {
    const r = await get(`/products?per=100&page=${page}`);
    all.push(...r.body.products);
  }
});

afterAll(async () => {
  await sb?.close();
});

describe('product shape and search envelope', () => {
  it('lists the catalog with the documented envelope and product shape', async () => {
    const r = await get('/products');
    expect(r.status).toBe(200);
    expect(r.body.errno).toBe(0);
    expect(r.body.pagination).toEqual({ current_page: 1, per_page: 25, total_count: 500 });
    expect(ids(r.body.products)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    const counts = Object.values(r.body.aggs.manufacturers as Record<string, number>);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(25);
    for (const p of r.body.products) {
      expect(p.finditparts_product_id).toBe(p.id);
      expect(p.url).toMatch(new RegExp(`^https://www\\.finditparts\\.com/products/${p.id}/[a-z0-9-]+$`));
      expect(p.image).toBe(`https://images.finditparts.com/sandbox/${p.id}.jpg`);
      expect(typeof p.manufacturer).toBe('string');
      expect(p.part_number).toMatch(/^[A-Z]{2}-\d{7}$/);
      expect(typeof p.short_description).toBe('string');
      expect(typeof p.sellable).toBe('boolean');
      expect(p.tags).toHaveLength(1);
      expect(Array.isArray(p.fitments)).toBe(true);
      expect(p.variants.length).toBeGreaterThanOrEqual(1);
      expect(p.preferred_variant_id).toBe(p.variants[0].variant_id);
      for (const v of p.variants) {
        expect(Object.keys(v).sort()).toEqual(
          ['core_price', 'estimated_ship_date', 'minimum', 'pack_quantity', 'price', 'quantity', 'variant_id'].sort(),
        );
        expect(typeof v.price).toBe('string');
        expect(v.price).toMatch(PRICE);
        expect(v.core_price).toMatch(PRICE);
        expect(v.estimated_ship_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(Number.isInteger(v.quantity)).toBe(true);
      }
    }
  });

  it('pages with total_count, including the last partial page and past the end', async () => {
    expect(all).toHaveLength(500);
    expect(ids(all)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    const mid = await get('/products?page=3&per=40');
    expect(ids(mid.body.products)).toEqual(Array.from({ length: 40 }, (_, i) => 81 + i));
    expect(mid.body.pagination).toEqual({ current_page: 3, per_page: 40, total_count: 500 });
    const last = await get('/products?page=13&per=40');
    expect(ids(last.body.products)).toEqual(Array.from({ length: 20 }, (_, i) => 481 + i));
    const past = await get('/products?page=14&per=40');
    expect(past.body.products).toEqual([]);
    expect(past.body.pagination.total_count).toBe(500);
  });

  it('rejects per over 100 and bad paging with 400 errno 2', async () => {
    for (const q of ['per=101', 'per=0', 'page=0', 'page=abc', 'per=-5']) {
      const r = await get(`/products?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.errno, q).toBe(2);
      expect(typeof r.body.message).toBe('string');
    }
    expect((await get('/products?per=101')).body.message).toBe('per must be between 1 and 100');
  });

  it('query matches part number, manufacturer or description, case-insensitively', async () => {
    const needle = 'bRaKe';
    const expected = all.filter((p) =>
      [p.part_number, p.manufacturer, p.short_description].some((f: string) => f.toLowerCase().includes('brake')),
    );
    expect(expected.length).toBeGreaterThan(0);
    const r = await get(`/products?query=${needle}&per=100`);
    expect(r.body.pagination.total_count).toBe(expected.length);
    expect(ids(r.body.products)).toEqual(ids(expected).slice(0, 100));
    const byMfr = all[6].manufacturer as string;
    const m = await get(`/products?query=${encodeURIComponent(byMfr.toUpperCase())}&per=100`);
    expect(ids(m.body.products)).toContain(7);
    // aggs are over the matched set
    const aggTotal = Object.values(r.body.aggs.manufacturers as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(aggTotal).toBe(expected.length);
  });

  it('part_number is an exact, case-insensitive match', async () => {
    const pn = all[41].part_number as string;
    const r = await get(`/products?part_number=${pn.toLowerCase()}`);
    expect(ids(r.body.products)).toEqual([42]);
    expect(r.body.pagination.total_count).toBe(1);
    const partial = await get(`/products?part_number=${pn.slice(0, 6)}`);
    expect(partial.body.products).toEqual([]);
    expect(partial.body.pagination.total_count).toBe(0);
  });

  it('filters by tags (comma list) and pages the filtered set', async () => {
    const expected = all.filter((p) => ['brakes', 'filters'].includes(p.tags[0]));
    const r = await get('/products?tags=brakes,filters&per=100');
    expect(r.body.pagination.total_count).toBe(expected.length);
    for (const p of r.body.products) expect(['brakes', 'filters']).toContain(p.tags[0]);
    const scansBefore = sb.finditparts.origin.search.scans();
    const page2 = await get('/products?tags=brakes,filters&per=10&page=2');
    await get('/products?tags=brakes,filters&per=10&page=3');
    // The first page's scan is cached: paging the same filter does not rescan.
    expect(sb.finditparts.origin.search.scans()).toBe(scansBefore);
    expect(ids(page2.body.products)).toEqual(ids(expected).slice(10, 20));
    expect(page2.body.pagination).toEqual({ current_page: 2, per_page: 10, total_count: expected.length });
  });

  it('filters by ids, ignoring unknown ones, and rejects non-numeric ids', async () => {
    const r = await get('/products?ids=5,3,999,1');
    expect(ids(r.body.products)).toEqual([1, 3, 5]);
    expect(r.body.pagination.total_count).toBe(3);
    const bad = await get('/products?ids=1,x');
    expect(bad.status).toBe(400);
    expect(bad.body.errno).toBe(2);
  });

  it('filters by vehicle fitment (sandbox extension)', async () => {
    const sample = all.find((p) => p.fitments.length > 0);
    expect(sample).toBeDefined();
    const fit = sample.fitments[0];
    const expected = all.filter((p) =>
      p.fitments.some((f: Json) => f.year === fit.year && f.make === fit.make && f.model === fit.model),
    );
    const r = await get(
      `/products?fitment_year=${fit.year}&fitment_make=${encodeURIComponent(fit.make.toLowerCase())}&fitment_model=${encodeURIComponent(fit.model)}&per=100`,
    );
    expect(r.status).toBe(200);
    expect(ids(r.body.products)).toEqual(ids(expected));
    expect(ids(r.body.products)).toContain(sample.id);
    const byMake = all.filter((p) => p.fitments.some((f: Json) => f.make === fit.make));
    const m = await get(`/products?fitment_make=${encodeURIComponent(fit.make)}&per=100`);
    expect(m.body.pagination.total_count).toBe(byMake.length);
  });

  it('lists vehicles covering every fitment in the catalog', async () => {
    const r = await get('/vehicles');
    expect(r.status).toBe(200);
    expect(r.body.errno).toBe(0);
    const makes = new Map<string, string[]>(r.body.vehicles.map((v: Json) => [v.make, v.models]));
    expect(makes.size).toBeGreaterThan(0);
    expect(r.body.years.min).toBeLessThanOrEqual(r.body.years.max);
    for (const p of all) {
      for (const f of p.fitments) {
        expect(makes.get(f.make)).toContain(f.model);
        expect(f.year).toBeGreaterThanOrEqual(r.body.years.min);
        expect(f.year).toBeLessThanOrEqual(r.body.years.max);
      }
    }
  });
});

describe('single, multi, lookup and variants', () => {
  it('GET /products/{id} answers one product, 404 errno 404 otherwise', async () => {
    const r = await get('/products/42');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ product: all[41], errno: 0 });
    for (const id of ['501', '0', 'abc']) {
      const missing = await get(`/products/${id}`);
      expect(missing.status, id).toBe(404);
      expect(missing.body).toEqual({ errno: 404, message: 'product not found' });
    }
  });

  it('multi keeps the order asked and leaves unknown ids out', async () => {
    const r = await get('/products/7,3,9999,5/multi');
    expect(r.status).toBe(200);
    expect(r.body.errno).toBe(0);
    expect(ids(r.body.products)).toEqual([7, 3, 5]);
    expect(r.body.products[0]).toEqual(all[6]);
  });

  it('multi takes 50 ids and rejects 51 or non-numeric ids with 400 errno 2', async () => {
    const fifty = Array.from({ length: 50 }, (_, i) => 450 + i);
    const ok = await get(`/products/${fifty.join(',')}/multi`);
    expect(ok.status).toBe(200);
    expect(ids(ok.body.products)).toEqual(fifty);
    const tooMany = await get(`/products/${[...fifty, 1].join(',')}/multi`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toEqual({ errno: 2, message: 'at most 50 ids per request' });
    const bad = await get('/products/1,two,3/multi');
    expect(bad.status).toBe(400);
    expect(bad.body.errno).toBe(2);
  });

  it('lookup finds a product by part number', async () => {
    const pn = all[99].part_number as string;
    const r = await get(`/products/lookup?part_number=${pn}`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ product: all[99], errno: 0 });
    expect((await get(`/products/lookup?part_number=${pn.toLowerCase()}`)).body.product.id).toBe(100);
    const missing = await get('/products/lookup?part_number=ZZ-0000000');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ errno: 404, message: 'product not found' });
  });

  it('variants answers variants with their product_id', async () => {
    const wanted = [all[0].variants[0], all[1].variants[0]];
    const r = await get(`/variants/${wanted.map((v) => v.variant_id).join(',')},99999`);
    expect(r.status).toBe(200);
    expect(r.body.errno).toBe(0);
    expect(r.body.variants).toEqual([
      { ...wanted[0], product_id: 1 },
      { ...wanted[1], product_id: 2 },
    ]);
    const tooMany = await get(`/variants/${Array.from({ length: 51 }, (_, i) => 11 + 10 * i).join(',')}`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errno).toBe(2);
  });

  it('unknown API routes answer 404 errno 404', async () => {
    const r = await get('/no/such/route');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ errno: 404, message: 'not found' });
  });
});

describe('authentication', () => {
  const claims = () => ({ iss: sb.options.finditparts.clientId, sub: 'customer-1', exp: now() + 60, data: { intent: 'PRODUCT_SEARCH' } });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('accepts a JWT signed by hand with node:crypto HS256', async () => {
    const r = await get('/products/1', bearer(signJwt(claims(), sb.options.finditparts.clientSecret)));
    expect(r.status).toBe(200);
    expect(r.body.product.id).toBe(1);
    const minimal = signJwt({ iss: sb.options.finditparts.clientId, exp: now() + 30 }, sb.options.finditparts.clientSecret);
    expect((await get('/products/1', bearer(minimal))).status).toBe(200);
  });

  it.each([
    ['expired', () => signJwt({ ...claims(), exp: now() - 60 }, sb.options.finditparts.clientSecret), /expired/],
    ['wrong signature', () => signJwt(claims(), 'not-the-secret'), /signature/],
    ['wrong iss', () => signJwt({ ...claims(), iss: 'someone-else' }, sb.options.finditparts.clientSecret), /iss/],
    ['no exp', () => signJwt({ iss: sb.options.finditparts.clientId }, sb.options.finditparts.clientSecret), /exp/],
    ['exp too far ahead', () => signJwt({ ...claims(), exp: now() + 7200 }, sb.options.finditparts.clientSecret), /lifetime/],
    ['unknown intent', () => signJwt({ ...claims(), data: { intent: 'DELETE_EVERYTHING' } }, sb.options.finditparts.clientSecret), /intent/],
    ['alg none', () => signJwt(claims(), 'x', { alg: 'none', typ: 'JWT' }).replace(/\.[^.]+$/, '.'), /./],
    ['garbage', () => 'not.a.jwt', /./],
  ])('rejects a token: %s → 401 errno 1', async (_name, token, message) => {
    const r = await get('/products/1', bearer(token()));
    expect(r.status).toBe(401);
    expect(r.body.errno).toBe(1);
    expect(r.body.message).toMatch(message);
  });

  it('rejects missing credentials', async () => {
    const r = await get('/products/1', null);
    expect(r.status).toBe(401);
    expect(r.body.errno).toBe(1);
    expect(r.body.message).toMatch(/missing credentials/);
  });

  it('accepts the static X-API-Key and rejects a wrong one', async () => {
    expect((await get('/products/1', { 'x-api-key': apiKey })).status).toBe(200);
    const r = await get('/products/1', { 'x-api-key': 'wrong-key' });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ errno: 1, message: 'invalid API key' });
  });
});

describe('rate limiting', () => {
  afterEach(async () => {
    expect((await admin('/__sandbox/limits', GENEROUS)).status).toBe(200);
  });

  it('throttles beyond the burst with 429, Retry-After and errno 7, then recovers', async () => {
    const set = await admin('/__sandbox/limits', { ratePerSecond: 1, burst: 3 });
    expect(set.body).toMatchObject({ ratePerSecond: 1, burst: 3 });
    expect((await admin('/__sandbox/limits')).body).toMatchObject({ ratePerSecond: 1, burst: 3 });
    await resetSandbox(origin);
    const statuses: number[] = [];
    let throttled: Awaited<ReturnType<typeof get>> | undefined;
    for (let i = 0; i < 5; i++) {
      const r = await get('/products/1');
      statuses.push(r.status);
      if (r.status === 429) throttled = r;
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(throttled?.body).toEqual({ errno: 7, message: 'rate limit exceeded' });
    const retryAfter = Number(throttled?.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect((await sandboxStats(origin)).throttled).toBe(2);
    // Each credential has its own bucket.
    const jwt = signJwt({ iss: sb.options.finditparts.clientId, exp: now() + 60 }, sb.options.finditparts.clientSecret);
    expect((await get('/products/1', { authorization: `Bearer ${jwt}` })).status).toBe(200);
    await new Promise((r) => setTimeout(r, retryAfter * 1000 + 100));
    expect((await get('/products/1')).status).toBe(200);
  });

  it('enforces the per-minute bound even with tokens left in the bucket', async () => {
    await admin('/__sandbox/limits', { ratePerSecond: 1000, burst: 1000, perMinute: 4 });
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof get>> | undefined;
    for (let i = 0; i < 6; i++) {
      last = await get('/products/2');
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    expect(last?.body.errno).toBe(7);
    const retryAfter = Number(last?.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Raising the limit at run time lets requests through again.
    await admin('/__sandbox/limits', { perMinute: 100 });
    expect((await get('/products/2')).status).toBe(200);
  });

  it('rejects invalid limits with 400', async () => {
    for (const body of [{ burst: 0 }, { ratePerSecond: -1 }, { perMinute: 'many' }, { bogus: 1 }]) {
      const r = await admin('/__sandbox/limits', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.errno).toBe(2);
    }
  });
});

describe('orders', () => {
  const address = { name: 'Fleet Shop', street1: '1 Depot Rd', city: 'Columbus', state: 'OH', zip: '43004', country: 'US' };
  const variantOf = (pred: (p: Json, v: Json) => boolean) => {
    for (const p of all) for (const v of p.variants) if (pred(p, v)) return { product: p, variant: v };
    throw new Error('no such variant in the catalog');
  };
  const orderable = () => variantOf((p, v) => p.sellable && v.quantity > 0 && v.minimum === 1);
  const order = (po: string, items: Json[], extra: Json = {}) => ({ po_number: po, shipping_method: 'ground', address, items, ...extra });
  const toCents = (s: string) => Math.round(Number(s) * 100);

  it('lists shipping methods', async () => {
    const r = await get('/shipping_methods');
    expect(r.body.errno).toBe(0);
    const ground = r.body.shipping_methods.find((m: Json) => m.id === 'ground');
    expect(ground).toMatchObject({ id: 'ground', name: expect.any(String), days: expect.any(Number) });
    expect(ground.price).toMatch(PRICE);
  });

  it('places an order (201), then reads it back by id', async () => {
    const { product, variant } = orderable();
    const r = await post('/partners/place_order', order('PO-PLACE-1', [{ variant_id: variant.variant_id, quantity: 3 }]));
    expect(r.status).toBe(201);
    expect(r.body.errno).toBe(0);
    const o = r.body.order;
    expect(o).toMatchObject({ po_number: 'PO-PLACE-1', status: 'received', shipping_method: 'ground' });
    expect(Number.isInteger(o.id)).toBe(true);
    expect(new Date(o.created_at).toISOString()).toBe(o.created_at);
    expect(o.items).toEqual([
      { variant_id: variant.variant_id, product_id: product.id, part_number: product.part_number, quantity: 3, price: variant.price },
    ]);
    expect(o.subtotal).toMatch(PRICE);
    expect(toCents(o.subtotal)).toBe(3 * toCents(variant.price));
    const back = await get(`/orders/${o.id}`);
    expect(back.status).toBe(200);
    expect(back.body).toEqual({ order: o, errno: 0 });
    const missing = await get('/orders/999999999');
    expect(missing.status).toBe(404);
    expect(missing.body.errno).toBe(404);
  });

  it('has no idempotency: the same po_number twice makes two orders, both found by search', async () => {
    const { variant } = orderable();
    const body = order('PO-TWICE', [{ variant_id: variant.variant_id, quantity: 1 }]);
    const a = await post('/partners/place_order', body);
    const b = await post('/partners/place_order', body);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.order.id).not.toBe(b.body.order.id);
    const found = await get('/orders/search?po_number=PO-TWICE');
    expect(found.body.errno).toBe(0);
    expect(found.body.orders.map((o: Json) => o.id)).toEqual([a.body.order.id, b.body.order.id]);
    expect(found.body.pagination).toEqual({ current_page: 1, per_page: 25, total_count: 2 });
    const paged = await get('/orders/search?po_number=PO-TWICE&per=1&page=2');
    expect(paged.body.orders.map((o: Json) => o.id)).toEqual([b.body.order.id]);
    expect((await get('/orders/search?po_number=PO-NEVER')).body.orders).toEqual([]);
  });

  it('rejects invalid orders with 422 and the right errno, and records none of them', async () => {
    const ok = orderable().variant;
    const item = { variant_id: ok.variant_id, quantity: 1 };
    const outOfStock = variantOf((p, v) => p.sellable && v.quantity === 0).variant;
    const minimum = variantOf((p, v) => p.sellable && v.quantity > 0 && v.minimum > 1).variant;
    const unsellable = variantOf((p, v) => !p.sellable && v.quantity > 0).variant;
    const cases: Array<[string, Json, number]> = [
      ['missing po_number', { shipping_method: 'ground', address, items: [item] }, 3],
      ['po_number too long', order('P'.repeat(65), [item]), 3],
      ['unknown shipping method', order('PO-BAD-SHIP', [item], { shipping_method: 'teleport' }), 3],
      ['missing address', { po_number: 'PO-NO-ADDR', shipping_method: 'ground', items: [item] }, 3],
      ['address without zip', order('PO-NO-ZIP', [item], { address: { ...address, zip: undefined } }), 3],
      ['no items', order('PO-EMPTY', []), 3],
      ['101 items', order('PO-101', Array.from({ length: 101 }, () => item)), 3],
      ['quantity 0', order('PO-QTY0', [{ ...item, quantity: 0 }]), 3],
      ['fractional quantity', order('PO-QTYF', [{ ...item, quantity: 1.5 }]), 3],
      ['unknown variant', order('PO-UNKNOWN', [{ variant_id: 99_999_999, quantity: 1 }]), 4],
      ['out of stock', order('PO-OOS', [{ variant_id: outOfStock.variant_id, quantity: 1 }]), 5],
      ['below minimum', order('PO-MIN', [{ variant_id: minimum.variant_id, quantity: 1 }]), 6],
      ['not sellable', order('PO-UNSELLABLE', [{ variant_id: unsellable.variant_id, quantity: 1 }]), 6],
    ];
    for (const [name, body, errno] of cases) {
      const r = await post('/partners/place_order', body);
      expect(r.status, name).toBe(422);
      expect(r.body.errno, name).toBe(errno);
      expect(typeof r.body.message).toBe('string');
      if (typeof body.po_number === 'string') {
        expect((await get(`/orders/search?po_number=${encodeURIComponent(body.po_number)}`)).body.orders, name).toEqual([]);
      }
    }
    expect((await post('/partners/place_order', order('PO-MIN-OK', [{ variant_id: minimum.variant_id, quantity: minimum.minimum }]))).status).toBe(201);
  });

  it('answers malformed JSON with 400 errno 2', async () => {
    const r = await call('/partners/place_order', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"po_number":' });
    expect(r.status).toBe(400);
    expect(r.body.errno).toBe(2);
  });

  it('advances status with time and lets the admin route pin it', async () => {
    const { variant } = orderable();
    const placed = (await post('/partners/place_order', order('PO-STATUS', [{ variant_id: variant.variant_id, quantity: 1 }]))).body.order;
    expect(placed.status).toBe('received');
    expect(placed.tracking_number).toBeNull();
    await new Promise((r) => setTimeout(r, 2_100));
    expect((await get(`/orders/${placed.id}`)).body.order.status).toBe('processing');
    const pinned = await admin(`/__sandbox/orders/${placed.id}/status`, { status: 'shipped' });
    expect(pinned.status).toBe(200);
    expect(pinned.body.order.status).toBe('shipped');
    const read = (await get(`/orders/${placed.id}`)).body.order;
    expect(read.status).toBe('shipped');
    expect(typeof read.tracking_number).toBe('string');
    await admin(`/__sandbox/orders/${placed.id}/status`, { status: 'cancelled' });
    expect((await get(`/orders/${placed.id}`)).body.order.status).toBe('cancelled');
    expect((await admin(`/__sandbox/orders/${placed.id}/status`, { status: 'lost' })).status).toBe(400);
    expect((await admin('/__sandbox/orders/999999999/status', { status: 'shipped' })).status).toBe(404);
  });

  it('keeps orders until a data reset clears them', async () => {
    expect((await get('/orders/search')).body.pagination.total_count).toBeGreaterThan(0);
    expect(sb.finditparts.origin.orders().length).toBeGreaterThan(0);
    await resetSandbox(origin, true);
    expect((await get('/orders/search')).body.pagination.total_count).toBe(0);
    expect(sb.finditparts.origin.orders()).toEqual([]);
  });
});

describe('a million-part catalog', () => {
  let big: Sandbox;
  beforeAll(async () => {
    big = await startSandbox({ parts: 1_000_000, finditparts: GENEROUS });
  });
  afterAll(async () => {
    await big?.close();
  });

  it('pages deep into an unfiltered listing without scanning', async () => {
    const res = await fetch(`${big.finditparts.apiBase}/products?page=20000&per=50`, { headers: { 'x-api-key': apiKey } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body.pagination).toEqual({ current_page: 20000, per_page: 50, total_count: 1_000_000 });
    expect(ids(body.products)).toEqual(Array.from({ length: 50 }, (_, i) => 999_951 + i));
    expect(big.finditparts.origin.search.scans()).toBe(0);
  });

  it('batches 50 seven-digit ids through multi', async () => {
    const wanted = Array.from({ length: 50 }, (_, i) => 1_000_000 - i);
    const res = await fetch(`${big.finditparts.apiBase}/products/${wanted.join(',')}/multi`, { headers: { 'x-api-key': apiKey } });
    expect(res.status).toBe(200);
    expect(ids(((await res.json()) as Json).products)).toEqual(wanted);
  });
});
