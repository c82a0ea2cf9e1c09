/**
 * v2 orders (upstreams.md): `GET /v2/orders` is a bare JSON array (50 by
 * default), an empty result is 204 with no body; filters min_id, max_id,
 * status_id, min/max_date_modified, min/max_date_created, customer_id, page,
 * limit, sort. Errors are v2 arrays `[{status, message}]`.
 *
 * Sandbox choices: a `limit` over 250 or a malformed filter is 400 (the
 * vendor's exact answer is not published); the default sort is `id:asc`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { orderProductWire, orderWire, shippingAddressWire } from './orderWire.js';
import { ORDER_STATUSES, type OrderRecord, type OrderStore } from './orders.js';
import { QueryReader, readPaging, type Query } from './query.js';
import { v2Error } from './wire.js';

/** upstreams.md: v2 orders list 50 per page by default; the vendor's maximum is 250. */
export const MAX_ORDERS_LIMIT = 250;

const SORT_FIELDS = ['id', 'customer_id', 'date_created', 'date_modified', 'status_id'] as const;
type SortField = (typeof SORT_FIELDS)[number];

const orderUpdateSchema = z.object({
  status_id: z
    .number()
    .int()
    .refine((s) => ORDER_STATUSES[s] !== undefined, 'unknown status_id')
    .optional(),
  staff_notes: z.string().max(65_535).optional(),
  customer_message: z.string().max(65_535).optional(),
});

function sortKey(o: OrderRecord, field: SortField): number {
  switch (field) {
    case 'id':
      return o.id;
    case 'customer_id':
      return o.customer_id;
    case 'date_created':
      return o.createdMs;
    case 'date_modified':
      return o.modifiedMs;
    case 'status_id':
      return o.status_id;
  }
}

/** Filters and sorting shared by the list and the count; errors are recorded on the reader. */
function select(orders: OrderStore, q: QueryReader): OrderRecord[] {
  const minId = q.int('min_id');
  const maxId = q.int('max_id');
  const statusId = q.int('status_id');
  const customerId = q.int('customer_id');
  const minMod = q.date('min_date_modified');
  const maxMod = q.date('max_date_modified');
  const minCreated = q.date('min_date_created');
  const maxCreated = q.date('max_date_created');
  const [field = 'id', dir = 'asc'] = (q.str('sort') ?? 'id:asc').split(':');
  if (!(SORT_FIELDS as readonly string[]).includes(field) || (dir !== 'asc' && dir !== 'desc')) {
    q.errors.sort = `sort must be one of ${SORT_FIELDS.join(', ')} with :asc or :desc`;
  }
  if (!q.ok) return [];
  const out = orders.all().filter(
    (o) =>
      (minId === undefined || o.id >= minId) &&
      (maxId === undefined || o.id <= maxId) &&
      (statusId === undefined || o.status_id === statusId) &&
      (customerId === undefined || o.customer_id === customerId) &&
      (minMod === undefined || o.modifiedMs >= minMod) &&
      (maxMod === undefined || o.modifiedMs <= maxMod) &&
      (minCreated === undefined || o.createdMs >= minCreated) &&
      (maxCreated === undefined || o.createdMs <= maxCreated),
  );
  const sign = dir === 'desc' ? -1 : 1;
  return out.sort((a, b) => sign * (sortKey(a, field as SortField) - sortKey(b, field as SortField)) || a.id - b.id);
}

function badRequest(q: QueryReader) {
  return v2Error(400, `The request is invalid: ${Object.entries(q.errors).map(([k, v]) => `${k}: ${v}`).join('; ')}`);
}

const NOT_FOUND = v2Error(404, 'The requested resource was not found.');

export function registerOrderRoutes(app: FastifyInstance, base: string, orders: OrderStore, currency = 'USD'): void {
  /** Absolute v2 base for the `{url, resource}` links, as the client reached this origin. */
  const apiBase = (request: FastifyRequest) => `${request.protocol}://${request.headers.host ?? 'localhost'}${base}/v2`;

  app.get(`${base}/v2/orders`, async (request, reply) => {
    const q = new QueryReader(request.query as Query);
    const paging = readPaging(q);
    if (paging.limit > MAX_ORDERS_LIMIT) q.errors.limit = `limit must be at most ${MAX_ORDERS_LIMIT}`;
    const selected = select(orders, q);
    if (!q.ok) return reply.code(400).send(badRequest(q));
    const page = selected.slice(paging.offset, paging.offset + paging.limit);
    // upstreams.md: an empty result is 204 with no body.
    if (page.length === 0) return reply.code(204).send();
    const url = apiBase(request);
    return page.map((o) => orderWire(o, url, currency));
  });

  app.get(`${base}/v2/orders/count`, async (request, reply) => {
    const q = new QueryReader(request.query as Query);
    const selected = select(orders, q);
    if (!q.ok) return reply.code(400).send(badRequest(q));
    const counts = new Map<number, number>();
    for (const o of selected) counts.set(o.status_id, (counts.get(o.status_id) ?? 0) + 1);
    return {
      statuses: Object.entries(ORDER_STATUSES).map(([id, name], n) => ({
        id: Number(id),
        name,
        system_label: name,
        custom_label: name,
        system_description: '',
        count: counts.get(Number(id)) ?? 0,
        sort_order: n,
      })),
      count: selected.length,
    };
  });

  app.get<{ Params: { id: string } }>(`${base}/v2/orders/:id`, async (request, reply) => {
    const order = orders.get(Number(request.params.id));
    if (!order) return reply.code(404).send(NOT_FOUND);
    return orderWire(order, apiBase(request), currency);
  });

  app.put<{ Params: { id: string } }>(`${base}/v2/orders/:id`, async (request, reply) => {
    const id = Number(request.params.id);
    if (!orders.get(id)) return reply.code(404).send(NOT_FOUND);
    const parsed = orderUpdateSchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path.join('.') || 'body';
      return reply.code(400).send(v2Error(400, `The field '${field}' is invalid.`));
    }
    const updated = orders.update(id, parsed.data);
    return updated ? orderWire(updated, apiBase(request), currency) : reply.code(404).send(NOT_FOUND);
  });

  app.get<{ Params: { id: string } }>(`${base}/v2/orders/:id/products`, async (request, reply) => {
    const order = orders.get(Number(request.params.id));
    if (!order) return reply.code(404).send(NOT_FOUND);
    const q = new QueryReader(request.query as Query);
    const paging = readPaging(q);
    if (paging.limit > MAX_ORDERS_LIMIT) q.errors.limit = `limit must be at most ${MAX_ORDERS_LIMIT}`;
    if (!q.ok) return reply.code(400).send(badRequest(q));
    const lines = order.lines.slice(paging.offset, paging.offset + paging.limit);
    if (lines.length === 0) return reply.code(204).send();
    return lines.map((l) => orderProductWire(order, l));
  });

  app.get<{ Params: { id: string } }>(`${base}/v2/orders/:id/shipping_addresses`, async (request, reply) => {
    const order = orders.get(Number(request.params.id));
    if (!order) return reply.code(404).send(NOT_FOUND);
    return [shippingAddressWire(order, apiBase(request))];
  });
}
