/**
 * BigCommerce catalog and inventory writes, in the vendor's batch sizes
 * (upstreams.md): POST creates one product per call; PUT updates at most 10
 * products per call and may answer 207 with per-item errors; inventory
 * absolute adjustments take at most 2000 items.
 */
import type { NewStoreProduct, StoreProductUpdate, StoreWriter } from '../../domain/ports.js';
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
  is_visible?: boolean;
}

/** One item of `PUT /v3/catalog/products` (BigCommerce Catalog API, "Update Products (Batch)"). */
export interface ProductUpdateItem {
  id: number;
  name?: string;
  price?: number;
  is_visible?: boolean;
  categories?: number[];
  /** With `id`: that field changes; without: a field is added (Catalog API, "Product Custom Fields"). */
  custom_fields?: Array<{ id?: number; name: string; value: string }>;
}

function wireUpdate(u: StoreProductUpdate): ProductUpdateItem {
  return {
    id: Number(u.id),
    ...(u.name !== undefined ? { name: u.name } : {}),
    ...(u.price !== undefined ? { price: u.price } : {}),
    ...(u.isVisible !== undefined ? { is_visible: u.isVisible } : {}),
    ...(u.categories !== undefined ? { categories: u.categories } : {}),
    ...(u.customFields?.length ? { custom_fields: u.customFields.map((f) => ({ ...(f.id !== undefined ? { id: Number(f.id) } : {}), name: f.name, value: f.value })) } : {}),
  };
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
    ...(p.isVisible !== undefined ? { is_visible: p.isVisible } : {}),
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
        body: updates.map(wireUpdate),
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

    async deleteCustomFields(fields, lane) {
      // Catalog API, "Delete a Product Custom Field": one call per field (there is no batch form); 204.
      const failed = new Map<string, string>();
      for (const f of fields) {
        try {
          const res = await http.request({
            method: 'DELETE',
            path: ['v3', 'catalog', 'products', f.productId, 'custom-fields', f.fieldId],
            endpoint: 'catalog.products.customFields.delete',
            lane,
            // Deleting a field by id twice leaves the same product: safe to repeat.
            idempotent: true,
          });
          // 404: already gone (an earlier attempt landed), which is what was asked.
          if (res.status >= 400 && res.status !== 404) failed.set(f.fieldId, `HTTP ${res.status}`);
        } catch (err) {
          if (!(err instanceof UpstreamError) || err.kind !== 'rejected') throw err;
          failed.set(f.fieldId, err.message);
        }
      }
      return failed;
    },
  };
}
