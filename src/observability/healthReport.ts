/**
 * The health model `/health`, `/ready` and the dashboard's header share:
 * `healthy | degraded | unhealthy` for the gateway, with a check of its own
 * for every connector, the records store and the cache.
 *
 * - `unhealthy`: the gateway does not serve — starting, or draining on
 *   SIGTERM (`/ready` answers 503 then).
 * - `degraded`: it serves, but some check is not healthy: a connector's
 *   breaker is open or half-open or its own check fails (reads are answered
 *   from the caches, stale-if-error, and bulk work waits), the records store
 *   is unreachable (records cannot be written: STORE_UNAVAILABLE), or the
 *   cache is on an unreachable Redis (the in-process L1 answers). Taking a
 *   degraded instance out of a load balancer would not help — every instance
 *   sees the same vendors — so it stays ready (200).
 * - `healthy`: every check is healthy.
 */
import type { HealthStatus } from '../connectors/connector.js';

export type { HealthStatus } from '../connectors/connector.js';

/** Where the gateway is in its life (composition/readiness.ts). */
export type GatewayState = 'starting' | 'ready' | 'draining';

export interface ConnectorCheck {
  status: HealthStatus;
  reason?: string;
  /** Runs against its sandbox twin. */
  sandbox: boolean;
  /** Its upstreams' breakers by name: closed, halfOpen, open. */
  breakers: Record<string, string>;
  /** Anything else the connector reports (e.g. where the store token comes from). */
  [detail: string]: unknown;
}

export interface StoreCheck {
  status: HealthStatus;
  reason?: string;
  /** The backend: embedded (SQLite) or redis, and what it reports (redis: up/unreachable, latency). */
  [detail: string]: unknown;
}

export interface CacheCheck {
  status: HealthStatus;
  reason?: string;
  kind: 'memory' | 'redis';
}

export interface HealthReport {
  status: HealthStatus;
  state: GatewayState;
  /** Whether it serves: state `ready` (200 on /ready), else 503. */
  ready: boolean;
  checks: {
    connectors: Record<string, ConnectorCheck>;
    /** Every upstream's breaker by name (also inside each connector's row). */
    breakers: Record<string, string>;
    store: StoreCheck;
    cache: CacheCheck;
  };
  /** When it was computed, ms since the epoch. */
  at: number;
}

/** The gateway's status from its state and its checks (see the module comment). */
export function overallStatus(state: GatewayState, checks: readonly HealthStatus[]): HealthStatus {
  if (state !== 'ready') return 'unhealthy';
  return checks.every((c) => c === 'healthy') ? 'healthy' : 'degraded';
}

/** What `/health` (public, no key) says: the statuses only, no reasons or details. */
export function healthSummary(report: HealthReport): { status: HealthStatus; checks: { connectors: Record<string, HealthStatus>; store: HealthStatus; cache: HealthStatus } } {
  return {
    status: report.status,
    checks: {
      connectors: Object.fromEntries(Object.entries(report.checks.connectors).map(([name, c]) => [name, c.status])),
      store: report.checks.store.status,
      cache: report.checks.cache.status,
    },
  };
}
