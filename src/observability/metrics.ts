/**
 * Prometheus metrics (prom-client), one registry per gateway so several
 * gateways in one test process never share counters.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  upstreamRequests: Counter<'upstream' | 'endpoint' | 'status'>;
  upstreamLatency: Histogram<'upstream' | 'endpoint'>;
  upstreamRetries: Counter<'upstream' | 'reason'>;
  breakerState: Gauge<'upstream'>;
  quotaRemaining: Gauge<'upstream'>;
  cacheRequests: Counter<'kind' | 'result'>;
  responseCache: Counter<'result'>;
  httpDuration: Histogram<'route' | 'method' | 'status'>;
  tokenRefreshes: Counter<'connector' | 'success'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'crossdock_' });
  return {
    registry,
    upstreamRequests: new Counter({
      name: 'crossdock_upstream_requests_total',
      help: 'Upstream HTTP requests by upstream, endpoint and status (status "error" when no answer came).',
      labelNames: ['upstream', 'endpoint', 'status'],
      registers: [registry],
    }),
    upstreamLatency: new Histogram({
      name: 'crossdock_upstream_request_duration_seconds',
      help: 'Upstream request latency, one attempt each.',
      labelNames: ['upstream', 'endpoint'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    upstreamRetries: new Counter({
      name: 'crossdock_upstream_retries_total',
      help: 'Upstream retries by reason (the retry table row).',
      labelNames: ['upstream', 'reason'],
      registers: [registry],
    }),
    breakerState: new Gauge({
      name: 'crossdock_upstream_breaker_state',
      help: 'Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open.',
      labelNames: ['upstream'],
      registers: [registry],
    }),
    quotaRemaining: new Gauge({
      name: 'crossdock_upstream_quota_remaining',
      help: 'Requests left in the upstream window, as last reported by the vendor or counted locally.',
      labelNames: ['upstream'],
      registers: [registry],
    }),
    cacheRequests: new Counter({
      name: 'crossdock_cache_requests_total',
      help: 'Entity cache lookups by kind and result (hit, miss, stale, stale_error).',
      labelNames: ['kind', 'result'],
      registers: [registry],
    }),
    responseCache: new Counter({
      name: 'crossdock_response_cache_total',
      help: 'Whole-response cache lookups by result (hit, miss, store, skip).',
      labelNames: ['result'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'crossdock_http_request_duration_seconds',
      help: 'HTTP request duration by route, method and status.',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    tokenRefreshes: new Counter({
      name: 'crossdock_token_refreshes_total',
      help: 'Upstream access-token refreshes this instance made, by connector and outcome (success "true" or "false").',
      labelNames: ['connector', 'success'],
      registers: [registry],
    }),
  };
}
