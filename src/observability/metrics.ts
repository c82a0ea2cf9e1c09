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
  /**
   * A kind's entity cache hits counted by a plain increment (`n++`), added to
   * cacheRequests (`result="hit"`) whenever the registry is read: a warm
   * query's reads cost no labelled increment each (prom-client hashes the
   * labels of every inc).
   */
  cacheHits(kind: string): { n: number };
  responseCache: Counter<'result'>;
  /**
   * GraphQL answers over HTTP by who wrote them (`path`): `direct`, a query
   * Apollo Server prepared before, answered without its pipeline
   * (src/server/directExecution.ts); `apollo`, Apollo Server's pipeline
   * (the rest; a refusal before execution, by the guard's screening, is neither). Counted by a
   * plain increment (`answers.direct.n++`) and added when the registry is read.
   */
  graphqlAnswers: Counter<'path'>;
  answers: { direct: { n: number }; apollo: { n: number } };
  httpDuration: Histogram<'route' | 'method' | 'status'>;
  /** Sync items this instance ran: `processed`, `written` (created or updated in the store), `failed`. Dry runs write nothing and are not counted. */
  syncItems: Counter<'kind'>;
  /** Supplier orders this instance's outbox settled: `placed` (the supplier has it), `failed` (MANUAL_REVIEW or REJECTED). */
  supplierOrders: Counter<'outcome'>;
  /** The gateway's own alert rules (alertRules.ts): 1 while a rule fires at a severity, else 0. */
  alertFiring: Gauge<'alertname' | 'severity'>;
  tokenRefreshes: Counter<'connector' | 'success'>;
}

/**
 * Upstream latency buckets, seconds. 2 and 5 are the alert thresholds of
 * alertRules.ts (response time > 2 s warning, > 5 s critical): with a bucket
 * edge at each, histogram_quantile and the gateway's own p95 are exact there.
 */
export const UPSTREAM_LATENCY_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 5, 10];

/**
 * Counts kept as plain numbers (`n++` on a hot path, where prom-client's inc would hash the labels
 * every time), added to their counter under their labels whenever the registry reads it.
 */
function pendingCounts<L extends string>() {
  const pending = new Map<string, { labels: Partial<Record<L, string>>; n: number }>();
  return {
    /** The count for these labels (the same object for the same labels). */
    of(labels: Partial<Record<L, string>>): { n: number } {
      const key = JSON.stringify(labels);
      let count = pending.get(key);
      if (!count) pending.set(key, (count = { labels, n: 0 }));
      return count;
    },
    /** For the counter's `collect`. */
    flush(counter: Counter<L>): void {
      for (const count of pending.values()) {
        if (count.n === 0) continue;
        counter.inc(count.labels, count.n);
        count.n = 0;
      }
    },
  };
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  const pendingHits = pendingCounts<'kind' | 'result'>();
  const pendingAnswers = pendingCounts<'path'>();
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
      buckets: [...UPSTREAM_LATENCY_BUCKETS],
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
      collect() {
        pendingHits.flush(this);
      },
    }),
    cacheHits: (kind) => pendingHits.of({ kind, result: 'hit' }),
    responseCache: new Counter({
      name: 'crossdock_response_cache_total',
      help: 'Whole-response cache lookups by result: hit; store (executed and kept); first_ask (executed, kept only once asked again); skip (not cacheable).',
      labelNames: ['result'],
      registers: [registry],
    }),
    graphqlAnswers: new Counter({
      name: 'crossdock_graphql_answers_total',
      help: 'GraphQL answers over HTTP by path: direct (a query Apollo Server prepared before, answered without its pipeline), apollo (its pipeline). Whole-response cache hits are crossdock_response_cache_total.',
      labelNames: ['path'],
      registers: [registry],
      collect() {
        pendingAnswers.flush(this);
      },
    }),
    answers: { direct: pendingAnswers.of({ path: 'direct' }), apollo: pendingAnswers.of({ path: 'apollo' }) },
    httpDuration: new Histogram({
      name: 'crossdock_http_request_duration_seconds',
      help: 'HTTP request duration by route, method and status.',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    syncItems: new Counter({
      name: 'crossdock_sync_items_total',
      help: 'Sync job items run on this instance by kind: processed, written (created or updated in the store), failed. Dry runs are not counted.',
      labelNames: ['kind'],
      registers: [registry],
    }),
    supplierOrders: new Counter({
      name: 'crossdock_supplier_orders_total',
      help: "Supplier orders settled by this instance's outbox: placed (the supplier has it) or failed (MANUAL_REVIEW or REJECTED).",
      labelNames: ['outcome'],
      registers: [registry],
    }),
    alertFiring: new Gauge({
      name: 'crossdock_alert_firing',
      help: "The gateway's alert rules, evaluated over sliding windows: 1 while the rule fires at this severity, else 0 (deploy/prometheus/alerts.yml has the same rules in PromQL).",
      labelNames: ['alertname', 'severity'],
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
