/**
 * Store orders in the ERP: the exports' state (records only, no upstream
 * call), the store order's own export, and the retry of one the ERP
 * refused (operator; audited like every mutation). Error text quotes the
 * ERP's messages, which may echo what they were sent: it passes through
 * the same redaction as log lines (redact.ts).
 */
import { isRecordId } from '../../domain/codes.js';
import type { ErpExportError } from '../../orders/erpExportTypes.js';
import { redactText } from '../../observability/redact.js';
import { UpstreamError } from '../../upstreams/upstreamError.js';
import type { GraphQLContext } from '../context.js';
import { ErrorCode, gatewayError } from '../errors.js';
import type { ErpErrorResolvers, ErpOrderExportResolvers, MutationResolvers, QueryResolvers } from '../generated/resolvers.js';
import { toGatewayError } from '../loaders.js';
import { isMirrored, type OrderModel } from '../models.js';
import { connection, parseWindow } from '../pagination.js';

function exports(ctx: GraphQLContext) {
  ctx.hints.uncacheable = true;
  return ctx.services.erpExports;
}

export const erpOrderQueries: Pick<QueryResolvers, 'erpOrderExport' | 'erpOrderExports'> = {
  erpOrderExport: async (_root, { id }, ctx) => (isRecordId(id) ? ((await exports(ctx).store.get(id)) ?? null) : null),
  async erpOrderExports(_root, { filter, first, after }, ctx) {
    const window = parseWindow(first, after, 200);
    const { items, total } = await exports(ctx).store.list({ status: filter?.status ?? undefined, storeOrderId: filter?.storeOrderId ?? undefined }, window.offset, window.first);
    return connection(items, window.offset, total, window.offset + items.length < total);
  },
};

export const erpOrderMutations: Pick<MutationResolvers, 'retryErpOrderExport'> = {
  async retryErpOrderExport(_root, { id }, ctx) {
    const e = exports(ctx);
    if (!isRecordId(id) || !(await e.store.get(id))) throw gatewayError(ErrorCode.NOT_FOUND, 'no such ERP order export', { argument: 'id' });
    if (!e.exporter) throw e.unavailable() ?? gatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, 'the ERP takes no orders', { upstream: 'erp', reason: 'NOT_CONFIGURED' });
    try {
      // An operator waits for the answer: the interactive lane.
      return await e.exporter.retry(id, 'interactive');
    } catch (err) {
      throw err instanceof UpstreamError ? toGatewayError(err) : err;
    }
  },
};

const redacted = (e: ErpExportError | null) => (e === null ? null : { ...e, message: redactText(e.message) });

export const erpOrderExportResolvers: ErpOrderExportResolvers = {
  abandonedBatchNumbers: (r) => r.abandoned,
  lastError: (r) => redacted(r.lastError),
  lines: (r) => r.lines.map((l) => ({ ...l, error: redacted(l.error) })),
  history: async (r, _a, ctx) => (await ctx.services.erpExports.store.events(r.id)).map((e) => ({ ...e, reason: redactText(e.reason) })),
};

export const erpErrorResolvers: ErpErrorResolvers = {
  field: (e) => e.field ?? null,
  errorType: (e) => e.errorType ?? null,
  errorCode: (e) => e.errorCode ?? null,
  transaction: (e) => e.transaction ?? null,
};

export const storeOrderErpExport = {
  // The export enters the store's orders in the ERP; a mirrored channel's order (Shopify) has none.
  erpExport: async (o: OrderModel, _a: unknown, ctx: GraphQLContext) => (isMirrored(o) ? null : ((await exports(ctx).store.byStoreOrder(o.orderId)) ?? null)),
};
