/**
 * The Shopify GraphQL Admin API simulator (upstreams.md, "Shopify"): one
 * origin (default http://127.0.0.1:4103) playing the shop
 * `crossdock-sandbox.myshopify.com`:
 *
 *   POST /admin/api/{YYYY-MM}/graphql.json   the Admin API (X-Shopify-Access-Token)
 *   GET  /bulk-operation-results/{id}.jsonl  a bulk operation's result (signed link, Range)
 *
 * with the shared stats/faults/reset admin routes and its own:
 * `GET|POST /__sandbox/limits` (the cost bucket), `GET|POST
 * /__sandbox/orders` (counts; `{"create": n}` and `{"update": [gid…]}`
 * make webhooks fire), `GET|POST /__sandbox/webhooks` (subscriptions,
 * deliveries; `{"enabled": false}`), `POST /__sandbox/webhooks/redeliver`,
 * `GET|POST /__sandbox/bulk` (operations; test hooks for the next one) and
 * `GET /__sandbox/schema.graphql`.
 *
 * Request path for an API call: stats + faults (origin) → the access token
 * (401) → the API version in the path (404) → the GraphQL request
 * (adminEndpoint.ts: cost cap, bucket, execution). Written from
 * upstreams.md; shares nothing with the gateway's connector.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyError } from 'fastify';
import { z } from 'zod';
import type { Catalog } from '../common/catalog.js';
import { createOrigin, type Origin } from '../common/origin.js';
import type { ShopifySandboxOptions } from '../options.js';
import { createAdminEndpoint, type AdminEndpoint } from './adminEndpoint.js';
import { createAdminRoot, gid, iso, parseGid } from './adminResolvers.js';
import { ADMIN_SDL, adminSchema } from './adminSchema.js';
import { bulkPlanSchema, createBulkOperations, type BulkOperations } from './bulkOperations.js';
import { costLimitsPatchSchema, createCostBucket, type CostBucket } from './costBucket.js';
import { createOrderBook, type OrderBook } from './orderBook.js';
import { FINANCIAL_STATUSES, FULFILLMENT_STATUSES, ID_BASE } from './orderRecord.js';
import { restOrderJson, shopLocalTime } from './restOrder.js';
import { buildShopifyOpenApi } from './openapi.js';
import { createWebhooks, type Webhooks } from './webhooks.js';

export interface ShopifyOrigin extends Origin {
  readonly orders: OrderBook;
  readonly bucket: CostBucket;
  readonly bulk: BulkOperations;
  readonly webhooks: Webhooks;
  readonly admin: AdminEndpoint;
}

/** The API path for a version: upstreams.md, `/admin/api/{YYYY-MM}/graphql.json`. */
export const adminApiPath = (version: string) => `/admin/api/${version}/graphql.json`;

/** Any `YYYY-MM` (the vendor's are quarterly; the sandbox serves them all the same), or `unstable`. */
const VERSION = /^(\d{4}-(0[1-9]|1[0-2])|unstable)$/;

/** The shop's time zone: a fixed offset, so REST timestamps are stable the year round. */
const ZONE = { iana: 'America/Bogota', abbreviation: '-05', offsetMinutes: -300 } as const;

const ordersPostSchema = z
  .object({
    create: z.number().int().min(1).max(10_000).optional(),
    update: z
      .array(
        z.union([
          z.string(),
          z
            .object({
              id: z.string(),
              displayFinancialStatus: z.enum(FINANCIAL_STATUSES).optional(),
              displayFulfillmentStatus: z.enum(FULFILLMENT_STATUSES).optional(),
              note: z.string().max(5_000).nullable().optional(),
              cancel: z.boolean().optional(),
              close: z.boolean().optional(),
            })
            .strict(),
        ]),
      )
      .max(10_000)
      .optional(),
    /** false: change the orders without sending their webhooks. */
    webhooks: z.boolean().default(true),
  })
  .strict();

const FAULT_BODIES: Record<number, unknown> = {
  429: { errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' },
  500: { errors: 'Internal Server Error' },
  503: { errors: 'Service Unavailable' },
  504: { errors: 'Gateway Timeout' },
};

export function createShopifyOrigin(options: ShopifySandboxOptions, catalog: Catalog, seed: number): ShopifyOrigin {
  const schema = adminSchema();
  const book = createOrderBook({ seed, seeded: options.orders, catalog, currency: options.currency, skuPrefix: options.skuPrefix });
  const bucket = createCostBucket({ maximumAvailable: options.bucketSize, restoreRate: options.restoreRate, maxQueryCost: options.maxQueryCost });
  const webhooks = createWebhooks({
    secret: options.apiSecret,
    shopDomain: options.shopDomain,
    enabled: options.webhooks,
    retryDelaysMs: options.webhookRetryDelaysMs,
    timeoutMs: options.webhookTimeoutMs,
    staticUrl: options.webhookUrl,
    staticVersion: options.webhookApiVersion,
  });
  let originUrl = '';
  const clock = { offsetMinutes: ZONE.offsetMinutes };

  const origin = createOrigin({
    name: 'Shopify Admin API',
    faults: options.faults,
    faultAnswer: (status) => ({ body: FAULT_BODIES[status] ?? { errors: `injected fault (HTTP ${status})` }, headers: status === 429 ? { 'retry-after': '2.0' } : ({} as Record<string, string>) }),
    openapi: () => buildShopifyOpenApi(),
    extraStats: () => ({ graphql: admin.counters(), bulkOperations: bulk.counters(), webhooks: webhooks.counters() }),
    resetData: () => {
      bulk.reset();
      book.reset();
      webhooks.resetLog();
    },
    // Every reset also restores the configured bucket, full (as the BigCommerce twin restores its quota):
    // limits a test set must not leak into the next one.
    resetStats: () => {
      admin.resetCounters();
      bulk.resetCounters();
      webhooks.resetCounters();
      bucket.reset();
    },
  });
  const { app } = origin;

  const bulk = createBulkOperations(
    { startDelayMs: options.bulkStartDelayMs, objectsPerSecond: options.bulkObjectsPerSecond, keepResults: 5, urlTtlMs: 7 * 86_400_000 },
    {
      schema,
      book,
      endpoint: () => admin,
      originUrl: () => originUrl,
      onFinish: (op, version) =>
        webhooks.emit('bulk_operations/finish', gid('BulkOperation', op.legacyId), {
          admin_graphql_api_id: gid('BulkOperation', op.legacyId),
          completed_at: op.completedSec === null ? null : shopLocalTime(op.completedSec, clock),
          created_at: shopLocalTime(op.createdSec, clock),
          error_code: op.errorCode?.toLowerCase() ?? null,
          status: op.status.toLowerCase(),
          type: 'query',
          api_version: version,
        }),
    },
  );

  const root = createAdminRoot({
    book,
    catalog,
    skuPrefix: options.skuPrefix,
    paginationLimit: options.paginationLimit,
    bulk,
    webhooks,
    shop: {
      name: 'Crossdock Sandbox Parts',
      email: `owner@${options.shopDomain}`,
      domain: options.shopDomain,
      currency: options.currency,
      ianaTimezone: ZONE.iana,
      timezoneAbbreviation: ZONE.abbreviation,
      offsetMinutes: ZONE.offsetMinutes,
      planName: 'Shopify',
      url: () => originUrl,
    },
  });
  const admin = createAdminEndpoint({
    schema,
    root,
    bucket,
    maxQueryCost: () => bucket.limits().maxQueryCost,
    onThrottled: () => origin.stats.countThrottled(),
  });

  // upstreams.md: GraphQL over POST; `application/graphql` bodies are the bare document, as the vendor accepts.
  app.addContentTypeParser('application/graphql', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ errors: 'Not Found' }));
  app.setErrorHandler(async (error: FastifyError, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.code(status).send({ errors: error.message });
    return reply.code(500).send({ errors: 'Internal Server Error' });
  });

  app.post('/admin/api/:version/graphql.json', async (request, reply) => {
    const { version } = request.params as { version: string };
    const token = request.headers['x-shopify-access-token'];
    if (token !== options.accessToken) {
      return reply.code(401).send({ errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
    }
    if (!VERSION.test(version)) return reply.code(404).send({ errors: 'Not Found' });
    const answer = admin.handle(request.body, version);
    return reply.code(answer.status).header('x-shopify-api-version', version).header('x-request-id', randomUUID()).send(answer.body);
  });

  app.get('/bulk-operation-results/:file', async (request, reply) => {
    const { file } = request.params as { file: string };
    const result = bulk.download(file, request.query as Record<string, unknown>, request.headers.range);
    if (!result.cut) return reply.code(result.status).headers(result.headers).send(result.body);
    // A cut download: the promised length, fewer bytes, then the connection drops.
    reply.hijack();
    const res = reply.raw;
    res.writeHead(result.status, result.headers);
    const socket = request.raw.socket;
    if (typeof result.body === 'string') {
      res.write(result.body);
      socket.destroy();
      return reply;
    }
    result.body.on('data', (chunk) => res.write(chunk));
    result.body.on('end', () => socket.destroy());
    result.body.on('error', () => socket.destroy());
    return reply;
  });

  // ---- sandbox admin --------------------------------------------------------------------------------
  const bad = (message: string) => ({ error: 'invalid request', detail: message });

  app.get('/__sandbox/schema.graphql', async (_request, reply) => reply.type('text/plain; charset=utf-8').send(ADMIN_SDL));
  app.get('/__sandbox/limits', async () => ({ ...bucket.limits(), ...bucket.status() }));
  app.post('/__sandbox/limits', async (request, reply) => {
    const parsed = costLimitsPatchSchema.safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send(bad(parsed.error.message));
    return bucket.setLimits(parsed.data);
  });

  app.get('/__sandbox/orders', async () => {
    const changes = book.changes();
    return {
      count: book.size(),
      seeded: book.seeded,
      created: changes.created,
      touched: changes.touched,
      lineItems: book.lineItemCount(),
      currency: options.currency,
      shopDomain: options.shopDomain,
    };
  });
  app.post('/__sandbox/orders', async (request, reply) => {
    const parsed = ordersPostSchema.safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send(bad(parsed.error.message));
    const body = parsed.data;
    const updates = (body.update ?? []).map((u) => (typeof u === 'string' ? { id: u } : u));
    const unknown = updates.filter((u) => {
      const g = parseGid(u.id);
      return !g || g.type !== 'Order' || !book.has(g.id - ID_BASE.order);
    });
    if (unknown.length > 0) return reply.code(400).send({ ...bad('unknown orders'), unknown: unknown.map((u) => u.id) });
    const events: Array<{ eventId: string; topic: string; id: string }> = [];
    const send = (topic: string, index: number) => {
      const o = book.order(index);
      const id = gid('Order', o.legacyId);
      events.push({ eventId: webhooks.emit(topic, id, restOrderJson(o, clock), { deliver: body.webhooks }), topic, id });
    };
    const created = book.create(body.create ?? 0).map((index) => {
      send('orders/create', index);
      const o = book.order(index);
      return { id: gid('Order', o.legacyId), name: o.name, createdAt: iso(o.createdSec), updatedAt: iso(o.updatedSec) };
    });
    const updated = updates.map((u) => {
      const index = parseGid(u.id)!.id - ID_BASE.order;
      const o = book.touch(index, { financial: u.displayFinancialStatus, fulfillment: u.displayFulfillmentStatus, note: u.note, cancel: u.cancel, close: u.close });
      send('orders/updated', index);
      return { id: gid('Order', o.legacyId), updatedAt: iso(o.updatedSec), displayFinancialStatus: o.financial, displayFulfillmentStatus: o.fulfillment };
    });
    return { created, updated, events };
  });

  app.get('/__sandbox/webhooks', async () => ({ enabled: webhooks.enabled(), subscriptions: webhooks.subscriptions(), deliveries: webhooks.deliveries() }));
  app.post('/__sandbox/webhooks', async (request, reply) => {
    const parsed = z.object({ enabled: z.boolean().optional(), clearSubscriptions: z.boolean().optional() }).strict().safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send(bad(parsed.error.message));
    if (parsed.data.enabled !== undefined) webhooks.setEnabled(parsed.data.enabled);
    if (parsed.data.clearSubscriptions) webhooks.clearSubscriptions();
    return { enabled: webhooks.enabled(), subscriptions: webhooks.subscriptions() };
  });
  app.post('/__sandbox/webhooks/redeliver', async (request, reply) => {
    const parsed = z.object({ eventId: z.string().min(1) }).strict().safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send(bad(parsed.error.message));
    const deliveries = webhooks.redeliver(parsed.data.eventId);
    if (deliveries === 0) return reply.code(404).send(bad('no deliveries recorded for that event'));
    return { eventId: parsed.data.eventId, deliveries };
  });

  app.get('/__sandbox/bulk', async () => ({ operations: bulk.all(), next: bulk.plan({}) }));
  app.post('/__sandbox/bulk', async (request, reply) => {
    const parsed = bulkPlanSchema.safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send(bad(parsed.error.message));
    return { next: bulk.plan(parsed.data) };
  });

  const listen = origin.listen.bind(origin);
  const close = origin.close.bind(origin);
  return Object.assign(origin, {
    orders: book,
    bucket,
    bulk,
    webhooks,
    admin,
    async listen(port: number, host: string) {
      originUrl = await listen(port, host);
      return originUrl;
    },
    async close() {
      webhooks.close();
      bulk.close();
      await close();
    },
  });
}
