/**
 * The HTTP adapter: Fastify routes around the framework-free GraphQL handler.
 * `/health` (liveness, no auth), `/ready`, `/metrics`, `/graphql`, and the
 * playground and the dashboard (static, no auth: they hold no data; queries
 * from them need a key).
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Keyring } from '../auth/keyring.js';
import { presentedKey } from '../auth/keyring.js';
import { createNetworks, type Networks } from '../auth/networks.js';
import type { Client } from '../graphql/context.js';
import { ErrorCode } from '../graphql/errors.js';
import type { Logger } from '../observability/logger.js';
import { createRequestLog } from '../observability/requestLog.js';
import type { Metrics } from '../observability/metrics.js';
import type { ConnectorRoute } from '../connectors/connector.js';
import { healthSummary, type HealthReport } from '../observability/healthReport.js';
import type { PlainRequest, PlainResponse } from './graphqlHandler.js';
import { registerConnectorRoutes } from './connectorRoutes.js';
import { MEDIA_PATH, registerMediaRoute } from './mediaRoute.js';
import type { MediaStore } from '../media/mediaStore.js';
import { registerDashboardRoutes } from './dashboardPage.js';
import { registerBulkRoutes, type BulkRoutesOptions } from './bulkRoutes.js';
import { loadPlaygroundAssets, mayShowDevKey, playgroundHtml, PLAYGROUND_SCRIPT, PLAYGROUND_STYLE } from './playground.js';
import { registerHardening, type HardeningOptions } from './hardening.js';

declare module 'fastify' {
  interface FastifyRequest {
    client?: Client;
    rawBody?: string;
  }
}

export interface Readiness {
  /** A fresh report (observability/healthReport.ts): `/ready` answers it, 200 while it serves, 503 while starting or draining. */
  check(): Promise<HealthReport>;
  /** A report whose records-backend probe may be up to `maxAgeMs` old (the connectors' checks are always fresh): `/health` and the dashboard. */
  current(maxAgeMs: number): Promise<HealthReport>;
}

export interface HttpAppOptions {
  keyring: Keyring;
  handle: (req: PlainRequest, client: Client) => Promise<PlainResponse>;
  metrics: Metrics;
  logger: Logger;
  readiness: Readiness;
  /** Headers pre-filled in the playground (the embedded default's generated key), for loopback callers only. */
  playgroundHeaders?: Record<string, string>;
  /** Proxies whose X-Forwarded-For is believed for the client address (TRUSTED_PROXIES). @default none */
  trustedProxies?: Networks;
  /** In-process HTTPS (TLS 1.2 at least). @default plain HTTP */
  tls?: { cert: Buffer; key: Buffer };
  /** The key the dashboard signs in with by itself (the embedded default's generated key), for loopback callers only. */
  dashboardKey?: string;
  /**
   * Routes the vendors call (connector callbacks and webhooks): public, each authenticating the call
   * itself (a one-time code, a signature). @default none
   */
  connectorRoutes?: readonly ConnectorRoute[];
  bodyLimitBytes?: number;
  /** Bulk CSV imports and exports (`/bulk/…`, behind the auth hook). @default none */
  bulk?: Omit<BulkRoutesOptions, 'logger'>;
  /** The media store, served at /media/{key} (public: content-addressed images). @default none */
  media?: Pick<MediaStore, 'get'>;
  /** Security headers, CORS allow-list, compression (hardening.ts). @default headers and compression on, no CORS */
  hardening?: HardeningOptions;
}

/** No key needed: liveness, the playground's and the dashboard's static pages (they hold no data; their queries need a key). */
// The orders cache drop-in's liveness is public, as the old server's was (ordersCacheCompat.ts).
const PUBLIC_PREFIXES = ['/health', '/playground', '/dashboard', '/favicon.ico', MEDIA_PATH, '/compat/orders-cache/health'];
/** Each prefix and what lies under it (`/playground/…`), made once rather than per request. */
const PUBLIC_PATHS = PUBLIC_PREFIXES.map((p) => [p, `${p}/`] as const);
const isPublicPath = (path: string) => PUBLIC_PATHS.some(([p, under]) => path === p || path.startsWith(under));

/** A caller's X-Request-Id is kept when it is a plain token; otherwise (or absent) one is made. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function graphqlError(reply: FastifyReply, status: number, code: ErrorCode | string, message: string, extensions: Record<string, unknown> = {}) {
  return reply
    .code(status)
    .header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify({ errors: [{ message, extensions: { ...extensions, code } }] }));
}

/** Node's `clientError` codes for an oversized head (RFC 6585 §5: 431 Request Header Fields Too Large). */
const HEADER_OVERFLOW = new Set(['HPE_HEADER_OVERFLOW', 'HPE_CHUNK_EXTENSIONS_OVERFLOW']);

function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  // ECONNRESET: the client went away; there is no one to answer.
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, code, message] = HEADER_OVERFLOW.has(err.code ?? '')
    ? [431, 'Request Header Fields Too Large', 'REQUEST_HEADER_FIELDS_TOO_LARGE', 'the request head (URL and headers) is larger than 16 KiB; send the query in a POST body']
    : [400, 'Bad Request', 'BAD_REQUEST', 'the request is not valid HTTP'];
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

export async function createHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  const trusted = options.trustedProxies ?? createNetworks([]);
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // The HTTP parser refuses some requests before any route or hook runs (a head over
    // Node's 16 KiB header limit, a malformed request line); answer those like every
    // other refusal, with a coded GraphQL error body, then close the socket.
    clientErrorHandler: answerClientError,
    // request.ip is the client address: the peer, or through trusted proxies the first hop they
    // did not add (networks.ts clientAddress applies the same rule to WebSocket upgrades).
    trustProxy: (address: string) => trusted.size > 0 && trusted.has(address),
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' as const } } : {}),
  });
  // Before the hooks below, so a 401 or a CORS preflight gets its headers too, and
  // loaded (awaited) before the routes: compression attaches to each route as it is added.
  await registerHardening(app, options.hardening);
  const { metrics, logger } = options;
  const requestLog = createRequestLog(logger);
  const assets = loadPlaygroundAssets();
  const publicRoutes = new Set((options.connectorRoutes ?? []).map((r) => r.path));

  // Keep the raw JSON text: it is the whole-response cache key.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    request.rawBody = text;
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      const err = Object.assign(new Error('request body is not valid JSON'), { statusCode: 400, code: 'BAD_REQUEST' });
      done(err, undefined);
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const queryAt = request.url.indexOf('?');
    const path = queryAt < 0 ? request.url : request.url.slice(0, queryAt);
    // A browser opening /graphql, with or without a query string (a shared link), lands in the
    // playground with the query in its editor (as GraphiQL-serving gateways do); never run from a
    // link: the reader presses run, with their own key. Clients asking for JSON are answered as GraphQL.
    if (request.method === 'GET' && path === '/graphql' && (request.headers.accept ?? '').includes('text/html')) {
      return reply.redirect(queryAt < 0 ? '/playground' : `/playground${request.url.slice(queryAt)}`, 302);
    }
    if (isPublicPath(path) || publicRoutes.has(path)) return;
    const checked = options.keyring.check(presentedKey(request.headers), request.ip);
    if (!checked.ok) {
      // A key limited to networks presented from elsewhere is known but not accepted here: 403.
      if (checked.reason === 'network') return graphqlError(reply, 403, ErrorCode.FORBIDDEN, checked.message, { reason: 'NETWORK_NOT_ALLOWED' });
      reply.header('www-authenticate', `Bearer realm="crossdock", charset="UTF-8"${checked.reason === 'missing' ? '' : ', error="invalid_token"'}`);
      return graphqlError(reply, 401, ErrorCode.UNAUTHENTICATED, checked.message, checked.reason === 'expired' ? { reason: 'KEY_EXPIRED', expiredAt: checked.expiredAt } : {});
    }
    request.client = checked.client;
  });

  // Not async, and each getter read once: Fastify's request.routeOptions builds a new object of a dozen
  // fields on every read, reply.elapsedTime reads the clock.
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const elapsedMs = reply.elapsedTime;
    metrics.httpDuration.observe({ route, method: request.method, status: String(reply.statusCode) }, elapsedMs / 1000);
    // One line per request: the route template, never the URL (a query string may carry a code or a JWT),
    // and the client's name and key id, never its key (requestLog.ts writes it as the logger would).
    requestLog({
      reqId: request.id,
      // The gateway's own UUID (genReqId above) unless the client's X-Request-Id was taken.
      reqIdGenerated: request.headers['x-request-id'] !== request.id,
      method: request.method,
      route,
      status: reply.statusCode,
      durationMs: Math.round(elapsedMs * 100) / 100,
      client: request.client,
    });
    done();
  });

  app.setErrorHandler((err: { statusCode?: number; code?: string; message?: string }, request, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) {
      logger.error({ err, reqId: request.id, url: request.routeOptions.url }, 'unhandled error');
      return graphqlError(reply, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
    }
    const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST';
    return graphqlError(reply, status, code, err.message ?? 'bad request');
  });

  // Unknown routes and methods answer like every other error: a GraphQL error body with a code.
  app.setNotFoundHandler((request, reply) => graphqlError(reply, 404, ErrorCode.NOT_FOUND, `no route ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 100)}`));

  // Liveness (the image's HEALTHCHECK): 200 while the process serves, whatever its upstreams do — a
  // restart cures no vendor outage. The body says how it is, statuses only: the route needs no key.
  app.get('/health', async (_request, reply) => {
    const report = await options.readiness.current(1_000);
    return reply.code(report.state === 'draining' ? 503 : 200).send(healthSummary(report));
  });
  registerConnectorRoutes(app, options.connectorRoutes ?? []);
  if (options.bulk) registerBulkRoutes(app, { ...options.bulk, logger });
  if (options.media) registerMediaRoute(app, options.media);
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).send());

  app.get('/ready', async (_request, reply) => {
    const r = await options.readiness.check();
    return reply.code(r.ready ? 200 : 503).send({ status: r.status, state: r.state, checks: r.checks });
  });

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  app.get('/playground', async (request, reply) => {
    reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store');
    // The generated key goes to loopback callers only (a DNS-rebinding page or a stranger on 0.0.0.0 gets none).
    const defaultHeaders = options.playgroundHeaders && mayShowDevKey(request.raw) ? options.playgroundHeaders : undefined;
    return playgroundHtml({ endpoint: '/graphql', streamEndpoint: '/graphql/stream', defaultHeaders });
  });
  app.get('/playground/playground.js', async (_request, reply) => {
    reply.header('content-type', 'text/javascript; charset=utf-8');
    return PLAYGROUND_SCRIPT;
  });
  app.get('/playground/playground.css', async (_request, reply) => {
    reply.header('content-type', 'text/css; charset=utf-8');
    return PLAYGROUND_STYLE;
  });
  app.get<{ Params: { name: string } }>('/playground/assets/:name', async (request, reply) => {
    const asset = assets.get(request.params.name);
    if (!asset) return reply.code(404).send({ error: 'no such asset' });
    reply.header('content-type', asset.contentType).header('cache-control', 'public, max-age=86400');
    return asset.body;
  });

  registerDashboardRoutes(app, { devKey: options.dashboardKey });

  async function graphqlRoute(request: FastifyRequest, reply: FastifyReply) {
    const client = request.client;
    if (!client) return graphqlError(reply, 401, ErrorCode.UNAUTHENTICATED, 'an API key is required');
    const queryIndex = request.url.indexOf('?');
    const result = await options.handle(
      {
        method: request.method,
        headers: request.headers,
        search: queryIndex >= 0 ? request.url.slice(queryIndex + 1) : '',
        body: request.body,
        rawBody: request.method === 'POST' ? request.rawBody : undefined,
      },
      client,
    );
    reply.code(result.status).headers(result.headers);
    return reply.send(result.body);
  }

  // (A browser opening /graphql is sent to the playground by the onRequest hook.)
  app.get('/graphql', graphqlRoute);
  app.post('/graphql', graphqlRoute);

  return app;
}
