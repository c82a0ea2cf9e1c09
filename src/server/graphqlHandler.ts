/**
 * GraphQL over HTTP, framework-free (graphql-http's handler pattern): takes a
 * plain request and the authenticated client, returns status, headers and
 * body. The HTTP framework adapter (fastifyApp.ts) only translates.
 */
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { GraphQLContext, Client, Services } from '../graphql/context.js';
import { createLoaders, newCacheHints } from '../graphql/loaders.js';
import { responseCacheKey, type ResponseCache } from '../cache/responseCache.js';
import type { Metrics } from '../observability/metrics.js';

export interface PlainRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  /** Query string without the leading `?`. */
  search: string;
  /** Parsed body (JSON) or undefined. */
  body: unknown;
  /** The body as received, for the response cache key. */
  rawBody?: string;
}

export interface PlainResponse {
  status: number;
  headers: Record<string, string>;
  body: string | AsyncIterable<string>;
}

export interface GraphQLHandlerOptions {
  apollo: ApolloServer<GraphQLContext>;
  services: Services;
  responseCache?: ResponseCache;
  metrics: Metrics;
}

export function createGraphQLHandler(options: GraphQLHandlerOptions) {
  const { apollo, services, responseCache, metrics } = options;
  const maxTtl = Math.max(...Object.values(services.config.cache.ttl));

  return async function handle(req: PlainRequest, client: Client): Promise<PlainResponse> {
    const accept = typeof req.headers.accept === 'string' ? req.headers.accept : '';
    const payload = req.method === 'GET' ? req.search : req.rawBody;
    const cacheKey = responseCache && payload !== undefined ? responseCacheKey(client.name, req.method, payload, accept) : undefined;
    if (cacheKey) {
      const hit = responseCache?.get(cacheKey);
      if (hit) {
        metrics.responseCache.inc({ result: 'hit' });
        return hit;
      }
    }

    const headers = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    }
    const hints = newCacheHints(maxTtl);
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method.toUpperCase(), headers, search: req.search, body: req.body },
      context: async () => ({ client, services, hints, loaders: createLoaders(services.sources, hints) }),
    });
    const outHeaders: Record<string, string> = {};
    for (const [k, v] of result.headers) outHeaders[k] = v;
    const status = result.status ?? 200;

    if (result.body.kind === 'chunked') {
      const chunks = result.body.asyncIterator;
      return { status, headers: outHeaders, body: { [Symbol.asyncIterator]: () => chunks } };
    }
    const body = result.body.string;
    const cacheable = cacheKey && status === 200 && hints.operation === 'query' && !hints.hadErrors && !hints.stale && !hints.uncacheable;
    if (cacheable) {
      responseCache?.set(cacheKey, { status, headers: outHeaders, body }, hints.minTtlMs);
      metrics.responseCache.inc({ result: 'store' });
    } else if (cacheKey) {
      metrics.responseCache.inc({ result: 'skip' });
    }
    return { status, headers: outHeaders, body };
  };
}
