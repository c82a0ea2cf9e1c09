/**
 * BigCommerce as the domain's `Store` (domain/ports.ts): the v3 catalog and
 * inventory reads, v2 orders, the routing write-back and the catalog writes.
 * BigCommerce's own vocabulary (status ids, snake_case bodies, numeric ids,
 * batch sizes, the inventory location) stays on this side of the port.
 */
import type { Store } from '../../domain/ports.js';
import type { UpstreamClient } from '../../upstreams/http.js';
import { createBigCommerceCatalog, createBigCommerceOrders, createStoreCurrency } from './client.js';
import { createBigCommerceOrderWrites } from './orderWrites.js';
import { createBigCommerceWriter } from './writes.js';

/** `locationId`: the inventory location stock is written to (BIGCOMMERCE_LOCATION_ID). */
export function createBigCommerceStore(http: UpstreamClient, locationId: number): Store {
  const currency = createStoreCurrency(http);
  return {
    name: http.name,
    displayName: 'BigCommerce',
    catalog: createBigCommerceCatalog(http, currency),
    orders: createBigCommerceOrders(http, currency),
    orderWrites: createBigCommerceOrderWrites(http),
    writer: createBigCommerceWriter(http, currency, locationId),
  };
}
