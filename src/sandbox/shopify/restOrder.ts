/**
 * The REST order JSON: the body of an `orders/create` or `orders/updated`
 * webhook (upstreams.md, "Webhooks … body: the REST order JSON"). It is
 * not the GraphQL shape: numeric ids beside `admin_graphql_api_id`,
 * snake_case, lower-case statuses (`fulfillment_status` null until
 * something shipped), money as two-decimal strings, and timestamps in the
 * shop's time zone with its offset (`2025-01-10T11:00:00-05:00`), as the
 * vendor's REST resources write them.
 */
import { restAmount } from './money.js';
import type { ShopAddress, ShopCustomer, ShopOrder } from './orderRecord.js';

export interface RestClock {
  /** The shop's offset from UTC in minutes (e.g. -300). */
  offsetMinutes: number;
}

export function shopLocalTime(sec: number, clock: RestClock): string {
  const shifted = new Date((sec + clock.offsetMinutes * 60) * 1000).toISOString().slice(0, 19);
  const sign = clock.offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(clock.offsetMinutes);
  return `${shifted}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const FULFILLMENT: Record<string, string | null> = { FULFILLED: 'fulfilled', PARTIALLY_FULFILLED: 'partial', RESTOCKED: 'restocked' };

function moneySet(cents: number, currency: string) {
  const money = { amount: restAmount(cents), currency_code: currency };
  return { shop_money: money, presentment_money: { ...money } };
}

function address(a: ShopAddress | null) {
  if (!a) return null;
  return {
    first_name: a.firstName,
    last_name: a.lastName,
    name: `${a.firstName} ${a.lastName}`,
    company: a.company,
    address1: a.address1,
    address2: a.address2,
    city: a.city,
    province: a.province,
    province_code: a.provinceCode,
    zip: a.zip,
    country: a.country,
    country_code: a.countryCode,
    phone: a.phone,
    latitude: null,
    longitude: null,
  };
}

function customer(c: ShopCustomer | null, currency: string, clock: RestClock) {
  if (!c) return null;
  return {
    id: c.legacyId,
    admin_graphql_api_id: `gid://shopify/Customer/${c.legacyId}`,
    email: c.email,
    first_name: c.firstName,
    last_name: c.lastName,
    phone: c.phone,
    state: 'enabled',
    currency,
    tags: c.tags.join(', '),
    created_at: shopLocalTime(c.createdSec, clock),
    updated_at: shopLocalTime(c.createdSec, clock),
    default_address: { ...address(c.address), default: true },
  };
}

export function restOrderJson(o: ShopOrder, clock: RestClock): Record<string, unknown> {
  const c = o.currency;
  const time = (sec: number) => (sec ? shopLocalTime(sec, clock) : null);
  return {
    id: o.legacyId,
    admin_graphql_api_id: `gid://shopify/Order/${o.legacyId}`,
    name: o.name,
    order_number: o.orderNumber,
    number: o.orderNumber - 1000,
    email: o.email,
    contact_email: o.email,
    phone: o.phone,
    created_at: time(o.createdSec),
    updated_at: time(o.updatedSec),
    processed_at: time(o.createdSec),
    closed_at: time(o.closedSec),
    cancelled_at: time(o.cancelledSec),
    cancel_reason: o.cancelReason?.toLowerCase() ?? null,
    confirmed: true,
    test: false,
    currency: c,
    presentment_currency: c,
    financial_status: o.financial.toLowerCase(),
    fulfillment_status: FULFILLMENT[o.fulfillment] ?? null,
    note: o.note,
    tags: o.tags.join(', '),
    subtotal_price: restAmount(o.subtotalCents),
    subtotal_price_set: moneySet(o.subtotalCents, c),
    total_line_items_price: restAmount(o.subtotalCents),
    total_line_items_price_set: moneySet(o.subtotalCents, c),
    total_shipping_price_set: moneySet(o.shippingCents, c),
    total_tax: restAmount(o.taxCents),
    total_tax_set: moneySet(o.taxCents, c),
    total_discounts: '0.00',
    total_price: restAmount(o.totalCents),
    total_price_set: moneySet(o.totalCents, c),
    line_items: o.lineItems.map((l) => ({
      id: l.legacyId,
      admin_graphql_api_id: `gid://shopify/LineItem/${l.legacyId}`,
      name: l.variantTitle ? `${l.title} - ${l.variantTitle}` : l.title,
      title: l.title,
      variant_title: l.variantTitle,
      sku: l.sku,
      vendor: l.vendor,
      quantity: l.quantity,
      current_quantity: l.quantity,
      fulfillable_quantity: o.fulfillment === 'FULFILLED' ? 0 : l.quantity,
      fulfillment_status: o.fulfillment === 'FULFILLED' ? 'fulfilled' : null,
      price: restAmount(l.unitCents),
      price_set: moneySet(l.unitCents, c),
      total_discount: '0.00',
      product_id: l.productLegacyId,
      variant_id: l.variantLegacyId,
      requires_shipping: true,
      taxable: true,
      gift_card: false,
    })),
    customer: customer(o.customer, c, clock),
    shipping_address: address(o.shippingAddress),
    billing_address: address(o.billingAddress),
  };
}
