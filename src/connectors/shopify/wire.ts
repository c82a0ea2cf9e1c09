/**
 * Shopify's wire formats as this connector reads them (upstreams.md,
 * "Shopify"): the GraphQL Admin API answer and its cost extension, the order
 * node, a bulk operation, and the REST order JSON a webhook carries. Every
 * field is optional here: what arrives is checked when it is mapped (map.ts).
 *
 * Facts upstreams.md marks unverified are kept in one place, SHOPIFY_GUESSES.
 */

/** What upstreams.md marks *unverified* (or gives no figure for), kept in one place. */
export const SHOPIFY_GUESSES = {
  /** "recent stores report maximumAvailable: 2000" — the bucket until an answer reports its own. */
  bucketSize: 2000,
  /** "A single query costs at most 1000 points". */
  maxQueryCost: 1000,
  /** "Cost: 1 per object, a connection costs first × its children (approximation)". */
  objectCost: 1,
} as const;

/** upstreams.md: `orders(first:)` page size ≤ 250. */
export const MAX_PAGE_SIZE = 250;
/** upstreams.md: pagination stops at 25,000 objects; a pull starts a new query well before. */
export const PAGINATION_LIMIT = 25_000;

export interface GqlError {
  message?: string;
  extensions?: { code?: string; [k: string]: unknown };
}

export interface GqlCost {
  requestedQueryCost?: number;
  /** Null when the query was throttled. */
  actualQueryCost?: number | null;
  throttleStatus?: { maximumAvailable?: number; currentlyAvailable?: number; restoreRate?: number };
}

export interface GqlAnswer<D> {
  data?: D | null;
  /** A list of errors; a 401 answers `{ "errors": "[API] Invalid API key or access token" }`. */
  errors?: GqlError[] | string;
  extensions?: { cost?: GqlCost };
}

export interface WireMoneySet {
  shopMoney?: { amount?: string; currencyCode?: string };
}

export interface WireAddress {
  firstName?: string | null;
  lastName?: string | null;
  company?: string | null;
  address1?: string | null;
  address2?: string | null;
  city?: string | null;
  province?: string | null;
  provinceCode?: string | null;
  zip?: string | null;
  country?: string | null;
  countryCodeV2?: string | null;
  phone?: string | null;
}

export interface WireLineItem {
  id?: string;
  name?: string;
  sku?: string | null;
  quantity?: number;
  originalUnitPriceSet?: WireMoneySet;
  /** On a bulk JSONL line: the order it belongs to. */
  __parentId?: string;
}

export interface WireOrder {
  id?: string;
  name?: string;
  createdAt?: string;
  updatedAt?: string;
  closedAt?: string | null;
  cancelledAt?: string | null;
  displayFinancialStatus?: string | null;
  displayFulfillmentStatus?: string | null;
  currencyCode?: string;
  subtotalPriceSet?: WireMoneySet | null;
  totalPriceSet?: WireMoneySet | null;
  email?: string | null;
  customer?: { id?: string; email?: string | null; firstName?: string | null; lastName?: string | null } | null;
  shippingAddress?: WireAddress | null;
  billingAddress?: WireAddress | null;
  lineItems?: { nodes?: WireLineItem[]; pageInfo?: WirePageInfo };
}

export interface WirePageInfo {
  hasNextPage?: boolean;
  endCursor?: string | null;
}

export interface WireBulkOperation {
  id?: string;
  status?: string;
  errorCode?: string | null;
  createdAt?: string | null;
  completedAt?: string | null;
  objectCount?: string | number | null;
  rootObjectCount?: string | number | null;
  fileSize?: string | number | null;
  url?: string | null;
  partialDataUrl?: string | null;
}

export interface WireUserError {
  field?: string[] | null;
  message?: string;
  code?: string | null;
}

/** The REST order JSON of an `orders/create` or `orders/updated` webhook (the fields the mirror keeps). */
export interface RestAddress {
  first_name?: string | null;
  last_name?: string | null;
  company?: string | null;
  address1?: string | null;
  address2?: string | null;
  city?: string | null;
  province?: string | null;
  province_code?: string | null;
  zip?: string | null;
  country?: string | null;
  country_code?: string | null;
  phone?: string | null;
}

export interface RestOrder {
  id?: number | string;
  admin_graphql_api_id?: string;
  name?: string;
  created_at?: string;
  updated_at?: string;
  closed_at?: string | null;
  cancelled_at?: string | null;
  financial_status?: string | null;
  fulfillment_status?: string | null;
  currency?: string;
  subtotal_price?: string | null;
  total_price?: string | null;
  email?: string | null;
  customer?: { id?: number | string; admin_graphql_api_id?: string; email?: string | null; first_name?: string | null; last_name?: string | null } | null;
  shipping_address?: RestAddress | null;
  billing_address?: RestAddress | null;
  line_items?: Array<{ id?: number | string; admin_graphql_api_id?: string; name?: string; title?: string; sku?: string | null; quantity?: number; price?: string | null }>;
}

/** The message of an error answer, for a client-facing error (never the request). */
export function shopifyErrorMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return typeof body === 'string' && body.length < 300 ? body : undefined;
  const errors = (body as GqlAnswer<unknown>).errors;
  if (typeof errors === 'string') return errors.slice(0, 300);
  if (Array.isArray(errors)) {
    const first = errors.find((e) => typeof e?.message === 'string');
    return first?.message?.slice(0, 300);
  }
  return undefined;
}
