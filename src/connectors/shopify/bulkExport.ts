/**
 * Backfills through a bulk operation (upstreams.md, "Bulk operations"):
 * `bulkOperationRunQuery` starts one (one per shop at a time), `node(id:)`
 * or `currentBulkOperation` says where it is, and when it is COMPLETED its
 * `url` is a JSON Lines file: one object per line, each nested connection's
 * nodes on lines of their own with `"__parentId"`, after their parent.
 *
 * The file is read as it downloads (src/upstreams/lineDownload.ts), one
 * order assembled at a time: its line items follow it, and the next order
 * line completes it. A child whose parent is already given (the file put it
 * further on) is given on its own, for its order; one whose order failed is
 * dropped with it. A line that is not JSON, or not an order or a line item
 * the mirror can keep, fails the order it belongs to (read from the broken
 * text when the order line itself is broken) and nothing else.
 */
import type { ChannelOrderLine } from '../../domain/channelOrders.js';
import type { BulkExport, BulkExportItem, BulkExportStatus } from '../../domain/orderSourcePorts.js';
import { utcTime } from '../../domain/channelOrders.js';
import { downloadLines, type DownloadedLine } from '../../upstreams/lineDownload.js';
import { UpstreamError } from '../../upstreams/upstreamError.js';
import type { AdminApi } from './adminApi.js';
import { MappingError, mapLineItem, mapOrderNode, orderNumberOf } from './map.js';
import { BULK_CURRENT, BULK_NODE, BULK_ORDERS_QUERY, BULK_RUN, ESTIMATED_COST_MUTATION, ESTIMATED_COST_OBJECT } from './queries.js';
import type { WireBulkOperation, WireLineItem, WireOrder, WireUserError } from './wire.js';

const STATUSES: readonly BulkExportStatus[] = ['CREATED', 'RUNNING', 'COMPLETED', 'CANCELING', 'CANCELED', 'FAILED', 'EXPIRED'];

const count = (v: unknown): number | null => {
  const n = typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
};

export function toBulkExport(op: WireBulkOperation | null | undefined, upstream: string): BulkExport | null {
  if (!op || typeof op.id !== 'string') return null;
  const status = STATUSES.find((s) => s === op.status);
  if (!status) throw new UpstreamError('rejected', upstream, `a bulk operation in an unknown status "${String(op.status).slice(0, 40)}"`);
  return {
    id: op.id,
    status,
    createdAt: utcTime(op.createdAt) ?? null,
    rootObjectCount: count(op.rootObjectCount),
    objectCount: count(op.objectCount),
    url: typeof op.url === 'string' && /^https?:\/\//.test(op.url) ? op.url : null,
    errorCode: typeof op.errorCode === 'string' ? op.errorCode.slice(0, 100) : null,
  };
}

/** `"__parentId":"gid://…/Order/…"` or an order's own `"id"`, read from a line that is not JSON. */
function orderIdInBrokenLine(text: string): { orderId: string | null; isChild: boolean } {
  const parent = /"__parentId"\s*:\s*"(gid:\/\/shopify\/Order\/\d{1,20})"/.exec(text)?.[1];
  if (parent) return { orderId: parent, isChild: true };
  const own = /"id"\s*:\s*"(gid:\/\/shopify\/Order\/\d{1,20})"/.exec(text)?.[1];
  return { orderId: own ?? null, isChild: false };
}

/** The orders of a bulk file as items (BulkExportItem): whole orders, late lines, and failures. */
export async function* bulkOrderItems(lines: AsyncIterable<DownloadedLine>, shopCurrency: string | null): AsyncGenerator<BulkExportItem> {
  let current: { order: WireOrder; lines: ChannelOrderLine[]; first: number; last: number } | null = null;
  /**
   * An item's `line` is where a resume may start after it: never past the first line of an order still
   * being assembled (a late child or a failure can be given while one is).
   */
  const resumable = (n: number) => (current ? current.first - 1 : n);
  /** Orders that failed: their children go with them. */
  const failed = new Set<string>();

  const complete = function* (): Generator<BulkExportItem> {
    if (!current) return;
    const c = current;
    current = null;
    try {
      const order = mapOrderNode(c.order, c.lines, shopCurrency);
      yield { kind: 'order', order, line: c.last };
    } catch (err) {
      const id = typeof c.order.id === 'string' ? c.order.id : null;
      if (id) failed.add(id);
      yield { kind: 'failure', line: c.last, orderId: id, message: err instanceof Error ? err.message : String(err) };
    }
  };
  const fail = function* (n: number, orderId: string | null, message: string): Generator<BulkExportItem> {
    if (orderId) failed.add(orderId);
    if (orderId && current && current.order.id === orderId) current = null;
    yield { kind: 'failure', line: resumable(n), orderId, message };
  };

  for await (const line of lines) {
    if (line.tooLong) {
      yield* fail(line.n, null, `line ${line.n} is longer than the gateway reads`);
      continue;
    }
    let obj: unknown;
    try {
      obj = JSON.parse(line.text);
    } catch {
      const { orderId, isChild } = orderIdInBrokenLine(line.text);
      if (orderId === null && current) {
        // It names no order: it may be one of the order being read, which then fails rather than land short.
        yield* fail(line.n, typeof current.order.id === 'string' ? current.order.id : null, `line ${line.n}, next to it, is not JSON`);
      }
      // A broken order line starts no order: the one being assembled is complete.
      if (!isChild) yield* complete();
      yield* fail(line.n, orderId, `line ${line.n} is not JSON`);
      continue;
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      yield* fail(line.n, null, `line ${line.n} is not an object`);
      continue;
    }
    const parentId = (obj as { __parentId?: unknown }).__parentId;
    if (parentId === undefined) {
      yield* complete();
      const id = (obj as WireOrder).id;
      if (!orderNumberOf(id)) {
        yield* fail(line.n, typeof id === 'string' ? id.slice(0, 100) : null, `line ${line.n} is not an order (no order id)`);
        continue;
      }
      current = { order: obj as WireOrder, lines: [], first: line.n, last: line.n };
      continue;
    }
    if (typeof parentId !== 'string' || failed.has(parentId)) continue;
    let item: ChannelOrderLine;
    try {
      item = mapLineItem(obj as WireLineItem);
    } catch (err) {
      yield* fail(line.n, parentId, `line ${line.n}: ${err instanceof MappingError ? err.message : 'not a line item'}`);
      continue;
    }
    if (current && current.order.id === parentId) {
      current.lines.push(item);
      current.last = line.n;
    } else if (orderNumberOf(parentId)) {
      // After another order: its order was given already (or is not in this file; the mirror decides).
      yield { kind: 'lines', orderId: parentId, lines: [item], line: resumable(line.n) };
    }
  }
  yield* complete();
}

export interface BulkExports {
  start(signal?: AbortSignal): Promise<BulkExport>;
  get(id: string, signal?: AbortSignal): Promise<BulkExport | null>;
  current(signal?: AbortSignal): Promise<BulkExport | null>;
  read(url: string, fromLine: number, signal?: AbortSignal): AsyncIterable<BulkExportItem>;
}

export function createBulkExports(api: AdminApi, options: { upstream: string; shopCurrency: () => Promise<string | null>; download: { name: string; metrics?: import('../../observability/metrics.js').Metrics } }): BulkExports {
  const { upstream } = options;
  return {
    async start(signal) {
      const { data } = await api.query<{ bulkOperationRunQuery?: { bulkOperation?: WireBulkOperation | null; userErrors?: WireUserError[] } }>({
        name: 'bulk.run',
        document: BULK_RUN,
        variables: { query: BULK_ORDERS_QUERY },
        estimatedCost: ESTIMATED_COST_MUTATION,
        lane: 'bulk',
        mutation: true,
        signal,
      });
      const result = data.bulkOperationRunQuery;
      const problems = (result?.userErrors ?? []).map((e) => e.message).filter((m): m is string => typeof m === 'string');
      const op = toBulkExport(result?.bulkOperation, upstream);
      if (!op) throw new UpstreamError('rejected', upstream, `the bulk export was not started: ${problems.join('; ').slice(0, 300) || 'no operation in the answer'}`);
      return op;
    },
    async get(id, signal) {
      const { data } = await api.query<{ node?: WireBulkOperation | null }>({ name: 'bulk.node', document: BULK_NODE, variables: { id }, estimatedCost: ESTIMATED_COST_OBJECT, lane: 'bulk', signal });
      return toBulkExport(data.node, upstream);
    },
    async current(signal) {
      const { data } = await api.query<{ currentBulkOperation?: WireBulkOperation | null }>({ name: 'bulk.current', document: BULK_CURRENT, estimatedCost: ESTIMATED_COST_OBJECT, lane: 'bulk', signal });
      return toBulkExport(data.currentBulkOperation, upstream);
    },
    read(url, fromLine, signal) {
      return (async function* () {
        const currency = await options.shopCurrency();
        yield* bulkOrderItems(downloadLines(url, { ...options.download, fromLine, signal }), currency);
      })();
    },
  };
}
