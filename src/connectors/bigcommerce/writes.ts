/**
 * BigCommerce catalog and inventory writes, in the vendor's batch sizes
 * (upstreams.md): POST creates one product per call; PUT updates at most 10
 * products per call and may answer 207 with per-item errors; inventory
 * absolute adjustments take at most 2000 items.
 */
import type { NewStoreProduct, StoreWriter } from '../../domain/ports.js';
import type { UpstreamClient } from '../../upstreams/http.js';
import { UpstreamError } from '../../upstreams/upstreamError.js';
import type { StoreCurrency } from './client.js';
import { mapProduct } from './map.js';
import type { BcV3Product } from './wire.js';

/** upstreams.md: PUT /v3/catalog/products takes at most 10 products. */
export const BC_PRODUCT_UPDATE_BATCH = 10;
/** upstreams.md: inventory adjustments take at most 2000 items. */
export const BC_INVENTORY_ADJUST_BATCH = 2000;

export interface NewProduct {
  name: string;
  type: 'physical';
  sku: string;
  price: number;
  weight: number;
  inventory_level?: number;
  inventory_tracking?: 'product' | 'none';
  categories?: number[];
  custom_fields?: Array<{ name: string; value: string }>;
  images?: Array<{ image_url: string; is_thumbnail: boolean }>;
  brand_name?: string;
  description?: string;
}

/** The domain's new product as a v3 create body. */
function wireProduct(p: NewStoreProduct): NewProduct {
  return {
    name: p.name,
    type: 'physical',
    sku: p.sku,
    price: p.price,
    weight: p.weight,
    ...(p.inventoryLevel !== undefined ? { inventory_level: p.inventoryLevel } : {}),
    inventory_tracking: p.trackInventory ? 'product' : 'none',
    ...(p.categories?.length ? { categories: p.categories } : {}),
    ...(p.customFields?.length ? { custom_fields: p.customFields } : {}),
    ...(p.images?.length ? { images: p.images.map((i) => ({ image_url: i.url, is_thumbnail: i.isThumbnail })) } : {}),
    ...(p.brand ? { brand_name: p.brand } : {}),
    ...(p.description ? { description: p.description } : {}),
  };
}

/**
 * `storeCurrency`: the store's default currency, which written prices are in;
 * `locationId`: the inventory location stock is written to (BIGCOMMERCE_LOCATION_ID).
 */
export function createBigCommerceWriter(http: UpstreamClient, storeCurrency: StoreCurrency, locationId: number): StoreWriter {
  return {
    maxUpdateBatch: BC_PRODUCT_UPDATE_BATCH,
    async createProduct(product, lane) {
      const res = await http.request({
        method: 'POST',
        path: ['v3', 'catalog', 'products'],
        body: wireProduct(product),
        endpoint: 'catalog.products.create',
        lane,
        // A create is not idempotent; the sync re-reads by SKU before retrying.
        idempotent: false,
      });
      if (res.status >= 400) throw new UpstreamError('rejected', http.name, `HTTP ${res.status}`, { status: res.status });
      return mapProduct((res.body as { data: BcV3Product }).data, await storeCurrency(lane));
    },

    async updateProducts(updates, lane) {
      if (updates.length > BC_PRODUCT_UPDATE_BATCH) throw new RangeError(`at most ${BC_PRODUCT_UPDATE_BATCH} products per update`);
      const res = await http.request({
        method: 'PUT',
        path: ['v3', 'catalog', 'products'],
        body: updates.map((u) => ({ ...u, id: Number(u.id) })),
        endpoint: 'catalog.products.update',
        lane,
        // Setting absolute values by id: safe to repeat.
        idempotent: true,
      });
      const body = res.body as { data?: BcV3Product[]; errors?: { errors?: Record<string, string> } | Record<string, string> };
      const currency = await storeCurrency(lane);
      const updated = (body.data ?? []).map((p) => mapProduct(p, currency));
      const failed = new Map<string, string>();
      if (res.status === 207 || res.status === 422) {
        // 207 Multi-Status: `errors` maps item ids to reasons (BigCommerce's MultiStatus schema).
        const raw = body.errors && 'errors' in body.errors && typeof body.errors.errors === 'object' ? body.errors.errors : (body.errors as Record<string, string> | undefined);
        const done = new Set(updated.map((p) => p.storeId));
        for (const u of updates) {
          if (!done.has(u.id)) failed.set(u.id, (raw && typeof raw[u.id] === 'string' ? raw[u.id] : undefined) ?? 'refused by the store');
        }
      } else if (res.status >= 400) {
        for (const u of updates) failed.set(u.id, `HTTP ${res.status}`);
      }
      return { updated, failed };
    },

    async setStock(items, lane) {
      if (items.length > BC_INVENTORY_ADJUST_BATCH) throw new RangeError(`at most ${BC_INVENTORY_ADJUST_BATCH} items per adjustment`);
      const res = await http.request({
        method: 'PUT',
        path: ['v3', 'inventory', 'adjustments', 'absolute'],
        body: { reason: 'Crossdock inventory sync', items: items.map((i) => ({ location_id: locationId, sku: i.sku, quantity: i.quantity })) },
        endpoint: 'inventory.adjust.absolute',
        lane,
        // Absolute quantities: repeating one sets the same values.
        idempotent: true,
      });
      if (res.status >= 400) throw new UpstreamError('rejected', http.name, `HTTP ${res.status}`, { status: res.status });
      return String((res.body as { transaction_id?: unknown }).transaction_id ?? '');
    },
  };
}
