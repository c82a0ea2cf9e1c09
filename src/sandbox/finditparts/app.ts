/**
 * The FinditParts Reseller API simulator: one origin (default
 * http://127.0.0.1:4101) serving the API under `/api/v1`, with the shared
 * stats/faults/admin routes from common/origin.ts and its own admin routes
 * `/__sandbox/limits` and `/__sandbox/orders/{id}/status`.
 *
 * Request path for an API call: stats + faults (origin) → auth → rate limit →
 * route. Written from upstreams.md ("FinditParts"); shares nothing with the
 * gateway's connector.
 */
import type { FastifyError } from 'fastify';
import { z } from 'zod';
import type { Catalog } from '../common/catalog.js';
import { createOrigin, type Origin } from '../common/origin.js';
import type { FinditPartsSandboxOptions } from '../options.js';
import { createAuthenticator } from './auth.js';
import { buildOpenApi } from './openapi.js';
import { PLACE_ORDER_PATH, registerOrderRoutes } from './orderRoutes.js';
import { createOrderBook, describeIssues, setStatusSchema, type OrderBook } from './orders.js';
import { registerProductRoutes } from './products.js';
import { createRateLimiter, limitsPatchSchema, type RateLimiter } from './rateLimit.js';
import { createProductSearch, type ProductSearch } from './search.js';
import { ERRNO, errorBody, toProductWire, type OrderWire } from './wire.js';

const setFitmentsSchema = z.object({
  fitments: z.array(z.object({ year: z.number().int().min(1900).max(2100), make: z.string().min(1).max(50), model: z.string().min(1).max(50) })).max(200),
});

export const API_PREFIX = '/api/v1';

export interface FinditPartsOrigin extends Origin {
  readonly catalog: Catalog;
  /** Every order placed since start (or the last data reset), oldest first. */
  orders(): OrderWire[];
  readonly orderBook: OrderBook;
  readonly limiter: RateLimiter;
  readonly search: ProductSearch;
}

const FAULT_MESSAGES: Record<number, string> = {
  429: 'too many requests (injected fault)',
  500: 'internal server error (injected fault)',
  503: 'service unavailable (injected fault)',
  504: 'gateway timeout (injected fault)',
};

export function createFinditPartsOrigin(options: FinditPartsSandboxOptions, catalog: Catalog): FinditPartsOrigin {
  const book = createOrderBook(catalog);
  const search = createProductSearch(catalog);
  const limiter = createRateLimiter({ ratePerSecond: options.ratePerSecond, burst: options.burst, perMinute: options.perMinute });
  const auth = createAuthenticator(options);

  const origin = createOrigin({
    name: 'FinditParts',
    faults: options.faults,
    // upstreams.md: errors are {errno, message}; the sandbox uses errno 99 for injected faults.
    faultAnswer: (status) => ({
      body: errorBody(ERRNO.FAULT, FAULT_MESSAGES[status] ?? `injected fault (HTTP ${status})`),
      headers: status === 429 ? { 'retry-after': '1' } : ({} as Record<string, string>),
    }),
    isOrderPlacement: (method, route) => method === 'POST' && route === `${API_PREFIX}${PLACE_ORDER_PATH}`,
    openapi: buildOpenApi,
    resetData: () => {
      book.clear();
      catalog.clearOverrides();
      search.clear();
    },
  });
  const { app } = origin;

  app.setNotFoundHandler(async (_request, reply) => reply.code(404).send(errorBody(ERRNO.NOT_FOUND, 'not found')));
  app.setErrorHandler(async (error: FastifyError, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.code(status).send(errorBody(ERRNO.BAD_REQUEST, error.message));
    return reply.code(500).send(errorBody(ERRNO.FAULT, 'internal error'));
  });

  // Sandbox admin: rate limits at run time.
  app.get('/__sandbox/limits', async () => limiter.limits());
  app.post('/__sandbox/limits', async (request, reply) => {
    const parsed = limitsPatchSchema.safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send(errorBody(ERRNO.BAD_REQUEST, describeIssues(parsed.error)));
    return limiter.setLimits(parsed.data);
  });
  // Sandbox admin: pin an order's status (otherwise it advances with time).
  app.post('/__sandbox/orders/:id/status', async (request, reply) => {
    const parsed = setStatusSchema.safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send(errorBody(ERRNO.VALIDATION, describeIssues(parsed.error)));
    const { id } = request.params as { id: string };
    const order = /^\d{1,15}$/.test(id) ? book.setStatus(Number(id), parsed.data.status) : undefined;
    if (!order) return reply.code(404).send(errorBody(ERRNO.NOT_FOUND, 'order not found'));
    return { order, errno: ERRNO.OK };
  });

  // Sandbox admin: change what a part fits (the vendor's fitment data changed), until a data reset.
  app.post('/__sandbox/parts/:partNumber/fitments', async (request, reply) => {
    const { partNumber } = request.params as { partNumber: string };
    const index = catalog.indexOfPartNumber(partNumber);
    if (index === undefined) return reply.code(404).send(errorBody(ERRNO.NOT_FOUND, 'product not found'));
    const parsed = setFitmentsSchema.safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send(errorBody(ERRNO.BAD_REQUEST, describeIssues(parsed.error)));
    catalog.setFitments(index, parsed.data.fitments);
    search.clear();
    const part = catalog.get(index);
    return { product: part ? toProductWire(part) : null, errno: ERRNO.OK };
  });

  app.register(
    async (api) => {
      // upstreams.md: Bearer JWT (HS256, iss = client id) or X-API-Key on every call.
      api.addHook('onRequest', async (request, reply) => {
        const who = await auth.authenticate(request.headers);
        if (!who.ok) {
          return reply.code(401).header('www-authenticate', 'Bearer').send(errorBody(ERRNO.AUTH, who.message));
        }
        // upstreams.md: the seed's planned limits (req/s, req/min, burst), per credential.
        const decision = limiter.take(who.client);
        if (!decision.ok) {
          origin.stats.countThrottled();
          return reply
            .code(429)
            .header('retry-after', String(decision.retryAfterSeconds))
            .send(errorBody(ERRNO.RATE_LIMITED, 'rate limit exceeded'));
        }
      });
      registerProductRoutes(api, catalog, search);
      registerOrderRoutes(api, origin, book);
    },
    { prefix: API_PREFIX },
  );

  return Object.assign(origin, {
    catalog,
    orders: () => book.all(),
    orderBook: book,
    limiter,
    search,
  });
}
