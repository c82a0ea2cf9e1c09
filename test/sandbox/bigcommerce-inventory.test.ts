/**
 * Contract tests for the simulated BigCommerce v3 inventory API: items by
 * SKU / variant / product, absolute and relative adjustments, their limits
 * (upstreams.md: 1000 items per answer, 2000 per adjustment) and persistence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectV3Error, startStore, type Store } from './bigcommerce-support.js';

let s: Store;
let products: any[];

beforeAll(async () => {
  s = await startStore({ parts: 500, seed: 11 });
  products = (await s.get('/v3/catalog/products?limit=100')).body.data;
});
afterAll(async () => {
  await s?.close();
});

async function itemFor(sku: string): Promise<any> {
  const res = await s.get(`/v3/inventory/items?sku:in=${encodeURIComponent(sku)}`);
  expect(res.status).toBe(200);
  expect(res.body.data).toHaveLength(1);
  return res.body.data[0];
}

describe('GET /v3/inventory/items', () => {
  it('answers one item per sku with identity and the single location', async () => {
    const [a, b, c] = products;
    const res = await s.get(`/v3/inventory/items?sku:in=${a.sku},${b.sku},${c.sku},NOPE-1`);
    expect(res.status).toBe(200);
    expect(res.body.meta.pagination).toEqual({
      total: 3,
      count: 3,
      per_page: 50,
      current_page: 1,
      total_pages: 1,
      links: { current: '?page=1&limit=50' },
    });
    res.body.data.forEach((item: any, n: number) => {
      const p = [a, b, c][n];
      expect(item).toEqual({
        identity: { sku: p.sku, variant_id: p.base_variant_id, product_id: p.id },
        locations: [
          {
            location_id: 1,
            available_to_sell: p.inventory_level,
            total_inventory_onhand: p.inventory_level,
            settings: { safety_stock: 0, is_in_stock: p.inventory_level > 0, warning_level: 0, bin_picking_number: '' },
          },
        ],
      });
    });
  });

  it('filters by variant_id:in and product_id:in', async () => {
    const byVariant = await s.get(`/v3/inventory/items?variant_id:in=${products[4].base_variant_id},${products[6].base_variant_id}`);
    expect(byVariant.body.data.map((i: any) => i.identity.product_id)).toEqual([products[4].id, products[6].id]);
    const byProduct = await s.get(`/v3/inventory/items?product_id:in=${products[5].id}`);
    expect(byProduct.body.data.map((i: any) => i.identity.sku)).toEqual([products[5].sku]);
  });

  it('answers 413 for more than 1000 skus, and accepts 1000', async () => {
    const skus = Array.from({ length: 1001 }, (_, n) => `ZZ-${String(n).padStart(7, '0')}`);
    const over = await s.get(`/v3/inventory/items?sku:in=${skus.join(',')}`);
    expect(over.status).toBe(413);
    expectV3Error(over.body, 413);
    const max = await s.get(`/v3/inventory/items?sku:in=${[products[0].sku, ...skus.slice(0, 999)].join(',')}`);
    expect(max.status).toBe(200);
    expect(max.body.meta.pagination.total).toBe(1);
  });
});

describe('inventory adjustments', () => {
  it('sets stock absolutely, visible in later reads of items, products and variants', async () => {
    const p = products[10];
    const res = await s.call('PUT', '/v3/inventory/adjustments/absolute', {
      reason: 'cycle count',
      items: [{ location_id: 1, sku: p.sku, quantity: 321 }],
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['transaction_id']);
    expect(res.body.transaction_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const item = await itemFor(p.sku);
    expect(item.locations[0]).toMatchObject({ available_to_sell: 321, total_inventory_onhand: 321 });
    const got = await s.get(`/v3/catalog/products/${p.id}?include=variants`);
    expect(got.body.data.inventory_level).toBe(321);
    expect(got.body.data.variants[0].inventory_level).toBe(321);
  });

  it('changes stock relatively by variant_id and product_id', async () => {
    const a = products[11];
    const b = products[12];
    await s.call('PUT', '/v3/inventory/adjustments/absolute', {
      items: [
        { location_id: 1, variant_id: a.base_variant_id, quantity: 10 },
        { location_id: 1, product_id: b.id, quantity: 20 },
      ],
    });
    const res = await s.call('POST', '/v3/inventory/adjustments/relative', {
      reason: 'sale',
      items: [
        { location_id: 1, variant_id: a.base_variant_id, quantity: -4 },
        { location_id: 1, product_id: b.id, quantity: 5 },
        { location_id: 1, sku: b.sku, quantity: 1 },
      ],
    });
    expect(res.status).toBe(200);
    expect((await itemFor(a.sku)).locations[0].available_to_sell).toBe(6);
    expect((await itemFor(b.sku)).locations[0].available_to_sell).toBe(26);
  });

  it('answers 413 for 2001 items and accepts 2000', async () => {
    const p = products[13];
    const over = await s.call('POST', '/v3/inventory/adjustments/relative', {
      items: Array.from({ length: 2001 }, () => ({ location_id: 1, sku: p.sku, quantity: 1 })),
    });
    expect(over.status).toBe(413);
    expectV3Error(over.body, 413);
    expect(over.body.title).toBe('The request payload is too large. The maximum items allowed in the array is 2000.');
    await s.call('PUT', '/v3/inventory/adjustments/absolute', { items: [{ location_id: 1, sku: p.sku, quantity: 0 }] });
    const max = await s.call('POST', '/v3/inventory/adjustments/relative', {
      items: Array.from({ length: 2000 }, () => ({ location_id: 1, sku: p.sku, quantity: 1 })),
    });
    expect(max.status).toBe(200);
    expect((await itemFor(p.sku)).locations[0].available_to_sell).toBe(2000);
  });

  it('answers 422 naming an unknown sku, and applies nothing from that request', async () => {
    const p = products[14];
    const before = (await itemFor(p.sku)).locations[0].available_to_sell;
    const res = await s.call('PUT', '/v3/inventory/adjustments/absolute', {
      items: [
        { location_id: 1, sku: p.sku, quantity: before + 50 },
        { location_id: 1, sku: 'NO-SUCH-SKU', quantity: 1 },
      ],
    });
    expect(res.status).toBe(422);
    expectV3Error(res.body, 422);
    expect(res.body.errors).toHaveProperty(['items.1.sku']);
    expect((await itemFor(p.sku)).locations[0].available_to_sell).toBe(before);
  });

  it('answers 422 for an unknown location, a missing identity, or stock going below zero', async () => {
    const p = products[15];
    const loc = await s.call('PUT', '/v3/inventory/adjustments/absolute', { items: [{ location_id: 2, sku: p.sku, quantity: 1 }] });
    expect(loc.status).toBe(422);
    expect(loc.body.errors).toHaveProperty(['items.0.location_id']);
    const noId = await s.call('PUT', '/v3/inventory/adjustments/absolute', { items: [{ location_id: 1, quantity: 1 }] });
    expect(noId.status).toBe(422);
    const level = (await itemFor(p.sku)).locations[0].available_to_sell;
    const below = await s.call('POST', '/v3/inventory/adjustments/relative', {
      items: [{ location_id: 1, sku: p.sku, quantity: -(level + 1) }],
    });
    expect(below.status).toBe(422);
    expect(below.body.errors).toHaveProperty(['items.0.quantity']);
  });
});
