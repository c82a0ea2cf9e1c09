/**
 * Request bodies the simulated store accepts, as zod schemas, and how a
 * validation failure becomes the v3 `errors:{field: msg}` map. Unknown fields
 * are ignored, as the vendor does.
 */
import { z } from 'zod';

const money = z.number().min(0);
const dimension = z.number().min(0);

const productFields = {
  name: z.string().min(1).max(250),
  type: z.enum(['physical', 'digital']),
  sku: z.string().max(255),
  description: z.string(),
  weight: dimension,
  width: dimension,
  depth: dimension,
  height: dimension,
  price: money,
  cost_price: money,
  retail_price: money,
  sale_price: money,
  map_price: money,
  categories: z.array(z.number().int()),
  brand_id: z.number().int().min(0),
  brand_name: z.string().min(1).max(255),
  inventory_level: z.number().int().min(0),
  inventory_warning_level: z.number().int().min(0),
  inventory_tracking: z.enum(['none', 'product', 'variant']),
  is_visible: z.boolean(),
  is_featured: z.boolean(),
  is_free_shipping: z.boolean(),
  availability: z.enum(['available', 'disabled', 'preorder']),
  condition: z.enum(['New', 'Used', 'Refurbished']),
  upc: z.string().max(32),
  mpn: z.string().max(255),
  gtin: z.string().max(14),
  bin_picking_number: z.string().max(255),
  custom_fields: z.array(
    z.object({ id: z.number().int().optional(), name: z.string().min(1).max(250), value: z.string().min(1).max(250) }),
  ),
  images: z.array(
    z.object({
      image_url: z.url(),
      is_thumbnail: z.boolean().optional(),
      sort_order: z.number().int().optional(),
      description: z.string().optional(),
    }),
  ),
};

const optionalProductFields = z.object(productFields).partial();

/** upstreams.md: POST /v3/catalog/products requires name, type, weight and price. */
export const productCreateSchema = optionalProductFields.extend({
  name: productFields.name,
  type: productFields.type,
  weight: productFields.weight,
  price: productFields.price,
});
export type ProductCreateBody = z.infer<typeof productCreateSchema>;

export const productUpdateSchema = optionalProductFields;
export type ProductUpdateBody = z.infer<typeof productUpdateSchema>;

/** One item of `PUT /v3/catalog/products`: each needs its `id`. */
export const productBatchItemSchema = optionalProductFields.extend({ id: z.number().int() });

export const variantUpdateSchema = z.object({
  id: z.number().int(),
  product_id: z.number().int().optional(),
  sku: productFields.sku.optional(),
  price: money.nullable().optional(),
  sale_price: money.nullable().optional(),
  retail_price: money.nullable().optional(),
  map_price: money.nullable().optional(),
  cost_price: money.nullable().optional(),
  weight: dimension.nullable().optional(),
  width: dimension.nullable().optional(),
  height: dimension.nullable().optional(),
  depth: dimension.nullable().optional(),
  is_free_shipping: z.boolean().optional(),
  fixed_cost_shipping_price: money.nullable().optional(),
  purchasing_disabled: z.boolean().optional(),
  purchasing_disabled_message: z.string().max(255).optional(),
  upc: productFields.upc.optional(),
  mpn: productFields.mpn.optional(),
  gtin: productFields.gtin.optional(),
  inventory_level: productFields.inventory_level.optional(),
  inventory_warning_level: productFields.inventory_warning_level.optional(),
  bin_picking_number: productFields.bin_picking_number.optional(),
});
export type VariantUpdateBody = z.infer<typeof variantUpdateSchema>;

const adjustmentItem = z
  .object({
    location_id: z.number().int(),
    quantity: z.number().int(),
    sku: z.string().min(1).optional(),
    variant_id: z.number().int().optional(),
    product_id: z.number().int().optional(),
  })
  .refine((i) => [i.sku, i.variant_id, i.product_id].filter((x) => x !== undefined).length === 1, {
    message: 'exactly one of sku, variant_id or product_id is required',
  });

export const adjustmentSchema = z.object({
  reason: z.string().max(255).optional(),
  items: z.array(adjustmentItem).min(1),
});
export type AdjustmentBody = z.infer<typeof adjustmentSchema>;

/** v3 `errors` map: `field.path → message`, `error.path.missing` for an absent required field. */
export function issuesToErrors(error: z.ZodError, input: unknown, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = prefix + (issue.path.map(String).join('.') || 'body');
    if (out[key] !== undefined) continue;
    const missing = issue.path.length > 0 && valueAt(input, issue.path) === undefined;
    out[key] = missing ? 'error.path.missing' : issue.message;
  }
  return out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}
