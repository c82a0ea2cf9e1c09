/** BigCommerce wire → domain. */
import { decimalFromNumber, normalizeDecimal, type Money } from '../../domain/money.js';
import type { StoreInventory, StoreOrder, StoreOrderLine, StoreProduct } from '../../domain/types.js';
import { SUPPLIER_ID_FIELD } from '../../domain/skuRule.js';
import { BC_ORDER_STATUS, BC_UNFULFILLED_STATUS_IDS, type BcV2Order, type BcV2OrderProduct, type BcV3InventoryItem, type BcV3Product } from './wire.js';

const CURRENCY = /^[A-Z]{3}$/;

/** An ISO 4217 code as the store sent it, or undefined when it is absent or not one. */
export function currencyCode(raw: unknown): string | undefined {
  return typeof raw === 'string' && CURRENCY.test(raw.trim()) ? raw.trim() : undefined;
}

/**
 * An amount as the store sent it, or null when it is not a number: v3 sends
 * JSON numbers, v2 decimal strings ("336.3200"). Never a made-up zero: a
 * price the store cannot give is an error for that item (the graph says so
 * on the field), not a product for free.
 */
function amount(raw: unknown, currency: string): Money | null {
  const decimal = typeof raw === 'number' ? decimalFromNumber(raw) : typeof raw === 'string' && raw.trim() !== '' ? normalizeDecimal(raw) : undefined;
  return decimal === undefined ? null : { amount: decimal, currency };
}

/** `currency`: the store's default currency (`GET /v2/store`), which catalog prices are in. */
export function mapProduct(p: BcV3Product, currency: string): StoreProduct {
  return {
    storeId: String(p.id),
    sku: p.sku,
    name: p.name,
    type: p.type,
    price: amount(p.price as unknown, currency),
    inventoryLevel: p.inventory_level ?? null,
    isVisible: p.is_visible ?? true,
    weight: p.weight ?? null,
    categories: p.categories ?? [],
    dateModified: p.date_modified ?? null,
    supplierId: p.custom_fields?.find((f) => f.name === SUPPLIER_ID_FIELD && /^\d{1,12}$/.test(f.value))?.value ?? null,
    customFields: (p.custom_fields ?? []).map((f) => ({ id: f.id !== undefined ? String(f.id) : '', name: f.name, value: f.value })),
  };
}

export function mapInventory(item: BcV3InventoryItem): StoreInventory {
  return {
    sku: item.identity.sku,
    productId: item.identity.product_id !== undefined ? String(item.identity.product_id) : null,
    variantId: item.identity.variant_id !== undefined ? String(item.identity.variant_id) : null,
    locations: (item.locations ?? []).map((l) => ({
      locationId: String(l.location_id),
      availableToSell: l.available_to_sell,
      onHand: l.total_inventory_onhand,
    })),
  };
}

/** v2 dates are RFC 2822 ("Tue, 20 Nov 2012 00:00:00 +0000"); the graph speaks ISO 8601. */
export function rfc2822ToIso(value: string | undefined): string | null {
  if (!value) return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/**
 * The currency an order's amounts are in. BigCommerce Orders v2, "Currency
 * fields": `default_currency_code` is the transactional currency, the one
 * the shopper pays in; `currency_code` is only the display currency the
 * storefront showed. An order naming neither is in the store's currency.
 */
export function orderCurrency(o: BcV2Order, storeCurrency: string): string {
  return currencyCode(o.default_currency_code) ?? currencyCode(o.currency_code) ?? storeCurrency;
}

export function mapOrder(o: BcV2Order, storeCurrency: string): StoreOrder {
  const currency = orderCurrency(o, storeCurrency);
  return {
    orderId: String(o.id),
    statusId: o.status_id,
    status: o.status ?? BC_ORDER_STATUS[o.status_id] ?? 'Unknown',
    cancelled: BC_UNFULFILLED_STATUS_IDS.has(o.status_id),
    customerId: o.customer_id !== undefined ? String(o.customer_id) : null,
    createdAt: rfc2822ToIso(o.date_created),
    updatedAt: rfc2822ToIso(o.date_modified),
    subtotal: amount(o.subtotal_ex_tax, currency),
    total: amount(o.total_inc_tax, currency),
    itemsTotal: o.items_total ?? 0,
    currency,
  };
}

/** `currency`: the order's (orderCurrency): v2 order products carry none of their own. */
export function mapOrderLine(l: BcV2OrderProduct, currency: string): StoreOrderLine {
  return {
    lineId: String(l.id),
    orderId: String(l.order_id),
    productId: l.product_id ? String(l.product_id) : null,
    variantId: l.variant_id ? String(l.variant_id) : null,
    sku: l.sku,
    name: l.name,
    quantity: l.quantity,
    unitPrice: amount(l.price_ex_tax ?? l.base_price, currency),
    total: amount(l.total_ex_tax, currency),
  };
}
