/**
 * The orders mirror exported: `GET /export/orders?format=ndjson|csv` and
 * the graph's filter names as query parameters (mirrorHttp.ts), every
 * matching order oldest first, streamed as it is read — keyset pages of the
 * mirror, written at the client's pace, so memory stays flat whatever the
 * mirror's size.
 *
 * - NDJSON: one order a line, with its line items (the drop-in's record).
 * - CSV (RFC 4180, through csv-stringify: quoting, embedded commas and
 *   newlines are the library's, not string concatenation): one row per
 *   order, line items summarised as `SKU×quantity` joined by `; `.
 *
 * An operator key: the export carries customers' names, emails and
 * addresses in bulk. A bad filter is 400 with the graph's error body.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { hasRole } from '../auth/roles.js';
import type { Client, Services } from '../graphql/context.js';
import { mirrorCsvPages, MIRROR_CSV_COLUMNS } from '../mirror/mirrorCsvRows.js';
import { mirrorNdjsonPages } from '../mirror/mirrorNdjsonLines.js';
import type { MirrorOrderFilter } from '../mirror/mirrorStore.js';
import { mirrorFilterFromQuery } from './mirrorHttp.js';

export const ORDER_EXPORT_PATH = '/export/orders';

/** Chunks read ahead of the socket: memory stays a page of orders and a chunk or two. */
const PAGE_BUFFER = 1;
/** Orders a page read from the store, and a chunk written: a page of NDJSON or CSV (see the routes for why not 1,000). */
const CHUNK_ORDERS = 250;

/** The CSV columns, in order (the record's own names; mirrorCsvRows.ts reads the rows in this order). */
export const ORDER_CSV_COLUMNS = MIRROR_CSV_COLUMNS;

const error = (code: string, message: string, extensions: Record<string, unknown> = {}) => ({ errors: [{ message, extensions: { code, ...extensions } }] });

export function registerOrderExport(app: FastifyInstance, options: { services: Services }): void {
  const { services } = options;
  app.get(ORDER_EXPORT_PATH, async (request: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply) => {
    const client = request.client as Client;
    if (!hasRole(client, 'operator')) return reply.code(403).send(error('FORBIDDEN', `the orders export needs role operator or above; this key has role ${client.role}`, { requiredRole: 'operator' }));
    const { format = 'ndjson', ...rest } = request.query;
    if (format !== 'ndjson' && format !== 'csv') return reply.code(400).send(error('BAD_USER_INPUT', 'format must be ndjson or csv', { argument: 'format' }));
    let filter: MirrorOrderFilter;
    try {
      filter = mirrorFilterFromQuery(rest);
    } catch (err) {
      const e = err as { message: string; extensions?: Record<string, unknown> };
      return reply.code(400).send(error('BAD_USER_INPUT', e.message, { argument: e.extensions?.argument }));
    }
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    reply.header('cache-control', 'no-store').header('content-disposition', `attachment; filename="orders-${filter.channel.toLowerCase()}-${stamp}.${format}"`);
    if (format === 'ndjson') {
      // A few hundred orders a chunk (CHUNK_ORDERS, about 300 KB): per order, a chunk costs more than its JSON, and a
      // chunk of a whole page held a megabyte string and its buffer at once. Readable.from asks for the next chunk
      // only when the socket has taken the last (backpressure); its default of 16 chunks buffered is PAGE_BUFFER here.
      // The lines come from the store already written, each JSON.stringify of the order's record (mirrorNdjsonLines.ts),
      // read a chunk's worth at a time: a compressed answer's zlib works in the thread pool but needs this thread
      // between its slices, and writing a 1,000-order page in one synchronous go (~12 ms) left it waiting. Side by
      // side (bench orderMirror, BENCH_BASELINE_DIR, load 1.7-2.5), 1,000-order pages against 250: 36,202 against
      // 57,489 orders/s in br in one run, 34,999 against 40,544 in the next; the CSV export the same way below.
      async function* lines() {
        for await (const page of mirrorNdjsonPages(services.mirror.store, filter, CHUNK_ORDERS)) yield `${page.join('\n')}\n`;
      }
      return reply.header('content-type', 'application/x-ndjson; charset=utf-8').send(Readable.from(lines(), { highWaterMark: PAGE_BUFFER }));
    }
    // csv-stringify's synchronous form over a page of rows at a time (the quoting is the library's, memory stays one
    // page; row by row through its stream was 2.5 times slower), pages of CHUNK_ORDERS as for NDJSON above (64,940
    // orders/s with 1,000-row pages, 76,487 with 250, side by side). The rows come from the store as value arrays in the
    // header's column order (mirrorCsvRows.ts), handed to the library as they are read.
    const options = { cast: { number: (n: number) => String(n) } };
    async function* csvChunks() {
      yield stringify([[...ORDER_CSV_COLUMNS]], options);
      for await (const rows of mirrorCsvPages(services.mirror.store, filter, CHUNK_ORDERS)) yield stringify(rows, options);
    }
    const csv = Readable.from(csvChunks(), { highWaterMark: PAGE_BUFFER });
    return reply.header('content-type', 'text/csv; charset=utf-8').send(csv);
  });
}
