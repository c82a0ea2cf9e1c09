/**
 * v2 orders on the wire (upstreams.md): money as four-decimal strings, dates
 * RFC-2822, sub-resources as `{url, resource}` links.
 */
import { ORDER_STATUSES, type OrderLine, type OrderRecord, type ShipmentRecord } from './orders.js';
import { money, rfc2822 } from './wire.js';

export interface OrderTotals {
  subtotalEx: number;
  subtotalTax: number;
  itemsTotal: number;
}

export function totals(o: OrderRecord): OrderTotals {
  let subtotalEx = 0;
  let subtotalTax = 0;
  let itemsTotal = 0;
  for (const l of o.lines) {
    subtotalEx += l.priceCents * l.quantity;
    subtotalTax += l.taxCents * l.quantity;
    itemsTotal += l.quantity;
  }
  return { subtotalEx, subtotalTax, itemsTotal };
}

/** Units of a line shipped: from the order's shipments when it has any, else as its status implies. */
function lineShipped(o: OrderRecord, l: OrderLine): number {
  if (o.shipments.length > 0) return o.shipments.reduce((n, s) => n + s.items.filter((i) => i.order_product_id === l.id).reduce((m, i) => m + i.quantity, 0), 0);
  return o.status_id === 2 || o.status_id === 10 ? l.quantity : 0;
}

function itemsShipped(o: OrderRecord, itemsTotal: number): number {
  if (o.shipments.length > 0) return o.lines.reduce((n, l) => n + lineShipped(o, l), 0);
  if (o.status_id === 2 || o.status_id === 10) return itemsTotal;
  if (o.status_id === 3) return Math.max(1, Math.floor(itemsTotal / 2));
  return 0;
}

function link(apiBase: string, resource: string) {
  return { url: `${apiBase}${resource}`, resource };
}

/**
 * `apiBase` is the absolute v2 base, e.g. `http://127.0.0.1:4102/stores/sandbox/v2`.
 * `currency` is the store's default currency: the sandbox's orders are placed
 * in it, so it is the display, transactional and store default currency at once.
 */
export function orderWire(o: OrderRecord, apiBase: string, currency = 'USD') {
  const t = totals(o);
  const status = ORDER_STATUSES[o.status_id] ?? 'Incomplete';
  const zero = money(0);
  return {
    id: o.id,
    customer_id: o.customer_id,
    date_created: rfc2822(o.createdMs),
    date_modified: rfc2822(o.modifiedMs),
    date_shipped: o.shippedMs === null ? '' : rfc2822(o.shippedMs),
    status_id: o.status_id,
    status,
    custom_status: status,
    subtotal_ex_tax: money(t.subtotalEx),
    subtotal_inc_tax: money(t.subtotalEx + t.subtotalTax),
    subtotal_tax: money(t.subtotalTax),
    base_shipping_cost: money(o.shippingCents),
    shipping_cost_ex_tax: money(o.shippingCents),
    shipping_cost_inc_tax: money(o.shippingCents),
    shipping_cost_tax: zero,
    shipping_cost_tax_class_id: 2,
    base_handling_cost: zero,
    handling_cost_ex_tax: zero,
    handling_cost_inc_tax: zero,
    handling_cost_tax: zero,
    handling_cost_tax_class_id: 2,
    base_wrapping_cost: zero,
    wrapping_cost_ex_tax: zero,
    wrapping_cost_inc_tax: zero,
    wrapping_cost_tax: zero,
    wrapping_cost_tax_class_id: 3,
    total_ex_tax: money(t.subtotalEx + o.shippingCents),
    total_inc_tax: money(t.subtotalEx + t.subtotalTax + o.shippingCents),
    total_tax: money(t.subtotalTax),
    // The vendor counts items here (an integer), it is not money.
    items_total: t.itemsTotal,
    items_shipped: itemsShipped(o, t.itemsTotal),
    payment_method: o.payment_method,
    payment_provider_id: null,
    payment_status: o.status_id === 7 ? 'pending' : o.status_id === 5 ? 'void' : 'captured',
    refunded_amount: zero,
    order_is_digital: false,
    store_credit_amount: zero,
    gift_certificate_amount: zero,
    ip_address: '198.51.100.23',
    geoip_country: 'United States',
    geoip_country_iso2: 'US',
    currency_id: 1,
    currency_code: currency,
    currency_exchange_rate: '1.0000000000',
    default_currency_id: 1,
    default_currency_code: currency,
    store_default_currency_code: currency,
    staff_notes: o.staff_notes,
    customer_message: o.customer_message,
    discount_amount: zero,
    coupon_discount: zero,
    shipping_address_count: 1,
    is_deleted: false,
    is_email_opt_in: false,
    order_source: 'www',
    channel_id: 1,
    external_source: null,
    external_id: null,
    billing_address: { ...o.billing, form_fields: [] },
    products: link(apiBase, `/orders/${o.id}/products`),
    shipping_addresses: link(apiBase, `/orders/${o.id}/shipping_addresses`),
    coupons: link(apiBase, `/orders/${o.id}/coupons`),
  };
}

export function shippingAddressId(o: OrderRecord): number {
  return o.id * 10 + 1;
}

export function orderProductWire(o: OrderRecord, l: OrderLine) {
  const inc = l.priceCents + l.taxCents;
  const shipped = lineShipped(o, l);
  return {
    id: l.id,
    order_id: o.id,
    product_id: l.product_id,
    variant_id: l.variant_id,
    order_address_id: shippingAddressId(o),
    name: l.name,
    name_customer: l.name,
    name_merchant: l.name,
    sku: l.sku,
    upc: '',
    type: 'physical',
    base_price: money(l.priceCents),
    price_ex_tax: money(l.priceCents),
    price_inc_tax: money(inc),
    price_tax: money(l.taxCents),
    base_total: money(l.priceCents * l.quantity),
    total_ex_tax: money(l.priceCents * l.quantity),
    total_inc_tax: money(inc * l.quantity),
    total_tax: money(l.taxCents * l.quantity),
    weight: l.weight,
    quantity: l.quantity,
    base_cost_price: money(0),
    is_refunded: false,
    quantity_refunded: 0,
    refund_amount: money(0),
    quantity_shipped: shipped,
    fixed_shipping_cost: money(0),
    bin_picking_number: '',
    applied_discounts: [],
    product_options: [],
    configurable_fields: [],
  };
}

export function shippingAddressWire(o: OrderRecord, apiBase: string) {
  const t = totals(o);
  return {
    id: shippingAddressId(o),
    order_id: o.id,
    ...o.shipping,
    items_total: t.itemsTotal,
    items_shipped: itemsShipped(o, t.itemsTotal),
    shipping_method: o.shippingCents === 0 ? 'Free Shipping' : 'Flat Rate',
    base_cost: money(o.shippingCents),
    cost_ex_tax: money(o.shippingCents),
    cost_inc_tax: money(o.shippingCents),
    cost_tax: money(0),
    cost_tax_class_id: 2,
    base_handling_cost: money(0),
    handling_cost_ex_tax: money(0),
    handling_cost_inc_tax: money(0),
    handling_cost_tax: money(0),
    handling_cost_tax_class_id: 2,
    shipping_zone_id: 1,
    shipping_zone_name: 'United States',
    shipping_quotes: link(apiBase, `/orders/${o.id}/shipping_addresses/${shippingAddressId(o)}/shipping_quotes`),
    form_fields: [],
  };
}

/** A v2 order shipment on the wire (BigCommerce Orders v2 reference, Order Shipments). */
export function shipmentWire(o: OrderRecord, s: ShipmentRecord) {
  return {
    id: s.id,
    order_id: o.id,
    customer_id: o.customer_id,
    order_address_id: s.order_address_id,
    date_created: rfc2822(s.createdMs),
    tracking_number: s.tracking_number,
    merchant_shipping_cost: money(0),
    shipping_method: s.shipping_method,
    shipping_provider: s.shipping_provider,
    tracking_carrier: s.tracking_carrier,
    tracking_link: s.tracking_link,
    generated_tracking_link: '',
    comments: s.comments,
    billing_address: { ...o.billing },
    shipping_address: { ...o.shipping },
    items: s.items.map((i) => ({ ...i })),
  };
}
