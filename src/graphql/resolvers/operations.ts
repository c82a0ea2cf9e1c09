/**
 * Operations: the alert rules' states, the dashboard's snapshot (a query, and
 * a subscription pushing one per tick), its hour of history, and who a key
 * is. All live (never cached) and open to every role: what a viewer may not
 * do is act, and the actions are the existing mutations.
 */
import type { AlertStatus } from '../../observability/alertBoard.js';
import type { HealthReport } from '../../observability/healthReport.js';
import type { DashboardSnapshot } from '../../observability/operationsMonitor.js';
import type { BreakerKind } from '../../upstreams/breaker.js';
import type { GraphQLContext } from '../context.js';
import type {
  AlertResolvers,
  ApiClientResolvers,
  DashboardPointResolvers,
  DashboardSnapshotResolvers,
  GatewayHealthResolvers,
  HealthStatus,
  QueryResolvers,
  SubscriptionResolvers,
  UpstreamFiguresResolvers,
} from '../generated/resolvers.js';

const HEALTH = { healthy: 'HEALTHY', degraded: 'DEGRADED', unhealthy: 'UNHEALTHY' } as const satisfies Record<string, HealthStatus>;
const BREAKER = { closed: 'CLOSED', halfOpen: 'HALF_OPEN', open: 'OPEN' } as const satisfies Record<BreakerKind, string>;
const iso = (ms: number) => new Date(ms).toISOString();

function operations(ctx: GraphQLContext) {
  ctx.hints.uncacheable = true;
  return ctx.services.operations;
}

export const operationsQueries: Pick<QueryResolvers, 'alerts' | 'dashboard' | 'dashboardHistory' | 'me'> = {
  alerts: (_root, _args, ctx) => [...operations(ctx).alerts()],
  dashboard: (_root, _args, ctx) => operations(ctx).snapshot(),
  dashboardHistory: (_root, _args, ctx) => [...operations(ctx).history()],
  me: (_root, _args, ctx) => ctx.client,
};

export const operationsSubscriptions: Pick<SubscriptionResolvers, 'dashboard'> = {
  dashboard: {
    subscribe: (_root, _args, ctx) => ctx.services.operations.stream(),
    resolve: (snapshot: DashboardSnapshot) => snapshot,
  },
};

export const alertResolvers: AlertResolvers = {
  severity: (a: AlertStatus) => (a.severity === 'warning' ? 'WARNING' : 'CRITICAL'),
  state: (a: AlertStatus) => (a.state === 'firing' ? 'FIRING' : 'OK'),
  since: (a: AlertStatus) => iso(a.since),
};

export const gatewayHealthResolvers: GatewayHealthResolvers = {
  status: (h: HealthReport) => HEALTH[h.status],
  checks: (h: HealthReport) => [
    ...Object.entries(h.checks.connectors).map(([name, c]) => ({ name, kind: 'CONNECTOR' as const, status: HEALTH[c.status], reason: c.reason ?? null })),
    { name: 'store', kind: 'STORE' as const, status: HEALTH[h.checks.store.status], reason: h.checks.store.reason ?? null },
    { name: 'cache', kind: 'CACHE' as const, status: HEALTH[h.checks.cache.status], reason: h.checks.cache.reason ?? null },
  ],
};

export const upstreamFiguresResolvers: UpstreamFiguresResolvers = {
  health: (u) => HEALTH[u.health],
  breaker: (u) => BREAKER[u.breaker],
};

export const dashboardPointResolvers: DashboardPointResolvers = {
  at: (p) => iso(p.at),
};

export const dashboardSnapshotResolvers: DashboardSnapshotResolvers = {
  at: (s) => iso(s.at),
  windowSeconds: (s) => Math.round(s.windowMs / 1000),
};

export const apiClientResolvers: ApiClientResolvers = {
  role: (c) => (c.role === 'viewer' ? 'VIEWER' : c.role === 'operator' ? 'OPERATOR' : 'ADMIN'),
};
