/**
 * Orders of every channel in one `Order` shape, read only: BigCommerce store
 * orders (v2, read live through the Store port) and mirrored orders
 * (Shopify, from the orders mirror with no upstream call:
 * mirroredOrders.ts). `filter.channel` picks the channel; BIGCOMMERCE when
 * absent, as before there was another. Lines link to products and parts.
 */
import { isMirrorChannel, type OrderChannel } from '../../domain/channelOrders.js';
import { fromUnits, toUnits, type Money } from '../../domain/money.js';
import type { GraphQLContext } from '../context.js';
import { ErrorCode, gatewayError } from '../errors.js';
import type { OrderLineResolvers, OrderResolvers, QueryResolvers } from '../generated/resolvers.js';
import { mirroredOrderGlobalId, parseOrderId, toGlobalId, type OrderRef } from '../ids.js';
import { toGatewayError } from '../loaders.js';
import { isMirrored, isMirroredLine, type OrderConnectionModel, type OrderModel } from '../models.js';
import { fetchWindow, offsetCursor, parseWindow } from '../pagination.js';
import { MIRROR_ONLY_FILTERS, mirroredOrders, mirrorLoaders } from './mirroredOrders.js';
import { linkedPart } from './products.js';
import { storeAmount } from './storeAmount.js';

export const ORDERS_MAX_FIRST = 250;
/**
 * Counting a filtered set pages through it (v2 lists carry no total); beyond this many pages the count is
 * refused. The cost model charges a filtered totalCount this many calls (src/graphql/limits/queryCost.ts).
 */
export const ORDERS_COUNT_MAX_PAGES = 20;

/** A mirrored amount (exact decimal text, or null when the channel sent none) as Money. */
const mirroredMoney = (amount: string | null, currency: string): Money | null => (amount === null ? null : { amount, currency });

export const orderQueries: Pick<QueryResolvers, 'orders' | 'order'> = {
  async orders(_root, { filter, first, after }, ctx) {
    const window = parseWindow(first, after && (filter?.channel ?? 'BIGCOMMERCE') === 'BIGCOMMERCE' ? after : null, ORDERS_MAX_FIRST);
    const channel: OrderChannel = filter?.channel ?? 'BIGCOMMERCE';
    if (isMirrorChannel(channel)) return mirroredOrders(ctx, channel, filter, window.first, after);
    for (const name of MIRROR_ONLY_FILTERS) {
      const v = filter?.[name];
      if (v !== null && v !== undefined) throw gatewayError(ErrorCode.BAD_USER_INPUT, `filter.${name} is for mirrored channels (SHOPIFY); BigCommerce orders filter by statusId and updatedSince`, { argument: `filter.${name}` });
    }
    const statusId = filter?.statusId ?? undefined;
    if (statusId !== undefined && (statusId < 0 || statusId > 14)) {
      throw gatewayError(ErrorCode.BAD_USER_INPUT, 'filter.statusId must be a BigCommerce status id (0-14)', { argument: 'filter.statusId' });
    }
    // v2 filters take RFC 2822 or ISO 8601 dates; ISO is sent as given.
    const minDateModified = filter?.updatedSince ?? undefined;
    const bc = ctx.services.store.orders;
    ctx.hints.minTtlMs = Math.min(ctx.hints.minTtlMs, ctx.services.config.cache.ttl.orderMs);
    try {
      const mark = await ctx.services.cache.mark();
      const page = await fetchWindow(window.offset, window.first, async (p, limit) => {
        const items = await bc.list({ statusId, minDateModified, page: p, limit }, 'interactive');
        // v2 lists carry no total; a full page means there may be more.
        return { items, total: items.length === limit ? Number.MAX_SAFE_INTEGER : (p - 1) * limit + items.length };
      });
      const paged = page.items;
      const hasNext = page.total > window.offset + paged.length;
      await ctx.services.sources.order.prime(new Map(paged.map((o) => [o.orderId, o])), mark);
      const edges = paged.map((o, i) => ({ cursor: offsetCursor(window.offset + i), node: o }));
      const connection: OrderConnectionModel = {
        edges,
        pageInfo: {
          hasNextPage: hasNext,
          hasPreviousPage: window.offset > 0,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges[edges.length - 1]?.cursor ?? null,
        },
        async count() {
          if (statusId === undefined && minDateModified === undefined) return bc.count('interactive');
          let total = 0;
          for (let page = 1; page <= ORDERS_COUNT_MAX_PAGES; page++) {
            const batch = await bc.list({ statusId, minDateModified, page, limit: ORDERS_MAX_FIRST }, 'interactive');
            total += batch.length;
            if (batch.length < ORDERS_MAX_FIRST) return total;
          }
          throw gatewayError(ErrorCode.QUERY_TOO_COMPLEX, `totalCount of a filtered order list is limited to ${ORDERS_COUNT_MAX_PAGES * ORDERS_MAX_FIRST} orders`);
        },
      };
      return connection;
    } catch (err) {
      throw toGatewayError(err);
    }
  },
  order: (_root, { id }, ctx) => orderByRef(parseOrderId(id), ctx),
};

/** An order of either channel: the store's through its cached loader, a mirrored one from the mirror. */
export async function orderByRef(ref: OrderRef, ctx: GraphQLContext): Promise<OrderModel | null> {
  if (ref.channel === 'BIGCOMMERCE') return ctx.loaders.order.load(ref.localId);
  ctx.hints.uncacheable = true;
  return mirrorLoaders(ctx, ref.channel).order.load(ref.gid);
}

export const orderConnectionResolvers = {
  totalCount: async (parent: { count(): Promise<number> }) => {
    try {
      return await parent.count();
    } catch (err) {
      throw toGatewayError(err);
    }
  },
};

export const orderResolvers: OrderResolvers = {
  id: (o) => (isMirrored(o) ? mirroredOrderGlobalId(o.number) : toGlobalId('Order', o.orderId)),
  channel: (o) => (isMirrored(o) ? o.channel : 'BIGCOMMERCE'),
  storeOrderId: (o) => (isMirrored(o) ? o.number : o.orderId),
  statusId: (o) => (isMirrored(o) ? null : o.statusId),
  status: (o) => o.status,
  name: (o) => (isMirrored(o) ? o.name : null),
  financialStatus: (o) => (isMirrored(o) ? o.financialStatus : null),
  fulfillmentStatus: (o) => (isMirrored(o) ? o.fulfillmentStatus : null),
  currency: (o) => o.currency,
  customerId: (o) => (isMirrored(o) ? (o.customer?.id ?? null) : o.customerId),
  createdAt: (o) => o.createdAt,
  updatedAt: (o) => o.updatedAt,
  subtotal: (o, _a, ctx) =>
    isMirrored(o) ? storeAmount(mirroredMoney(o.subtotal, o.currency), `a subtotal for order ${o.name}`, o.channel.toLowerCase()) : storeAmount(o.subtotal, `a subtotal for order ${o.orderId}`, ctx.services.store.name),
  total: (o, _a, ctx) =>
    isMirrored(o) ? storeAmount(mirroredMoney(o.total, o.currency), `a total for order ${o.name}`, o.channel.toLowerCase()) : storeAmount(o.total, `a total for order ${o.orderId}`, ctx.services.store.name),
  itemsTotal: (o) => (isMirrored(o) ? o.itemCount : o.itemsTotal),
  async lines(o, _a, ctx: GraphQLContext) {
    if (isMirrored(o)) {
      const lines = await mirrorLoaders(ctx, o.channel).lines.load(o.id);
      return lines.map((l) => ({ ...l, channel: o.channel, orderId: o.id, currency: o.currency }));
    }
    return (await ctx.loaders.orderLines.load(o.orderId)) ?? [];
  },
};

export const orderLineResolvers: OrderLineResolvers = {
  id: (l) => (isMirroredLine(l) ? l.lineId : `${l.orderId}:${l.lineId}`),
  sku: (l) => l.sku ?? '',
  quantity: (l) => l.quantity,
  name: (l) => l.name,
  unitPrice: (l, _a, ctx) =>
    isMirroredLine(l)
      ? storeAmount(mirroredMoney(l.unitPrice, l.currency), `a unit price for line ${l.lineId}`, l.channel.toLowerCase())
      : storeAmount(l.unitPrice, `a unit price for line ${l.lineId} of order ${l.orderId}`, ctx.services.store.name),
  total: (l, _a, ctx) => {
    if (!isMirroredLine(l)) return storeAmount(l.total, `a line total for line ${l.lineId} of order ${l.orderId}`, ctx.services.store.name);
    const unit = storeAmount(mirroredMoney(l.unitPrice, l.currency), `a unit price for line ${l.lineId}`, l.channel.toLowerCase());
    return { amount: fromUnits(toUnits(unit.amount) * BigInt(l.quantity)), currency: l.currency };
  },
  // The store product: a store line names it; a mirrored line by its SKU (the SKU rule links channels by SKU).
  product: (l, _a, ctx) => (isMirroredLine(l) ? (l.sku ? ctx.loaders.productBySku.load(l.sku) : null) : l.productId ? ctx.loaders.productById.load(l.productId) : null),
  part: (l, _a, ctx) => (l.sku ? linkedPart(l.sku, ctx) : null),
};
