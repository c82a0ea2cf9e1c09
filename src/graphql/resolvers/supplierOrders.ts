/** Supplier orders: placement (exactly once per key), review, tracking. */
import { requireRole } from '../../auth/roles.js';
import { changeStream } from '../../events/changeStream.js';
import { money } from '../../domain/money.js';
import { redactText } from '../../observability/redact.js';
import type { SupplierOrderRecord } from '../../orders/types.js';
import { isFinalOrder } from '../../orders/types.js';
import { ErrorCode, gatewayError } from '../errors.js';
import type { GraphQLContext } from '../context.js';
import type { MutationResolvers, QueryResolvers, SubscriptionResolvers, SupplierOrderLineResolvers, SupplierOrderResolvers } from '../generated/resolvers.js';
import { connection, parseWindow } from '../pagination.js';
import { isMirrored, type OrderModel } from '../models.js';
import { isRecordId } from '../../domain/codes.js';

function orders(ctx: GraphQLContext) {
  ctx.hints.uncacheable = true;
  return ctx.services.orders;
}


export const supplierOrderQueries: Pick<QueryResolvers, 'supplierOrder' | 'supplierOrders'> = {
  supplierOrder: async (_root, { id }, ctx) => (await orders(ctx).service.get(id)) ?? null,
  async supplierOrders(_root, { filter, first, after }, ctx) {
    const window = parseWindow(first, after, 200);
    const { items, total } = await orders(ctx).store.list(
      {
        status: filter?.status ?? undefined,
        storeOrderId: filter?.storeOrderId ?? undefined,
        createdAfter: filter?.createdAfter ?? undefined,
        createdBefore: filter?.createdBefore ?? undefined,
      },
      window.offset,
      window.first,
    );
    return connection(items, window.offset, total, window.offset + items.length < total);
  },
};

export const supplierOrderMutations: Pick<MutationResolvers, 'placeSupplierOrder' | 'retrySupplierOrder' | 'cancelSupplierOrder'> = {
  async placeSupplierOrder(_root, { input }, ctx) {
    requireRole(ctx.client, 'operator', 'placeSupplierOrder');
    return orders(ctx).service.place(input, ctx.client.name);
  },
  retrySupplierOrder(_root, { id }, ctx) {
    requireRole(ctx.client, 'operator', 'retrySupplierOrder');
    if (!isRecordId(id)) throw gatewayError(ErrorCode.NOT_FOUND, 'no such supplier order', { argument: 'id' });
    return orders(ctx).service.retry(id);
  },
  cancelSupplierOrder(_root, { id }, ctx) {
    requireRole(ctx.client, 'operator', 'cancelSupplierOrder');
    if (!isRecordId(id)) throw gatewayError(ErrorCode.NOT_FOUND, 'no such supplier order', { argument: 'id' });
    return orders(ctx).service.cancel(id);
  },
};

export const supplierOrderSubscriptions: Pick<SubscriptionResolvers, 'orderUpdated'> = {
  orderUpdated: {
    async subscribe(_root, { id }, ctx) {
      const o = ctx.services.orders;
      let current: SupplierOrderRecord | null = null;
      if (id) {
        current = (await o.service.get(id)) ?? null;
        if (!current) throw gatewayError(ErrorCode.NOT_FOUND, 'no such supplier order', { argument: 'id' });
      }
      return changeStream(o.events.subscribe, (order) => isFinalOrder(order.status), current, id ?? null);
    },
    resolve: (order: SupplierOrderRecord) => order,
  },
};

export const placeResultResolvers = {
  __resolveType: (r: { kind: 'placed' | 'rejected' }) => (r.kind === 'placed' ? 'SupplierOrderPlaced' : 'SupplierOrderRejected'),
};

/**
 * Error text and reasons quote the supplier's own messages, and a vendor may
 * echo back what it was sent (the Authorization header, the ship-to address):
 * a viewer gets them through the same redaction as log lines (redact.ts).
 */
export const supplierOrderResolvers: SupplierOrderResolvers = {
  lastError: (o) => (o.lastError == null ? null : redactText(o.lastError)),
  history: async (o, _a, ctx) => (await ctx.services.orders.store.events(o.id)).map((e) => ({ ...e, reason: redactText(e.reason) })),
};

export const supplierOrderRejectedResolvers = {
  message: (r: { message: string }) => redactText(r.message),
};

export const supplierOrderLineResolvers: SupplierOrderLineResolvers = {
  unitPrice: (l) => money(l.unitPrice),
  part: (l, _a, ctx) => ctx.loaders.part.load(l.partId),
};

export const storeOrderSupplierOrders = {
  // Dropship routing places supplier orders for store orders only; a mirrored channel's order has none.
  supplierOrders: async (o: OrderModel, _a: unknown, ctx: GraphQLContext) => (isMirrored(o) ? [] : (await ctx.services.orders.store.list({ storeOrderId: o.orderId }, 0, 100)).items),
};
