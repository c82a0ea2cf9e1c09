/**
 * The simulated BigCommerce origin (upstreams.md, "BigCommerce"): the v3
 * catalog and inventory APIs and the v2 orders API under `/stores/{hash}`,
 * the app OAuth token exchange at the root, and the sandbox admin routes.
 *
 * Every request under `/stores/{hash}/` goes through one guard, in order:
 * 1. the fault layer (createOrigin): an injected 429 or 5xx answers first and
 *    carries NO `X-Rate-Limit-*` headers (upstreams.md: a 429 without them
 *    means platform load) and does not count against the quota;
 * 2. auth: `X-Auth-Token` must be the configured token or one issued by
 *    `/oauth2/token`, else 401 (v3 error body, also on v2 paths). A 401 does
 *    not consume quota but still carries the headers, showing the window;
 * 3. the store quota: every other answer (2xx, 4xx, 404 for unknown paths)
 *    consumes one request and carries the four headers; over quota is 429.
 *
 * `POST /__sandbox/reset` also restores the configured quota and starts a
 * fresh window; with `{"data":true}` it drops every write (products,
 * inventory, order updates).
 */
import type { Catalog } from '../common/catalog.js';
import { createOrigin, type Origin } from '../common/origin.js';
import type { BigCommerceSandboxOptions } from '../options.js';
import { registerInventoryRoutes } from './inventoryRoutes.js';
import { TokenRegistry, registerOAuthRoutes } from './oauth.js';
import { bigCommerceOpenApi } from './openapi.js';
import { OrderStore, type OrderRecord } from './orders.js';
import { registerOrderRoutes } from './ordersRoutes.js';
import { registerShipmentRoutes } from './shipmentRoutes.js';
import { registerProductRoutes } from './productRoutes.js';
import { registerStoreRoutes } from './storeRoutes.js';
import { productWire } from './productWire.js';
import { FixedWindowLimiter, registerLimitRoutes, setRateLimitHeaders } from './rateLimit.js';
import { ProductStore } from './store.js';
import { registerVariantRoutes } from './variantRoutes.js';
import { v2Error, v3Error, type ProductWire } from './wire.js';

export interface BigCommerceOrigin extends Origin {
  /** `/stores/{hash}`: the API base path on this origin. */
  readonly basePath: string;
  readonly store: ProductStore;
  readonly orders: OrderStore;
  readonly limiter: FixedWindowLimiter;
  readonly tokens: TokenRegistry;
  /** Products in the store now (seeded and created). */
  productCount(): number;
  product(id: number): ProductWire | undefined;
  productBySku(sku: string): ProductWire | undefined;
  /** The named SKUs found in the store; with no argument every product (materialises the whole store). */
  productsBySku(skus?: Iterable<string>): Map<string, ProductWire>;
  order(id: number): OrderRecord | undefined;
}

const FAULT_TITLES: Record<number, string> = {
  429: 'Too many requests.',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function createBigCommerceOrigin(options: BigCommerceSandboxOptions, catalog: Catalog): BigCommerceOrigin {
  const store = new ProductStore(catalog, { seed: catalog.seed, storeShare: options.storeShare, driftShare: options.driftShare });
  const orders = new OrderStore(store, catalog, catalog.seed, options.orders);
  const limiter = new FixedWindowLimiter(options.quota, options.windowMs);
  const tokens = new TokenRegistry(options.accessToken);
  const basePath = `/stores/${options.storeHash}`;

  const origin = createOrigin({
    name: 'BigCommerce',
    ...(options.faults ? { faults: options.faults } : {}),
    // Injected answers: a v3 error body and no X-Rate-Limit-* headers.
    faultAnswer: (status) => ({ body: v3Error(status, FAULT_TITLES[status] ?? 'The request could not be completed.') }),
    openapi: () => bigCommerceOpenApi(options),
    resetData: () => {
      store.reset();
      orders.reset();
    },
  });
  const { app } = origin;

  app.addHook('onRequest', async (request, reply) => {
    if (reply.sent) return;
    if (request.method === 'POST' && request.url.split('?')[0] === '/__sandbox/reset') {
      limiter.configure({ quota: options.quota, windowMs: options.windowMs });
      return;
    }
    if (!request.url.startsWith(`${basePath}/`)) return;
    const header = request.headers['x-auth-token'];
    if (!tokens.accepts(typeof header === 'string' ? header : undefined)) {
      setRateLimitHeaders(reply, limiter.peek());
      return reply.code(401).send(v3Error(401, 'You are not authorized to access this store: the X-Auth-Token is missing or invalid.'));
    }
    // upstreams.md: a quota per window shared by every app on the store; over quota is 429 with the headers.
    const taken = limiter.take();
    setRateLimitHeaders(reply, taken);
    if (!taken.allowed) {
      origin.stats.countThrottled();
      return reply
        .code(429)
        .send(v3Error(429, `Too many requests: the store's quota of ${taken.quota} requests per ${taken.windowMs} ms is used up.`));
    }
  });

  registerProductRoutes(app, basePath, store);
  registerVariantRoutes(app, basePath, store);
  registerInventoryRoutes(app, basePath, store);
  registerOrderRoutes(app, basePath, orders, options.currency);
  registerShipmentRoutes(app, basePath, orders);
  registerStoreRoutes(app, basePath, options);
  registerOAuthRoutes(app, options, tokens);
  registerLimitRoutes(app, limiter);

  const isV2 = (url: string) => url.startsWith(`${basePath}/v2/`);

  app.setNotFoundHandler((request, reply) => {
    const message = 'The requested resource was not found.';
    return reply.code(404).send(isV2(request.url) ? v2Error(404, message) : v3Error(404, message));
  });

  app.setErrorHandler((error: { statusCode?: number; message?: string }, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    const message = status >= 500 ? 'Internal Server Error' : (error.message ?? 'Bad Request');
    if (request.url.startsWith('/__sandbox/')) return reply.code(status).send({ error: message });
    return reply.code(status).send(isV2(request.url) ? v2Error(status, message) : v3Error(status, message));
  });

  return Object.assign(origin, {
    basePath,
    store,
    orders,
    limiter,
    tokens,
    productCount: () => store.count,
    product(id: number) {
      const p = store.get(id);
      return p ? productWire(p) : undefined;
    },
    productBySku(sku: string) {
      const id = store.idBySku(sku);
      const p = id === undefined ? undefined : store.get(id);
      return p ? productWire(p) : undefined;
    },
    productsBySku(skus?: Iterable<string>) {
      const out = new Map<string, ProductWire>();
      if (skus === undefined) {
        for (const p of store.scan()) out.set(p.sku, productWire(p));
        return out;
      }
      for (const sku of skus) {
        const id = store.idBySku(sku);
        const p = id === undefined ? undefined : store.get(id);
        if (p) out.set(sku, productWire(p));
      }
      return out;
    },
    order: (id: number) => orders.get(id),
  });
}
