/**
 * Order routes of the Reseller API (registered under `/api/v1`).
 * upstreams.md: `POST /partners/place_order`, `GET /orders/{id}`,
 * `GET /orders/search`, `GET /shipping_methods`.
 */
import type { FastifyInstance } from 'fastify';
import type { Origin } from '../common/origin.js';
import { describeIssues, placeOrderSchema, type OrderBook } from './orders.js';
import { parsePaging, queryString, type Query } from './params.js';
import { ERRNO, errorBody, SHIPPING_METHODS } from './wire.js';

export const PLACE_ORDER_PATH = '/partners/place_order';

export function registerOrderRoutes(api: FastifyInstance, origin: Origin, book: OrderBook): void {
  api.post(PLACE_ORDER_PATH, async (request, reply) => {
    const parsed = placeOrderSchema.safeParse(request.body);
    if (!parsed.success) {
      return reply.code(422).send(errorBody(ERRNO.VALIDATION, describeIssues(parsed.error)));
    }
    const result = book.place(parsed.data);
    if (!result.ok) return reply.code(422).send(errorBody(result.errno, result.message));
    if (origin.shouldAcceptThenHang(request)) {
      // Fault `acceptThenHang`: the order is recorded, the answer never comes.
      // upstreams.md: no idempotency keys, so a blind retry would order twice.
      origin.hang(request, reply);
      return reply;
    }
    return reply.code(201).send({ errno: ERRNO.OK, order: result.order });
  });

  // Static segment: wins over /orders/:id.
  api.get('/orders/search', async (request, reply) => {
    const query = request.query as Query;
    const paging = parsePaging(query);
    if (!paging.ok) return reply.code(400).send(errorBody(ERRNO.BAD_REQUEST, paging.message));
    const { page, per } = paging.value;
    const found = book.search(queryString(query, 'po_number'));
    return {
      orders: found.slice((page - 1) * per, page * per),
      pagination: { current_page: page, per_page: per, total_count: found.length },
      errno: ERRNO.OK,
    };
  });

  api.get('/orders/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const order = /^\d{1,15}$/.test(id) ? book.get(Number(id)) : undefined;
    if (!order) return reply.code(404).send(errorBody(ERRNO.NOT_FOUND, 'order not found'));
    return { order, errno: ERRNO.OK };
  });

  api.get('/shipping_methods', async () => ({
    shipping_methods: SHIPPING_METHODS.map((m) => ({ ...m })),
    errno: ERRNO.OK,
  }));
}
