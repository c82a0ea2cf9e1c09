/** Live gateway state: upstream health and the cache. Never cached. */
import type { CacheStatusResolvers, QueryResolvers, UpstreamStatusResolvers } from '../generated/resolvers.js';
import type { GraphQLContext, UpstreamHandle } from '../context.js';

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const idx = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, idx)] ?? 0) * 100) / 100;
}

function handleFor(name: string, ctx: GraphQLContext): UpstreamHandle {
  const h = ctx.services.upstreams.find((u) => u.http.name === name);
  if (!h) throw new Error(`no upstream ${name}`);
  return h;
}

export const systemQueries: Pick<QueryResolvers, 'upstreams' | 'cacheStatus'> = {
  upstreams(_root, _args, ctx) {
    ctx.hints.uncacheable = true;
    return ctx.services.upstreams.map((u) => ({ name: u.http.name }));
  },
  cacheStatus(_root, _args, ctx) {
    ctx.hints.uncacheable = true;
    const s = ctx.services.cache.stats();
    const ttl = ctx.services.config.cache.ttl;
    const sec = (ms: number) => Math.round(ms / 1000);
    return {
      store: ctx.services.cacheStoreKind,
      hits: s.hits,
      misses: s.misses,
      staleWhileRevalidate: s.stale,
      staleServedOnError: s.staleServedOnError,
      responseCacheEntries: ctx.services.responseCacheSize(),
      ttlSeconds: { part: sec(ttl.partMs), price: sec(ttl.priceMs), stock: sec(ttl.stockMs), product: sec(ttl.productMs), order: sec(ttl.orderMs) },
    };
  },
};

export const upstreamStatusResolvers: UpstreamStatusResolvers = {
  name: (m) => m.name,
  baseUrl: (m, _a, ctx) => handleFor(m.name, ctx).http.baseUrl,
  breaker(m, _a, ctx) {
    const kind = handleFor(m.name, ctx).breaker.state().kind;
    return kind === 'closed' ? 'CLOSED' : kind === 'open' ? 'OPEN' : 'HALF_OPEN';
  },
  quotaRemaining: (m, _a, ctx) => handleFor(m.name, ctx).pacer.snapshot().vendorLeft,
  quotaLimit: (m, _a, ctx) => handleFor(m.name, ctx).pacer.snapshot().vendorQuota,
  waiting(m, _a, ctx) {
    const w = handleFor(m.name, ctx).pacer.snapshot().waiting;
    return w.interactive + w.bulk;
  },
  inFlight: (m, _a, ctx) => handleFor(m.name, ctx).pacer.snapshot().inFlight,
  latencyP50Ms: (m, _a, ctx) => percentile([...handleFor(m.name, ctx).http.stats().recentLatenciesMs].sort((a, b) => a - b), 50),
  latencyP99Ms: (m, _a, ctx) => percentile([...handleFor(m.name, ctx).http.stats().recentLatenciesMs].sort((a, b) => a - b), 99),
  requests: (m, _a, ctx) => handleFor(m.name, ctx).http.stats().requests,
  errors: (m, _a, ctx) => handleFor(m.name, ctx).http.stats().errors,
};

export const cacheStatusResolvers: CacheStatusResolvers = {};
