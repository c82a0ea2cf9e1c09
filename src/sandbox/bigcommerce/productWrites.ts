/**
 * Applying a validated product or variant update to the store, with the
 * checks the vendor makes on the way (the product exists, the SKU stays
 * unique). Shared by the single and the batch endpoints.
 */
import type { ProductRecord } from './productRecord.js';
import type { ProductUpdateBody, VariantUpdateBody } from './schemas.js';
import type { ProductPatch, ProductStore } from './store.js';
import { iso8601 } from './wire.js';

export type WriteResult = { ok: true; product: ProductRecord } | { ok: false; status: 404 | 409 | 422; message: string };

function skuTaken(store: ProductStore, sku: string | undefined, ownId: number): boolean {
  if (sku === undefined || sku === '') return false;
  const owner = store.idBySku(sku);
  return owner !== undefined && owner !== ownId;
}

export function updateProduct(store: ProductStore, id: number, body: ProductUpdateBody, now = Date.now()): WriteResult {
  const current = store.get(id);
  if (!current) return { ok: false, status: 404, message: `Product ${id} was not found.` };
  if (skuTaken(store, body.sku, id)) return { ok: false, status: 409, message: `Sku ${body.sku} is not unique.` };
  const { brand_name, custom_fields, images, ...fields } = body;
  const patch: ProductPatch = { ...fields };
  if (brand_name !== undefined && fields.brand_id === undefined) patch.brand_id = store.brandId(brand_name);
  if (custom_fields !== undefined) {
    const merged = store.mergeCustomFields(current.custom_fields, custom_fields);
    if (typeof merged === 'string') return { ok: false, status: 422, message: merged };
    patch.custom_fields = merged;
  }
  if (images !== undefined) {
    patch.images = [...current.images, ...store.makeImages(images, iso8601(now))];
  }
  return { ok: true, product: store.update(id, patch, now) };
}

/**
 * A base-variant update writes through to its product: the simulated store
 * has one variant per product, so the variant's price and stock are the
 * product's. A `null` price means "inherit the product's", i.e. no change.
 */
export function updateVariant(store: ProductStore, body: VariantUpdateBody, now = Date.now()): WriteResult {
  const productId = store.productIdOfVariant(body.id);
  if (productId === undefined) return { ok: false, status: 404, message: `Variant ${body.id} was not found.` };
  if (body.product_id !== undefined && body.product_id !== productId) {
    return { ok: false, status: 422, message: `Variant ${body.id} does not belong to product ${body.product_id}.` };
  }
  if (skuTaken(store, body.sku, productId)) return { ok: false, status: 409, message: `Sku ${body.sku} is not unique.` };
  const patch: ProductPatch = {};
  const variant: ProductPatch['variant'] = {};
  if (body.sku !== undefined) patch.sku = body.sku;
  if (body.price !== undefined && body.price !== null) patch.price = body.price;
  for (const key of ['sale_price', 'retail_price', 'map_price', 'cost_price'] as const) {
    const v = body[key];
    if (v !== undefined) patch[key] = v ?? 0;
  }
  for (const key of ['weight', 'width', 'height', 'depth'] as const) {
    const v = body[key];
    if (v !== undefined && v !== null) patch[key] = v;
  }
  if (body.is_free_shipping !== undefined) patch.is_free_shipping = body.is_free_shipping;
  for (const key of ['upc', 'mpn', 'gtin', 'bin_picking_number'] as const) {
    const v = body[key];
    if (v !== undefined) patch[key] = v;
  }
  if (body.inventory_level !== undefined) patch.inventory_level = body.inventory_level;
  if (body.inventory_warning_level !== undefined) patch.inventory_warning_level = body.inventory_warning_level;
  if (body.purchasing_disabled !== undefined) variant.purchasing_disabled = body.purchasing_disabled;
  if (body.purchasing_disabled_message !== undefined) variant.purchasing_disabled_message = body.purchasing_disabled_message;
  if (body.fixed_cost_shipping_price !== undefined) variant.fixed_cost_shipping_price = body.fixed_cost_shipping_price;
  patch.variant = variant;
  return { ok: true, product: store.update(productId, patch, now) };
}
