/**
 * BigCommerce wire shapes as the simulator sends them, written from
 * upstreams.md ("BigCommerce"), not shared with the gateway's connector
 * (DESIGN.md, principle 5).
 */

/** upstreams.md: v3 errors are `{status, title, type, errors:{field:msg}}`. */
export const V3_ERROR_TYPE = 'https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes';

export interface V3Error {
  status: number;
  title: string;
  type: string;
  errors: Record<string, string>;
}

export function v3Error(status: number, title: string, errors: Record<string, string> = {}): V3Error {
  return { status, title, type: V3_ERROR_TYPE, errors };
}

/** upstreams.md: v2 errors are an array `[{status, message}]`. */
export type V2Error = Array<{ status: number; message: string }>;

export function v2Error(status: number, message: string): V2Error {
  return [{ status, message }];
}

/** upstreams.md: `meta.pagination = {total, count, per_page, current_page, total_pages, links}`. */
export interface Pagination {
  total: number;
  count: number;
  per_page: number;
  current_page: number;
  total_pages: number;
  /** Query strings such as `?page=2&limit=50`; `previous` is absent on page 1, `next` on the last page. */
  links: { previous?: string; current: string; next?: string };
}

export function pagination(total: number, count: number, perPage: number, currentPage: number): Pagination {
  const totalPages = Math.ceil(total / perPage);
  const link = (page: number) => `?page=${page}&limit=${perPage}`;
  const links: Pagination['links'] = {
    ...(currentPage > 1 ? { previous: link(currentPage - 1) } : {}),
    current: link(currentPage),
    ...(currentPage < totalPages ? { next: link(currentPage + 1) } : {}),
  };
  return { total, count, per_page: perPage, current_page: currentPage, total_pages: totalPages, links };
}

export interface Collection<T> {
  data: T[];
  meta: { pagination: Pagination };
}

export interface CustomFieldWire {
  id: number;
  name: string;
  value: string;
}

export interface ImageWire {
  id: number;
  product_id: number;
  is_thumbnail: boolean;
  sort_order: number;
  description: string;
  image_file: string;
  url_zoom: string;
  url_standard: string;
  url_thumbnail: string;
  url_tiny: string;
  date_modified: string;
}

export interface VariantWire {
  id: number;
  product_id: number;
  sku: string;
  sku_id: number | null;
  price: number | null;
  calculated_price: number;
  sale_price: number | null;
  retail_price: number | null;
  map_price: number | null;
  weight: number | null;
  calculated_weight: number;
  width: number | null;
  height: number | null;
  depth: number | null;
  is_free_shipping: boolean;
  fixed_cost_shipping_price: number | null;
  purchasing_disabled: boolean;
  purchasing_disabled_message: string;
  upc: string;
  mpn: string;
  gtin: string;
  inventory_level: number;
  inventory_warning_level: number;
  bin_picking_number: string;
  cost_price: number | null;
  image_url: string;
  option_values: unknown[];
}

/** A v3 catalog product (the fields the sandbox keeps; others of the vendor's are omitted). */
export interface ProductWire {
  id: number;
  name: string;
  type: 'physical' | 'digital';
  sku: string;
  description: string;
  weight: number;
  width: number;
  depth: number;
  height: number;
  price: number;
  cost_price: number;
  retail_price: number;
  sale_price: number;
  map_price: number;
  tax_class_id: number;
  calculated_price: number;
  categories: number[];
  brand_id: number;
  inventory_level: number;
  inventory_warning_level: number;
  inventory_tracking: 'none' | 'product' | 'variant';
  is_free_shipping: boolean;
  is_visible: boolean;
  is_featured: boolean;
  bin_picking_number: string;
  upc: string;
  mpn: string;
  gtin: string;
  availability: 'available' | 'disabled' | 'preorder';
  condition: 'New' | 'Used' | 'Refurbished';
  sort_order: number;
  total_sold: number;
  date_created: string;
  date_modified: string;
  custom_url: { url: string; is_customized: boolean };
  base_variant_id: number;
  variants?: VariantWire[];
  images?: ImageWire[];
  custom_fields?: CustomFieldWire[];
  primary_image?: ImageWire | null;
  [extra: string]: unknown;
}

export interface InventoryItemWire {
  identity: { sku: string; variant_id: number; product_id: number };
  locations: Array<{
    location_id: number;
    available_to_sell: number;
    total_inventory_onhand: number;
    settings: { safety_stock: number; is_in_stock: boolean; warning_level: number; bin_picking_number: string };
  }>;
}

/** upstreams.md: v2 money is a decimal string with four places (`"336.3200"`). */
export function money(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.round(cents));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}00`;
}

/** upstreams.md: v2 dates are RFC-2822, e.g. `Tue, 20 Nov 2012 00:00:00 +0000`. */
export function rfc2822(ms: number): string {
  return new Date(ms).toUTCString().replace(/GMT$/, '+0000');
}

/** v3 dates look like `2024-03-05T10:20:30+00:00`. */
export function iso8601(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** upstreams.md: a `limit` over the maximum (250 for catalog listings) is 413. */
export function limitTooLarge(max: number): V3Error {
  return v3Error(413, `The requested limit is too large. The maximum limit is ${max}.`, { limit: `must be at most ${max}` });
}

export function invalidQuery(errors: Record<string, string>): V3Error {
  return v3Error(422, 'The query parameters are invalid.', errors);
}
