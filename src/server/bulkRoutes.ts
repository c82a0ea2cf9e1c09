/**
 * The HTTP adapter for bulk CSV (src/bulk/): `POST /bulk/imports?kind=…`
 * and `GET /bulk/exports/{kind}.csv`. Both sit behind the auth hook (a key
 * is required); the import's role comes from the access policy.
 *
 * The upload is a stream: the request's kind, role, content type and
 * Content-Length are checked before a byte of the body is read (a 2 GB
 * Content-Length is refused at once and the connection closed), and the body
 * is counted while it streams in (a chunked upload is cut off at
 * BULK_IMPORT_MAX_BYTES). The `text/csv` parser is registered inside this
 * plugin only, so no other route accepts CSV.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { BulkRefusal } from '../bulk/bulkRefusal.js';
import type { BulkExports } from '../bulk/exports.js';
import type { BulkImports, ImportRequest } from '../bulk/importService.js';
import { HTTP_STATUS, type ErrorCode } from '../errors/errorCode.js';
import { isClientFacing } from '../errors/crossdockError.js';
import type { Logger } from '../observability/logger.js';
import { isStoreUnavailable } from '../storage/storeUnavailable.js';

export interface BulkRoutesOptions {
  imports: BulkImports;
  exports: BulkExports;
  logger: Logger;
}

function single(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function answerError(reply: FastifyReply, err: unknown, logger: Logger, close = false): FastifyReply {
  let status = 500;
  let body: { message: string; extensions: Record<string, unknown> } = { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  if (err instanceof BulkRefusal) {
    status = err.status;
    body = { message: err.message, extensions: { ...err.extensions, code: err.code, reason: err.reason } };
  } else if (isClientFacing(err)) {
    const code = String(err.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
    status = HTTP_STATUS[code as ErrorCode] ?? 400;
    body = { message: err.message, extensions: { ...err.extensions, code } };
  } else if (isStoreUnavailable(err)) {
    status = 503;
    body = { message: 'the durable store is unreachable; nothing was recorded, retry shortly', extensions: { code: 'STORE_UNAVAILABLE', retryable: true } };
  } else {
    logger.error({ err }, 'bulk request failed');
  }
  // The rest of an unread upload is not read: the connection closes after the answer.
  if (close) reply.header('connection', 'close');
  return reply.code(status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify({ errors: [body] }));
}

export function registerBulkRoutes(app: FastifyInstance, options: BulkRoutesOptions): void {
  const { imports, exports, logger } = options;

  void app.register(async (scope) => {
    // The body stays a stream for the import route to bound and store as it arrives.
    scope.addContentTypeParser('text/csv', (_request: FastifyRequest, payload: IncomingMessage, done: (err: Error | null, body?: unknown) => void) => done(null, payload));

    const describe = (request: FastifyRequest): Omit<ImportRequest, 'body'> => {
      const query = request.query as Record<string, unknown>;
      return { kind: single(query.kind), dryRun: single(query.dryRun), contentType: request.headers['content-type'], contentLength: request.headers['content-length'] };
    };

    scope.post('/bulk/imports', {
      // Before the body is parsed (or even looked at): whatever can be refused from the head is.
      async onRequest(request, reply) {
        const client = request.client;
        if (!client) return reply;
        try {
          await imports.precheck(describe(request), client);
        } catch (err) {
          return answerError(reply, err, logger, true);
        }
        return undefined;
      },
      async handler(request, reply) {
        const client = request.client;
        if (!client) return answerError(reply, new BulkRefusal(401, 'UNAUTHENTICATED', 'BAD_PARAMETER', 'an API key is required'), logger);
        const body = request.body as IncomingMessage | undefined;
        try {
          const started = await imports.start({ ...describe(request), body: body ?? Readable.from([]) }, client);
          const { job } = started;
          return reply.code(202).send({
            job: { id: job.id, kind: job.kind, status: job.status, dryRun: job.dryRun, rows: job.scope.import?.rows ?? null },
            alreadyRunning: started.alreadyRunning,
          });
        } catch (err) {
          body?.destroy();
          return answerError(reply, err, logger, true);
        }
      },
    });

    scope.get<{ Params: { file: string } }>('/bulk/exports/:file', async (request, reply) => {
      const file = request.params.file;
      if (!file.endsWith('.csv')) return answerError(reply, new BulkRefusal(404, 'NOT_FOUND', 'UNKNOWN_KIND', `no export "${file.slice(0, 40)}"; ask for KIND.csv`), logger);
      try {
        const params = Object.fromEntries(Object.entries(request.query as Record<string, unknown>).map(([k, v]) => [k, single(v)]));
        const { filename, body } = await exports.open(file.slice(0, -'.csv'.length), params);
        body.on('error', (err) => logger.warn({ err: err instanceof Error ? err.message : String(err), export: filename }, 'export stopped: the download is cut short'));
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${filename}"`)
          .header('cache-control', 'no-store')
          .send(body);
      } catch (err) {
        return answerError(reply, err, logger);
      }
    });
  });
}
