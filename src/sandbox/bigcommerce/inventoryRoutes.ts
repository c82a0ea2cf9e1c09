/**
 * v3 inventory: items at the store's single location (available_to_sell =
 * total_inventory_onhand = the product's inventory_level), and absolute and
 * relative adjustments, which write the product's inventory_level.
 *
 * Sandbox choices where the vendor publishes nothing definite:
 * - more than 1000 values in `sku:in` / `variant_id:in` / `product_id:in`, or
 *   a `limit` over 1000, is 413 (upstreams.md: at most 1000 items);
 * - an adjustment is all-or-nothing: any unknown identity or location, a
 *   negative absolute quantity, or a relative change taking the stock below
 *   zero answers 422 with one entry per bad item, and nothing is applied.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { tooManyItemsTitle } from './batch.js';
import { LOCATION_ID, inventoryItemWire } from './productWire.js';
import { QueryReader, intersect, readPaging, type Query } from './query.js';
import { adjustmentSchema, issuesToErrors, type AdjustmentBody } from './schemas.js';
import type { ProductQuery, ProductStore } from './store.js';
import { invalidQuery, limitTooLarge, pagination, v3Error } from './wire.js';
import { VARIANT_ID_OFFSET } from './productRecord.js';

/** upstreams.md: GET /v3/inventory/items answers at most 1000 items. */
export const MAX_INVENTORY_ITEMS = 1000;
/** upstreams.md: inventory adjustments carry at most 2000 items. */
export const MAX_ADJUSTMENT_ITEMS = 2000;

function tooManyValues(reply: FastifyReply, name: string): FastifyReply {
  return reply
    .code(413)
    .send(v3Error(413, `The request is too large. At most ${MAX_INVENTORY_ITEMS} values are allowed in ${name}.`, { [name]: `at most ${MAX_INVENTORY_ITEMS} values` }));
}

type Mode = 'absolute' | 'relative';

/** Resolves and checks every item; returns the new stock per product id, or the per-item errors. */
function plan(store: ProductStore, body: AdjustmentBody, mode: Mode): { levels: Map<number, number> } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const levels = new Map<number, number>();
  body.items.forEach((item, n) => {
    const at = `items.${n}`;
    if (item.location_id !== LOCATION_ID) {
      errors[`${at}.location_id`] = `Location ${item.location_id} was not found.`;
      return;
    }
    let productId: number | undefined;
    if (item.sku !== undefined) {
      productId = store.idBySku(item.sku);
      if (productId === undefined) errors[`${at}.sku`] = `Sku ${item.sku} was not found.`;
    } else if (item.variant_id !== undefined) {
      productId = store.productIdOfVariant(item.variant_id);
      if (productId === undefined) errors[`${at}.variant_id`] = `Variant ${item.variant_id} was not found.`;
    } else if (item.product_id !== undefined) {
      productId = store.get(item.product_id) ? item.product_id : undefined;
      if (productId === undefined) errors[`${at}.product_id`] = `Product ${item.product_id} was not found.`;
    }
    if (productId === undefined) return;
    const before = levels.get(productId) ?? store.get(productId)?.inventory_level ?? 0;
    const after = mode === 'absolute' ? item.quantity : before + item.quantity;
    if (after < 0) {
      errors[`${at}.quantity`] =
        mode === 'absolute' ? 'quantity must be zero or more' : `the adjustment would take the stock below zero (${before} + ${item.quantity})`;
      return;
    }
    levels.set(productId, after);
  });
  return Object.keys(errors).length > 0 ? { errors } : { levels };
}

export function registerInventoryRoutes(app: FastifyInstance, base: string, store: ProductStore): void {
  app.get(`${base}/v3/inventory/items`, async (request, reply) => {
    const q = new QueryReader(request.query as Query);
    const paging = readPaging(q);
    const skus = q.strList('sku:in');
    const variantIds = q.intList('variant_id:in');
    const productIds = q.intList('product_id:in');
    const locations = q.intList('location_id:in');
    if (!q.ok) return reply.code(422).send(invalidQuery(q.errors));
    for (const [name, list] of [['sku:in', skus], ['variant_id:in', variantIds], ['product_id:in', productIds]] as const) {
      if (list && list.length > MAX_INVENTORY_ITEMS) return tooManyValues(reply, name);
    }
    if (paging.limit > MAX_INVENTORY_ITEMS) return reply.code(413).send(limitTooLarge(MAX_INVENTORY_ITEMS));
    const ids = intersect(productIds, variantIds?.map((v) => v - VARIANT_ID_OFFSET));
    const filter: ProductQuery = { ...(ids !== undefined ? { ids } : {}), ...(skus !== undefined ? { skus } : {}) };
    if (locations !== undefined && !locations.includes(LOCATION_ID)) filter.ids = [];
    const page = store.page(filter, paging.offset, paging.limit);
    return {
      data: page.items.map(inventoryItemWire),
      meta: { pagination: pagination(page.total, page.items.length, paging.limit, paging.page) },
    };
  });

  function adjust(mode: Mode) {
    return async (request: { body: unknown }, reply: FastifyReply) => {
      const raw = request.body as { items?: unknown } | null;
      // upstreams.md: adjustments carry at most 2000 items.
      if (raw && typeof raw === 'object' && Array.isArray(raw.items) && raw.items.length > MAX_ADJUSTMENT_ITEMS) {
        return reply.code(413).send(v3Error(413, tooManyItemsTitle(MAX_ADJUSTMENT_ITEMS)));
      }
      const parsed = adjustmentSchema.safeParse(request.body);
      if (!parsed.success) {
        return reply.code(422).send(v3Error(422, 'JSON data is missing or invalid', issuesToErrors(parsed.error, request.body)));
      }
      const result = plan(store, parsed.data, mode);
      if ('errors' in result) {
        return reply.code(422).send(v3Error(422, 'The inventory adjustment could not be applied.', result.errors));
      }
      const now = Date.now();
      for (const [id, level] of result.levels) store.update(id, { inventory_level: level }, now);
      return reply.code(200).send({ transaction_id: randomUUID() });
    };
  }

  app.put(`${base}/v3/inventory/adjustments/absolute`, adjust('absolute'));
  app.post(`${base}/v3/inventory/adjustments/relative`, adjust('relative'));
}
