/** All resolvers, by domain. */
import type { Resolvers } from '../generated/resolvers.js';
import { decodeGlobalId, orderRefOf, type NodeType } from '../ids.js';
import { inventoryQueries, inventoryResolvers } from './inventory.js';
import { orderByRef, orderConnectionResolvers, orderLineResolvers, orderQueries, orderResolvers } from './orders.js';
import { orderMirrorMutations, orderMirrorQueries, orderMirrorSubscriptions } from './orderMirror.js';
import { partQueries, partResolvers, partVariantResolvers, vehicleQueries } from './parts.js';
import { productQueries, productResolvers } from './products.js';
import { scalarResolvers } from './scalars.js';
import { auditQueries } from './audit.js';
import { alertResolvers, apiClientResolvers, dashboardPointResolvers, dashboardSnapshotResolvers, gatewayHealthResolvers, operationsQueries, operationsSubscriptions, upstreamFiguresResolvers } from './operations.js';
import { erpItemResolvers, erpQueries, inventoryErpResolvers, jsonScalar, partErpResolvers, productErpResolvers } from './erp.js';
import { erpErrorResolvers, erpOrderExportResolvers, erpOrderMutations, erpOrderQueries, storeOrderErpExport } from './erpOrders.js';
import { systemQueries, upstreamStatusResolvers } from './system.js';
import { syncJobResolvers, syncMutations, syncQueries, syncScopeResolvers, syncSubscriptions } from './sync.js';
import { draftImageResolvers, productDraftResolvers, productMatchResolvers, socialMutations, socialQueries } from './social.js';
import { whatsAppMessageErrorResolvers, whatsAppMessageEventResolvers, whatsAppMessageResolvers, whatsAppMutations, whatsAppQueries, whatsAppSubscriptions } from './whatsapp.js';
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

/**
 * The type node() fetched each object as: the type named in its global id.
 * Objects cannot tell by their fields (a store product carries the
 * `supplierId` a sync wrote, as a part does), and cached objects are shared
 * between requests, so they are tagged here rather than changed. An object
 * is only ever fetched as its own type, so a tag never goes stale.
 */
const nodeTypes = new WeakMap<object, NodeType>();

function asNode<T extends object>(type: NodeType, value: T | null): T | null {
  if (value) nodeTypes.set(value, type);
  return value;
}

export const resolvers: Resolvers = {
  ...scalarResolvers,
  JSON: jsonScalar,
  Query: {
    ...partQueries,
    ...vehicleQueries,
    ...productQueries,
    ...inventoryQueries,
    ...orderQueries,
    ...systemQueries,
    ...syncQueries,
    ...supplierOrderQueries,
    ...auditQueries,
    ...operationsQueries,
    ...erpQueries,
    ...erpOrderQueries,
    ...socialQueries,
    ...whatsAppQueries,
    ...orderMirrorQueries,
    async node(_root, { id }, ctx) {
      const global = decodeGlobalId(id);
      if (!global) return null;
      switch (global.type) {
        case 'Part':
          return asNode('Part', await ctx.loaders.part.load(global.localId));
        case 'Product':
          return asNode('Product', await ctx.loaders.productById.load(global.localId));
        case 'Order':
          return asNode('Order', await orderByRef(orderRefOf(global.localId), ctx));
        default: {
          const never: never = global.type;
          throw new Error(`unknown node type ${String(never)}`);
        }
      }
    },
  },
  Mutation: { ...syncMutations, ...supplierOrderMutations, ...erpOrderMutations, ...socialMutations, ...whatsAppMutations, ...orderMirrorMutations },
  Subscription: { ...syncSubscriptions, ...supplierOrderSubscriptions, ...operationsSubscriptions, ...whatsAppSubscriptions, ...orderMirrorSubscriptions },
  PlaceSupplierOrderResult: placeResultResolvers,
  SupplierOrder: supplierOrderResolvers,
  SupplierOrderRejected: supplierOrderRejectedResolvers,
  SupplierOrderLine: supplierOrderLineResolvers,
  SyncJob: syncJobResolvers,
  SyncScope: syncScopeResolvers,
  ProductDraft: productDraftResolvers,
  ProductMatch: productMatchResolvers,
  DraftImage: draftImageResolvers,
  Node: {
    __resolveType(obj) {
      const tagged = nodeTypes.get(obj);
      if (tagged) return tagged;
      // Not from node(): by the field only that type has.
      if ('storeId' in obj) return 'Product';
      if ('orderId' in obj || ('channel' in obj && 'number' in obj)) return 'Order';
      return 'Part';
    },
  },
  Part: { ...partResolvers, ...partErpResolvers },
  PartVariant: partVariantResolvers,
  Product: { ...productResolvers, ...productErpResolvers },
  Inventory: { ...inventoryResolvers, ...inventoryErpResolvers },
  ErpItem: erpItemResolvers,
  Order: { ...orderResolvers, ...storeOrderSupplierOrders, ...storeOrderErpExport },
  ErpOrderExport: erpOrderExportResolvers,
  ErpError: erpErrorResolvers,
  OrderLine: orderLineResolvers,
  OrderConnection: orderConnectionResolvers,
  UpstreamStatus: upstreamStatusResolvers,
  Alert: alertResolvers,
  GatewayHealth: gatewayHealthResolvers,
  UpstreamFigures: upstreamFiguresResolvers,
  DashboardPoint: dashboardPointResolvers,
  DashboardSnapshot: dashboardSnapshotResolvers,
  ApiClient: apiClientResolvers,
  WhatsAppMessage: whatsAppMessageResolvers,
  WhatsAppMessageEvent: whatsAppMessageEventResolvers,
  WhatsAppMessageError: whatsAppMessageErrorResolvers,
};
