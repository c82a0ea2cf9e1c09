/**
 * createGateway: builds the whole gateway from a validated config (the
 * embedded sandbox when no upstream is configured), listens, and returns a
 * handle whose close() drains it. main.ts and every integration test use it.
 */
import { ApolloServer } from '@apollo/server';
import Keyv from 'keyv';
import type { Config } from './config.js';
import { createKeyring, generateDevKey } from './auth/keyring.js';
import { BoundedMap } from './cache/boundedMap.js';
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
import { join } from 'node:path';
import { createJobEvents } from './jobs/events.js';
import { createJobRunner } from './jobs/runner.js';
import { startScheduler } from './jobs/scheduler.js';
import { createSqliteJobStore } from './jobs/store/sqliteJobStore.js';
import { createSyncService } from './jobs/syncService.js';
import { createBigCommerceWriter } from './upstreams/bigcommerce/writes.js';
import type { SandboxOptionsInput } from './sandbox/options.js';
import { createHttpApp } from './server/fastifyApp.js';
import { createGraphQLHandler } from './server/graphqlHandler.js';
import { createBigCommerceClient, bigCommerceVendor } from './upstreams/bigcommerce/client.js';
import { createBreaker } from './upstreams/breaker.js';
import { createFinditPartsClient, finditPartsVendor } from './upstreams/finditparts/client.js';
import { createUpstreamClient, type UpstreamVendor } from './upstreams/http.js';

export interface GatewayOptions {
  /** Where logs go; a pino logger. @default JSON to stdout at config.logLevel */
  logger?: Logger;
  /** Options for the embedded sandbox (used only when no upstream is configured). */
  sandbox?: SandboxOptionsInput;
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
        ratePerSecond: Math.min(so.finditparts.ratePerSecond, config.sandboxLimits.finditpartsPerSecond),
        perMinute: Math.min(so.finditparts.perMinute, config.sandboxLimits.finditpartsPerMinute),
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
      const pacer = createPacer({ name, budgets, interactiveReserve: config.interactiveReserve });
      const http = createUpstreamClient({
        name,
        baseUrl,
        vendor,
        pacer,
        breaker,
        metrics,
        timeouts: config.upstreamTimeouts,
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
    const bcToken = bc.accessToken;
    const bcHandle = upstream('bigcommerce', bc.apiUrl, bigCommerceVendor(() => bcToken), [
      { points: bc.quota, durationMs: bc.windowMs },
    ]);

    // Caches: entity cache in Keyv (memory, bounded), whole responses in an LRU.
    const responseCache = config.responseCache.enabled ? createResponseCache(config.responseCache.maxEntries) : undefined;
    const keyv = new Keyv({ store: new BoundedMap<string, unknown>(config.cache.maxEntries), namespace: 'crossdock' });
    const cache = createEntityCache({
      store: keyv,
      swrMs: config.cache.swrMs,
      staleIfErrorMs: config.cache.staleIfErrorMs,
      metrics,
      onBackgroundError: (kind, err) => logger.debug({ kind, err: err instanceof Error ? err.message : String(err) }, 'cache background refresh failed'),
      onInvalidate: () => responseCache?.clear(),
    });
    const finditparts = createFinditPartsClient(fipHandle.http);
    const bigcommerce = createBigCommerceClient(bcHandle.http);
    // Sync jobs: durable records in SQLite, the in-process runner, events, schedules.
    const jobStore = createSqliteJobStore({ path: join(config.dataDir, 'crossdock.db') });
    closers.push(async () => jobStore.close());
    const events = createJobEvents({ maxPerSecond: 10 });
    closers.push(async () => events.close());
    const skuRule = createSkuRule(config.skuPrefix);
    let sourcesRef: ReturnType<typeof createSources> | undefined;
    const runner = createJobRunner({
      store: jobStore,
      logger,
      concurrency: config.sync.concurrency,
      deps: {
        fip: createFinditPartsClient(fipHandle.http),
        bc: createBigCommerceClient(bcHandle.http),
        writer: createBigCommerceWriter(bcHandle.http),
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
      },
    });
    const syncService = createSyncService(jobStore, runner, events);
    const services: Services = {
      config,
      sources: createSources(cache, finditparts, bigcommerce, config.cache.ttl),
      cache,
      cacheStoreKind: 'memory',
      skuRule,
      finditparts,
      bigcommerce,
      upstreams: [fipHandle, bcHandle],
      responseCacheSize: () => responseCache?.size ?? 0,
      jobs: { service: syncService, store: jobStore, events },
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

    const apollo = new ApolloServer<GraphQLContext>({
      schema: buildSchema(),
      formatError: (formatted, err) => maskError(formatted, err, (detail) => logger.error({ err: detail }, 'masked resolver error')),
      includeStacktraceInErrorResponses: false,
      introspection: true,
      plugins: [cacheHintsPlugin()],
      logger: {
        debug: (m) => logger.debug(m),
        info: (m) => logger.info(m),
        warn: (m) => logger.warn(m),
        error: (m) => logger.error(m),
      },
    });
    await apollo.start();
    closers.push(() => apollo.stop());

    const app = createHttpApp({
      keyring,
      handle: createGraphQLHandler({ apollo, services, responseCache, metrics }),
      metrics,
      logger,
      playgroundHeaders: devKey ? { 'X-API-Key': devKey } : undefined,
      readiness: {
        async check() {
          const breakers = Object.fromEntries(services.upstreams.map((u) => [u.http.name, u.breaker.state().kind]));
          const degraded = Object.values(breakers).some((k) => k === 'open');
          if (state !== 'ready') return { ready: false, status: state, checks: { breakers } };
          return { ready: true, status: degraded ? 'degraded' : 'ok', checks: { breakers, cache: 'memory' } };
        },
      },
    });
    await app.listen({ port: config.port, host: config.host });
    closers.push(() => app.close());
    // Jobs start once the server is up; on close they stop first and are left INTERRUPTED.
    runner.start();
    const scheduler = startScheduler(jobStore, syncService, logger);
    closers.push(async () => {
      scheduler.stop();
      await runner.stop();
    });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${shownHost}:${port}`;
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
