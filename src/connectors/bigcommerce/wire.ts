/**
 * BigCommerce Management API wire shapes (upstreams.md, BigCommerce). v3
 * prices are JSON numbers; v2 money is a decimal string ("336.3200") and v2
 * dates are RFC 2822. Only fields the gateway reads are typed.
 */
export interface BcV3Product {
  id: number;
  name: string;
  type: string;
  sku: string;
  price: number;
  weight?: number;
  inventory_level?: number;
  inventory_tracking?: string;
  is_visible?: boolean;
  categories?: number[];
  date_modified?: string;
  custom_fields?: Array<{ id?: number; name: string; value: string }>;
}

export interface BcV3Pagination {
  total: number;
  count: number;
  per_page: number;
  current_page: number;
  total_pages: number;
  links?: { previous?: string; current?: string; next?: string };
}

export interface BcV3ListEnvelope<T> {
  data: T[];
  meta: { pagination?: BcV3Pagination };
}

export interface BcV3InventoryItem {
  identity: { sku: string; variant_id?: number; product_id?: number };
  locations: Array<{ location_id: number; available_to_sell: number; total_inventory_onhand: number }>;
}

export interface BcV2Order {
  id: number;
  customer_id?: number;
  date_created?: string;
  date_modified?: string;
  status_id: number;
  status?: string;
  subtotal_ex_tax?: string;
  total_inc_tax?: string;
  items_total?: number;
  /** The display currency the storefront showed the shopper (BigCommerce Orders v2, "Currency fields"). */
  currency_code?: string;
  /** The transactional currency the shopper paid in: the currency of the order's amounts. */
  default_currency_code?: string;
  /** The store's default currency; only with multi-currency enabled. */
  store_default_currency_code?: string;
}

/** `GET /v2/store` (BigCommerce "Get Store Information"): only the field the gateway reads. */
export interface BcV2Store {
  /** The store's default currency code (ISO 4217): the currency of catalog prices. */
  currency?: string;
}

export interface BcV2OrderProduct {
  id: number;
  order_id: number;
  product_id?: number;
  variant_id?: number;
  name: string;
  sku: string;
  quantity: number;
  base_price?: string;
  price_ex_tax?: string;
  total_ex_tax?: string;
}

/** upstreams.md: `limit` max 250 on v3 lists (over it is a 413). */
export const BC_V3_MAX_LIMIT = 250;
/** upstreams.md: v2 orders default 50; the API allows 250. */
export const BC_V2_MAX_LIMIT = 250;
/**
 * Keep query strings well under common proxy limits (8 KiB request line);
 * long `sku:in` lists are split further by length.
 */
export const BC_MAX_QUERY_CHARS = 6_000;

/** upstreams.md: v2 status ids. */
export const BC_ORDER_STATUS: Readonly<Record<number, string>> = {
  0: 'Incomplete',
  1: 'Pending',
  2: 'Shipped',
  3: 'Partially Shipped',
  4: 'Refunded',
  5: 'Cancelled',
  6: 'Declined',
  7: 'Awaiting Payment',
  8: 'Awaiting Pickup',
  9: 'Awaiting Shipment',
  10: 'Completed',
  11: 'Awaiting Fulfillment',
  12: 'Manual Verification Required',
  13: 'Disputed',
  14: 'Partially Refunded',
};

export function bcErrorMessage(body: unknown): string | undefined {
  if (Array.isArray(body)) {
    const first = body[0] as { message?: unknown } | undefined;
    return typeof first?.message === 'string' ? first.message : undefined;
  }
  if (typeof body === 'object' && body !== null) {
    const b = body as { title?: unknown; errors?: unknown };
    if (typeof b.title === 'string') {
      const details = b.errors && typeof b.errors === 'object' ? Object.values(b.errors as Record<string, unknown>).filter((v) => typeof v === 'string') : [];
      return details.length ? `${b.title}: ${details.join('; ')}` : b.title;
    }
  }
  return undefined;
}

/** The two v2 status ids the connector acts on: routing picks up 11, the write-back moves it to 9. */
export const BC_STATUS_ID = { AWAITING_SHIPMENT: 9, AWAITING_FULFILLMENT: 11 } as const;

/**
 * v2 status ids of orders the store will not fulfil (upstreams.md's list): 0 Incomplete (a checkout
 * never completed), 4 Refunded, 5 Cancelled, 6 Declined. The ERP export enters none of them.
 */
export const BC_UNFULFILLED_STATUS_IDS: ReadonlySet<number> = new Set([0, 4, 5, 6]);
