/**
 * Apollo plugin: records the operation type and errors for the response
 * cache, and marks responses that used stale data (`extensions.stale`), so a
 * client knows it is looking at last-known values during an upstream outage.
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
