/**
 * GraphQL over HTTP, framework-free (graphql-http's handler pattern): takes a
 * plain request and the authenticated client, returns status, headers and
 * body. The HTTP framework adapter (fastifyApp.ts) only translates.
 *
 * In order: the whole-response cache, the operation guard's screening, then
 * the direct path for a query Apollo Server has prepared
 * (directExecution.ts), else Apollo Server's pipeline.
 */
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { GraphQLContext, Client, Services } from '../graphql/context.js';
import { createLoaders, newCacheHints } from '../graphql/loaders.js';
import { isSubscriptionRequest, SUBSCRIPTION_OVER_HTTP_BODY } from './subscriptionOverHttp.js';
import { responseCacheKey, type ResponseCache } from '../cache/responseCache.js';
import type { Metrics } from '../observability/metrics.js';
import { keepCompressed } from './compression.js';
import { refusalBody, type OperationGuard, type RequestCharge } from '../graphql/limits/operationGuard.js';
import type { AnswerContentTypes } from '../graphql/answerContentType.js';
import type { DirectExecution } from './directExecution.js';

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
  /** A Buffer for an answer kept in the whole-response cache (compression.ts keeps its compressed forms). */
  body: string | Buffer | AsyncIterable<string>;
}

export interface GraphQLHandlerOptions {
  apollo: ApolloServer<GraphQLContext>;
  services: Services;
  responseCache?: ResponseCache;
  metrics: Metrics;
  /**
   * Budgets and limits (src/graphql/limits): a cached answer is charged the cost
   * stored with it, and every answer carries the client's RateLimit headers.
   * @default none (nothing charged)
   */
  guard?: OperationGuard;
  /** Where a 200 answer's content type is recorded by Accept header, to be set rather than negotiated next time. @default none */
  contentTypes?: AnswerContentTypes;
  /** Prepared queries answered without Apollo's pipeline (directExecution.ts); needs `contentTypes`. @default none */
  direct?: DirectExecution;
}

export function createGraphQLHandler(options: GraphQLHandlerOptions) {
  /** Apollo Server's answer; `known`: the answer type Apollo chose before for this Accept header. */
  function apolloAnswer(req: PlainRequest, known: string | undefined, context: GraphQLContext) {
    const headers = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    }
    // The Accept header is shown to Apollo as empty once its type is known: Apollo's pipeline parses it
    // on every execution only to ask whether the client prefers the legacy incremental format
    // (requestPipeline.js, a new Negotiator over multipart types; this schema has no @defer or @stream),
    // and an empty header is its no-Accept fast path everywhere else. The known type is put back on the
    // answer (handle), errors included, as Apollo would have chosen it for the header itself. (Apollo's
    // landing page, the one other reader of the header, is off: transports.ts.)
    if (known) headers.set('accept', '');
    return options.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method.toUpperCase(), headers, search: req.search, body: req.body },
      context: async () => context,
    });
  }

  const { services, responseCache, metrics, guard, contentTypes, direct } = options;
  const maxTtl = Math.max(...Object.values(services.config.cache.ttl));

  return async function handle(req: PlainRequest, client: Client): Promise<PlainResponse> {
    const accept = typeof req.headers.accept === 'string' ? req.headers.accept : '';
    const payload = req.method === 'GET' ? req.search : req.rawBody;
    const cacheKey = responseCache && payload !== undefined ? responseCacheKey(client.name, req.method, payload, accept) : undefined;
    if (cacheKey) {
      const hit = responseCache?.get(cacheKey);
      if (hit) {
        metrics.responseCache.inc({ result: 'hit' });
        if (!guard) return hit;
        // Answered without executing, but charged what executing it cost.
        const admission = await guard.chargeCached(client, hit.cost ?? 0);
        if (!admission.ok) {
          const { refusal } = admission;
          return { status: refusal.status, headers: { 'content-type': 'application/json; charset=utf-8', ...refusal.headers }, body: refusalBody(refusal) };
        }
        return { status: hit.status, headers: { ...hit.headers, ...(await guard.budgetHeaders(client, admission)) }, body: hit.body };
      }
    }

    // Safelist, tokens, depth, aliases, directives: refused before the engine parses or validates anything.
    const screened = guard?.screenHttp(client, req);
    if (screened && guard) {
      const budget = await guard.budgetHeaders(client);
      return { status: screened.status, headers: { 'content-type': 'application/json; charset=utf-8', ...budget, ...screened.headers }, body: refusalBody(screened) };
    }

    if (isSubscriptionRequest(req.method, req.body, req.search)) {
      return { status: 400, headers: { 'content-type': 'application/json; charset=utf-8' }, body: SUBSCRIPTION_OVER_HTTP_BODY };
    }

    // The answer's type as Apollo chose it before for this exact Accept header (answerContentType.ts).
    const known = contentTypes?.known(accept);
    const hints = newCacheHints(maxTtl);
    const charge: RequestCharge = {};
    const context: GraphQLContext = { client, services, hints, loaders: createLoaders(services.sources, hints), charge };
    // Read before executing: an invalidation during execution makes this response unfit to keep.
    const generation = responseCache?.generation ?? 0;
    // A prepared query Apollo would take as it stands, run without its pipeline (directExecution.ts).
    const executed = known && direct ? await direct.run(req, context) : undefined;
    let status: number;
    let body: string;
    const outHeaders: Record<string, string> = {};
    if (executed && !executed.errors?.length) {
      metrics.answers.direct.n++;
      status = 200;
      body = (direct as DirectExecution).body(executed, context);
      // The heads Apollo's answer has: cacheHintsPlugin's Cache-Control, then the content type.
      outHeaders['cache-control'] = 'no-store';
      outHeaders['content-type'] = known as string;
    } else {
      // Errors are Apollo's to format and mask: it is given the result, not asked to run it again.
      if (executed) context.executed = executed;
      metrics.answers.apollo.n++;
      const result = await apolloAnswer(req, known, context);
      for (const [k, v] of result.headers) outHeaders[k] = v;
      status = result.status ?? 200;
      if (result.body.kind === 'chunked') {
        if (guard) Object.assign(outHeaders, await guard.budgetHeaders(client, charge));
        const chunks = result.body.asyncIterator;
        return { status, headers: outHeaders, body: { [Symbol.asyncIterator]: () => chunks } };
      }
      body = result.body.string;
    }
    if (guard) Object.assign(outHeaders, await guard.budgetHeaders(client, charge));
    if (known) outHeaders['content-type'] = known;
    else if (status === 200) contentTypes?.learn(accept, outHeaders['content-type']);
    const cacheable = cacheKey && status === 200 && hints.operation === 'query' && !hints.hadErrors && !hints.stale && !hints.uncacheable;
    if (cacheable && responseCache && !responseCache.admit(cacheKey)) {
      // Asked for the first time: answered, not kept (the doorkeeper, responseCache.ts).
      metrics.responseCache.inc({ result: 'first_ask' });
    } else if (cacheable && responseCache) {
      // One Buffer for this answer and every hit: it is compressed once per encoding (compression.ts).
      const bytes = keepCompressed(body);
      responseCache.set(cacheKey, { status, headers: outHeaders, body: bytes, cost: charge.cost }, hints.minTtlMs, generation);
      metrics.responseCache.inc({ result: 'store' });
      return { status, headers: outHeaders, body: bytes };
    } else if (cacheKey) {
      metrics.responseCache.inc({ result: 'skip' });
    }
    return { status, headers: outHeaders, body };
  };
}
