/**
 * The FinditParts Reseller API wire shapes, as the sandbox serves them. These
 * are the sandbox's own types, written from upstreams.md ("FinditParts"); the
 * gateway's connector has its own and shares nothing with these (DESIGN.md,
 * principle 5).
 */
import type { CatalogPart, CatalogVariant } from '../common/catalog.js';

/**
 * upstreams.md: errors are `{errno, message}`, `errno` 0 = success (also
 * present on 200s), codes 1–7, 99, 404. The vendor does not publish what each
 * code means; the sandbox's assignment is this table (also in the OpenAPI
 * document).
 */
export const ERRNO = {
  OK: 0,
  /** Missing or invalid credentials (401). */
  AUTH: 1,
  /** Bad request parameters: paging, id lists, malformed JSON (400). */
  BAD_REQUEST: 2,
  /** Order body failed validation (422). */
  VALIDATION: 3,
  /** Order names a variant that does not exist (422). */
  UNKNOWN_VARIANT: 4,
  /** Order names a variant with no stock (422). */
  OUT_OF_STOCK: 5,
  /** Order quantity below the variant minimum, or the part is not sellable (422). */
  NOT_ORDERABLE: 6,
  /** Rate limit exceeded (429). */
  RATE_LIMITED: 7,
  /** Injected fault or internal error (5xx, or a fault 429). */
  FAULT: 99,
  NOT_FOUND: 404,
} as const;

export interface ErrorWire {
  errno: number;
  message: string;
}

export function errorBody(errno: number, message: string): ErrorWire {
  return { errno, message };
}

export interface VariantWire {
  variant_id: number;
  /** upstreams.md: price is a decimal string, "12.34". */
  price: string;
  quantity: number;
  pack_quantity: number;
  minimum: number;
  core_price: string;
  estimated_ship_date: string;
}

export interface FitmentWire {
  year: number;
  make: string;
  model: string;
}

export interface ProductWire {
  finditparts_product_id: number;
  id: number;
  url: string;
  manufacturer: string;
  part_number: string;
  image: string;
  short_description: string;
  preferred_variant_id: number;
  sellable: boolean;
  tags: string[];
  /** Sandbox extension (upstreams.md: fitment is not documented publicly). */
  fitments: FitmentWire[];
  variants: VariantWire[];
}

/** Integer cents → "12.34", without floating-point rounding. */
export function money(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.round(cents));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function toVariantWire(variant: CatalogVariant): VariantWire {
  return {
    variant_id: variant.variantId,
    price: money(variant.priceCents),
    quantity: variant.quantity,
    pack_quantity: variant.packQuantity,
    minimum: variant.minimum,
    core_price: money(variant.corePriceCents),
    estimated_ship_date: variant.estimatedShipDate,
  };
}

/** upstreams.md product shape; `id` = `finditparts_product_id` = the catalog index. */
export function toProductWire(part: CatalogPart): ProductWire {
  const id = part.index;
  const first = part.variants[0];
  return {
    finditparts_product_id: id,
    id,
    url: `https://www.finditparts.com/products/${id}/${slug(`${part.manufacturer} ${part.partNumber} ${part.description}`)}`,
    manufacturer: part.manufacturer,
    part_number: part.partNumber,
    image: `https://images.finditparts.com/sandbox/${id}.jpg`,
    short_description: part.description,
    preferred_variant_id: first ? first.variantId : 0,
    sellable: part.sellable,
    tags: [part.category],
    fitments: part.fitments.map((f) => ({ year: f.year, make: f.make, model: f.model })),
    variants: part.variants.map(toVariantWire),
  };
}

export interface PaginationWire {
  current_page: number;
  per_page: number;
  total_count: number;
}

export type OrderStatus = 'received' | 'processing' | 'shipped' | 'cancelled';

export interface OrderItemWire {
  variant_id: number;
  product_id: number;
  part_number: string;
  quantity: number;
  price: string;
}

export interface AddressWire {
  name: string;
  street1: string;
  street2?: string;
  city: string;
  state: string;
  zip: string;
  country: string;
}

export interface OrderWire {
  id: number;
  po_number: string;
  status: OrderStatus;
  created_at: string;
  items: OrderItemWire[];
  subtotal: string;
  shipping_method: string;
  shipping_price: string;
  total: string;
  address: AddressWire;
  /** Set once the order has shipped (sandbox: a deterministic number). */
  tracking_number: string | null;
}

export interface ShippingMethodWire {
  id: string;
  name: string;
  price: string;
  days: number;
}

/** The sandbox's shipping methods (the vendor publishes none). */
export const SHIPPING_METHODS: readonly ShippingMethodWire[] = [
  { id: 'ground', name: 'Ground', price: '14.95', days: 5 },
  { id: 'two_day', name: 'Two Day', price: '29.95', days: 2 },
  { id: 'next_day', name: 'Next Day Air', price: '59.95', days: 1 },
  { id: 'freight', name: 'LTL Freight', price: '149.00', days: 7 },
];
