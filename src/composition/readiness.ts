/**
 * The gateway's health (observability/healthReport.ts): a check per
 * connector (its own check and its breakers: open is unhealthy, half-open
 * degraded), the records store and the cache, folded into `healthy |
 * degraded | unhealthy`. The connectors' checks are in-process and always
 * fresh; the records backend's (a Redis PING with REDIS_URL) is probed anew
 * for `/ready`, while `/health` (the liveness probe) and the dashboard take
 * a probe at most a second or a tick old, so probes and dashboards do not
 * multiply the PINGs. One row per connector from the list, so a new
 * connector adds its row with no edit here.
 */
import type { RunningConnector } from '../connectors/connector.js';
import { overallStatus, type CacheCheck, type ConnectorCheck, type GatewayState, type HealthReport, type StoreCheck } from '../observability/healthReport.js';
import type { Readiness } from '../server/fastifyApp.js';
import type { Strategies, StrategyHealth } from '../strategies/index.js';

export type { GatewayState } from '../observability/healthReport.js';

export function createReadiness(options: { state(): GatewayState; connectors: () => readonly RunningConnector[]; strategies: Strategies; now?: () => number }): Readiness {
  const now = options.now ?? Date.now;
  let backend: { at: number; health: StrategyHealth } | undefined;
  let probing: Promise<StrategyHealth> | undefined;

  /** The records backend's health, at most `maxAgeMs` old; concurrent callers share one probe. */
  async function backendHealth(maxAgeMs: number): Promise<StrategyHealth> {
    if (backend && now() - backend.at <= maxAgeMs) return backend.health;
    probing ??= options.strategies.health().then(
      (health) => {
        probing = undefined;
        backend = { at: now(), health };
        return health;
      },
      (err: unknown) => {
        probing = undefined;
        throw err;
      },
    );
    return probing;
  }

  async function report(backendMaxAgeMs: number): Promise<HealthReport> {
    const connectors = options.connectors();
    const healths = await Promise.all(connectors.map(async (c) => [c, await c.health()] as const));
    const rows: Record<string, ConnectorCheck> = Object.fromEntries(
      healths.map(([c, h]) => [c.name, { status: h.status, ...(h.reason ? { reason: h.reason } : {}), sandbox: c.sandbox, breakers: Object.fromEntries(c.upstreams.map((u) => [u.http.name, u.breaker.kind()])), ...(h.detail ?? {}) }]),
    );
    // Every upstream's breaker by name, as before connectors were rows of their own.
    const breakers = Object.fromEntries(connectors.flatMap((c) => c.upstreams.map((u) => [u.http.name, u.breaker.kind()])));
    const b = await backendHealth(backendMaxAgeMs);
    const redis = options.strategies.kind === 'redis';
    // Records cannot be written while Redis is unreachable; the cache still answers from its in-process L1.
    const store: StoreCheck = b.status === 'ok' ? { status: 'healthy', ...b.detail } : { status: 'unhealthy', reason: 'the records store is unreachable: records cannot be written', ...b.detail };
    const cache: CacheCheck = !redis || b.status === 'ok' ? { status: 'healthy', kind: redis ? 'redis' : 'memory' } : { status: 'degraded', reason: 'Redis is unreachable: the in-process L1 answers, misses go to the upstreams', kind: 'redis' };
    const state = options.state();
    const status = overallStatus(state, [...healths.map(([, h]) => h.status), store.status, cache.status]);
    return { status, state, ready: state === 'ready', checks: { connectors: rows, breakers, store, cache }, at: now() };
  }

  return {
    check: () => report(0),
    current: (maxAgeMs) => report(maxAgeMs),
  };
}
