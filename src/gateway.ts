/**
 * createGateway: the composition root. It reads as the list of what the
 * gateway is made of, in dependency order — backends, records services,
 * upstream connectors, caches, domain services, health and the operations
 * monitor (alerts, the dashboard's feed), transports — each piece
 * returning what it provides and registering how it stops. main.ts and every
 * integration test use it.
 */
import type { Config } from './config.js';
import { createSecurityServices } from './auth/securityServices.js';
import { createCaches } from './composition/caches.js';
import { createDomain } from './composition/domain.js';
import { createLifecycle } from './composition/lifecycle.js';
import { createOperations } from './composition/operations.js';
import { createReadiness, type GatewayState } from './composition/readiness.js';
import { createTransports } from './composition/transports.js';
import { createUpstreams } from './composition/upstreams.js';
import type { Services } from './graphql/context.js';
import { createBusinessRecorder } from './observability/businessRecorder.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import type { SandboxOptionsInput } from './sandbox/options.js';
import type { SandboxWorld } from './sandbox/world.js';
import { createStrategies } from './strategies/index.js';

export interface GatewayOptions {
  /** Where logs go; a pino logger. @default JSON to stdout at config.logLevel */
  logger?: Logger;
  /** Options for the embedded sandbox world (used by the connectors that run against their twins). */
  sandbox?: SandboxOptionsInput;
  /**
   * The clock in ms since the epoch for idempotency key expiry, claim leases
   * and API key expiry. Tests move it (a day later) instead of sleeping. @default Date.now
   */
  clock?: () => number;
}

export interface Gateway {
  url: string;
  config: Config;
  services: Services;
  /** The embedded sandbox world, when a connector runs against its twin (`running` holds each twin by name). */
  sandbox?: SandboxWorld;
  /** The generated development key, when no key was configured. */
  devKey?: string;
  /** Re-reads the keys file now (main.ts calls it on SIGHUP); false when none or it does not parse. */
  reloadKeys(why?: string): boolean;
  close(): Promise<void>;
}

export async function createGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const metrics = createMetrics({ defaultMetrics: true });
  const lifecycle = createLifecycle(logger);
  let state: GatewayState = 'starting';
  let url = '';
  try {
    // Backends (DESIGN.md's strategy table): embedded, or Redis-backed when REDIS_URL is set.
    const strategies = await createStrategies(config, logger);
    lifecycle.defer(() => strategies.close());
    const security = createSecurityServices({ config, logger, auditStore: strategies.auditStore, createVault: strategies.createVault });
    lifecycle.defer(() => security.close());
    const upstreams = await createUpstreams({ config, logger, metrics, strategies, tokens: security.tokens, ephemeralTokenKey: security.ephemeralKey, sandbox: options.sandbox, publicUrl: () => config.publicUrl ?? url, lifecycle });
    const { capabilities } = upstreams;
    const caches = createCaches({ config, logger, metrics, strategies, capabilities });
    const domain = createDomain({ config, logger, strategies, capabilities, caches, lifecycle, audit: security.audit, clock: options.clock, observe: createBusinessRecorder(metrics), publicUrl: () => url });
    const readiness = createReadiness({ state: () => state, connectors: () => upstreams.connectors, strategies });
    const operations = createOperations({ config, logger, metrics, connectors: upstreams.connectors, domain, readiness, lifecycle });
    const services: Services = {
      config,
      sources: caches.sources,
      cache: caches.cache,
      cacheStoreKind: strategies.kind === 'redis' ? 'redis' : 'memory',
      skuRule: domain.skuRule,
      erpItemRule: domain.erpItemRule,
      supplier: capabilities.supplier,
      store: capabilities.store,
      erp: capabilities.erp,
      connectors: upstreams.connectors,
      responseCacheSize: () => caches.responseCache?.size ?? 0,
      jobs: domain.jobs,
      orders: domain.orders,
      erpExports: domain.erpExports,
      social: domain.social,
      ...(domain.messages ? { messages: domain.messages } : {}),
      mirror: domain.mirror,
      audit: security.audit,
      operations,
    };
    await upstreams.start();
    const transports = await createTransports({ config, logger, metrics, strategies, services, caches, routes: upstreams.routes, bulk: domain.bulk, readiness, lifecycle, clock: options.clock });
    operations.countStreams(transports.openStreams);
    url = transports.url;
    await upstreams.listening();
    await domain.start();
    state = 'ready';
    logger.info({ url, connectors: upstreams.connectors.map((c) => `${c.name}${c.sandbox ? ' (sandbox)' : ''}`), mode: config.mode }, 'gateway listening');
    return {
      url,
      config,
      services,
      sandbox: upstreams.sandbox,
      devKey: transports.devKey,
      reloadKeys: (why = 'asked') => transports.reloadKeys(why),
      close() {
        state = 'draining';
        const deadline = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref());
        return Promise.race([lifecycle.close(), deadline]);
      },
    };
  } catch (err) {
    await lifecycle.close();
    throw err;
  }
}
