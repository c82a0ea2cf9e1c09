/**
 * BigCommerce as the domain's `Store` (domain/ports.ts): the v3 catalog and
 * inventory reads, v2 orders, the routing write-back and the catalog writes,
 * with BigCommerce's own vocabulary (status ids, snake_case bodies, numeric
 * ids, batch sizes) kept on this side of the port.
 */
import type { NewStoreProduct, ShippingAddress, Store } from '../../domain/ports.js';
import type { UpstreamClient } from '../../upstreams/http.js';
import { createBigCommerceClient } from './client.js';
import { BC_ORDER_STATUS, createBigCommerceOrderWrites } from './orderWrites.js';
import { BC_PRODUCT_UPDATE_BATCH, createBigCommerceWriter, type NewProduct } from './writes.js';

function wireProduct(p: NewStoreProduct): NewProduct {
  return {
    name: p.name,
    type: 'physical',
    sku: p.sku,
    price: p.price,
    weight: p.weight,
    ...(p.inventoryLevel !== undefined ? { inventory_level: p.inventoryLevel } : {}),
    inventory_tracking: p.trackInventory ? 'product' : 'none',
    ...(p.categories?.length ? { categories: p.categories } : {}),
    ...(p.customFields?.length ? { custom_fields: p.customFields } : {}),
    ...(p.images?.length ? { images: p.images.map((i) => ({ image_url: i.url, is_thumbnail: i.isThumbnail })) } : {}),
    ...(p.brand ? { brand_name: p.brand } : {}),
    ...(p.description ? { description: p.description } : {}),
  };
}

/** `locationId`: the inventory location stock is written to (BIGCOMMERCE_LOCATION_ID). */
export function createBigCommerceStore(http: UpstreamClient, locationId: number): Store {
  const client = createBigCommerceClient(http);
  const writes = createBigCommerceOrderWrites(http);
  const writer = createBigCommerceWriter(http, (lane) => client.storeCurrency(lane));
  return {
    name: http.name,
    displayName: 'BigCommerce',
    catalog: {
      productsByIds: (ids, lane) => client.productsByIds(ids, lane),
      productsBySkus: (skus, lane) => client.productsBySkus(skus, lane),
      listProducts: (params, lane) => client.listProducts(params, lane),
      inventoryBySkus: (skus, lane) => client.inventoryBySkus(skus, lane),
      currency: (lane) => client.storeCurrency(lane),
    },
    orders: {
      list: ({ awaitingFulfillment, statusId, ...rest }, lane) =>
        client.listOrders({ ...rest, statusId: awaitingFulfillment ? BC_ORDER_STATUS.AWAITING_FULFILLMENT : statusId }, lane),
      count: (lane) => client.orderCount(lane),
      get: (id, lane) => client.order(id, lane),
      lines: (orderId, currency, lane) => client.orderLines(orderId, currency, lane),
      async shippingAddress(orderId, lane): Promise<ShippingAddress | null> {
        const a = await client.orderShippingAddress(orderId, lane);
        if (!a) return null;
        const { street2, ...rest } = a;
        return street2 ? { ...rest, street2 } : rest;
      },
    },
    orderWrites: {
      async fulfillment(orderId, lane) {
        const state = await writes.state(orderId, lane);
        return state && { awaitingFulfillment: state.statusId === BC_ORDER_STATUS.AWAITING_FULFILLMENT, staffNotes: state.staffNotes };
      },
      update: (orderId, patch, lane) =>
        writes.update(orderId, { ...(patch.awaitingShipment ? { statusId: BC_ORDER_STATUS.AWAITING_SHIPMENT } : {}), ...(patch.staffNotes !== undefined ? { staffNotes: patch.staffNotes } : {}) }, lane),
      shipments: async (orderId, lane) => (await writes.shipments(orderId, lane)).map((s) => s.trackingNumber),
      shipRemaining: (orderId, shipment, lane) => writes.shipRemaining(orderId, shipment, lane),
    },
    writer: {
      maxUpdateBatch: BC_PRODUCT_UPDATE_BATCH,
      createProduct: (product, lane) => writer.createProduct(wireProduct(product), lane),
      async updateProducts(updates, lane) {
        const outcome = await writer.updateProducts(
          updates.map((u) => ({ ...u, id: Number(u.id) })),
          lane,
        );
        return { updated: outcome.updated, failed: new Map([...outcome.failed].map(([id, why]) => [String(id), why])) };
      },
      setStock: (items, lane) => writer.setStock(items, locationId, lane),
    },
  };
}
