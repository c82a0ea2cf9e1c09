/**
 * The execution contexts of the streaming transports (SSE and WebSocket),
 * built like graphqlHandler.ts builds the HTTP one: one for the operation,
 * one for each event of a subscription. Its own module because both
 * transports call it (sseTransport.ts, wsTransport.ts) and neither owns it.
 */
import type { Client, GraphQLContext, Services } from '../graphql/context.js';
import { createLoaders, newCacheHints } from '../graphql/loaders.js';

/**
 * The context of one streamed operation. A subscription's source stream (its
 * `subscribe` resolver) keeps it; each event it sends is executed with a
 * context of its own (createEventContextFactory, freshEventSubscribe.ts).
 */
export function createStreamContextFactory(services: Services): (client: Client) => GraphQLContext {
  const maxTtl = Math.max(...Object.values(services.config.cache.ttl));
  return (client) => {
    const hints = newCacheHints(maxTtl);
    hints.uncacheable = true;
    return { client, services, hints, loaders: createLoaders(services.sources, hints) };
  };
}

/**
 * The context of one event of a subscription: the operation's client and
 * services, with loaders and cache hints of its own, so an event reads what
 * the caches hold now, not what the stream's first event read.
 */
export function createEventContextFactory(services: Services): <C extends GraphQLContext>(operation: C) => C {
  const maxTtl = Math.max(...Object.values(services.config.cache.ttl));
  return (operation) => {
    const hints = newCacheHints(maxTtl);
    hints.uncacheable = true;
    return { ...operation, hints, loaders: createLoaders(services.sources, hints) };
  };
}
