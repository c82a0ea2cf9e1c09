/**
 * Shopify's orders into the domain's ChannelOrder (src/domain/channelOrders.ts),
 * from each of the three shapes they arrive in: a GraphQL order node (a page
 * of `orders`), a bulk JSONL line (the node's scalars and objects, its line
 * items as later lines with `__parentId`), and a webhook's REST order JSON.
 *
 * An order without a usable id or `updatedAt` cannot be mirrored (the
 * version rule needs `updatedAt`): that is a MappingError naming the field.
 * Money is exact decimal text (domain/money.ts); an amount that is not one
 * is kept as null, never as 0.00.
 */
import { channelOrderStatus, utcTime, type ChannelAddress, type ChannelCustomer, type ChannelOrder, type ChannelOrderLine } from '../../domain/channelOrders.js';
import { normalizeDecimal } from '../../domain/money.js';
import type { RestAddress, RestOrder, WireAddress, WireLineItem, WireMoneySet, WireOrder } from './wire.js';

export class MappingError extends Error {
  override name = 'MappingError';
}

const ORDER_GID = /^gid:\/\/shopify\/Order\/(\d{1,20})$/;

/** The numeric id of an order gid, or undefined when it is not one. */
export function orderNumberOf(gid: unknown): string | undefined {
  return typeof gid === 'string' ? ORDER_GID.exec(gid)?.[1] : undefined;
}

const text = (v: unknown, max = 500): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, max) : null);
const code = (v: unknown): string | null => {
  const t = text(v, 40);
  return t && /^[A-Za-z_]+$/.test(t) ? t.toUpperCase() : null;
};
const decimal = (v: unknown): string | null => (typeof v === 'string' ? (normalizeDecimal(v) ?? null) : typeof v === 'number' && Number.isFinite(v) ? (normalizeDecimal(v.toFixed(2)) ?? null) : null);
const currencyOf = (v: unknown): string | undefined => {
  const t = text(v, 3);
  return t && /^[A-Z]{3}$/.test(t) ? t : undefined;
};

function required(field: string, value: string | undefined): string {
  if (value === undefined) throw new MappingError(`the order has no usable ${field}`);
  return value;
}

function address(a: WireAddress | null | undefined): ChannelAddress | null {
  if (!a || typeof a !== 'object') return null;
  return {
    firstName: text(a.firstName),
    lastName: text(a.lastName),
    company: text(a.company),
    address1: text(a.address1),
    address2: text(a.address2),
    city: text(a.city),
    province: text(a.province),
    provinceCode: text(a.provinceCode, 10),
    zip: text(a.zip, 20),
    country: text(a.country),
    countryCode: text(a.countryCodeV2, 3),
    phone: text(a.phone, 40),
  };
}

function restAddress(a: RestAddress | null | undefined): ChannelAddress | null {
  if (!a || typeof a !== 'object') return null;
  return address({
    firstName: a.first_name,
    lastName: a.last_name,
    company: a.company,
    address1: a.address1,
    address2: a.address2,
    city: a.city,
    province: a.province,
    provinceCode: a.province_code,
    zip: a.zip,
    country: a.country,
    countryCodeV2: a.country_code,
    phone: a.phone,
  });
}

const amountOf = (set: WireMoneySet | null | undefined): string | null => decimal(set?.shopMoney?.amount);

/** One line item of a GraphQL node or a bulk child line. */
export function mapLineItem(l: WireLineItem): ChannelOrderLine {
  const lineId = text(l.id, 100);
  if (!lineId) throw new MappingError('a line item has no id');
  const quantity = typeof l.quantity === 'number' && Number.isInteger(l.quantity) && l.quantity >= 0 ? l.quantity : undefined;
  if (quantity === undefined) throw new MappingError(`line item ${lineId} has no usable quantity`);
  return { lineId, sku: text(l.sku, 64), name: text(l.name) ?? '', quantity, unitPrice: amountOf(l.originalUnitPriceSet) };
}

/**
 * A GraphQL order node (or the order line of a bulk file) with the line items given; `shopCurrency` (when
 * known) is used when the order does not say its own (every amount is in the shop's currency: `shopMoney`).
 */
export function mapOrderNode(o: WireOrder, lines: ChannelOrderLine[], shopCurrency: string | null): ChannelOrder {
  const id = text(o.id, 100) ?? undefined;
  const number = required('id', orderNumberOf(id));
  const updatedAt = required('updatedAt', utcTime(o.updatedAt));
  const createdAt = utcTime(o.createdAt) ?? updatedAt;
  const closedAt = utcTime(o.closedAt) ?? null;
  const cancelledAt = utcTime(o.cancelledAt) ?? null;
  const currency = required('currency', currencyOf(o.totalPriceSet?.shopMoney?.currencyCode) ?? currencyOf(o.currencyCode) ?? shopCurrency ?? undefined);
  const c = o.customer;
  const customer: ChannelCustomer | null =
    c && typeof c === 'object' ? { id: text(c.id, 100), email: text(c.email)?.toLowerCase() ?? null, firstName: text(c.firstName), lastName: text(c.lastName) } : text(o.email) ? { id: null, email: text(o.email)!.toLowerCase(), firstName: null, lastName: null } : null;
  return {
    channel: 'SHOPIFY',
    id: id as string,
    number,
    name: text(o.name, 100) ?? `#${number}`,
    createdAt,
    updatedAt,
    closedAt,
    cancelledAt,
    status: channelOrderStatus(closedAt, cancelledAt),
    financialStatus: code(o.displayFinancialStatus),
    fulfillmentStatus: code(o.displayFulfillmentStatus),
    currency,
    subtotal: amountOf(o.subtotalPriceSet),
    total: amountOf(o.totalPriceSet),
    customer,
    shippingAddress: address(o.shippingAddress),
    billingAddress: address(o.billingAddress),
    lines,
  };
}

/**
 * REST's `fulfillment_status` into the GraphQL display status the other paths carry
 * (REST says null for an order nothing of which is fulfilled, `partial` for part of it).
 */
const REST_FULFILLMENT: Readonly<Record<string, string>> = { partial: 'PARTIALLY_FULFILLED', unfulfilled: 'UNFULFILLED', fulfilled: 'FULFILLED', restocked: 'RESTOCKED' };

/** A webhook's REST order JSON (`orders/create`, `orders/updated`). */
export function mapRestOrder(o: RestOrder, shopCurrency: string | null): ChannelOrder {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new MappingError('the body is not an order');
  const legacy = typeof o.id === 'number' && Number.isSafeInteger(o.id) && o.id > 0 ? String(o.id) : typeof o.id === 'string' && /^\d{1,20}$/.test(o.id) ? o.id : undefined;
  const gid = orderNumberOf(o.admin_graphql_api_id) ? (o.admin_graphql_api_id as string) : legacy ? `gid://shopify/Order/${legacy}` : undefined;
  required('id', gid);
  const fulfillment = o.fulfillment_status === null || o.fulfillment_status === undefined ? 'UNFULFILLED' : (REST_FULFILLMENT[String(o.fulfillment_status).toLowerCase()] ?? code(o.fulfillment_status));
  const lines: ChannelOrderLine[] = (Array.isArray(o.line_items) ? o.line_items : []).map((l) => {
    const lineId = orderLineGid(l.admin_graphql_api_id, l.id);
    const quantity = typeof l.quantity === 'number' && Number.isInteger(l.quantity) && l.quantity >= 0 ? l.quantity : undefined;
    if (quantity === undefined) throw new MappingError(`line item ${lineId} has no usable quantity`);
    return { lineId, sku: text(l.sku, 64), name: text(l.name) ?? text(l.title) ?? '', quantity, unitPrice: decimal(l.price) };
  });
  const c = o.customer;
  const customerId = c ? (text(c.admin_graphql_api_id, 100) ?? (c.id !== undefined ? `gid://shopify/Customer/${String(c.id)}` : null)) : null;
  const node: WireOrder = {
    id: gid,
    name: o.name,
    createdAt: o.created_at,
    updatedAt: o.updated_at,
    closedAt: o.closed_at,
    cancelledAt: o.cancelled_at,
    displayFinancialStatus: o.financial_status,
    displayFulfillmentStatus: fulfillment,
    currencyCode: o.currency,
    subtotalPriceSet: { shopMoney: { amount: o.subtotal_price ?? undefined } },
    totalPriceSet: { shopMoney: { amount: o.total_price ?? undefined } },
    email: o.email,
    customer: c ? { id: customerId ?? undefined, email: c.email ?? o.email, firstName: c.first_name, lastName: c.last_name } : null,
  };
  return { ...mapOrderNode(node, lines, shopCurrency), shippingAddress: restAddress(o.shipping_address), billingAddress: restAddress(o.billing_address) };
}

function orderLineGid(gid: unknown, id: unknown): string {
  const g = text(gid, 100);
  if (g && g.startsWith('gid://shopify/LineItem/')) return g;
  if ((typeof id === 'number' && Number.isSafeInteger(id)) || (typeof id === 'string' && /^\d{1,20}$/.test(id))) return `gid://shopify/LineItem/${String(id)}`;
  throw new MappingError('a line item has no id');
}
