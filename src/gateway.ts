/**
 * createGateway: builds the whole gateway from a validated config (the
 * embedded sandbox when no upstream is configured), listens, and returns a
 * handle whose close() drains it. main.ts and every integration test use it.
 */
import { ApolloServer } from '@apollo/server';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { Config } from './config.js';
import { createKeyring, generateDevKey } from './auth/keyring.js';
import { createEntityCache } from './cache/entityCache.js';
import { createResponseCache } from './cache/responseCache.js';
import { createSkuRule } from './domain/skuRule.js';
import { cacheHintsPlugin } from './graphql/cacheHintsPlugin.js';
import type { GraphQLContext, Services, UpstreamHandle } from './graphql/context.js';
import { maskError } from './graphql/errors.js';
import { buildSchema } from './graphql/schema.js';
import { createSources } from './graphql/sources.js';
import { createPacer, type Budget } from './limits/pacer.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { createSandbox, type Sandbox } from './sandbox/createSandbox.js';
import { createJobEvents } from './jobs/events.js';
import { createJobRunner } from './jobs/runner.js';
import { runRouting, type RoutingDeps } from './jobs/pipeline/runRouting.js';
import { runSync, type SyncDeps } from './jobs/pipeline/runSync.js';
import { startScheduler } from './jobs/scheduler.js';
import { createSyncService } from './jobs/syncService.js';
import { createBigCommerceWriter } from './connectors/bigcommerce/writes.js';
import { createOrderService } from './orders/orderService.js';
import { createOutbox } from './orders/outbox.js';
import { createStoreWriteBack } from './orders/storeWriteBack.js';
import { createBigCommerceOrderWrites } from './connectors/bigcommerce/orderWrites.js';
import { createFinditPartsOrders } from './connectors/finditparts/orders.js';
import type { SandboxOptionsInput } from './sandbox/options.js';
import { createHttpApp } from './server/fastifyApp.js';
import { createStrategies } from './strategies/index.js';
import { createRequestLimits } from './limits/requestLimits.js';
import { registerBigCommerceRoutes } from './connectors/bigcommerce/installRoutes.js';
import { createSecurityServices } from './auth/securityServices.js';
import { auditPlugin } from './graphql/auditPlugin.js';
import { createGraphQLHandler } from './server/graphqlHandler.js';
import { registerSseTransport } from './server/sseTransport.js';
import { registerWsTransport } from './server/wsTransport.js';
import { createBigCommerceClient, bigCommerceVendor } from './connectors/bigcommerce/client.js';
import { createBreaker } from './upstreams/breaker.js';
import { createFinditPartsClient, finditPartsVendor } from './connectors/finditparts/client.js';
import { createUpstreamClient, type UpstreamVendor } from './upstreams/http.js';

export interface GatewayOptions {
  /** Where logs go; a pino logger. @default JSON to stdout at config.logLevel */
  logger?: Logger;
  /** Options for the embedded sandbox (used only when no upstream is configured). */
  sandbox?: SandboxOptionsInput;
  /**
   * The orders' clock in ms since the epoch: idempotency key expiry and claim
   * leases. Tests move it (a day later) instead of sleeping. @default Date.now
   */
  clock?: () => number;
}

export interface Gateway {
  url: string;
  config: Config;
  services: Services;
  /** The embedded sandbox, when no upstream is configured. */
  sandbox?: Sandbox;
  /** The generated development key, when no key was configured. */
  devKey?: string;
  close(): Promise<void>;
}

export async function createGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const metrics = createMetrics({ defaultMetrics: true });
  let state: 'starting' | 'ready' | 'draining' = 'starting';
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch((err: unknown) => logger.warn({ err }, 'close failed'));
  };

  try {
    // Backends (DESIGN.md's strategy table): embedded, or on Redis when REDIS_URL is set.
    const strategies = await createStrategies(config, logger);
    closers.push(() => strategies.close());
    // Upstreams: real ones from config, or the sandbox in-process.
    let sandbox: Sandbox | undefined;
    let fip = config.finditparts;
    let bc = config.bigcommerce;
    if (!fip || !bc) {
      sandbox = await createSandbox({
        ...options.sandbox,
        // Embedded: ephemeral ports unless a port was asked for.
        finditparts: { ...options.sandbox?.finditparts, port: options.sandbox?.finditparts?.port ?? 0 },
        bigcommerce: { ...options.sandbox?.bigcommerce, port: options.sandbox?.bigcommerce?.port ?? 0 },
      });
      closers.push(() => sandbox!.close());
      const so = sandbox.options;
      fip = {
        baseUrl: sandbox.finditparts.apiBase,
        clientId: so.finditparts.clientId,
        clientSecret: so.finditparts.clientSecret,
        // The embedded sandbox's own limits are the budget (they default to the seed's figures).
        ratePerSecond: so.finditparts.ratePerSecond,
        perMinute: so.finditparts.perMinute,
      };
      bc = {
        apiUrl: sandbox.bigcommerce.apiBase,
        accessToken: so.bigcommerce.accessToken,
        quota: so.bigcommerce.quota,
        windowMs: so.bigcommerce.windowMs,
      };
    }

    const upstream = (name: string, baseUrl: string, vendor: UpstreamVendor, budgets: Budget[]): UpstreamHandle => {
      const breaker = createBreaker({
        ...config.breaker,
        onChange: (s) => logger.warn({ upstream: name, breaker: s.kind }, 'circuit breaker changed state'),
      });
      const pacer = createPacer({ name, budgets, interactiveReserve: config.interactiveReserve, createLimiter: strategies.createLimiter, sharedGate: strategies.sharedGate?.(name) });
      const http = createUpstreamClient({
        name,
        baseUrl,
        vendor,
        pacer,
        breaker,
        metrics,
        timeouts: config.upstreamTimeouts,
        maxBodyBytes: config.upstreamMaxBodyBytes,
        deadlines: { interactive: config.interactiveDeadlineMs, bulk: 300_000 },
        retryDelayScale: config.retryDelayScale,
        onAlert: (message) => logger.error({ upstream: name }, message),
      });
      closers.push(() => http.close());
      return { http, breaker, pacer };
    };
    const fipHandle = upstream('finditparts', fip.baseUrl, finditPartsVendor(fip), [
      { points: Math.max(1, Math.floor(fip.ratePerSecond)), durationMs: 1_000 },
      { points: fip.perMinute, durationMs: 60_000 },
    ]);
    // Audit log, store-token vault and the app install (src/auth/securityServices.ts).
    const security = await createSecurityServices({
      config,
      logger,
      bigcommerce: bc,
      sandboxApp: sandbox
        ? { clientId: sandbox.options.bigcommerce.appClientId, clientSecret: sandbox.options.bigcommerce.appClientSecret, origin: sandbox.bigcommerce.url }
        : undefined,
      secrets: [fip.clientSecret, fip.apiKey],
      // With REDIS_URL the audit log and the token vault are shared by every instance.
      auditStore: strategies.auditStore,
      createVault: strategies.createVault,
    });
    closers.push(() => security.close());
    // The store's token from the app install when there is one, else the static token; a 401 re-reads the vault.
    const storeTokens = security.storeTokens;
    const bcHandle = upstream('bigcommerce', bc.apiUrl, { ...bigCommerceVendor(() => storeTokens.current()), refreshAuth: () => storeTokens.refresh() }, [
      { points: bc.quota, durationMs: bc.windowMs },
    ]);

    // Caches: entity cache in Keyv (memory, bounded), whole responses in an LRU.
    const responseCache = config.responseCache.enabled ? createResponseCache(config.responseCache.maxEntries) : undefined;
    // In-process values need no JSON round trip (it was a third of the CPU of an uncached
    // query); cached objects are shared between requests and never mutated.
    const keyv = strategies.cacheStore;
    const cache = createEntityCache({
      store: keyv,
      // With REDIS_URL: the clock every instance shares, so a write made through one wins on all.
      sharedGenerations: strategies.cacheGenerations,
      swrMs: config.cache.swrMs,
      staleIfErrorMs: config.cache.staleIfErrorMs,
      metrics,
      onBackgroundError: (kind, err) => logger.debug({ kind, err: err instanceof Error ? err.message : String(err) }, 'cache background refresh failed'),
      onInvalidate: () => responseCache?.clear(),
    });
    strategies.onRemoteInvalidate((keys) => {
      responseCache?.clear();
      cache.remoteInvalidated(keys);
    });
    const finditparts = createFinditPartsClient(fipHandle.http);
    const bigcommerce = createBigCommerceClient(bcHandle.http);
    // The store's default currency labels every store price (GET /v2/store, kept an hour). Read it
    // now, so that no query pays the call; bounded, so an unreachable store does not hold the start
    // (the first read then asks again).
    await Promise.race([
      bigcommerce.storeCurrency('interactive').catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, "could not read the store's currency yet")),
      new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref()),
    ]);
    // Sync jobs: durable records in SQLite, the in-process runner, events, schedules.
    const jobStore = strategies.jobStore;
    const events = createJobEvents({ maxPerSecond: 10, bus: strategies.jobBus });
    closers.push(async () => events.close());
    const skuRule = createSkuRule(config.skuPrefix);
    let sourcesRef: ReturnType<typeof createSources> | undefined;
    const syncDeps: SyncDeps = {
      fip: finditparts,
      bc: bigcommerce,
      writer: createBigCommerceWriter(bcHandle.http, (lane) => bigcommerce.storeCurrency(lane)),
      store: jobStore,
      rules: { skuRule, markupPercent: config.sync.markupPercent, rounding: config.sync.rounding, categoryMap: config.sync.categoryMap },
      locationId: config.sync.locationId,
      pageSize: config.sync.pageSize,
      createConcurrency: config.sync.createConcurrency,
      publish: (job) => events.publish(job),
      async invalidate(skus, storeIds) {
        if (!sourcesRef) return;
        await Promise.all([sourcesRef.productBySku.invalidate(skus), sourcesRef.storeStock.invalidate(skus), sourcesRef.productById.invalidate(storeIds)]);
      },
    };
    let routingDeps: RoutingDeps | undefined;
    const runner = createJobRunner({
      store: jobStore,
      logger,
      concurrency: config.sync.concurrency,
      leases: strategies.leases,
      leaseMs: strategies.leaseMs,
      shared: strategies.shared,
      publish: (job) => events.publish(job),
      execute(job, signal) {
        if (job.kind === 'ORDER_ROUTING') {
          if (!routingDeps) throw new Error('order routing is not ready');
          return runRouting(job, routingDeps, signal);
        }
        return runSync(job, syncDeps, signal);
      },
    });
    const syncService = createSyncService(jobStore, runner, events);
    // Supplier orders: durable intents, the outbox worker, status polling.
    const orderStore = strategies.orderStore;
    const orderBus = strategies.orderBus;
    const outbox = createOutbox({
      store: orderStore,
      orders: createFinditPartsOrders(fipHandle.http),
      logger,
      publish: (order) => orderBus.emit(order),
      retryStepMs: config.orders.retryStepMs,
      pollMs: config.orders.pollMs,
      leases: strategies.leases,
      leaseMs: strategies.leaseMs,
      now: options.clock,
    });
    const orderService = createOrderService({
      store: orderStore,
      outbox,
      fip: finditparts,
      skuRule,
      defaults: { shippingMethod: config.orders.defaultShippingMethod, address: config.orders.defaultAddress },
      placeWaitMs: config.orders.placeWaitMs,
      dispatchDelayMs: config.orders.dispatchDelayMs,
      keyTtlMs: config.orders.keyTtlMs,
      claimLeaseMs: config.orders.claimLeaseMs,
      changes: orderBus,
      now: options.clock,
    });
    routingDeps = {
      bc: bigcommerce,
      orders: orderService,
      store: jobStore,
      publish: (job) => events.publish(job),
      pageSize: 50,
      shippingAddress: async (id) => {
        const a = await bigcommerce.orderShippingAddress(id, 'bulk').catch(() => null);
        return a && a.street1 && a.city && a.zip && a.country && a.name && a.state ? a : null;
      },
    };
    const services: Services = {
      config,
      sources: createSources(cache, finditparts, bigcommerce, config.cache.ttl),
      cache,
      cacheStoreKind: strategies.kind === 'redis' ? 'redis' : 'memory',
      skuRule,
      finditparts,
      bigcommerce,
      upstreams: [fipHandle, bcHandle],
      responseCacheSize: () => responseCache?.size ?? 0,
      jobs: { service: syncService, store: jobStore, events },
      orders: { service: orderService, store: orderStore, events: orderBus },
      audit: security.audit,
    };
    sourcesRef = services.sources;

    // Keys: configured, or one generated admin key for the embedded default.
    let devKey: string | undefined;
    const keys = [...config.apiKeys];
    if (keys.length === 0) {
      const generated = generateDevKey();
      devKey = generated.key;
      keys.push(generated);
    }
    const keyring = createKeyring(keys);

    // One executable schema for GraphQL over HTTP (Apollo), SSE and WebSocket.
    const schema = buildSchema();
    // Budgets, hostile-query limits, trusted documents, web hardening (src/limits/requestLimits.ts).
    const limits = createRequestLimits(config, schema, { devClient: keys.find((k) => devKey !== undefined && k.key === devKey)?.name, createLimiter: strategies.createLimiter });
    const apollo = new ApolloServer<GraphQLContext>({
      schema,
      formatError: (formatted, err) => maskError(formatted, err, (detail) => logger.error({ err: detail }, 'masked resolver error')),
      includeStacktraceInErrorResponses: false,
      introspection: true,
      ...limits.apolloOptions,
      plugins: [cacheHintsPlugin(), limits.plugin, auditPlugin(security.audit)],
      logger: {
        debug: (m) => logger.debug(m),
        info: (m) => logger.info(m),
        warn: (m) => logger.warn(m),
        error: (m) => logger.error(m),
      },
    });
    await apollo.start();
    closers.push(() => apollo.stop());

    const app = await createHttpApp({
      keyring,
      handle: createGraphQLHandler({ apollo, services, responseCache, metrics, guard: limits.guard }),
      bodyLimitBytes: limits.bodyLimitBytes,
      hardening: limits.hardening,
      metrics,
      logger,
      playgroundHeaders: devKey ? { 'X-API-Key': devKey } : undefined,
      readiness: {
        async check() {
          const breakers = Object.fromEntries(services.upstreams.map((u) => [u.http.name, u.breaker.kind()]));
          const store = await strategies.health();
          // Half-open is not healthy either: the upstream failed and has not yet answered a probe.
          const degraded = Object.values(breakers).some((k) => k !== 'closed') || store.status === 'degraded';
          if (state !== 'ready') return { ready: false, status: state, checks: { breakers, store: store.detail } };
          return { ready: true, status: degraded ? 'degraded' : 'ok', checks: { breakers, cache: strategies.kind === 'redis' ? 'redis' : 'memory', store: store.detail } };
        },
      },
    });
    // Subscriptions (and any operation) over SSE at /graphql/stream and graphql-ws on /graphql;
    // both end their streams in the app's preClose hook.
    registerSseTransport(app, { schema, services, logger, guard: limits.streamGuard, slots: limits.streams.slots });
    // BigCommerce app callbacks (public: BigCommerce calls them; the code or signed JWT authenticates them).
    // The auth callback is counted per address (shared across instances on Redis); its redirect_uri is
    // BIGCOMMERCE_APP_REDIRECT_URI or, in development, this gateway's own listen URL (set once it listens).
    const authBudget = config.limits.bigcommerceAuth;
    const authLimiter = (strategies.createLimiter ?? ((o) => new RateLimiterMemory(o)))({
      keyPrefix: 'crossdock-bigcommerce-auth',
      points: authBudget.perAddress,
      duration: authBudget.windowSeconds,
    });
    let listenUrl = '';
    const configuredRedirect = security.routes.redirectUri;
    registerBigCommerceRoutes(app, { ...security.routes, authLimiter, redirectUri: () => configuredRedirect ?? `${listenUrl}/bigcommerce/auth` });
    registerWsTransport(app, { schema, services, keyring, logger, guard: limits.streamGuard, maxPayloadBytes: limits.bodyLimitBytes, ...limits.streams });
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${shownHost}:${port}`;
    listenUrl = url;
    closers.push(async () => {
      // In-flight requests get a short drain; connections opened but never used
      // count as active to Node and would hold close() until the grace deadline.
      const closing = app.close();
      const drained = await Promise.race([closing.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 2_000).unref())]);
      if (!drained) app.server.closeAllConnections();
      await closing;
    });
    // Jobs start once the server is up; on close they stop first and are left INTERRUPTED.
    await runner.start();
    outbox.start();
    closers.push(() => outbox.stop());
    // Routing outcomes written back to the store orders (notes, status, shipments with tracking).
    const writeBack = createStoreWriteBack({ store: orderStore, writes: createBigCommerceOrderWrites(bcHandle.http), logger, everyMs: config.orders.pollMs, leases: strategies.leases });
    const unsubscribeWriteBack = orderBus.subscribe(null, (order) => {
      if (order.storeOrderId !== null) writeBack.kick();
    });
    writeBack.start();
    closers.push(async () => {
      unsubscribeWriteBack();
      await writeBack.stop();
    });
    const scheduler = startScheduler(jobStore, syncService, logger, 1000, strategies.shared ? strategies.leases : undefined);
    closers.push(async () => {
      scheduler.stop();
      await runner.stop();
    });
    state = 'ready';
    logger.info({ url, sandbox: Boolean(sandbox), mode: config.mode }, 'gateway listening');

    let closing: Promise<void> | undefined;
    return {
      url,
      config,
      services,
      sandbox,
      devKey,
      close() {
        closing ??= (async () => {
          state = 'draining';
          const deadline = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref());
          await Promise.race([closeAll(), deadline]);
        })();
        return closing;
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
