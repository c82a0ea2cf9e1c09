/**
 * GraphQL over Server-Sent Events at `/graphql/stream` (graphql-sse's
 * protocol, both modes): distinct connections (one POST or GET with
 * `Accept: text/event-stream` per operation) and single connection (PUT
 * reserves a stream and returns its token, GET with the token opens it,
 * POSTs carrying `extensions.operationId` run operations on it, DELETE
 * stops one). Subscriptions are the point; queries and mutations work too.
 *
 * Authentication is the app's onRequest hook (the route is not public), so
 * `request.client` is set before the handler runs. A single-connection
 * token is bound to the client that reserved it: it carries a tag derived
 * from the client's name, and a token presented by another client is "not
 * found". A reservation not connected within `reservationTtlMs` is dropped
 * with its operations. When the app closes, every open stream is ended and
 * every reservation dropped, so each operation's iterator is returned.
 *
 * Each client holds at most `slots.max` streams (streamLimits.ts), counted
 * with its WebSocket ones: a distinct-connection event stream and a
 * reservation (then its event stream) take one slot each, and so does every
 * operation run on a single-connection stream. One more is 429 RATE_LIMITED.
 * An event stream is written to the socket after `reply.hijack()`, which
 * skips Fastify's reply: the headers its hooks set (CORS, X-Request-Id;
 * helmet's) are copied onto it, so a stream carries the same ones as any
 * other answer.
 *
 * The pieces it shares with the WebSocket transport are modules of their
 * own: streamContext.ts, prepareDocument.ts, maskErrors.ts.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GraphQLError, GraphQLSchema } from 'graphql';
import { createHandler, TOKEN_HEADER_KEY, TOKEN_QUERY_KEY, type Request as SseRequest } from 'graphql-sse';
import type { Client, GraphQLContext, Services } from '../graphql/context.js';
import { ErrorCode } from '../graphql/errors.js';
import type { Logger } from '../observability/logger.js';
import { refusalBody } from '../graphql/limits/operationGuard.js';
import { createFreshEventSubscribe } from './freshEventSubscribe.js';
import { maskErrors } from './maskErrors.js';
import { prepareDocument } from './prepareDocument.js';
import { createEventContextFactory, createStreamContextFactory } from './streamContext.js';
import { codedErrorBody, refusalResponse, streamsRefusal, type PreparedOperation, type StreamGuard, type StreamSlots } from './streamLimits.js';

export interface SseTransportOptions {
  schema: GraphQLSchema;
  services: Services;
  logger: Logger;
  /** @default '/graphql/stream' */
  path?: string;
  /** Hostile-query limits, introspection policy and budgets (streamLimits.ts). @default none */
  guard?: StreamGuard;
  /** Concurrent streams per client, shared with the WebSocket transport (streamLimits.ts). @default unlimited */
  slots?: StreamSlots;
  /**
   * How long a single-connection reservation (PUT) may wait for its event
   * stream (GET) before it is dropped with its operations. graphql-sse keeps
   * a reservation, and the results of operations sent to it, until it is
   * connected. @default 30 s
   */
  reservationTtlMs?: number;
}

export interface SseTransport {
  /** Open event streams (both modes). */
  readonly openStreams: number;
  /** Single-connection reservations not connected yet. */
  readonly pendingReservations: number;
  /** Ends every open event stream and drops every reservation; their operations' iterators are returned. */
  close(): Promise<void>;
}

type Raw = FastifyRequest;
/** graphql-sse wants an indexable context type. */
type StreamContext = GraphQLContext & Record<PropertyKey, unknown>;
type Response = readonly [body: string | AsyncGenerator<string, void, undefined> | null, init: { status: number; statusText: string; headers?: Record<string, string> }];

const json = (status: number, statusText: string, code: string, message: string): Response => [
  JSON.stringify({ errors: [{ message, extensions: { code } }] }),
  { status, statusText, headers: { 'content-type': 'application/json; charset=utf-8' } },
];

/** A tag from the client's name: single-connection tokens carry it, so one client cannot use another's stream. */
const clientTag = (client: Client) => createHash('sha256').update(`crossdock-sse:${client.name}`, 'utf8').digest('base64url').slice(0, 22);

/**
 * The handler matches `accept` exactly (`text/event-stream`, or `*\/*`-like
 * values for reservations and operations). Clients and browsers send lists;
 * anything naming text/event-stream asks for a stream, anything else for a
 * plain answer.
 */
function normalizedAccept(value: string | string[] | undefined): string {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  if (/(^|,)\s*text\/event-stream\s*(;|,|$)/i.test(text)) return 'text/event-stream';
  return '*/*';
}

/** A single-connection token from the header or the query string; empty or absent: a distinct connection. */
function tokenOf(header: string | null | undefined, url: string): string | undefined {
  return header || new URL(url, 'http://localhost/').searchParams.get(TOKEN_QUERY_KEY) || undefined;
}

/** The headers Fastify's hooks set on a reply (CORS, X-Request-Id, …), for a response written to the raw socket. */
function replyHeaders(reply: FastifyReply): Record<string, string | string[] | number> {
  const out: Record<string, string | string[] | number> = {};
  for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) out[k] = v;
  return out;
}

/** Registers the stream route on `app` (before it listens) and ends open streams when it closes. */
export function registerSseTransport(app: FastifyInstance, options: SseTransportOptions): SseTransport {
  const { schema, services, logger } = options;
  const path = options.path ?? '/graphql/stream';
  const contextFor = createStreamContextFactory(services);
  const reservationTtlMs = options.reservationTtlMs ?? 30_000;
  const open = new Set<AsyncGenerator<string, void, undefined>>();
  const reservations = new Map<string, { client: Client; timer: NodeJS.Timeout; release?: () => void }>();
  /** The slot of each operation run on a single-connection stream, by its POST; released on completion. */
  const operationSlots = new WeakMap<object, () => void>();
  const { slots } = options;
  let closing = false;

  // Results made here for a document that did not parse or validate: sent without `data`.
  const requestErrors = new WeakSet<object>();

  const handler = createHandler<Raw, undefined, StreamContext>({
    schema,
    // Every event with loaders of its own: memoised ones would serve the first event's data forever.
    subscribe: createFreshEventSubscribe(createEventContextFactory(services)<StreamContext>),
    // onSubscribe below has validated every document already.
    validate: () => [],
    authenticate(req) {
      const client = req.raw.client;
      if (!client) return json(401, 'Unauthorized', ErrorCode.UNAUTHENTICATED, 'an API key is required (X-API-Key or Authorization: Bearer)');
      const tag = clientTag(client);
      // A reservation always gets a fresh token from the server (the client reads it from the
      // answer; graphql-sse's client may still send the previous one's token header).
      if (req.method === 'PUT') return `${tag}.${randomUUID()}`;
      const presented = req.headers.get(TOKEN_HEADER_KEY) || new URL(req.url, 'http://localhost/').searchParams.get(TOKEN_QUERY_KEY) || '';
      if (presented) {
        if (!presented.startsWith(`${tag}.`) || presented.length > 128) return json(404, 'Not Found', ErrorCode.NOT_FOUND, 'Stream not found');
        return presented;
      }
      // No token: a distinct connection.
      return null;
    },
    context(req) {
      // authenticate() has already refused requests without a client.
      return contextFor(req.raw.client!) as StreamContext;
    },
    async onSubscribe(req, params) {
      const prepared: PreparedOperation = options.guard ? await options.guard.prepare(req.raw.client!, params) : prepareDocument(schema, params.query);
      // Over budget: a 429 with Retry-After and the RateLimit fields, as over HTTP.
      const refusal = 'errors' in prepared ? prepared.refusal : undefined;
      if (refusal?.status === 429) return refusalResponse(refusal);
      if ('errors' in prepared) {
        const result = { data: null, errors: prepared.errors };
        requestErrors.add(result);
        return result;
      }
      // An operation on a single-connection stream takes a slot of its own (a distinct stream has one already).
      if (slots && tokenOf(req.headers.get(TOKEN_HEADER_KEY), req.url)) {
        const release = slots.acquire(req.raw.client!.name);
        if (!release) return refusalResponse(streamsRefusal(slots.max));
        operationSlots.set(req.raw, release);
      }
      return {
        schema,
        document: prepared.document,
        operationName: params.operationName,
        variableValues: params.variables,
        contextValue: contextFor(req.raw.client!) as StreamContext,
      };
    },
    onComplete(_ctx, req) {
      operationSlots.get(req.raw)?.();
      operationSlots.delete(req.raw);
    },
    onNext(_ctx, _req, result) {
      if (!result.errors?.length) return undefined;
      if (requestErrors.has(result)) return { errors: maskErrors(result.errors, logger) as unknown as GraphQLError[] };
      // Serialized with JSON.stringify: formatted errors go out as they are.
      return { ...result, errors: maskErrors(result.errors, logger) as unknown as GraphQLError[] };
    },
  });

  /**
   * Drops a reservation that was never connected: graphql-sse has no call
   * for it, so connect to it as its owner and end that stream at once, which
   * disposes it (its operations' iterators are returned).
   */
  async function dropReservation(token: string): Promise<void> {
    const reservation = reservations.get(token);
    if (!reservation) return;
    reservations.delete(token);
    clearTimeout(reservation.timer);
    reservation.release?.();
    try {
      const [body] = await handler({
        method: 'GET',
        url: path,
        headers: { get: (key) => (key.toLowerCase() === 'accept' ? 'text/event-stream' : key.toLowerCase() === TOKEN_HEADER_KEY ? token : null) },
        body: null,
        raw: { client: reservation.client } as FastifyRequest,
        context: undefined,
      });
      if (body && typeof body !== 'string') await body.return(undefined);
    } catch (err) {
      logger.warn({ err }, 'dropping an SSE reservation failed');
    }
  }

  async function route(request: FastifyRequest, reply: FastifyReply) {
    if (closing) return reply.code(503).send({ errors: [{ message: 'the server is shutting down', extensions: { code: 'UNAVAILABLE' } }] });
    const accept = normalizedAccept(request.headers.accept);
    const sseRequest: SseRequest<Raw, undefined> = {
      method: request.method,
      url: request.url,
      headers: {
        get(key) {
          const k = key.toLowerCase();
          if (k === 'accept') return accept;
          const v = request.headers[k];
          return Array.isArray(v) ? v.join(', ') : v;
        },
      },
      // Fastify has parsed JSON already (an empty body parses to undefined).
      body: () => (request.body === undefined ? null : (request.body as string | Record<PropertyKey, unknown>)),
      raw: request,
      context: undefined,
    };

    // A reservation, or an event stream of its own (distinct connections), takes one of the client's slots.
    const token = tokenOf(sseRequest.headers.get(TOKEN_HEADER_KEY), request.url);
    const takesSlot = request.method === 'PUT' || (accept === 'text/event-stream' && !token && (request.method === 'GET' || request.method === 'POST'));
    let slot: (() => void) | undefined;
    if (slots && request.client && takesSlot) {
      slot = slots.acquire(request.client.name);
      if (!slot) {
        const refusal = streamsRefusal(slots.max);
        return reply.code(refusal.status).header('content-type', 'application/json; charset=utf-8').send(refusalBody(refusal));
      }
    }

    let response: Response;
    try {
      response = await handler(sseRequest);
    } catch (err) {
      slot?.();
      logger.error({ err, reqId: request.id }, 'graphql-sse handler failed');
      return reply.code(500).send({ errors: [{ message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }] });
    }
    const [body, init] = response;
    if (request.method === 'PUT' && init.status === 201 && typeof body === 'string' && request.client) {
      const timer = setTimeout(() => void dropReservation(body), reservationTtlMs);
      timer.unref();
      // The reservation keeps the slot; its event stream takes it over when it connects.
      reservations.set(body, { client: request.client, timer, release: slot });
      slot = undefined;
    } else if (accept === 'text/event-stream' && init.status === 200) {
      // A reservation connected: from here its stream's end disposes it (and frees its slot).
      const reservation = token ? reservations.get(token) : undefined;
      if (token && reservation) {
        clearTimeout(reservation.timer);
        reservations.delete(token);
        slot = reservation.release;
      }
    }
    if (!body || typeof body === 'string') {
      slot?.();
      reply.code(init.status);
      if (init.headers) reply.headers(init.headers);
      // Every error answer is a GraphQL error body with codes (graphql-sse's own may be empty or plain text).
      if (init.status >= 400) return reply.header('content-type', 'application/json; charset=utf-8').send(codedErrorBody(body, init.status, init.statusText));
      return reply.send(body ?? undefined);
    }

    // An event stream: written straight to the socket until it ends or the client goes.
    reply.hijack();
    const res = reply.raw;
    res.writeHead(init.status, init.statusText, { ...replyHeaders(reply), ...init.headers, 'x-accel-buffering': 'no' });
    res.flushHeaders();
    open.add(body);
    const stop = () => void body.return(undefined);
    res.once('close', stop);
    try {
      for await (const chunk of body) {
        if (res.destroyed || !res.writable) break;
        const ok = res.write(chunk);
        if (!ok) await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.once('drain', done);
          res.once('close', done);
        });
      }
    } catch (err) {
      logger.error({ err, reqId: request.id }, 'graphql-sse stream failed');
    } finally {
      res.off('close', stop);
      open.delete(body);
      slot?.();
      await body.return(undefined);
      if (!res.writableEnded) res.end();
    }
  }

  app.route({ method: ['GET', 'POST', 'PUT', 'DELETE'], url: path, handler: route });

  const transport: SseTransport = {
    get openStreams() {
      return open.size;
    },
    get pendingReservations() {
      return reservations.size;
    },
    async close() {
      closing = true;
      await Promise.all([...[...open].map((body) => body.return(undefined).catch(() => undefined)), ...[...reservations.keys()].map(dropReservation)]);
    },
  };
  app.addHook('preClose', async () => transport.close());
  return transport;
}
