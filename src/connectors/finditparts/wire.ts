/**
 * FinditParts Reseller API wire shapes (upstreams.md, FinditParts), as the
 * vendor sends them: prices are decimal strings, `errno` 0 means success and
 * is present on 200s too. Only the fields the gateway reads are typed;
 * everything else passes through untouched.
 */
export interface FipVariant {
  variant_id: number;
  price: string;
  quantity: number;
  pack_quantity?: number;
  minimum?: number;
  core_price?: string | null;
  estimated_ship_date?: string | null;
  product_id?: number;
}

export interface FipProduct {
  finditparts_product_id?: number;
  id: number;
  url?: string | null;
  manufacturer: string;
  part_number: string;
  image?: string | null;
  short_description?: string | null;
  preferred_variant_id?: number | null;
  sellable?: boolean;
  tags?: string[];
  fitments?: Array<{ year: number; make: string; model: string }>;
  variants?: FipVariant[];
}

export interface FipSearchEnvelope {
  products: FipProduct[];
  pagination: { current_page: number; per_page: number; total_count: number };
  errno: number;
}

export interface FipProductEnvelope {
  product: FipProduct;
  errno: number;
}

export interface FipMultiEnvelope {
  products: FipProduct[];
  errno: number;
}

export interface FipVariantsEnvelope {
  variants: FipVariant[];
  errno: number;
}

/**
 * `GET /vehicles`: the vehicles parts are listed for. upstreams.md: fitment is
 * not documented publicly; this is the sandbox's definition (makes with their
 * models, and one year range for all of them), kept here in one place.
 */
export interface FipVehiclesEnvelope {
  vehicles?: Array<{ make: string; models?: string[] }>;
  years?: { min: number; max: number };
  errno: number;
}

export interface FipError {
  errno: number;
  message: string;
}

/** upstreams.md: the multi endpoint takes at most 50 ids per call. */
export const FIP_MULTI_MAX_IDS = 50;
/** The variants endpoint's cap (the sandbox's; the vendor publishes none). */
export const FIP_VARIANTS_MAX_IDS = 50;
/** Largest page the search endpoint serves (the sandbox's; the vendor publishes none). */
export const FIP_SEARCH_MAX_PER = 100;

export function isFipError(body: unknown): body is FipError {
  return typeof body === 'object' && body !== null && typeof (body as FipError).errno === 'number' && (body as FipError).errno !== 0;
}
