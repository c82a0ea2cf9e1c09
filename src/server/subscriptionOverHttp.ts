/**
 * Subscriptions are served over GraphQL-over-SSE (/graphql/stream) and
 * WebSocket, not over plain GraphQL-over-HTTP. Refusing them here, before the
 * engine, also keeps them away from graphql-js's SingleFieldSubscriptionsRule,
 * which evaluates @include/@skip while validating and throws (instead of
 * reporting) on an invalid directive value — an unexpected error in Apollo's
 * pipeline, a 500 the fuzz test found.
 */
import { Kind, parse, type DocumentNode } from 'graphql';

/** The query text of a GraphQL-over-HTTP request, if it is one. */
function queryText(method: string, body: unknown, search: string): string | undefined {
  if (method.toUpperCase() === 'GET') return new URLSearchParams(search).get('query') ?? undefined;
  const q = body && typeof body === 'object' && !Array.isArray(body) ? (body as { query?: unknown }).query : undefined;
  return typeof q === 'string' ? q : undefined;
}

/** True when the operation the request would run is a subscription. */
export function isSubscriptionRequest(method: string, body: unknown, search: string): boolean {
  const query = queryText(method, body, search);
  // Cheap screen first: no parse for documents that cannot hold a subscription.
  if (!query || !query.includes('subscription')) return false;
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: 10_000 });
  } catch {
    return false; // the engine reports the syntax error
  }
  const operationName =
    method.toUpperCase() === 'GET'
      ? new URLSearchParams(search).get('operationName')
      : ((body as { operationName?: unknown }).operationName as string | null | undefined);
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const chosen = typeof operationName === 'string' ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  return chosen?.operation === 'subscription';
}

export const SUBSCRIPTION_OVER_HTTP_BODY = JSON.stringify({
  errors: [
    {
      message: 'subscriptions are served over GraphQL-over-SSE at /graphql/stream and over WebSocket (graphql-transport-ws) at /graphql',
      extensions: { code: 'BAD_REQUEST' },
    },
  ],
});
