/**
 * v3 catalog variants: every product has one base variant (same SKU, price
 * and stock), listed by SKU or product, and updated in batches of at most 50
 * (upstreams.md).
 */
import type { FastifyInstance } from 'fastify';
import { batchItems, itemKey, sendBatch, type BatchOutcome } from './batch.js';
import { VARIANT_ID_OFFSET } from './productRecord.js';
import { MAX_LIMIT } from './productRoutes.js';
import { updateVariant } from './productWrites.js';
import { variantWire } from './productWire.js';
import { QueryReader, intersect, readPaging, type Query } from './query.js';
import { issuesToErrors, variantUpdateSchema } from './schemas.js';
import type { ProductQuery, ProductStore } from './store.js';
import { invalidQuery, limitTooLarge, pagination, v3Error, type VariantWire } from './wire.js';

/** upstreams.md: PUT /v3/catalog/variants batch of at most 50. */
export const MAX_VARIANT_BATCH = 50;

function readVariantQuery(q: QueryReader, productId?: number): ProductQuery {
  const variantId = q.int('id');
  const variantIds = intersect(q.intList('id:in'), variantId === undefined ? undefined : [variantId]);
  const pid = q.int('product_id');
  let productIds = intersect(q.intList('product_id:in'), pid === undefined ? undefined : [pid]);
  productIds = intersect(productIds, productId === undefined ? undefined : [productId]);
  const ids = intersect(
    productIds,
    variantIds?.map((v) => v - VARIANT_ID_OFFSET),
  );
  const sku = q.str('sku');
  const skuIn = q.strList('sku:in');
  const skus = sku !== undefined ? (skuIn ? skuIn.filter((s) => s === sku) : [sku]) : skuIn;
  return { ...(ids !== undefined ? { ids } : {}), ...(skus !== undefined ? { skus } : {}) };
}

export function registerVariantRoutes(app: FastifyInstance, base: string, store: ProductStore): void {
  function list(query: Query, productId?: number) {
    const q = new QueryReader(query);
    const paging = readPaging(q);
    const filter = readVariantQuery(q, productId);
    if (!q.ok) return { status: 422, body: invalidQuery(q.errors) } as const;
    if (paging.limit > MAX_LIMIT) return { status: 413, body: limitTooLarge(MAX_LIMIT) } as const;
    const page = store.page(filter, paging.offset, paging.limit);
    const body = {
      data: page.items.map(variantWire),
      meta: { pagination: pagination(page.total, page.items.length, paging.limit, paging.page) },
    };
    return { status: 200, body } as const;
  }

  app.get(`${base}/v3/catalog/variants`, async (request, reply) => {
    const answer = list(request.query as Query);
    return reply.code(answer.status).send(answer.body);
  });

  app.get<{ Params: { id: string } }>(`${base}/v3/catalog/products/:id/variants`, async (request, reply) => {
    const id = Number(request.params.id);
    if (!Number.isSafeInteger(id) || !store.get(id)) {
      return reply.code(404).send(v3Error(404, 'The requested product was not found.'));
    }
    const answer = list(request.query as Query, id);
    return reply.code(answer.status).send(answer.body);
  });

  app.put<{ Params: { productId: string; variantId: string } }>(
    `${base}/v3/catalog/products/:productId/variants/:variantId`,
    async (request, reply) => {
      const productId = Number(request.params.productId);
      const variantId = Number(request.params.variantId);
      if (!Number.isSafeInteger(variantId) || store.productIdOfVariant(variantId) !== productId) {
        return reply.code(404).send(v3Error(404, 'The requested variant was not found.'));
      }
      const body = { ...(request.body as object), id: variantId };
      const parsed = variantUpdateSchema.safeParse(body);
      if (!parsed.success) {
        return reply.code(422).send(v3Error(422, 'JSON data is missing or invalid', issuesToErrors(parsed.error, body)));
      }
      const result = updateVariant(store, parsed.data);
      if (!result.ok) return reply.code(result.status).send(v3Error(result.status, result.message));
      return { data: variantWire(result.product), meta: {} };
    },
  );

  // upstreams.md: PUT /v3/catalog/variants batch of at most 50, each with `id`.
  app.put(`${base}/v3/catalog/variants`, async (request, reply) => {
    const items = batchItems(request.body, MAX_VARIANT_BATCH, reply);
    if (!items) return reply;
    const outcome: BatchOutcome<VariantWire> = { data: [], failures: {} };
    items.forEach((item, index) => {
      const parsed = variantUpdateSchema.safeParse(item);
      if (!parsed.success) {
        outcome.failures[itemKey(item, index)] = Object.entries(issuesToErrors(parsed.error, item))
          .map(([field, msg]) => `${field}: ${msg}`)
          .join('; ');
        return;
      }
      const result = updateVariant(store, parsed.data);
      if (result.ok) outcome.data.push(variantWire(result.product));
      else outcome.failures[String(parsed.data.id)] = result.message;
    });
    return sendBatch(reply, items.length, outcome);
  });
}
