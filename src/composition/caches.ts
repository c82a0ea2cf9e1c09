/**
 * The second piece: the caches between the graph and the connectors — the
 * entity cache in Keyv (memory, or an L1 over Redis), the whole-response
 * cache, and the batched, cached data sources the resolvers and loaders read.
 */
import type { Config } from '../config.js';
import { createEntityCache, type EntityCache } from '../cache/entityCache.js';
import { createResponseCache, type ResponseCache } from '../cache/responseCache.js';
import type { Capabilities } from '../domain/ports.js';
import { createSources, type Sources } from '../graphql/sources.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Strategies } from '../strategies/index.js';

export interface Caches {
  cache: EntityCache;
  responseCache?: ResponseCache;
  sources: Sources;
}

export function createCaches(options: { config: Config; logger: Logger; metrics: Metrics; strategies: Strategies; capabilities: Capabilities }): Caches {
  const { config, logger, metrics, strategies } = options;
  const responseCache = config.responseCache.enabled ? createResponseCache(config.responseCache) : undefined;
  const cache = createEntityCache({
    // In-process values need no JSON round trip (it was a third of the CPU of an uncached
    // query); cached objects are shared between requests and never mutated.
    store: strategies.cacheStore,
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
  const sources = createSources(cache, options.capabilities, config.cache.ttl);
  return { cache, responseCache, sources };
}
