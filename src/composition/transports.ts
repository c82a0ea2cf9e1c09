/**
 * The last piece: the ways in — keys, the one executable schema and its
 * limits, Apollo Server as the request pipeline, the Fastify adapter (GraphQL
 * over HTTP, the playground, health, readiness, metrics, the connectors'
 * public routes), SSE at /graphql/stream and graphql-ws on /graphql — and the
 * listening socket, which drains on close.
 */
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import type { Config } from '../config.js';
import { createKeyring, generateDevKey } from '../auth/keyring.js';
import type { ConnectorRoute } from '../connectors/connector.js';
import { auditPlugin } from '../graphql/auditPlugin.js';
import { cacheHintsPlugin } from '../graphql/cacheHintsPlugin.js';
import { createCompiledExecution } from '../graphql/compiledExecution.js';
import type { GraphQLContext, Services } from '../graphql/context.js';
import { maskError } from '../graphql/errors.js';
import { buildSchema } from '../graphql/schema.js';
import { createRequestLimits } from '../server/requestLimits.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { createHttpApp, type Readiness } from '../server/fastifyApp.js';
import { createGraphQLHandler } from '../server/graphqlHandler.js';
import { registerSseTransport } from '../server/sseTransport.js';
import { registerWsTransport } from '../server/wsTransport.js';
import type { Strategies } from '../strategies/index.js';
import type { Caches } from './caches.js';
import type { Lifecycle } from './lifecycle.js';

export interface Transports {
  /** Where it listens, e.g. `http://127.0.0.1:4000`. */
  url: string;
  /** The generated development key, when no key was configured. */
  devKey?: string;
}

export interface TransportsOptions {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  strategies: Strategies;
  services: Services;
  caches: Caches;
  routes: readonly ConnectorRoute[];
  readiness: Readiness;
  lifecycle: Lifecycle;
}

export async function createTransports(options: TransportsOptions): Promise<Transports> {
  const { config, logger, metrics, strategies, services, lifecycle } = options;

  // Keys: configured, or one generated admin key for the embedded default.
  let devKey: string | undefined;
  const keys = [...config.apiKeys];
  if (keys.length === 0) {
    const generated = generateDevKey();
    devKey = generated.key;
    keys.push(generated);
  }
  const keyring = createKeyring(keys);

  // One executable schema for GraphQL over HTTP (Apollo), SSE and WebSocket; a Federation v2 subgraph with FEDERATION=true.
  const schema = buildSchema({ federation: config.federation });
  // Budgets, hostile-query limits, trusted documents, web hardening (src/limits/requestLimits.ts).
  const limits = createRequestLimits(config, schema, { devClient: keys.find((k) => devKey !== undefined && k.key === devKey)?.name, createLimiter: strategies.createLimiter });
  // Apollo runs the pipeline; execution is compiledExecution.ts (graphql-jit for repeated queries, graphql-js otherwise).
  const execution = createCompiledExecution(schema);
  const apollo = new ApolloServer<GraphQLContext>({
    gateway: execution.gateway,
    formatError: (formatted, err) => maskError(formatted, err, (detail) => logger.error({ err: detail }, 'masked resolver error')),
    includeStacktraceInErrorResponses: false,
    introspection: true,
    ...limits.apolloOptions,
    // A subgraph schema makes Apollo add federated inline tracing (`ftv1` traces of every resolver's timing and
    // errors in the response, to any client that asks by header); Crossdock's own metrics and logs cover that.
    // Apollo's cache-control plugin (installed unless disabled) hooks every field's resolver for @cacheControl
    // hints the schema has none of; the gateway's hints are its entity TTLs (loaders.ts), and the
    // `Cache-Control: no-store` header it sent is cacheHintsPlugin's now.
    plugins: [
      cacheHintsPlugin(),
      limits.plugin,
      auditPlugin(services.audit),
      ApolloServerPluginCacheControlDisabled(),
      ...(config.federation ? [ApolloServerPluginInlineTraceDisabled()] : []),
    ],
    logger: {
      debug: (m) => logger.debug(m),
      info: (m) => logger.info(m),
      warn: (m) => logger.warn(m),
      error: (m) => logger.error(m),
    },
  });
  await apollo.start();
  lifecycle.defer(() => apollo.stop());

  const app = await createHttpApp({
    keyring,
    handle: createGraphQLHandler({ apollo, services, responseCache: options.caches.responseCache, metrics, guard: limits.guard }),
    bodyLimitBytes: limits.bodyLimitBytes,
    hardening: limits.hardening,
    metrics,
    logger,
    playgroundHeaders: devKey ? { 'X-API-Key': devKey } : undefined,
    connectorRoutes: options.routes,
    readiness: options.readiness,
  });
  // Subscriptions (and any operation) over SSE at /graphql/stream and graphql-ws on /graphql;
  // both end their streams in the app's preClose hook.
  registerSseTransport(app, { schema, services, logger, guard: limits.streamGuard, slots: limits.streams.slots });
  registerWsTransport(app, { schema, services, keyring, logger, guard: limits.streamGuard, maxPayloadBytes: limits.bodyLimitBytes, ...limits.streams });
  await app.listen({ port: config.port, host: config.host });
  lifecycle.defer(async () => {
    // In-flight requests get a short drain; connections opened but never used
    // count as active to Node and would hold close() until the grace deadline.
    const closing = app.close();
    const drained = await Promise.race([closing.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 2_000).unref())]);
    if (!drained) app.server.closeAllConnections();
    await closing;
  });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
  return { url: `http://${shownHost}:${port}`, devKey };
}
