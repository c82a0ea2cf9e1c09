/**
 * Contract tests for the simulated BigCommerce v3 catalog (products and
 * variants), over real HTTP: envelopes, filters, includes, limits, creates,
 * batch updates (200 / 207 / 413) and their persistence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectV3Error, startStore, type Store } from './bigcommerce-support.js';

let s: Store;

beforeAll(async () => {
  s = await startStore({ parts: 500, seed: 42 });
});
afterAll(async () => {
  await s?.close();
});

async function firstProducts(n: number): Promise<any[]> {
  const res = await s.get(`/v3/catalog/products?limit=${n}`);
  expect(res.status).toBe(200);
  return res.body.data;
}

describe('GET /v3/catalog/products', () => {
  it('answers the first page in the v3 envelope, sorted by id, with exact pagination', async () => {
    const total = s.origin.productCount();
    expect(total).toBeGreaterThan(200);
    const res = await s.get('/v3/catalog/products');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['data', 'meta']);
    expect(res.body.data).toHaveLength(50);
    const ids = res.body.data.map((p: any) => p.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids[0]).toBeGreaterThan(10_000_000);
    expect(res.body.meta).toEqual({
      pagination: {
        total,
        count: 50,
        per_page: 50,
        current_page: 1,
        total_pages: Math.ceil(total / 50),
        links: { current: '?page=1&limit=50', next: '?page=2&limit=50' },
      },
    });
    const p = res.body.data[0];
    expect(typeof p.price).toBe('number');
    expect(p).toMatchObject({ type: 'physical', is_visible: true, inventory_tracking: 'product' });
    expect(p.categories).toEqual([expect.any(Number)]);
    expect(p.date_created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
    expect(p).not.toHaveProperty('variants');
  });

  it('links previous and next on a middle page, and omits next on the last page', async () => {
    const total = s.origin.productCount();
    const mid = await s.get('/v3/catalog/products?page=2&limit=20');
    expect(mid.body.meta.pagination.links).toEqual({ previous: '?page=1&limit=20', current: '?page=2&limit=20', next: '?page=3&limit=20' });
    const lastPage = Math.ceil(total / 20);
    const last = await s.get(`/v3/catalog/products?page=${lastPage}&limit=20`);
    expect(last.body.meta.pagination).toEqual({
      total,
      count: total - (lastPage - 1) * 20,
      per_page: 20,
      current_page: lastPage,
      total_pages: lastPage,
      links: { previous: `?page=${lastPage - 1}&limit=20`, current: `?page=${lastPage}&limit=20` },
    });
    // Consecutive pages neither overlap nor skip.
    const all = await s.get('/v3/catalog/products?limit=40');
    const p1 = await s.get('/v3/catalog/products?page=1&limit=20');
    const p2 = await s.get('/v3/catalog/products?page=2&limit=20');
    expect([...p1.body.data, ...p2.body.data].map((p: any) => p.id)).toEqual(all.body.data.map((p: any) => p.id));
  });

  it('answers an empty page past the end', async () => {
    const res = await s.get('/v3/catalog/products?page=999&limit=50');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([]);
    expect(res.body.meta.pagination.count).toBe(0);
    expect(res.body.meta.pagination.links.next).toBeUndefined();
  });

  it('filters by id:in and id, ignoring unknown ids', async () => {
    const some = await firstProducts(10);
    const wanted = [some[7].id, some[2].id, some[5].id];
    const res = await s.get(`/v3/catalog/products?id:in=${wanted.join(',')},99999999`);
    expect(res.body.data.map((p: any) => p.id)).toEqual([...wanted].sort((a, b) => a - b));
    expect(res.body.meta.pagination.total).toBe(3);
    const one = await s.get(`/v3/catalog/products?id=${some[4].id}`);
    expect(one.body.data.map((p: any) => p.id)).toEqual([some[4].id]);
  });

  it('filters by sku and sku:in (exact match)', async () => {
    const some = await firstProducts(5);
    const one = await s.get(`/v3/catalog/products?sku=${some[3].sku}`);
    expect(one.body.data).toHaveLength(1);
    expect(one.body.data[0].id).toBe(some[3].id);
    const lower = await s.get(`/v3/catalog/products?sku=${some[3].sku.toLowerCase()}`);
    expect(lower.body.data).toHaveLength(0);
    const many = await s.get(`/v3/catalog/products?sku:in=${some[0].sku},${some[4].sku},NO-SUCH-SKU`);
    expect(many.body.data.map((p: any) => p.sku)).toEqual([some[0].sku, some[4].sku]);
  });

  it('filters by keyword over name and sku, case-insensitively', async () => {
    const expected = [...s.origin.store.scan()].filter((p) => p.name.toLowerCase().includes('filter') || p.sku.toLowerCase().includes('filter'));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(s.origin.productCount());
    const res = await s.get('/v3/catalog/products?keyword=FILTER&limit=250');
    expect(res.body.meta.pagination.total).toBe(expected.length);
    expect(res.body.data.map((p: any) => p.id)).toEqual(expected.slice(0, 250).map((p) => p.id));
    const bySku = await s.get(`/v3/catalog/products?keyword=${expected[0]!.sku.slice(3, 9)}`);
    expect(bySku.body.data.map((p: any) => p.id)).toContain(expected[0]!.id);
  });

  it('adds variants with include=variants, and images and custom_fields when asked', async () => {
    const res = await s.get('/v3/catalog/products?limit=5&include=variants,images,custom_fields');
    for (const p of res.body.data) {
      expect(p.variants).toHaveLength(1);
      expect(p.variants[0]).toMatchObject({
        id: p.base_variant_id,
        product_id: p.id,
        sku: p.sku,
        price: p.price,
        inventory_level: p.inventory_level,
      });
      expect(p.images).toEqual([]);
      expect(p.custom_fields).toEqual([]);
    }
  });

  it('keeps only the named fields with include_fields, and drops them with exclude_fields', async () => {
    const inc = await s.get('/v3/catalog/products?limit=2&include_fields=name,price');
    expect(Object.keys(inc.body.data[0]).sort()).toEqual(['id', 'name', 'price']);
    const exc = await s.get('/v3/catalog/products?limit=2&exclude_fields=description,id');
    expect(exc.body.data[0]).not.toHaveProperty('description');
    expect(exc.body.data[0]).toHaveProperty('id');
  });

  it('answers 413 with a v3 error for limit 251, and accepts 250', async () => {
    const over = await s.get('/v3/catalog/products?limit=251');
    expect(over.status).toBe(413);
    expectV3Error(over.body, 413);
    const max = await s.get('/v3/catalog/products?limit=250');
    expect(max.status).toBe(200);
    expect(max.body.data).toHaveLength(250);
  });

  it('answers 422 for a malformed filter', async () => {
    const res = await s.get('/v3/catalog/products?id:in=1,abc');
    expect(res.status).toBe(422);
    expectV3Error(res.body, 422);
    expect(res.body.errors).toHaveProperty('id:in');
  });

  it('gets one product as {data, meta:{}}, and 404 for an unknown id', async () => {
    const [first] = await firstProducts(1);
    const res = await s.get(`/v3/catalog/products/${first.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: first, meta: {} });
    const missing = await s.get('/v3/catalog/products/99999999');
    expect(missing.status).toBe(404);
    expectV3Error(missing.body, 404);
  });
});

describe('POST /v3/catalog/products', () => {
  it('creates exactly one product with a new id and its base variant', async () => {
    const before = s.origin.productCount();
    const res = await s.call('POST', '/v3/catalog/products', {
      name: 'Crossdock Test Hub Seal',
      type: 'physical',
      weight: 2.5,
      price: 19.99,
      sku: 'XD-TEST-0001',
      inventory_level: 7,
      inventory_tracking: 'product',
      categories: [22],
      custom_fields: [{ name: 'supplier_id', value: '42' }],
      images: [{ image_url: 'https://cdn.example.com/seal.jpg', is_thumbnail: true }],
      brand_name: 'Stemco',
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['data', 'meta']);
    expect(res.body.meta).toEqual({});
    const p = res.body.data;
    expect(p.id).toBeGreaterThanOrEqual(60_000_000);
    expect(p).toMatchObject({ name: 'Crossdock Test Hub Seal', sku: 'XD-TEST-0001', price: 19.99, weight: 2.5, inventory_level: 7, categories: [22] });
    expect(s.origin.productCount()).toBe(before + 1);
    const got = await s.get(`/v3/catalog/products/${p.id}?include=variants,custom_fields,images`);
    expect(got.body.data.variants[0]).toMatchObject({ sku: 'XD-TEST-0001', price: 19.99, inventory_level: 7 });
    expect(got.body.data.custom_fields).toEqual([{ id: expect.any(Number), name: 'supplier_id', value: '42' }]);
    expect(got.body.data.images[0]).toMatchObject({ url_standard: 'https://cdn.example.com/seal.jpg', is_thumbnail: true });
    const bySku = await s.get('/v3/catalog/products?sku=XD-TEST-0001');
    expect(bySku.body.data.map((x: any) => x.id)).toEqual([p.id]);
    // Created products sort after every seeded one and count in the total.
    const total = s.origin.productCount();
    const last = await s.get(`/v3/catalog/products?page=${total}&limit=1`);
    expect(last.body.data[0].id).toBe(p.id);
  });

  it('answers 409 for a duplicate sku', async () => {
    const [first] = await firstProducts(1);
    const before = s.origin.productCount();
    const res = await s.call('POST', '/v3/catalog/products', { name: 'Dup', type: 'physical', weight: 1, price: 1, sku: first.sku });
    expect(res.status).toBe(409);
    expectV3Error(res.body, 409);
    expect(s.origin.productCount()).toBe(before);
  });

  it('answers 422 naming each missing required field, and for an array body', async () => {
    const res = await s.call('POST', '/v3/catalog/products', { sku: 'XD-MISSING' });
    expect(res.status).toBe(422);
    expectV3Error(res.body, 422);
    expect(Object.keys(res.body.errors).sort()).toEqual(['name', 'price', 'type', 'weight']);
    const bad = await s.call('POST', '/v3/catalog/products', { name: 'x', type: 'gadget', weight: 1, price: -1 });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.errors).sort()).toEqual(['price', 'type']);
    const arr = await s.call('POST', '/v3/catalog/products', [{ name: 'x', type: 'physical', weight: 1, price: 1 }]);
    expect(arr.status).toBe(422);
  });
});

describe('PUT /v3/catalog/products (batch)', () => {
  it('answers 413 with the vendor message for 11 products and changes nothing', async () => {
    const some = await firstProducts(11);
    const res = await s.call('PUT', '/v3/catalog/products', some.map((p) => ({ id: p.id, price: 1.23 })));
    expect(res.status).toBe(413);
    expectV3Error(res.body, 413);
    expect(res.body.title).toBe('The request payload is too large. The maximum items allowed in the array is 10.');
    const again = await s.get(`/v3/catalog/products/${some[0].id}`);
    expect(again.body.data.price).toBe(some[0].price);
  });

  it('updates up to 10 products with 200 {data, meta:{}} and persists them', async () => {
    const some = (await firstProducts(30)).slice(20, 30);
    const res = await s.call(
      'PUT',
      '/v3/catalog/products',
      some.map((p, n) => ({ id: p.id, price: 100 + n, inventory_level: n, name: `Renamed ${n}` })),
    );
    expect(res.status).toBe(200);
    expect(res.body.meta).toEqual({});
    expect(res.body.data.map((p: any) => p.id)).toEqual(some.map((p) => p.id));
    const after = await s.get(`/v3/catalog/products?id:in=${some.map((p) => p.id).join(',')}&include=variants`);
    after.body.data.forEach((p: any, n: number) => {
      expect(p).toMatchObject({ price: 100 + n, inventory_level: n, name: `Renamed ${n}` });
      expect(p.variants[0]).toMatchObject({ price: 100 + n, inventory_level: n });
      expect(Date.parse(p.date_modified)).toBeGreaterThan(Date.parse(some[n].date_modified));
    });
  });

  it('answers 207 with data and per-item errors when one id is unknown, applying the others', async () => {
    const some = (await firstProducts(35)).slice(30, 33);
    const res = await s.call('PUT', '/v3/catalog/products', [
      { id: some[0].id, price: 11.11 },
      { id: 99_999_999, price: 1 },
      { id: some[1].id, price: 22.22 },
      { id: some[2].id, price: 'free' },
    ]);
    expect(res.status).toBe(207);
    expect(res.body.data.map((p: any) => [p.id, p.price])).toEqual([
      [some[0].id, 11.11],
      [some[1].id, 22.22],
    ]);
    expectV3Error(res.body.errors, 207);
    expect(Object.keys(res.body.errors.errors).sort()).toEqual([String(some[2].id), '99999999'].sort());
    expect(res.body.meta).toEqual({ total: 4, success: 2, failed: 2 });
    const got = await s.get(`/v3/catalog/products/${some[1].id}`);
    expect(got.body.data.price).toBe(22.22);
    const untouched = await s.get(`/v3/catalog/products/${some[2].id}`);
    expect(untouched.body.data.price).toBe(some[2].price);
  });

  it('rejects an item whose new sku belongs to another product', async () => {
    const some = (await firstProducts(40)).slice(36, 38);
    const res = await s.call('PUT', '/v3/catalog/products', [{ id: some[0].id, sku: some[1].sku }]);
    expect(res.status).toBe(422);
    expect(res.body.errors[String(some[0].id)]).toMatch(/not unique/);
  });

  it('updates one product with PUT /v3/catalog/products/{id}, and changes its sku lookups', async () => {
    const [p] = (await firstProducts(45)).slice(44);
    const res = await s.call('PUT', `/v3/catalog/products/${p.id}`, { sku: 'XD-RESKU-1', is_visible: false });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: p.id, sku: 'XD-RESKU-1', is_visible: false });
    expect((await s.get(`/v3/catalog/products?sku=${p.sku}`)).body.data).toEqual([]);
    expect((await s.get('/v3/catalog/products?sku=XD-RESKU-1')).body.data[0].id).toBe(p.id);
    const hidden = await s.get(`/v3/catalog/products?is_visible=false`);
    expect(hidden.body.data.map((x: any) => x.id)).toContain(p.id);
  });
});

describe('date_modified:min', () => {
  it('finds exactly the products written since a moment', async () => {
    const some = (await firstProducts(70)).slice(65, 68);
    // Dates have whole seconds: start on a fresh second, so earlier writes fall before the cutoff.
    const nextSecond = Math.ceil((Date.now() + 1) / 1000) * 1000;
    await new Promise((r) => setTimeout(r, nextSecond - Date.now()));
    const cutoff = new Date(nextSecond).toISOString();
    await s.call('PUT', '/v3/catalog/products', some.map((p) => ({ id: p.id, inventory_level: 1 })));
    const res = await s.get(`/v3/catalog/products?date_modified:min=${encodeURIComponent(cutoff)}&limit=250`);
    expect(res.status).toBe(200);
    expect(res.body.data.map((p: any) => p.id)).toEqual(some.map((p) => p.id));
  });
});

describe('variants', () => {
  it('lists variants by sku:in and product_id:in in the v3 envelope', async () => {
    const some = await firstProducts(4);
    const bySku = await s.get(`/v3/catalog/variants?sku:in=${some[0].sku},${some[2].sku}`);
    expect(bySku.status).toBe(200);
    expect(bySku.body.data.map((v: any) => [v.product_id, v.sku])).toEqual([
      [some[0].id, some[0].sku],
      [some[2].id, some[2].sku],
    ]);
    expect(bySku.body.meta.pagination).toMatchObject({ total: 2, count: 2, current_page: 1, total_pages: 1 });
    const byProduct = await s.get(`/v3/catalog/variants?product_id:in=${some[1].id},${some[3].id}`);
    expect(byProduct.body.data.map((v: any) => v.id)).toEqual([some[1].base_variant_id, some[3].base_variant_id]);
    const nested = await s.get(`/v3/catalog/products/${some[1].id}/variants`);
    expect(nested.body.data.map((v: any) => v.id)).toEqual([some[1].base_variant_id]);
    expect((await s.get('/v3/catalog/variants?limit=251')).status).toBe(413);
  });

  it('answers 413 for 51 variants, naming 50', async () => {
    const some = await firstProducts(51);
    const res = await s.call('PUT', '/v3/catalog/variants', some.map((p) => ({ id: p.base_variant_id, price: 5 })));
    expect(res.status).toBe(413);
    expectV3Error(res.body, 413);
    expect(res.body.title).toBe('The request payload is too large. The maximum items allowed in the array is 50.');
  });

  it('updates variants in a batch, writing through to the product; an unknown variant makes it 207', async () => {
    const some = (await firstProducts(60)).slice(50, 52);
    const ok = await s.call('PUT', '/v3/catalog/variants', [
      { id: some[0].base_variant_id, price: 77.5, inventory_level: 3 },
      { id: some[1].base_variant_id, inventory_level: 12 },
    ]);
    expect(ok.status).toBe(200);
    expect(ok.body.data.map((v: any) => [v.id, v.inventory_level])).toEqual([
      [some[0].base_variant_id, 3],
      [some[1].base_variant_id, 12],
    ]);
    const p0 = await s.get(`/v3/catalog/products/${some[0].id}`);
    expect(p0.body.data).toMatchObject({ price: 77.5, inventory_level: 3 });
    const partial = await s.call('PUT', '/v3/catalog/variants', [
      { id: some[0].base_variant_id, price: 80 },
      { id: 123, price: 1 },
    ]);
    expect(partial.status).toBe(207);
    expect(partial.body.data).toHaveLength(1);
    expect(Object.keys(partial.body.errors.errors)).toEqual(['123']);
  });
});

describe('data reset', () => {
  it('drops created and written products on POST /__sandbox/reset {"data":true}', async () => {
    const isolated = await startStore({ parts: 200, seed: 7 });
    try {
      const [p] = (await isolated.get('/v3/catalog/products?limit=1')).body.data;
      const seededCount = isolated.origin.productCount();
      await isolated.call('PUT', `/v3/catalog/products/${p.id}`, { price: 1 });
      await isolated.call('POST', '/v3/catalog/products', { name: 'temp', type: 'digital', weight: 0, price: 0 });
      expect(isolated.origin.productCount()).toBe(seededCount + 1);
      const keep = await isolated.call('POST', '/__sandbox/reset', {});
      expect(keep.status).toBe(200);
      expect((await isolated.get(`/v3/catalog/products/${p.id}`)).body.data.price).toBe(1);
      await isolated.call('POST', '/__sandbox/reset', { data: true });
      expect(isolated.origin.productCount()).toBe(seededCount);
      expect((await isolated.get(`/v3/catalog/products/${p.id}`)).body.data).toEqual(p);
    } finally {
      await isolated.close();
    }
  });
});
