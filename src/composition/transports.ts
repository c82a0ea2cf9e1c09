/**
 * The last piece: the ways in — keys, the one executable schema and its
 * limits, Apollo Server as the request pipeline (with the direct path for
 * the queries it has prepared), the Fastify adapter (GraphQL
 * over HTTP, the playground, health, readiness, metrics, the connectors'
 * public routes), SSE at /graphql/stream and graphql-ws on /graphql — and the
 * listening socket, which drains on close.
 */
import type { FormattedExecutionResult } from 'graphql';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Config } from '../config.js';
import { createKeyring, generateDevKey } from '../auth/keyring.js';
import { createKeysReloader } from '../auth/keysReloader.js';
import { createNetworks } from '../auth/networks.js';
import type { ConnectorRoute } from '../connectors/connector.js';
import type { BulkExports } from '../bulk/exports.js';
import type { BulkImports } from '../bulk/importService.js';
import { auditPlugin } from '../graphql/auditPlugin.js';
import { createAnswerContentTypes } from '../graphql/answerContentType.js';
import { cacheHintsPlugin } from '../graphql/cacheHintsPlugin.js';
import { createCompiledExecution } from '../graphql/compiledExecution.js';
import type { GraphQLContext, Services } from '../graphql/context.js';
import { maskError } from '../graphql/errors.js';
import { buildSchema } from '../graphql/schema.js';
import { createRequestLimits } from '../server/requestLimits.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { createHttpApp, type Readiness } from '../server/fastifyApp.js';
import { createDirectExecution } from '../server/directExecution.js';
import { createGraphQLHandler } from '../server/graphqlHandler.js';
import { registerOrderExport } from '../server/orderExport.js';
import { registerOrdersCacheCompat } from '../server/ordersCacheCompat.js';
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
  /** Re-reads the keys file (SIGHUP); false when there is none or it does not parse (the old keys stay). */
  reloadKeys(why: string): boolean;
  /** SSE event streams and WebSocket connections open now. */
  openStreams(): number;
}

export interface TransportsOptions {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  strategies: Strategies;
  services: Services;
  caches: Caches;
  routes: readonly ConnectorRoute[];
  /** Bulk CSV imports and exports (src/bulk/), served under /bulk/. */
  bulk: { imports: BulkImports; exports: BulkExports };
  readiness: Readiness;
  lifecycle: Lifecycle;
  /** The clock keys expire by. @default Date.now */
  clock?: () => number;
}

export async function createTransports(options: TransportsOptions): Promise<Transports> {
  const { config, logger, metrics, strategies, services, lifecycle } = options;

  // Keys: configured (the variable's and the keys file's), or one generated admin key for the embedded default.
  let devKey: string | undefined;
  const fixed = [...config.apiKeys];
  if (fixed.length === 0 && !config.apiKeysFile) {
    const generated = generateDevKey();
    devKey = generated.key;
    fixed.push(generated);
  }
  const keys = [...fixed, ...(config.apiKeysFile?.entries ?? [])];
  const keyring = createKeyring(keys, { now: options.clock });
  const reloader = config.apiKeysFile ? createKeysReloader({ path: config.apiKeysFile.path, keyring, fixed, logger }) : undefined;
  if (reloader) lifecycle.defer(() => reloader.stop());
  const trustedProxies = createNetworks(config.trustedProxies);

  // One executable schema for GraphQL over HTTP (Apollo), SSE and WebSocket; a Federation v2 subgraph with FEDERATION=true.
  const schema = buildSchema({ federation: config.federation });
  // Budgets, hostile-query limits, trusted documents, web hardening (src/limits/requestLimits.ts).
  const limits = createRequestLimits(config, schema, { devClient: keys.find((k) => devKey !== undefined && k.key === devKey)?.name, createLimiter: strategies.createLimiter });
  // Apollo runs the pipeline; execution is compiledExecution.ts (graphql-jit for repeated queries, graphql-js otherwise),
  // and a query it has prepared is answered again by the direct path below.
  const execution = createCompiledExecution(schema);
  // Answer content types by Accept header, as Apollo negotiated them (src/graphql/answerContentType.ts).
  const contentTypes = createAnswerContentTypes();
  // Answers as compact JSON: Apollo's default (prettyJSONStringify) indents by two spaces, a third of a
  // 20-part answer's bytes, which every answer then paid for in serialising and compressing.
  const stringifyResult = (result: FormattedExecutionResult) => JSON.stringify(result);
  const apollo = new ApolloServer<GraphQLContext>({
    gateway: execution.gateway,
    formatError: (formatted, err) => maskError(formatted, err, (detail) => logger.error({ err: detail }, 'masked resolver error')),
    includeStacktraceInErrorResponses: false,
    introspection: true,
    stringifyResult,
    ...limits.apolloOptions,
    // A subgraph schema makes Apollo add federated inline tracing (`ftv1` traces of every resolver's timing and
    // errors in the response, to any client that asks by header); Crossdock's own metrics and logs cover that.
    // Apollo's cache-control plugin (installed unless disabled) hooks every field's resolver for @cacheControl
    // hints the schema has none of; the gateway's hints are its entity TTLs (loaders.ts), and the
    // `Cache-Control: no-store` header it sent is cacheHintsPlugin's now.
    // A plugin added here is skipped by the direct path (src/server/directExecution.ts runs these plugins' work
    // itself for the queries it answers): give it that work too, or the direct path answers without it.
    plugins: [
      cacheHintsPlugin(),
      limits.plugin,
      auditPlugin(services.audit),
      ApolloServerPluginCacheControlDisabled(),
      // Apollo's default landing page loads its scripts from Apollo's CDN; the gateway's playground is its
      // own and offline, and a browser opening /graphql (with or without a query string) is sent there
      // before Apollo sees the request (fastifyApp.ts).
      ApolloServerPluginLandingPageDisabled(),
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
  // Queries Apollo has run and seen compiled, answered again without its pipeline (src/server/directExecution.ts).
  const direct = config.directExecution ? createDirectExecution({ execution, guard: limits.guard, stringifyResult }) : undefined;
  lifecycle.defer(() => {
    direct?.stop();
    return apollo.stop();
  });

  const app = await createHttpApp({
    keyring,
    handle: createGraphQLHandler({ apollo, services, responseCache: options.caches.responseCache, metrics, guard: limits.guard, contentTypes, direct }),
    bodyLimitBytes: limits.bodyLimitBytes,
    hardening: limits.hardening,
    metrics,
    logger,
    // The playground and the dashboard fill in the generated key for loopback callers.
    playgroundHeaders: devKey ? { 'X-API-Key': devKey } : undefined,
    dashboardKey: devKey,
    connectorRoutes: options.routes,
    bulk: options.bulk,
    media: services.social.media,
    trustedProxies,
    tls: config.tls,
    readiness: options.readiness,
  });
  // Subscriptions (and any operation) over SSE at /graphql/stream and graphql-ws on /graphql;
  // both end their streams in the app's preClose hook.
  const sse = registerSseTransport(app, { schema, services, logger, guard: limits.streamGuard, slots: limits.streams.slots });
  const ws = registerWsTransport(app, { schema, services, keyring, logger, guard: limits.streamGuard, maxPayloadBytes: limits.bodyLimitBytes, trustedProxies, ...limits.streams });
  // The orders mirror handed out in bulk: the old orders cache's endpoints, and the NDJSON/CSV export.
  registerOrdersCacheCompat(app, { services, logger });
  registerOrderExport(app, { services });
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
  return { url: `${config.tls ? 'https' : 'http'}://${shownHost}:${port}`, devKey, reloadKeys: (why) => reloader?.reload(why) ?? false, openStreams: () => sse.openStreams + ws.connections };
}
