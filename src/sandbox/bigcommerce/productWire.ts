/**
 * Product records as the v3 catalog and inventory APIs show them: the product
 * with its optional sub-resources (`include=variants,images,custom_fields,…`)
 * and field selection (`include_fields`, `exclude_fields`), the base variant,
 * and the inventory item at the store's single location.
 */
import { VARIANT_ID_OFFSET, type ImageRecord, type ProductRecord } from './productRecord.js';
import type { CustomFieldWire, ImageWire, InventoryItemWire, ProductWire, VariantWire } from './wire.js';

/** The only inventory location of the simulated store. */
export const LOCATION_ID = 1;

/** Sub-resources `include` accepts; the ones the sandbox does not model answer empty lists. */
export const INCLUDES = [
  'variants',
  'images',
  'custom_fields',
  'primary_image',
  'bulk_pricing_rules',
  'modifiers',
  'options',
  'videos',
  'parent_relations',
] as const;

export interface ProductView {
  include: ReadonlySet<string>;
  includeFields?: ReadonlySet<string>;
  excludeFields?: ReadonlySet<string>;
}

export const PLAIN_VIEW: ProductView = { include: new Set() };

export function variantId(product: ProductRecord): number {
  return product.id + VARIANT_ID_OFFSET;
}

function calculatedPrice(p: ProductRecord): number {
  return p.sale_price > 0 ? p.sale_price : p.price;
}

function imageWire(productId: number, img: ImageRecord): ImageWire {
  return {
    id: img.id,
    product_id: productId,
    is_thumbnail: img.is_thumbnail,
    sort_order: img.sort_order,
    description: img.description,
    image_file: img.image_url.split('/').pop() ?? '',
    url_zoom: img.image_url,
    url_standard: img.image_url,
    url_thumbnail: img.image_url,
    url_tiny: img.image_url,
    date_modified: img.date_modified,
  };
}

export function variantWire(p: ProductRecord): VariantWire {
  const thumb = p.images.find((i) => i.is_thumbnail) ?? p.images[0];
  return {
    id: variantId(p),
    product_id: p.id,
    sku: p.sku,
    sku_id: null,
    price: p.price,
    calculated_price: calculatedPrice(p),
    sale_price: p.sale_price || null,
    retail_price: p.retail_price || null,
    map_price: p.map_price || null,
    weight: p.weight,
    calculated_weight: p.weight,
    width: p.width,
    height: p.height,
    depth: p.depth,
    is_free_shipping: p.is_free_shipping,
    fixed_cost_shipping_price: p.variant.fixed_cost_shipping_price,
    purchasing_disabled: p.variant.purchasing_disabled,
    purchasing_disabled_message: p.variant.purchasing_disabled_message,
    upc: p.upc,
    mpn: p.mpn,
    gtin: p.gtin,
    inventory_level: p.inventory_level,
    inventory_warning_level: p.inventory_warning_level,
    bin_picking_number: p.bin_picking_number,
    cost_price: p.cost_price || null,
    image_url: thumb?.image_url ?? '',
    option_values: [],
  };
}

export function productWire(p: ProductRecord, view: ProductView = PLAIN_VIEW): ProductWire {
  const wire: ProductWire = {
    id: p.id,
    name: p.name,
    type: p.type,
    sku: p.sku,
    description: p.description,
    weight: p.weight,
    width: p.width,
    depth: p.depth,
    height: p.height,
    price: p.price,
    cost_price: p.cost_price,
    retail_price: p.retail_price,
    sale_price: p.sale_price,
    map_price: p.map_price,
    tax_class_id: 0,
    calculated_price: calculatedPrice(p),
    categories: [...p.categories],
    brand_id: p.brand_id,
    inventory_level: p.inventory_level,
    inventory_warning_level: p.inventory_warning_level,
    inventory_tracking: p.inventory_tracking,
    is_free_shipping: p.is_free_shipping,
    is_visible: p.is_visible,
    is_featured: p.is_featured,
    bin_picking_number: p.bin_picking_number,
    upc: p.upc,
    mpn: p.mpn,
    gtin: p.gtin,
    availability: p.availability,
    condition: p.condition,
    sort_order: 0,
    total_sold: 0,
    date_created: p.date_created,
    date_modified: p.date_modified,
    custom_url: { url: `/${slug(p.name)}-${p.id}/`, is_customized: false },
    base_variant_id: variantId(p),
  };
  for (const inc of view.include) {
    if (inc === 'variants') wire.variants = [variantWire(p)];
    else if (inc === 'images') wire.images = p.images.map((i) => imageWire(p.id, i));
    else if (inc === 'custom_fields') wire.custom_fields = p.custom_fields.map((f): CustomFieldWire => ({ ...f }));
    else if (inc === 'primary_image') {
      const thumb = p.images.find((i) => i.is_thumbnail) ?? p.images[0];
      wire.primary_image = thumb ? imageWire(p.id, thumb) : null;
    } else if ((INCLUDES as readonly string[]).includes(inc)) wire[inc] = [];
  }
  return selectFields(wire, view);
}

/** `include_fields` keeps only the named fields (and `id`); `exclude_fields` drops the named ones (never `id`). */
function selectFields(wire: ProductWire, view: ProductView): ProductWire {
  if (!view.includeFields && !view.excludeFields) return wire;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(wire)) {
    const isSub = view.include.has(key);
    if (key !== 'id' && !isSub && view.includeFields && !view.includeFields.has(key)) continue;
    if (key !== 'id' && view.excludeFields?.has(key)) continue;
    out[key] = value;
  }
  return out as ProductWire;
}

export function inventoryItemWire(p: ProductRecord): InventoryItemWire {
  return {
    identity: { sku: p.sku, variant_id: variantId(p), product_id: p.id },
    locations: [
      {
        location_id: LOCATION_ID,
        available_to_sell: p.inventory_level,
        total_inventory_onhand: p.inventory_level,
        settings: {
          safety_stock: 0,
          is_in_stock: p.inventory_level > 0,
          warning_level: p.inventory_warning_level,
          bin_picking_number: p.bin_picking_number,
        },
      },
    ],
  };
}

function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
