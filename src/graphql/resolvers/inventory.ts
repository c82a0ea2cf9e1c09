/** Stock merged from the supplier (dropship) and the store (on hand). */
import type { GraphQLContext } from '../context.js';
import type { InventoryResolvers, QueryResolvers } from '../generated/resolvers.js';
import { checkCode, checkListSize } from '../ids.js';
import type { InventoryModel } from '../models.js';
import { preferredVariantId } from './parts.js';
import { linkedPart } from './products.js';

async function supplierQuantity(m: InventoryModel, ctx: GraphQLContext): Promise<number | null> {
  let vid = m.supplierVariantId;
  if (vid === undefined) {
    const part = await linkedPart(m.sku, ctx, m.supplierId);
    vid = part ? preferredVariantId(part) : null;
  }
  return vid ? ctx.loaders.stock.load(vid) : null;
}

async function storeQuantity(m: InventoryModel, ctx: GraphQLContext): Promise<number | null> {
  const inv = await ctx.loaders.storeStock.load(m.sku);
  return inv ? inv.locations.reduce((sum, l) => sum + l.availableToSell, 0) : null;
}

export const inventoryQueries: Pick<QueryResolvers, 'inventory'> = {
  inventory(_root, { skus }, ctx) {
    checkListSize('skus', skus.length, ctx.services.config.maxIdsPerField);
    return skus.map((s) => ({ sku: checkCode('skus', s), supplierVariantId: undefined }));
  },
};

export const inventoryResolvers: InventoryResolvers = {
  sku: (m) => m.sku,
  supplierQuantity: (m, _a, ctx) => supplierQuantity(m, ctx),
  storeQuantity: (m, _a, ctx) => storeQuantity(m, ctx),
  async storeLocations(m, _a, ctx) {
    return (await ctx.loaders.storeStock.load(m.sku))?.locations ?? [];
  },
  async available(m, _a, ctx) {
    const [s, st] = await Promise.all([supplierQuantity(m, ctx), storeQuantity(m, ctx)]);
    return (s ?? 0) + (st ?? 0);
  },
  async inStock(m, _a, ctx) {
    const [s, st] = await Promise.all([supplierQuantity(m, ctx), storeQuantity(m, ctx)]);
    return (s ?? 0) + (st ?? 0) > 0;
  },
};
