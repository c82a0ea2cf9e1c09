/**
 * The HTTP adapter for the routes connectors declare (connectors/connector.ts
 * `ConnectorRoute`): OAuth callbacks and webhooks the vendors call. Public —
 * the auth hook lets their paths through, each route authenticates the call
 * itself — and handed the raw body, since webhook signatures are computed
 * over the exact bytes sent.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ConnectorRoute, RouteRequest } from '../connectors/connector.js';

/** A repeated parameter (`?code=a&code=b`) arrives as an array: only a single value counts. */
function singleValues(query: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries((query ?? {}) as Record<string, unknown>)) out[k] = typeof v === 'string' ? v : undefined;
  return out;
}

function headersOf(request: FastifyRequest): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(request.headers)) out[k] = typeof v === 'string' ? v : Array.isArray(v) ? v.join(', ') : undefined;
  return out;
}

export function registerConnectorRoutes(app: FastifyInstance, routes: readonly ConnectorRoute[]): void {
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.path,
      async handler(request, reply) {
        const plain: RouteRequest = {
          query: singleValues(request.query),
          headers: headersOf(request),
          ip: request.ip,
          ...(request.rawBody !== undefined ? { rawBody: Buffer.from(request.rawBody, 'utf8') } : {}),
        };
        const res = await route.handle(plain);
        reply.code(res.status);
        for (const [name, value] of Object.entries(res.headers ?? {})) {
          if (value === null) reply.removeHeader(name);
          else reply.header(name, value);
        }
        return reply.send(res.body);
      },
    });
  }
}
