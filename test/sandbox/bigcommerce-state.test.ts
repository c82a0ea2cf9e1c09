/**
 * The simulated store's initial state: which supplier parts it holds, how
 * they drifted, and that a million-part catalog is served without being
 * materialised (checked for correctness, not timing).
 */
import { describe, expect, it } from 'vitest';
import { createCatalog, type CatalogPart } from '../../src/sandbox/common/catalog.js';
import { startStore, type Store } from './bigcommerce-support.js';

const SEED = 42;
const PARTS = 500;

/** Every product through the public API, 250 at a time. */
async function allProducts(s: Store): Promise<any[]> {
  const out: any[] = [];
  for (let page = 1; ; page++) {
    const res = await s.get(`/v3/catalog/products?limit=250&page=${page}`);
    expect(res.status).toBe(200);
    out.push(...res.body.data);
    if (!res.body.meta.pagination.links.next) return out;
  }
}

function differences(p: any, part: CatalogPart): string[] {
  const v = part.variants[0]!;
  const out: string[] = [];
  if (p.price !== v.priceCents / 100) out.push('price');
  if (p.inventory_level !== v.quantity) out.push('stock');
  if (p.name !== part.description) out.push('name');
  return out;
}

describe('seeded store state', () => {
  const catalog = createCatalog({ size: PARTS, seed: SEED });

  it('holds roughly storeShare of the catalog, each product a supplier part under a store id', async () => {
    const s = await startStore({ parts: PARTS, seed: SEED, bigcommerce: { storeShare: 0.6, driftShare: 0 } });
    try {
      const products = await allProducts(s);
      expect(products.length).toBe(s.origin.productCount());
      expect(products.length).toBeGreaterThan(PARTS * 0.5);
      expect(products.length).toBeLessThan(PARTS * 0.7);
      for (const p of products) {
        const part = catalog.get(p.id - 10_000_000)!;
        expect(part, `product ${p.id}`).toBeDefined();
        expect(p.sku).toBe(part.partNumber);
        expect(p.weight).toBe(part.weightLb);
        expect(differences(p, part)).toEqual([]);
      }
    } finally {
      await s.close();
    }
  });

  it('with driftShare 1, every product differs from its part in price, stock or name', async () => {
    const s = await startStore({ parts: PARTS, seed: SEED, bigcommerce: { storeShare: 1, driftShare: 1 } });
    try {
      const products = await allProducts(s);
      expect(products).toHaveLength(PARTS);
      const kinds = new Set<string>();
      for (const p of products) {
        const diff = differences(p, catalog.get(p.id - 10_000_000)!);
        expect(diff.length, `product ${p.id}`).toBeGreaterThan(0);
        diff.forEach((d) => kinds.add(d));
      }
      expect([...kinds].sort()).toEqual(['name', 'price', 'stock']);
    } finally {
      await s.close();
    }
  });

  it('with driftShare 0, no product differs from its part', async () => {
    const s = await startStore({ parts: PARTS, seed: SEED, bigcommerce: { storeShare: 1, driftShare: 0 } });
    try {
      const products = await allProducts(s);
      expect(products).toHaveLength(PARTS);
      for (const p of products) expect(differences(p, catalog.get(p.id - 10_000_000)!), `product ${p.id}`).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('is deterministic for a seed', async () => {
    const a = await startStore({ parts: 200, seed: 9 });
    const b = await startStore({ parts: 200, seed: 9 });
    try {
      expect(await allProducts(a)).toEqual(await allProducts(b));
      expect((await a.get('/v2/orders?limit=250')).body).toEqual(
        JSON.parse(JSON.stringify((await b.get('/v2/orders?limit=250')).body).replaceAll(b.api, a.api)),
      );
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('a 1,000,000-part catalog', () => {
  it('answers page 2000 of 250 with the right products, in order', async () => {
    const s = await startStore({ parts: 1_000_000, seed: SEED, bigcommerce: { storeShare: 0.6 } });
    try {
      const res = await s.get('/v3/catalog/products?page=2000&limit=250');
      expect(res.status).toBe(200);
      const { data, meta } = res.body;
      const total = s.origin.productCount();
      expect(total).toBeGreaterThan(590_000);
      expect(total).toBeLessThan(610_000);
      expect(meta.pagination).toEqual({
        total,
        count: 250,
        per_page: 250,
        current_page: 2000,
        total_pages: Math.ceil(total / 250),
        links: { previous: '?page=1999&limit=250', current: '?page=2000&limit=250', next: '?page=2001&limit=250' },
      });
      const ids: number[] = data.map((p: any) => p.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      // The page starts after exactly 499,750 present products and skips none in between.
      const presence = s.origin.store.presence;
      const first = ids[0]! - 10_000_000;
      let before = 0;
      for (let i = 1; i < first; i++) if (presence.has(i)) before++;
      expect(before).toBe(1999 * 250);
      for (let n = 1; n < ids.length; n++) {
        for (let i = ids[n - 1]! - 10_000_000 + 1; i < ids[n]! - 10_000_000; i++) expect(presence.has(i)).toBe(false);
      }
      const catalog = createCatalog({ size: 1_000_000, seed: SEED });
      for (const p of data) expect(p.sku).toBe(catalog.get(p.id - 10_000_000)!.partNumber);
      // Neighbouring pages join up.
      const next = await s.get('/v3/catalog/products?page=2001&limit=250');
      expect(next.body.data[0].id).toBeGreaterThan(ids[ids.length - 1]!);
    } finally {
      await s.close();
    }
  });
});
