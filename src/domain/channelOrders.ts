/**
 * Orders of a sales channel that the gateway mirrors (DESIGN.md, "Mirrors":
 * a durable local copy of one upstream collection), in the domain's own
 * terms: whichever vendor sent them, and by whichever path (a bulk export, an
 * incremental pull, a webhook), a connector maps them into these.
 *
 * Times are ISO-8601 UTC with milliseconds (`2025-01-02T03:04:05.000Z`, the
 * fixed-width form the records compare as text); money is exact decimal
 * text in the order's currency (domain/money.ts).
 */

/** Every channel the graph's `Order` comes from. */
export type OrderChannel = 'BIGCOMMERCE' | 'SHOPIFY';
export const ORDER_CHANNELS: readonly OrderChannel[] = ['BIGCOMMERCE', 'SHOPIFY'];

/** The channels whose orders are mirrored (BigCommerce's are read live from the store). */
export type MirrorChannel = 'SHOPIFY';
export const MIRROR_CHANNELS: readonly MirrorChannel[] = ['SHOPIFY'];

export const isMirrorChannel = (c: string): c is MirrorChannel => (MIRROR_CHANNELS as readonly string[]).includes(c);

/** Open, closed (archived: done with), or cancelled; as Shopify's order `status` filter says it. */
export type ChannelOrderStatus = 'OPEN' | 'CLOSED' | 'CANCELLED';
export const CHANNEL_ORDER_STATUSES: readonly ChannelOrderStatus[] = ['OPEN', 'CLOSED', 'CANCELLED'];

export interface ChannelAddress {
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  address1: string | null;
  address2: string | null;
  city: string | null;
  province: string | null;
  provinceCode: string | null;
  zip: string | null;
  country: string | null;
  countryCode: string | null;
  phone: string | null;
}

export interface ChannelCustomer {
  /** The vendor's id (e.g. `gid://shopify/Customer/7400000000001`), or null for a guest. */
  id: string | null;
  /** Lower-cased, as it is searched. */
  email: string | null;
  firstName: string | null;
  lastName: string | null;
}

export interface ChannelOrderLine {
  /** The vendor's id of the line (e.g. `gid://shopify/LineItem/…`). */
  lineId: string;
  /** Null for an item without a SKU (a custom item). */
  sku: string | null;
  name: string;
  quantity: number;
  /** Exact decimal in the order's currency; null when the vendor sent no usable amount. */
  unitPrice: string | null;
}

export interface ChannelOrder {
  channel: MirrorChannel;
  /** The vendor's global id, e.g. `gid://shopify/Order/5600000000001`. */
  id: string;
  /** The vendor's numeric id (the last segment of `id`). */
  number: string;
  /** What the merchant calls it, e.g. `#1001`. */
  name: string;
  createdAt: string;
  /** The version the mirror keeps: an older copy never overwrites a newer one. */
  updatedAt: string;
  closedAt: string | null;
  cancelledAt: string | null;
  status: ChannelOrderStatus;
  /** The vendor's words, e.g. PAID, PARTIALLY_REFUNDED (upstreams.md `displayFinancialStatus`). */
  financialStatus: string | null;
  /** The vendor's words, e.g. FULFILLED, UNFULFILLED (upstreams.md `displayFulfillmentStatus`). */
  fulfillmentStatus: string | null;
  /** ISO 4217: the currency of every amount of the order (the shop's). */
  currency: string;
  subtotal: string | null;
  total: string | null;
  customer: ChannelCustomer | null;
  shippingAddress: ChannelAddress | null;
  billingAddress: ChannelAddress | null;
  lines: ChannelOrderLine[];
}

/** The order status a mirrored order's dates say. */
export function channelOrderStatus(closedAt: string | null, cancelledAt: string | null): ChannelOrderStatus {
  if (cancelledAt) return 'CANCELLED';
  return closedAt ? 'CLOSED' : 'OPEN';
}

/** A vendor's time as the records keep it (ISO-8601 UTC, milliseconds); undefined when it is not a time. */
export function utcTime(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.length < 10 || raw.length > 40) return undefined;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** Financial statuses a mirrored order may have (upstreams.md: Shopify's `displayFinancialStatus`). */
export const CHANNEL_FINANCIAL_STATUSES: readonly string[] = ['AUTHORIZED', 'EXPIRED', 'PAID', 'PARTIALLY_PAID', 'PARTIALLY_REFUNDED', 'PENDING', 'REFUNDED', 'VOIDED'];

/** Fulfillment statuses a mirrored order may have (upstreams.md: Shopify's `displayFulfillmentStatus`). */
export const CHANNEL_FULFILLMENT_STATUSES: readonly string[] = [
  'FULFILLED',
  'IN_PROGRESS',
  'ON_HOLD',
  'OPEN',
  'PARTIALLY_FULFILLED',
  'PENDING_FULFILLMENT',
  'REQUEST_DECLINED',
  'RESTOCKED',
  'SCHEDULED',
  'UNFULFILLED',
];
