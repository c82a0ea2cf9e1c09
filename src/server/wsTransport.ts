/**
 * GraphQL over WebSocket (graphql-ws, subprotocol `graphql-transport-ws`)
 * on `/graphql`, the same path as GraphQL over HTTP: only upgrade requests
 * reach this, plain requests go to Fastify's routes.
 *
 * Authentication: the API key from the upgrade request's headers
 * (`X-API-Key` or `Authorization: Bearer`), or, since browsers cannot set
 * headers on a WebSocket, from the `connection_init` payload
 * (`connectionParams`: `{ apiKey }`, or `{ "X-API-Key" }` /
 * `{ Authorization: "Bearer …" }`). A wrong key in the upgrade headers is
 * refused with HTTP 401 before the upgrade; a connection with no valid key
 * anywhere is closed with 4401 Unauthorized at `connection_init` (a code the
 * graphql-ws client treats as final, so it does not retry). A socket that
 * never sends `connection_init` is closed after `connectionInitTimeoutMs`
 * (4408, graphql-ws's ConnectionInitialisationTimeout).
 *
 * Sockets that have not authenticated yet (no valid key in the upgrade
 * request, no connection_init accepted) cost the server a socket each and
 * are anyone's to open: at most `maxUnauthenticatedSockets` are open at
 * once, and an upgrade past that is refused with 429 and Retry-After.
 * An authenticated client's connection and each operation on it take one of
 * its stream slots (shared with SSE, streamLimits.ts): a connection past the
 * client's cap is closed with 4429, an operation past it gets a RATE_LIMITED
 * error (`limit: "streams"`).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Keyring } from '../auth/keyring.js';
import { presentedKey } from '../auth/keyring.js';
import { clientAddress, createNetworks, type Networks } from '../auth/networks.js';
import type { Client, GraphQLContext, Services } from '../graphql/context.js';
import type { Logger } from '../observability/logger.js';
import { createFreshEventSubscribe } from './freshEventSubscribe.js';
import { maskErrors } from './maskErrors.js';
import { prepareDocument } from './prepareDocument.js';
import { createEventContextFactory, createStreamContextFactory } from './streamContext.js';
import { refusalAsError, streamsRefusal, type StreamGuard, type StreamSlots } from './streamLimits.js';

export interface WsTransportOptions {
  schema: GraphQLSchema;
  services: Services;
  keyring: Keyring;
  logger: Logger;
  /** @default '/graphql' */
  path?: string;
  /** Largest accepted message. @default 1 MiB */
  maxPayloadBytes?: number;
  /** Hostile-query limits, introspection policy and budgets (streamLimits.ts). @default none */
  guard?: StreamGuard;
  /** Concurrent streams per client, shared with the SSE transport (streamLimits.ts). @default unlimited */
  slots?: StreamSlots;
  /** Sockets open at once that have not authenticated yet. @default 100 */
  maxUnauthenticatedSockets?: number;
  /** A socket that sends no connection_init within this is closed (4408). @default 3000 */
  connectionInitTimeoutMs?: number;
  /** Proxies whose X-Forwarded-For is believed for the client address (TRUSTED_PROXIES). @default none */
  trustedProxies?: Networks;
}

/** The stream slots a socket holds. */
interface SocketExtra {
  /** The connection's own slot. */
  slot?: () => void;
  /** Each running operation's slot, by operation id. */
  operations: Map<string, () => void>;
}

export interface WsTransport {
  /** Open sockets. */
  readonly connections: number;
  /** Closes every socket (1001 Going away; their subscriptions' iterators are returned) and stops accepting. */
  close(): Promise<void>;
}

/** The key in a connection_init payload: `apiKey`, or header-like `X-API-Key` / `Authorization` entries. */
function keyFromConnectionParams(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (!params) return undefined;
  if (typeof params.apiKey === 'string' && params.apiKey) return params.apiKey.trim();
  const headers: Record<string, string> = {};
  const nested = typeof params.headers === 'object' && params.headers !== null ? (params.headers as Record<string, unknown>) : {};
  for (const [k, v] of [...Object.entries(nested), ...Object.entries(params)]) {
    if (typeof v === 'string') headers[k.toLowerCase()] = v;
  }
  return presentedKey(headers);
}

const REFUSALS: Readonly<Record<number, readonly [statusText: string, code: string]>> = {
  401: ['Unauthorized', 'UNAUTHENTICATED'],
  403: ['Forbidden', 'FORBIDDEN'],
  404: ['Not Found', 'NOT_FOUND'],
  429: ['Too Many Requests', 'RATE_LIMITED'],
  503: ['Service Unavailable', 'UNAVAILABLE'],
};

function refuse(socket: Duplex, status: number, reason: string, extraHeaders: Record<string, string> = {}, extensions: Record<string, unknown> = {}) {
  const [statusText, code] = REFUSALS[status] ?? REFUSALS[503]!;
  const body = JSON.stringify({ errors: [{ message: reason, extensions: { ...extensions, code } }] });
  const head = [
    `HTTP/1.1 ${status} ${statusText}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(extraHeaders).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

/** Attaches to `app.server`'s upgrade event and closes its sockets when the app closes. */
export function registerWsTransport(app: FastifyInstance, options: WsTransportOptions): WsTransport {
  const { schema, services, keyring, logger } = options;
  const path = options.path ?? '/graphql';
  const contextFor = createStreamContextFactory(services);
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes ?? 1024 * 1024 });
  const { slots } = options;
  const trusted = options.trustedProxies ?? createNetworks([]);
  /** The client address of an upgrade request: its peer, or through trusted proxies their X-Forwarded-For. */
  const addressOf = (request: IncomingMessage) => clientAddress(request.socket.remoteAddress, request.headers['x-forwarded-for'], trusted);
  const maxUnauthenticated = options.maxUnauthenticatedSockets ?? 100;
  const connectionInitTimeoutMs = options.connectionInitTimeoutMs ?? 3_000;
  /** Sockets that have not authenticated yet: upgraded without a valid key, connection_init not accepted. */
  const unauthenticated = new Set<WebSocket>();
  const extras = new WeakMap<WebSocket, SocketExtra>();
  const extraOf = (socket: WebSocket): SocketExtra => {
    let extra = extras.get(socket);
    if (!extra) extras.set(socket, (extra = { operations: new Map() }));
    return extra;
  };
  let closing = false;

  const server = useServer<Record<string, unknown> | undefined, { client: Client }>(
    {
      schema,
      connectionInitWaitTimeout: connectionInitTimeoutMs,
      // Every event with loaders of its own: memoised ones would serve the first event's data forever.
      subscribe: createFreshEventSubscribe(createEventContextFactory(services)<GraphQLContext>),
      async onConnect(ctx) {
        const address = addressOf(ctx.extra.request);
        const fromHeaders = keyring.authenticate(presentedKey(ctx.extra.request.headers), address);
        const client = fromHeaders ?? keyring.authenticate(keyFromConnectionParams(ctx.connectionParams), address);
        if (!client) {
          // 4401 rather than onConnect's 4403: the client gives up instead of retrying.
          ctx.extra.socket.close(CloseCode.Unauthorized, 'Unauthorized: an API key is required (X-API-Key or Authorization header, or connectionParams.apiKey)');
          return false;
        }
        const extra = extraOf(ctx.extra.socket);
        if (slots) {
          const slot = slots.acquire(client.name);
          if (!slot) {
            // 4429 is one of the codes graphql-ws's client does not retry; the reason names the limit.
            ctx.extra.socket.close(CloseCode.TooManyInitialisationRequests, `Too many streams: this client already holds ${slots.max} (MAX_STREAMS_PER_CLIENT)`);
            return false;
          }
          extra.slot = slot;
        }
        unauthenticated.delete(ctx.extra.socket);
        ctx.extra.client = client;
        return true;
      },
      // Parse and validate here: graphql-ws would close the socket (4500) on a syntax error.
      async onSubscribe(ctx, id, payload) {
        const prepared = options.guard ? await options.guard.prepare(ctx.extra.client!, payload) : prepareDocument(schema, payload.query);
        if ('errors' in prepared) return prepared.errors;
        if (slots) {
          const slot = slots.acquire(ctx.extra.client!.name);
          if (!slot) return [refusalAsError(streamsRefusal(slots.max))];
          extraOf(ctx.extra.socket).operations.set(id, slot);
        }
        return { schema, document: prepared.document, operationName: payload.operationName, variableValues: payload.variables };
      },
      onComplete(ctx, id) {
        const operations = extraOf(ctx.extra.socket).operations;
        operations.get(id)?.();
        operations.delete(id);
      },
      onClose(ctx) {
        // Whatever did not complete (an operation that threw) is freed with its socket.
        unauthenticated.delete(ctx.extra.socket);
        const extra = extraOf(ctx.extra.socket);
        for (const slot of extra.operations.values()) slot();
        extra.operations.clear();
        extra.slot?.();
      },
      context(ctx) {
        // onConnect refused every connection without a client; subscribe needs an acknowledged one.
        return contextFor(ctx.extra.client!);
      },
      onNext(_ctx, _id, _payload, _args, result) {
        if (!result.errors?.length) return undefined;
        return { ...result, errors: maskErrors(result.errors, logger) };
      },
      onError(_ctx, _id, _payload, errors) {
        return maskErrors(errors, logger);
      },
    },
    wss,
  );

  /** Upgrades or refuses; answers the HTTP status given (101 for an upgrade). */
  function upgradeOrRefuse(request: IncomingMessage, socket: Duplex, head: Buffer): number {
    const url = request.url ?? '';
    if (url.split('?')[0] !== path) {
      refuse(socket, 404, `no WebSocket endpoint at ${url.split('?')[0]?.slice(0, 100)}`);
      return 404;
    }
    if (closing) {
      refuse(socket, 503, 'the server is shutting down');
      return 503;
    }
    // A key in the headers must be a good one; without one, connection_init must carry it.
    const presented = presentedKey(request.headers);
    if (presented !== undefined) {
      const checked = keyring.check(presented, addressOf(request));
      if (!checked.ok && checked.reason === 'network') {
        refuse(socket, 403, checked.message, {}, { reason: 'NETWORK_NOT_ALLOWED' });
        return 403;
      }
      if (!checked.ok) {
        refuse(socket, 401, checked.message, { 'WWW-Authenticate': 'Bearer realm="crossdock", charset="UTF-8", error="invalid_token"' }, checked.reason === 'expired' ? { reason: 'KEY_EXPIRED' } : {});
        return 401;
      }
    }
    // No key yet: one more socket anyone may open, until connection_init authenticates it or the timeout closes it.
    const anonymous = presented === undefined;
    if (anonymous && unauthenticated.size >= maxUnauthenticated) {
      const retryAfter = String(Math.max(1, Math.ceil(connectionInitTimeoutMs / 1000)));
      refuse(socket, 429, `too many WebSocket connections are waiting to authenticate (WS_MAX_UNAUTHENTICATED ${maxUnauthenticated}); retry shortly, or send the key in the upgrade request`, { 'Retry-After': retryAfter }, {
        limit: 'unauthenticatedSockets',
        max: maxUnauthenticated,
      });
      return 429;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      if (anonymous) {
        unauthenticated.add(ws);
        ws.once('close', () => unauthenticated.delete(ws));
      }
      wss.emit('connection', ws, request);
    });
    return 101;
  }
  function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer) {
    const started = performance.now();
    const status = upgradeOrRefuse(request, socket, head);
    // The same request line as Fastify's routes log (fastifyApp.ts): upgrades bypass its hooks.
    const given = request.headers['x-request-id'];
    logger.info(
      {
        reqId: typeof given === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID(),
        method: request.method,
        route: status === 404 ? 'unmatched' : path,
        status,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        upgrade: 'websocket',
      },
      'request',
    );
  }
  app.server.on('upgrade', onUpgrade);

  let closed: Promise<void> | undefined;
  const transport: WsTransport = {
    get connections() {
      return wss.clients.size;
    },
    close() {
      closed ??= (async () => {
        // New upgrades are refused (503) from here on.
        closing = true;
        // 1001 Going away to each socket (graphql-ws returns their subscriptions' iterators on close);
        // a peer that does not answer the close handshake within a second is cut off.
        const disposed = Promise.resolve(server.dispose()).catch((err: unknown) => logger.warn({ err }, 'closing the WebSocket server failed'));
        const timer = setTimeout(() => {
          for (const socket of wss.clients) socket.terminate();
        }, 1_000);
        await disposed;
        clearTimeout(timer);
      })();
      return closed;
    },
  };
  app.addHook('preClose', async () => transport.close());
  return transport;
}
