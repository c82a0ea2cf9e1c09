/**
 * One simulated vendor origin: a Fastify app with request stats, fault
 * injection and the `/__sandbox/*` admin routes. A vendor module creates an
 * origin, then registers its API routes on `origin.app`.
 */
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { createFaultController, type FaultController, type FaultSpecInput } from './faults.js';
import { createStats, type Stats } from './stats.js';

export interface OriginOptions {
  /** Human name, used in logs and the OpenAPI document. */
  name: string;
  /** Initial faults (see faults.ts). */
  faults?: FaultSpecInput;
  /** The vendor's error answer for an injected status (body and extra headers). */
  faultAnswer(status: number): { body: unknown; headers?: Record<string, string> };
  /** Is this route the vendor's order-placement endpoint (for acceptThenHang)? */
  isOrderPlacement?(method: string, route: string): boolean;
  /** The OpenAPI 3 document served at `/__sandbox/openapi.json`. */
  openapi: () => unknown;
  /** Clears written state when `POST /__sandbox/reset` is sent `{ "data": true }`. */
  resetData?: () => void;
  /** Clears the origin's own counters (beyond the shared stats) on every `POST /__sandbox/reset`. */
  resetStats?: () => void;
  /** The origin's own counters, added to `GET /__sandbox/stats` beside the shared ones. */
  extraStats?: () => Record<string, unknown>;
}

export interface Origin {
  readonly app: FastifyInstance;
  readonly stats: Stats;
  readonly faults: FaultController;
  /**
   * Leave this request unanswered until the origin closes (a hang). Used by
   * the fault layer and by order placement under `acceptThenHang`.
   */
  hang(request: FastifyRequest, reply: FastifyReply): void;
  /** Whether the fault layer asked this request's handler to accept the order and then hang. */
  shouldAcceptThenHang(request: FastifyRequest): boolean;
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

const ADMIN_PREFIX = '/__sandbox/';
const acceptThenHangFlag = new WeakSet<FastifyRequest>();

export function createOrigin(options: OriginOptions): Origin {
  const app = Fastify({
    logger: false,
    bodyLimit: 8 * 1024 * 1024,
    forceCloseConnections: true,
    // find-my-way's default (100 chars) 404s a path parameter holding a batch
    // of ids, e.g. FinditParts /products/{50 ids}/multi.
    routerOptions: { maxParamLength: 2048 },
  });
  const stats = createStats();
  const faults = createFaultController(options.faults ?? {});
  const held = new Set<Socket>();

  function hang(request: FastifyRequest, reply: FastifyReply): void {
    reply.hijack();
    const socket = request.raw.socket;
    held.add(socket);
    socket.once('close', () => held.delete(socket));
  }

  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith(ADMIN_PREFIX)) return;
    const route = request.routeOptions.url ?? '(unmatched)';
    stats.countRequest(`${request.method} ${route}`);
    const decision = faults.decide(request.method, request.url.split('?')[0] ?? request.url, {
      isOrderPlacement: options.isOrderPlacement?.(request.method, route) ?? false,
    });
    if (decision.delayMs > 0) await new Promise((r) => setTimeout(r, decision.delayMs));
    switch (decision.kind) {
      case 'none':
        return;
      case 'status': {
        stats.countFault(`status-${decision.status}`);
        const answer = options.faultAnswer(decision.status);
        reply.code(decision.status).headers(answer.headers ?? {});
        return reply.send(answer.body);
      }
      case 'hang':
        stats.countFault('hang');
        hang(request, reply);
        return reply;
      case 'reset':
        stats.countFault('reset');
        reply.hijack();
        request.raw.socket.resetAndDestroy();
        return reply;
      case 'acceptThenHang':
        stats.countFault('acceptThenHang');
        acceptThenHangFlag.add(request);
        return;
      default: {
        const never: never = decision;
        throw new Error(`unhandled fault ${JSON.stringify(never)}`);
      }
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    if (request.url.startsWith(ADMIN_PREFIX)) return;
    stats.countStatus(reply.statusCode, request.method);
  });

  app.get('/__sandbox/stats', async () => ({ ...stats.snapshot(), ...options.extraStats?.() }));
  app.get('/__sandbox/faults', async () => faults.spec);
  app.post('/__sandbox/faults', async (request, reply) => {
    try {
      return faults.set((request.body ?? {}) as FaultSpecInput);
    } catch (err) {
      return reply.code(400).send({ error: 'invalid fault spec', detail: err instanceof Error ? err.message : String(err) });
    }
  });
  app.post('/__sandbox/reset', async (request) => {
    stats.reset();
    options.resetStats?.();
    faults.clear();
    const body = (request.body ?? {}) as { data?: unknown };
    if (body.data === true) options.resetData?.();
    return { ok: true };
  });
  app.get('/__sandbox/openapi.json', async () => options.openapi());

  return {
    app,
    stats,
    faults,
    hang,
    shouldAcceptThenHang: (request) => acceptThenHangFlag.has(request),
    async listen(port, host) {
      await app.listen({ port, host });
      const address = app.server.address();
      if (!address || typeof address === 'string') throw new Error(`${options.name}: no TCP address`);
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${shownHost}:${address.port}`;
    },
    async close() {
      for (const socket of held) socket.destroy();
      held.clear();
      await app.close();
    },
  };
}
