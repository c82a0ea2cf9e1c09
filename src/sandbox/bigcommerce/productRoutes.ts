/**
 * v3 catalog products: list with filters and includes, get one, create one,
 * update one, and the batch update (upstreams.md: at most 10 products).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { batchItems, itemKey, sendBatch, type BatchOutcome } from './batch.js';
import type { ProductRecord } from './productRecord.js';
import { updateProduct } from './productWrites.js';
import { productWire, type ProductView } from './productWire.js';
import { QueryReader, intersect, readPaging, type Query } from './query.js';
import { issuesToErrors, productBatchItemSchema, productCreateSchema, productUpdateSchema } from './schemas.js';
import { customFieldProblem, type ProductQuery, type ProductStore } from './store.js';
import { invalidQuery, limitTooLarge, pagination, v3Error, type ProductWire } from './wire.js';

/** upstreams.md: catalog listings default to 50 per page, at most 250 (an over-limit is 413). */
export const MAX_LIMIT = 250;
/** upstreams.md: PUT batch at most 10 products. */
export const MAX_PRODUCT_BATCH = 10;

export function readView(q: QueryReader): ProductView {
  const include = new Set(q.strList('include') ?? []);
  const includeFields = q.strList('include_fields');
  const excludeFields = q.strList('exclude_fields');
  return {
    include,
    ...(includeFields ? { includeFields: new Set(includeFields) } : {}),
    ...(excludeFields ? { excludeFields: new Set(excludeFields) } : {}),
  };
}

/** The product filters of `GET /v3/catalog/products` (those upstreams.md names, and a few cheap others). */
function readProductQuery(q: QueryReader): ProductQuery {
  const id = q.int('id');
  const ids = intersect(q.intList('id:in'), id === undefined ? undefined : [id]);
  const sku = q.str('sku');
  const skuIn = q.strList('sku:in');
  const skus = sku !== undefined ? (skuIn ? skuIn.filter((s) => s === sku) : [sku]) : skuIn;
  const preds: Array<(p: ProductRecord) => boolean> = [];
  const name = q.str('name');
  if (name !== undefined) preds.push((p) => p.name === name);
  const nameLike = q.str('name:like')?.toLowerCase();
  if (nameLike !== undefined) preds.push((p) => p.name.toLowerCase().includes(nameLike));
  const keyword = q.str('keyword')?.toLowerCase();
  if (keyword !== undefined) preds.push((p) => p.name.toLowerCase().includes(keyword) || p.sku.toLowerCase().includes(keyword));
  const visible = q.bool('is_visible');
  if (visible !== undefined) preds.push((p) => p.is_visible === visible);
  const modMin = q.date('date_modified:min');
  if (modMin !== undefined) preds.push((p) => Date.parse(p.date_modified) >= modMin);
  const modMax = q.date('date_modified:max');
  if (modMax !== undefined) preds.push((p) => Date.parse(p.date_modified) <= modMax);
  const cat = q.int('categories');
  const cats = intersect(q.intList('categories:in'), cat === undefined ? undefined : [cat]);
  if (cats !== undefined) preds.push((p) => p.categories.some((c) => cats.includes(c)));
  const brand = q.int('brand_id');
  if (brand !== undefined) preds.push((p) => p.brand_id === brand);
  const type = q.str('type');
  if (type !== undefined) preds.push((p) => p.type === type);
  return {
    ...(ids !== undefined ? { ids } : {}),
    ...(skus !== undefined ? { skus } : {}),
    ...(preds.length > 0 ? { where: (p: ProductRecord) => preds.every((f) => f(p)) } : {}),
  };
}

function parseId(raw: string): number | undefined {
  return /^\d{1,15}$/.test(raw) ? Number(raw) : undefined;
}

function notFound(reply: FastifyReply, what: string): FastifyReply {
  return reply.code(404).send(v3Error(404, `The requested ${what} was not found.`));
}

function invalidBody(errors: Record<string, string>) {
  return v3Error(422, 'JSON data is missing or invalid', errors);
}

export function registerProductRoutes(app: FastifyInstance, base: string, store: ProductStore): void {
  app.get(`${base}/v3/catalog/products`, async (request, reply) => {
    const q = new QueryReader(request.query as Query);
    const paging = readPaging(q);
    const query = readProductQuery(q);
    const view = readView(q);
    if (!q.ok) return reply.code(422).send(invalidQuery(q.errors));
    if (paging.limit > MAX_LIMIT) return reply.code(413).send(limitTooLarge(MAX_LIMIT));
    const page = store.page(query, paging.offset, paging.limit);
    return {
      data: page.items.map((p) => productWire(p, view)),
      meta: { pagination: pagination(page.total, page.items.length, paging.limit, paging.page) },
    };
  });

  app.get<{ Params: { id: string } }>(`${base}/v3/catalog/products/:id`, async (request, reply) => {
    const id = parseId(request.params.id);
    const product = id === undefined ? undefined : store.get(id);
    if (!product) return notFound(reply, 'product');
    return { data: productWire(product, readView(new QueryReader(request.query as Query))), meta: {} };
  });

  // upstreams.md: POST /v3/catalog/products creates ONE product (required name, type, weight, price).
  app.post(`${base}/v3/catalog/products`, async (request, reply) => {
    const parsed = productCreateSchema.safeParse(request.body);
    if (!parsed.success) return reply.code(422).send(invalidBody(issuesToErrors(parsed.error, request.body)));
    const body = parsed.data;
    if (body.sku !== undefined && body.sku !== '' && store.idBySku(body.sku) !== undefined) {
      return reply.code(409).send(v3Error(409, 'The product sku is a duplicate.', { sku: `Sku ${body.sku} is not unique.` }));
    }
    const { custom_fields, ...rest } = body;
    const fieldProblem = custom_fields ? customFieldProblem(custom_fields) : undefined;
    if (fieldProblem) return reply.code(422).send(invalidBody({ custom_fields: fieldProblem }));
    const product = store.create({
      ...rest,
      ...(custom_fields ? { custom_fields: custom_fields.map((f) => ({ name: f.name, value: f.value })) } : {}),
    });
    return { data: productWire(product, readView(new QueryReader(request.query as Query))), meta: {} };
  });

  app.put<{ Params: { id: string } }>(`${base}/v3/catalog/products/:id`, async (request, reply) => {
    const id = parseId(request.params.id);
    if (id === undefined || !store.get(id)) return notFound(reply, 'product');
    const parsed = productUpdateSchema.safeParse(request.body);
    if (!parsed.success) return reply.code(422).send(invalidBody(issuesToErrors(parsed.error, request.body)));
    const result = updateProduct(store, id, parsed.data);
    if (!result.ok) return reply.code(result.status).send(v3Error(result.status, result.message));
    return { data: productWire(result.product, readView(new QueryReader(request.query as Query))), meta: {} };
  });

  // upstreams.md: PUT batch at most 10 products, each with `id`; partial success is 207.
  app.put(`${base}/v3/catalog/products`, async (request, reply) => {
    const items = batchItems(request.body, MAX_PRODUCT_BATCH, reply);
    if (!items) return reply;
    const view = readView(new QueryReader(request.query as Query));
    const outcome: BatchOutcome<ProductWire> = { data: [], failures: {} };
    items.forEach((item, index) => {
      const parsed = productBatchItemSchema.safeParse(item);
      if (!parsed.success) {
        outcome.failures[itemKey(item, index)] = Object.entries(issuesToErrors(parsed.error, item))
          .map(([field, msg]) => `${field}: ${msg}`)
          .join('; ');
        return;
      }
      const { id, ...fields } = parsed.data;
      const result = updateProduct(store, id, fields);
      if (result.ok) outcome.data.push(productWire(result.product, view));
      else outcome.failures[String(id)] = result.message;
    });
    return sendBatch(reply, items.length, outcome);
  });

  // BigCommerce Catalog API, "Delete a Product Custom Field": 204 and no body; 404 for an unknown product or field.
  app.delete<{ Params: { id: string; fieldId: string } }>(`${base}/v3/catalog/products/:id/custom-fields/:fieldId`, async (request, reply) => {
    const id = parseId(request.params.id);
    const fieldId = parseId(request.params.fieldId);
    if (id === undefined || !store.get(id)) return notFound(reply, 'product');
    if (fieldId === undefined || !store.deleteCustomField(id, fieldId)) return notFound(reply, 'custom field');
    return reply.code(204).send();
  });
}
