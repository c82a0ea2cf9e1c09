/**
 * Apollo plugin: records the operation type and errors for the response
 * cache, and marks responses that used stale data (`extensions.stale`), so a
 * client knows it is looking at last-known values during an upstream outage.
 *
 * Every GraphQL answer says `Cache-Control: no-store` (RFC 9111 §5.2.2.5): it
 * is per client (its key, its role) and per moment, so no shared or browser
 * cache may keep it. (Apollo's cache-control plugin sent the same for a
 * schema without @cacheControl hints; it is turned off, transports.ts.)
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLContext } from './context.js';

export function cacheHintsPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          contextValue.hints.operation = operation?.operation;
        },
        async willSendResponse({ response, contextValue }) {
          if (!response.http.headers.has('cache-control')) response.http.headers.set('cache-control', 'no-store');
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          contextValue.hints.hadErrors = Boolean(result.errors?.length);
          if (contextValue.hints.stale) {
            result.extensions = { ...result.extensions, stale: true };
          }
        },
      };
    },
  };
}
