/**
 * `/ready`: ready once built and until draining; `degraded` (still 200: the
 * gateway serves, from caches where it must) while any connector is not
 * healthy or the records store is unreachable. One row per connector from
 * the list, so a new connector adds its row with no edit here.
 */
import type { RunningConnector } from '../connectors/connector.js';
import type { Readiness } from '../server/fastifyApp.js';
import type { Strategies } from '../strategies/index.js';

export type GatewayState = 'starting' | 'ready' | 'draining';

export function createReadiness(options: { state(): GatewayState; connectors: () => readonly RunningConnector[]; strategies: Strategies }): Readiness {
  return {
    async check() {
      const connectors = options.connectors();
      const healths = await Promise.all(connectors.map(async (c) => [c, await c.health()] as const));
      const rows = Object.fromEntries(
        healths.map(([c, h]) => [c.name, { status: h.status, ...(h.reason ? { reason: h.reason } : {}), sandbox: c.sandbox, breakers: Object.fromEntries(c.upstreams.map((u) => [u.http.name, u.breaker.kind()])), ...(h.detail ?? {}) }]),
      );
      // Every upstream's breaker by name, as before connectors were rows of their own.
      const breakers = Object.fromEntries(connectors.flatMap((c) => c.upstreams.map((u) => [u.http.name, u.breaker.kind()])));
      const store = await options.strategies.health();
      const state = options.state();
      if (state !== 'ready') return { ready: false, status: state, checks: { connectors: rows, breakers, store: store.detail } };
      const degraded = healths.some(([, h]) => h.status !== 'healthy') || store.status === 'degraded';
      return {
        ready: true,
        status: degraded ? 'degraded' : 'ok',
        checks: { connectors: rows, breakers, cache: options.strategies.kind === 'redis' ? 'redis' : 'memory', store: store.detail },
      };
    },
  };
}
