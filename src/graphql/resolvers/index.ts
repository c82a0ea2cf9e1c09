/** All resolvers, by domain. */
import type { Resolvers } from '../generated/resolvers.js';
import { decodeGlobalId } from '../ids.js';
import { inventoryQueries, inventoryResolvers } from './inventory.js';
import { orderConnectionResolvers, orderLineResolvers, orderQueries, orderResolvers } from './orders.js';
import { partQueries, partResolvers, partVariantResolvers } from './parts.js';
import { productQueries, productResolvers } from './products.js';
import { scalarResolvers } from './scalars.js';
import { auditQueries } from './audit.js';
import { systemQueries, upstreamStatusResolvers } from './system.js';
import { syncJobResolvers, syncMutations, syncQueries, syncSubscriptions } from './sync.js';
import {
  placeResultResolvers,
  storeOrderSupplierOrders,
  supplierOrderLineResolvers,
  supplierOrderMutations,
  supplierOrderQueries,
  supplierOrderRejectedResolvers,
  supplierOrderResolvers,
  supplierOrderSubscriptions,
} from './supplierOrders.js';

export const resolvers: Resolvers = {
  ...scalarResolvers,
  Query: {
    ...partQueries,
    ...productQueries,
    ...inventoryQueries,
    ...orderQueries,
    ...systemQueries,
    ...syncQueries,
    ...supplierOrderQueries,
    ...auditQueries,
    async node(_root, { id }, ctx) {
      const global = decodeGlobalId(id);
      if (!global) return null;
      switch (global.type) {
        case 'Part':
          return ctx.loaders.part.load(global.localId);
        case 'Product':
          return ctx.loaders.productById.load(global.localId);
        case 'Order':
          return ctx.loaders.order.load(global.localId);
        default: {
          const never: never = global.type;
          throw new Error(`unknown node type ${String(never)}`);
        }
      }
    },
  },
  Mutation: { ...syncMutations, ...supplierOrderMutations },
  Subscription: { ...syncSubscriptions, ...supplierOrderSubscriptions },
  PlaceSupplierOrderResult: placeResultResolvers,
  SupplierOrder: supplierOrderResolvers,
  SupplierOrderRejected: supplierOrderRejectedResolvers,
  SupplierOrderLine: supplierOrderLineResolvers,
  SyncJob: syncJobResolvers,
  Node: {
    __resolveType(obj) {
      if ('supplierId' in obj) return 'Part';
      if ('storeId' in obj) return 'Product';
      return 'Order';
    },
  },
  Part: partResolvers,
  PartVariant: partVariantResolvers,
  Product: productResolvers,
  Inventory: inventoryResolvers,
  Order: { ...orderResolvers, ...storeOrderSupplierOrders },
  OrderLine: orderLineResolvers,
  OrderConnection: orderConnectionResolvers,
  UpstreamStatus: upstreamStatusResolvers,
};
