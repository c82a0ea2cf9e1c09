/** Store products, linked back to supplier parts by the SKU rule. */
import type { Part, StoreProduct } from '../../domain/types.js';
import type { GraphQLContext } from '../context.js';
import { ErrorCode, gatewayError } from '../errors.js';
import type { ProductResolvers, QueryResolvers } from '../generated/resolvers.js';
import { checkCode, checkListSize, parseId, toGlobalId } from '../ids.js';
import { toGatewayError } from '../loaders.js';
import { connection, fetchWindow, parseWindow } from '../pagination.js';
import { partDrift } from './parts.js';
import { storeAmount } from './storeAmount.js';

/** Largest `first` for products: BigCommerce's `limit` cap. */
export const PRODUCTS_MAX_FIRST = 250;

export async function linkedPart(sku: string, ctx: GraphQLContext, supplierId?: string | null): Promise<Part | null> {
  if (supplierId) {
    // Written by a sync: a batched multi call instead of a lookup per SKU.
    const part = await ctx.loaders.part.load(supplierId);
    if (part && ctx.services.skuRule.skuFor(part.partNumber) === sku) return part;
  }
  const partNumber = ctx.services.skuRule.partNumberFor(sku);
  if (!partNumber) return null;
  const id = await ctx.loaders.partNumber.load(partNumber);
  return id ? ctx.loaders.part.load(id) : null;
}

export const productQueries: Pick<QueryResolvers, 'product' | 'products'> = {
  async product(_root, { id, sku }, ctx) {
    if ((id == null) === (sku == null)) {
      throw gatewayError(ErrorCode.BAD_USER_INPUT, 'product: give exactly one of id or sku', { argument: id == null ? 'id' : 'sku' });
    }
    if (id != null) return ctx.loaders.productById.load(parseId('Product', id));
    return ctx.loaders.productBySku.load(checkCode('sku', sku as string));
  },
  async products(_root, { filter, first, after }, ctx) {
    const window = parseWindow(first, after, PRODUCTS_MAX_FIRST);
    const max = ctx.services.config.maxIdsPerField;
    const ids = filter?.ids?.map((id) => parseId('Product', id));
    if (ids) checkListSize('filter.ids', ids.length, max);
    const skus = filter?.skus?.map((s) => checkCode('filter.skus', s));
    if (skus) checkListSize('filter.skus', skus.length, max);
    if (filter?.keyword && filter.keyword.length > 100) {
      throw gatewayError(ErrorCode.BAD_USER_INPUT, 'filter.keyword: at most 100 characters', { argument: 'filter.keyword' });
    }
    ctx.hints.minTtlMs = Math.min(ctx.hints.minTtlMs, ctx.services.config.cache.ttl.productMs);
    try {
      // Before the page is read: a page from before a sync's invalidation must not be primed after it.
      const mark = await ctx.services.cache.mark();
      const page = await fetchWindow(window.offset, window.first, (p, limit) =>
        ctx.services.store.catalog.listProducts(
          { keyword: filter?.keyword ?? undefined, ids, skus, isVisible: filter?.isVisible ?? undefined, page: p, limit },
          'interactive',
        ),
      );
      await ctx.services.sources.primeProducts(page.items, mark);
      for (const p of page.items) ctx.loaders.productById.prime(p.storeId, p);
      return connection(page.items, window.offset, page.total, window.offset + page.items.length < page.total);
    } catch (err) {
      throw toGatewayError(err);
    }
  },
};

export const productResolvers: ProductResolvers = {
  id: (p) => toGlobalId('Product', p.storeId),
  price: (p, _a, ctx) => storeAmount(p.price, `a price for product ${p.storeId}`, ctx.services.store.name),
  supplierPart: (p, _args, ctx) => linkedPart(p.sku, ctx, p.supplierId),
  inventory: (p) => ({ sku: p.sku, supplierVariantId: undefined, supplierId: p.supplierId }),
  async drift(p: StoreProduct, _args, ctx) {
    const part = await linkedPart(p.sku, ctx, p.supplierId);
    return part ? partDrift(part, ctx) : null;
  },
};
