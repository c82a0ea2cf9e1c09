/** BigCommerce wire → domain. */
import { decimalFromNumber, money, normalizeDecimal } from '../../domain/money.js';
import type { StoreInventory, StoreOrder, StoreOrderLine, StoreProduct } from '../../domain/types.js';
import { SUPPLIER_ID_FIELD } from '../../domain/skuRule.js';
import { BC_ORDER_STATUS, type BcV2Order, type BcV2OrderProduct, type BcV3InventoryItem, type BcV3Product } from './wire.js';

export function mapProduct(p: BcV3Product): StoreProduct {
  return {
    storeId: String(p.id),
    sku: p.sku,
    name: p.name,
    type: p.type,
    price: money(decimalFromNumber(p.price) ?? '0.00'),
    inventoryLevel: p.inventory_level ?? null,
    isVisible: p.is_visible ?? true,
    weight: p.weight ?? null,
    categories: p.categories ?? [],
    dateModified: p.date_modified ?? null,
    supplierId: p.custom_fields?.find((f) => f.name === SUPPLIER_ID_FIELD && /^\d{1,12}$/.test(f.value))?.value ?? null,
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

export function mapOrder(o: BcV2Order): StoreOrder {
  const currency = o.currency_code ?? 'USD';
  return {
    orderId: String(o.id),
    statusId: o.status_id,
    status: o.status ?? BC_ORDER_STATUS[o.status_id] ?? 'Unknown',
    customerId: o.customer_id !== undefined ? String(o.customer_id) : null,
    createdAt: rfc2822ToIso(o.date_created),
    updatedAt: rfc2822ToIso(o.date_modified),
    subtotal: money(normalizeDecimal(o.subtotal_ex_tax ?? '0') ?? '0.00', currency),
    total: money(normalizeDecimal(o.total_inc_tax ?? '0') ?? '0.00', currency),
    itemsTotal: o.items_total ?? 0,
    currency,
  };
}

export function mapOrderLine(l: BcV2OrderProduct, currency = 'USD'): StoreOrderLine {
  return {
    lineId: String(l.id),
    orderId: String(l.order_id),
    productId: l.product_id ? String(l.product_id) : null,
    variantId: l.variant_id ? String(l.variant_id) : null,
    sku: l.sku,
    name: l.name,
    quantity: l.quantity,
    unitPrice: money(normalizeDecimal(l.price_ex_tax ?? l.base_price ?? '0') ?? '0.00', currency),
    total: money(normalizeDecimal(l.total_ex_tax ?? '0') ?? '0.00', currency),
  };
}
