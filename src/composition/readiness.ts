/**
 * The gateway's health (observability/healthReport.ts): a check per
 * connector (its own check and its breakers: open is unhealthy, half-open
 * degraded), the records store and the cache, folded into `healthy |
 * degraded | unhealthy`. `/ready` reads a fresh report; `/health` (the
 * liveness probe) and the dashboard take the last one while it is at most a
 * second or a tick old, so probes and dashboards do not multiply the checks
 * (a Redis PING each with REDIS_URL). One row per
 * connector from the list, so a new connector adds its row with no edit here.
 */
import type { RunningConnector } from '../connectors/connector.js';
import { overallStatus, type CacheCheck, type ConnectorCheck, type GatewayState, type HealthReport, type StoreCheck } from '../observability/healthReport.js';
import type { Readiness } from '../server/fastifyApp.js';
import type { Strategies } from '../strategies/index.js';

export type { GatewayState } from '../observability/healthReport.js';

export function createReadiness(options: { state(): GatewayState; connectors: () => readonly RunningConnector[]; strategies: Strategies; now?: () => number }): Readiness {
  const now = options.now ?? Date.now;
  let last: HealthReport | undefined;
  let running: Promise<HealthReport> | undefined;

  async function compute(): Promise<HealthReport> {
    const connectors = options.connectors();
    const healths = await Promise.all(connectors.map(async (c) => [c, await c.health()] as const));
    const rows: Record<string, ConnectorCheck> = Object.fromEntries(
      healths.map(([c, h]) => [c.name, { status: h.status, ...(h.reason ? { reason: h.reason } : {}), sandbox: c.sandbox, breakers: Object.fromEntries(c.upstreams.map((u) => [u.http.name, u.breaker.kind()])), ...(h.detail ?? {}) }]),
    );
    // Every upstream's breaker by name, as before connectors were rows of their own.
    const breakers = Object.fromEntries(connectors.flatMap((c) => c.upstreams.map((u) => [u.http.name, u.breaker.kind()])));
    const backend = await options.strategies.health();
    const redis = options.strategies.kind === 'redis';
    // Records cannot be written while Redis is unreachable; the cache still answers from its in-process L1.
    const store: StoreCheck = backend.status === 'ok' ? { status: 'healthy', ...backend.detail } : { status: 'unhealthy', reason: 'the records store is unreachable: records cannot be written', ...backend.detail };
    const cache: CacheCheck = !redis || backend.status === 'ok' ? { status: 'healthy', kind: redis ? 'redis' : 'memory' } : { status: 'degraded', reason: 'Redis is unreachable: the in-process L1 answers, misses go to the upstreams', kind: 'redis' };
    const state = options.state();
    const status = overallStatus(state, [...healths.map(([, h]) => h.status), store.status, cache.status]);
    return { status, state, ready: state === 'ready', checks: { connectors: rows, breakers, store, cache }, at: now() };
  }

  function check(): Promise<HealthReport> {
    // Concurrent callers share one computation.
    running ??= compute().then(
      (report) => {
        running = undefined;
        last = report;
        return report;
      },
      (err: unknown) => {
        running = undefined;
        throw err;
      },
    );
    return running;
  }

  return {
    check,
    current(maxAgeMs) {
      // A fresh report is bounded too: connector checks are in-process, the store's a Redis PING with a deadline.
      if (last && now() - last.at <= maxAgeMs && last.state === options.state()) return Promise.resolve(last);
      return check();
    },
  };
}
