/** Live gateway state: connectors and their upstreams, the cache. Never cached. */
import type { CacheStatusResolvers, QueryResolvers, UpstreamStatusResolvers } from '../generated/resolvers.js';
import type { GraphQLContext } from '../context.js';
import type { UpstreamStatusModel } from '../models.js';

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const idx = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, idx)] ?? 0) * 100) / 100;
}

type UpstreamRow = UpstreamStatusModel;

const HEALTH = { healthy: 'HEALTHY', degraded: 'DEGRADED', unhealthy: 'UNHEALTHY' } as const;

export const systemQueries: Pick<QueryResolvers, 'upstreams' | 'cacheStatus'> = {
  upstreams(_root, _args, ctx) {
    ctx.hints.uncacheable = true;
    return ctx.services.connectors.flatMap((connector) => connector.upstreams.map((handle) => ({ name: handle.http.name, connector, handle })));
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

const latencies = (r: UpstreamRow) => [...r.handle.http.stats().recentLatenciesMs].sort((a, b) => a - b);

export const upstreamStatusResolvers: UpstreamStatusResolvers<GraphQLContext> = {
  name: (r) => r.name,
  connector: (r) => r.connector.name,
  health: async (r) => HEALTH[(await r.connector.health()).status],
  healthReason: async (r) => (await r.connector.health()).reason ?? null,
  sandbox: (r) => r.connector.sandbox,
  baseUrl: (r) => r.handle.http.baseUrl,
  breaker(r) {
    const kind = r.handle.breaker.kind();
    return kind === 'closed' ? 'CLOSED' : kind === 'open' ? 'OPEN' : 'HALF_OPEN';
  },
  budgets: (r) => r.handle.budgets.map((b) => ({ points: b.points, durationMs: b.durationMs })),
  // A cost-paced upstream reports its bucket's points; the others the requests left in the vendor's window.
  quotaRemaining: (r) => {
    const s = r.handle.pacer.snapshot();
    return s.bucket ? s.bucket.available : s.vendorLeft;
  },
  quotaLimit: (r) => {
    const s = r.handle.pacer.snapshot();
    return s.bucket ? s.bucket.maximum : s.vendorQuota;
  },
  waiting(r) {
    const w = r.handle.pacer.snapshot().waiting;
    return w.interactive + w.bulk;
  },
  inFlight: (r) => r.handle.pacer.snapshot().inFlight,
  latencyP50Ms: (r) => percentile(latencies(r), 50),
  latencyP99Ms: (r) => percentile(latencies(r), 99),
  requests: (r) => r.handle.http.stats().requests,
  errors: (r) => r.handle.http.stats().errors,
};

export const cacheStatusResolvers: CacheStatusResolvers = {};
