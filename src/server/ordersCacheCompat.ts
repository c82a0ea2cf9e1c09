/**
 * A drop-in for the old orders-cache server's clients (README, "Orders
 * mirror" → "Migrating from the orders cache"): its six endpoints under
 * `/compat/orders-cache`, the same `X-API-Key` header (the gateway's keys),
 * the same status codes and JSON shapes, answered from the Shopify orders
 * mirror instead of a JSON file scraped every hour.
 *
 * - `GET /health`: 200 `{"status": "healthy"}`, no key (the app's public paths).
 * - `GET /status`: the cache status (`has_data`, `record_count`,
 *   `last_updated`, `is_refreshing`, `last_error`, plus the mirror's
 *   `status` and `lag_seconds`).
 * - `GET /fetch-data`: `{"last_updated", "record_count", "data": [...]}`,
 *   every order, streamed page by page (memory stays one page); 503
 *   `{"error": "No cached data"}` while the mirror is empty.
 * - `GET /fetch-data?refresh=true`: the same at once, and a background
 *   refresh started (`"refresh": "triggered"` or `"already in progress"`).
 * - `GET /fetch-data?stream=true&refresh=true`: Server-Sent Events — a
 *   `cached` event at once (the same object), an `updated` event when the
 *   refresh ends (an `error` event if it failed), then `done`.
 * - `POST /refresh`: 202 `{"status": "triggered"}`, or 202 `{"status":
 *   "already in progress"}` while one runs.
 *
 * A refresh is the mirror's INCREMENTAL one (a FULL backfill on an empty
 * mirror), the `refreshOrderMirror` job: it needs an operator key, as the
 * mutation does (403 otherwise), and is audited as that mutation.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { hasRole } from '../auth/roles.js';
import type { Client, Services } from '../graphql/context.js';
import { isFinal, type SyncJobRecord } from '../jobs/types.js';
import { mirrorNdjsonPages } from '../mirror/mirrorNdjsonLines.js';
import type { MirrorState } from '../mirror/orderMirror.js';
import type { Logger } from '../observability/logger.js';
import { writeAtPace } from './mirrorHttp.js';

export const ORDERS_CACHE_PREFIX = '/compat/orders-cache';
const CHANNEL = 'SHOPIFY' as const;

const truthy = (v: unknown) => typeof v === 'string' && ['true', '1', 'yes'].includes(v.toLowerCase());

function cacheStatus(s: MirrorState) {
  return {
    status: s.status.toLowerCase(),
    has_data: s.count > 0,
    record_count: s.count,
    last_updated: s.lastRefreshedAt,
    is_refreshing: s.refreshing,
    last_error: s.lastError,
    lag_seconds: s.lagSeconds,
  };
}

/** `{"last_updated", "record_count", [extra…,] "data": [` … `]}` as chunks, one order at a time. */
async function* cachedObject(services: Services, state: MirrorState, extra: Record<string, unknown> = {}): AsyncGenerator<string> {
  const head = { last_updated: state.lastRefreshedAt, record_count: state.count, ...extra };
  yield `${JSON.stringify(head).slice(0, -1)},"data":[`;
  let first = true;
  // A page of orders a chunk (one stream chunk per order costs more than the order's JSON; the route reads one
  // chunk ahead of the socket, highWaterMark 1, so memory stays a page or two), each order its record's JSON text
  // as the mirror stored it (the NDJSON export's lines, mirrorNdjsonLines.ts).
  for await (const page of mirrorNdjsonPages(services.mirror.store, { channel: CHANNEL })) {
    yield `${first ? '' : ','}${page.join(',')}`;
    first = false;
  }
  yield ']}';
}

export function registerOrdersCacheCompat(app: FastifyInstance, options: { services: Services; logger: Logger }): void {
  const { services, logger } = options;
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });

  /** Starts the refresh as `refreshOrderMirror` would, audited as it; "forbidden" when the key may not. */
  async function startRefresh(client: Client): Promise<{ job: SyncJobRecord; alreadyRunning: boolean } | 'forbidden'> {
    const started = Date.now();
    const audit = (outcome: 'OK' | 'ERROR' | 'REFUSED', errorCode: string | null) =>
      services.audit.record({ client: client.name, role: client.role, operationName: 'orders-cache refresh', field: 'refreshOrderMirror', arguments: { input: { channel: CHANNEL, mode: 'INCREMENTAL' } }, variables: {}, outcome, errorCode, durationMs: Date.now() - started });
    if (!hasRole(client, 'operator')) {
      await audit('REFUSED', 'FORBIDDEN');
      return 'forbidden';
    }
    try {
      const result = await services.mirror.refresh(CHANNEL, 'INCREMENTAL', client.name, services.jobs.service);
      await audit('OK', null);
      return result;
    } catch (err) {
      await audit('ERROR', (err as { extensions?: { code?: string } }).extensions?.code ?? 'INTERNAL_SERVER_ERROR');
      throw err;
    }
  }

  const forbidden = (reply: FastifyReply) => reply.code(403).send({ error: 'a refresh needs an operator key (this key may read only)' });
  const refreshWord = (r: { alreadyRunning: boolean }) => (r.alreadyRunning ? 'already in progress' : 'triggered');

  app.get(`${ORDERS_CACHE_PREFIX}/health`, async (_request, reply) => reply.send({ status: 'healthy' }));

  app.get(`${ORDERS_CACHE_PREFIX}/status`, async (_request, reply) => reply.send(cacheStatus(await services.mirror.state(CHANNEL))));

  app.post(`${ORDERS_CACHE_PREFIX}/refresh`, async (request, reply) => {
    const result = await startRefresh(request.client as Client);
    if (result === 'forbidden') return forbidden(reply);
    return reply.code(202).send({ status: refreshWord(result), job_id: result.job.id });
  });

  app.get(`${ORDERS_CACHE_PREFIX}/fetch-data`, async (request: FastifyRequest<{ Querystring: Record<string, string | string[] | undefined> }>, reply) => {
    const client = request.client as Client;
    const refresh = truthy(request.query.refresh);
    const stream = truthy(request.query.stream);
    const state = await services.mirror.state(CHANNEL);
    let started: { job: SyncJobRecord; alreadyRunning: boolean } | undefined;
    if (refresh) {
      const result = await startRefresh(client);
      if (result === 'forbidden') return forbidden(reply);
      started = result;
    }
    if (stream) return sseStream(request, reply, state, started);
    if (state.count === 0) return reply.code(503).send({ error: 'No cached data', ...(started ? { refresh: refreshWord(started) } : {}) });
    return reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(Readable.from(cachedObject(services, state, started ? { refresh: refreshWord(started) } : {}), { highWaterMark: 1 }));
  });

  /** `cached` now; `updated` (or `error`) when the refresh started ends; then `done`. */
  async function sseStream(request: FastifyRequest, reply: FastifyReply, state: MirrorState, started: { job: SyncJobRecord; alreadyRunning: boolean } | undefined): Promise<void> {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no', 'x-request-id': String(request.id) });
    res.flushHeaders();
    let ended = false;
    let wake: (() => void) | undefined;
    const end = () => {
      ended = true;
      wake?.();
    };
    open.add(end);
    res.once('close', end);
    const event = async (name: string, chunks: AsyncIterable<string> | string[]) => {
      if (!(await writeAtPace(res, `event: ${name}\ndata: `))) return false;
      for await (const chunk of chunks) if (!(await writeAtPace(res, chunk))) return false;
      return writeAtPace(res, '\n\n');
    };
    try {
      if (!(await event('cached', cachedObject(services, state, started ? { refresh: refreshWord(started) } : {})))) return;
      if (started) {
        // Until the refresh's job ends (its events, or the job store if one was missed).
        const jobId = started.job.id;
        let job: SyncJobRecord | undefined = started.job;
        const unsubscribe = services.jobs.events.subscribe(null, (j) => {
          if (j.id === jobId) wake?.();
        });
        try {
          while (!ended && job && !isFinal(job.status)) {
            await new Promise<void>((resolve) => {
              wake = resolve;
              setTimeout(resolve, 1_000).unref();
            });
            job = await services.jobs.store.get(jobId);
          }
        } finally {
          unsubscribe();
        }
        if (ended) return;
        if (job?.status === 'SUCCEEDED') {
          if (!(await event('updated', cachedObject(services, await services.mirror.state(CHANNEL))))) return;
        } else if (!(await event('error', [JSON.stringify({ error: job?.error ?? `the refresh ended ${job?.status ?? 'unknown'}` })]))) return;
      }
      await event('done', ['{}']);
    } catch (err) {
      logger.error({ err, reqId: request.id }, 'orders-cache stream failed');
    } finally {
      open.delete(end);
      res.end();
    }
  }
}
