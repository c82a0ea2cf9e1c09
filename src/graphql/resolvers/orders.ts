/** Store orders (BigCommerce v2), read only; lines link to products and parts. */
import type { GraphQLContext } from '../context.js';
import { ErrorCode, gatewayError } from '../errors.js';
import type { OrderLineResolvers, OrderResolvers, QueryResolvers } from '../generated/resolvers.js';
import { parseId, toGlobalId } from '../ids.js';
import { toGatewayError } from '../loaders.js';
import { fetchWindow, offsetCursor, parseWindow } from '../pagination.js';
import { linkedPart } from './products.js';
import { storeAmount } from './storeAmount.js';

export const ORDERS_MAX_FIRST = 250;
/**
 * Counting a filtered set pages through it (v2 lists carry no total); beyond this many pages the count is
 * refused. The cost model charges a filtered totalCount this many calls (src/graphql/limits/queryCost.ts).
 */
export const ORDERS_COUNT_MAX_PAGES = 20;

export const orderQueries: Pick<QueryResolvers, 'orders' | 'order'> = {
  async orders(_root, { filter, first, after }, ctx) {
    const window = parseWindow(first, after, ORDERS_MAX_FIRST);
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
      return {
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
    } catch (err) {
      throw toGatewayError(err);
    }
  },
  order: (_root, { id }, ctx) => ctx.loaders.order.load(parseId('Order', id)),
};

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
  id: (o) => toGlobalId('Order', o.orderId),
  storeOrderId: (o) => o.orderId,
  subtotal: (o, _a, ctx) => storeAmount(o.subtotal, `a subtotal for order ${o.orderId}`, ctx.services.store.name),
  total: (o, _a, ctx) => storeAmount(o.total, `a total for order ${o.orderId}`, ctx.services.store.name),
  async lines(o, _a, ctx: GraphQLContext) {
    return (await ctx.loaders.orderLines.load(o.orderId)) ?? [];
  },
};

export const orderLineResolvers: OrderLineResolvers = {
  id: (l) => `${l.orderId}:${l.lineId}`,
  unitPrice: (l, _a, ctx) => storeAmount(l.unitPrice, `a unit price for line ${l.lineId} of order ${l.orderId}`, ctx.services.store.name),
  total: (l, _a, ctx) => storeAmount(l.total, `a line total for line ${l.lineId} of order ${l.orderId}`, ctx.services.store.name),
  product: (l, _a, ctx) => (l.productId ? ctx.loaders.productById.load(l.productId) : null),
  part: (l, _a, ctx) => linkedPart(l.sku, ctx),
};
