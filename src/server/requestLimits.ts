/**
 * Everything that limits inbound requests, built from the configuration in
 * one place for gateway.ts: the per-client budgets, the operation guard (for
 * Apollo and for the streaming transports), Apollo Server's own limit options
 * (tokens, batching, CSRF, suggestions, APQ) and the HTTP hardening options.
 */
import type { ApolloServerOptions, ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { Config } from '../config.js';
import type { GraphQLContext } from '../graphql/context.js';
import { limitsPlugin } from '../graphql/limits/limitsPlugin.js';
import { createOperationGuard, type OperationGuard } from '../graphql/limits/operationGuard.js';
import { createApqCache, loadTrustedDocuments, safelistApqCache, type TrustedDocuments } from '../graphql/limits/trustedDocuments.js';
import type { HardeningOptions } from './hardening.js';
import { createStreamGuard, createStreamSlots, type StreamGuard, type StreamSlots } from './streamLimits.js';
import { createClientBudgets, type ClientBudgets, type CreateBudgetLimiter } from '../limits/clientBudgets.js';

/** The embedded default's generated key may spend this much per window: the playground is never throttled. */
export const DEV_KEY_BUDGET_POINTS = 100_000;

export interface RequestLimitsOptions {
  /** The generated development key's client name, when there is one (it gets DEV_KEY_BUDGET_POINTS unless CLIENT_BUDGETS names it). */
  devClient?: string;
  /** Builds the budget limiter (RateLimiterRedis with an insurance limiter when instances share budgets). @default in-process memory */
  createLimiter?: CreateBudgetLimiter;
}

export type ApolloLimitOptions = Pick<
  ApolloServerOptions<GraphQLContext>,
  'allowBatchedHttpRequests' | 'csrfPrevention' | 'hideSchemaDetailsFromClientErrors' | 'parseOptions' | 'persistedQueries' | 'introspection' | 'validationOptions'
>;

export interface RequestLimits {
  budgets: ClientBudgets;
  guard: OperationGuard;
  /** Spread into `new ApolloServer({...})`. */
  apolloOptions: ApolloLimitOptions;
  /** Add to Apollo's plugins. */
  plugin: ApolloServerPlugin<GraphQLContext>;
  /** For registerSseTransport and registerWsTransport. */
  streamGuard: StreamGuard;
  /** For both streaming transports: one set of slots per client across SSE and WebSocket, and the WebSocket handshake limits. */
  streams: { slots: StreamSlots; maxUnauthenticatedSockets: number; connectionInitTimeoutMs: number };
  /** For createHttpApp. */
  hardening: HardeningOptions;
  bodyLimitBytes: number;
  /** The safelist, in safelist mode. */
  safelist?: TrustedDocuments;
}

export function createRequestLimits(config: Config, schema: GraphQLSchema, options: RequestLimitsOptions = {}): RequestLimits {
  const l = config.limits;
  const overrides = { ...(options.devClient ? { [options.devClient]: DEV_KEY_BUDGET_POINTS } : {}), ...l.budgets.overrides };
  const budgets = createClientBudgets({ points: l.budgets.points, windowSeconds: l.budgets.windowSeconds, overrides, createLimiter: options.createLimiter });
  const safelist = l.trustedDocuments.mode === 'safelist' && l.trustedDocuments.file ? loadTrustedDocuments(l.trustedDocuments.file) : undefined;
  const guard = createOperationGuard({
    schema,
    budgets,
    maxDepth: l.maxDepth,
    maxAliases: l.maxAliases,
    maxDirectives: l.maxDirectives,
    maxTokens: l.maxTokens,
    maxCost: l.maxCost,
    introspection: l.introspection,
    safelist,
  });
  return {
    budgets,
    guard,
    safelist,
    apolloOptions: {
      // The guard decides per role (Apollo's switch is for everyone or no one).
      introspection: true,
      hideSchemaDetailsFromClientErrors: !l.fieldSuggestions,
      // A backstop: the guard counts tokens before parsing and answers QUERY_TOO_COMPLEX
      // (registered documents are trusted as they are).
      parseOptions: safelist ? {} : { maxTokens: l.maxTokens },
      // graphql's validate stops past maxErrors and adds one "Too many validation errors" error.
      validationOptions: { maxErrors: l.maxValidationErrors },
      allowBatchedHttpRequests: false,
      csrfPrevention: true,
      persistedQueries: safelist ? { cache: safelistApqCache(safelist) } : l.apq.enabled ? { cache: createApqCache({ maxEntries: l.apq.maxEntries }) } : false,
    },
    plugin: limitsPlugin(guard),
    streamGuard: createStreamGuard({
      schema,
      guard,
      maxTokens: safelist ? undefined : l.maxTokens,
      maxValidationErrors: l.maxValidationErrors,
      fieldSuggestions: l.fieldSuggestions,
    }),
    streams: {
      slots: createStreamSlots(l.streams.maxPerClient),
      maxUnauthenticatedSockets: l.streams.maxUnauthenticatedSockets,
      connectionInitTimeoutMs: l.streams.connectionInitTimeoutMs,
    },
    hardening: { corsOrigins: l.corsOrigins, compression: l.compression },
    bodyLimitBytes: l.maxBodyBytes,
  };
}
