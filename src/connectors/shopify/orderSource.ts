/**
 * Shopify as the domain's `orderSource` (domain/ports.ts): the shop's
 * orders for the mirror, by a bulk export (backfill), by pages of
 * `orders(query: "updated_at:>='…'", sortKey: UPDATED_AT)` (incremental
 * pulls), and by webhooks.
 *
 * A page's size keeps its requested cost under the single-query cap
 * (SHOPIFY_GUESSES.maxQueryCost): sized from the connector's estimate of one
 * order until Shopify has reported a page's cost, then from that report. An
 * order with more line items than a page asks for gets the rest by `node`.
 */
import type { ChannelOrder, ChannelOrderLine } from '../../domain/channelOrders.js';
import type { OrderPage, OrderSource } from '../../domain/orderSourcePorts.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { UpstreamError } from '../../upstreams/upstreamError.js';
import type { AdminApi } from './adminApi.js';
import { createBulkExports } from './bulkExport.js';
import { MappingError, mapLineItem, mapOrderNode } from './map.js';
import { ESTIMATED_COST_ORDER_LINES, ESTIMATED_COST_PER_ORDER, ORDER_LINES_AFTER, ORDERS_UPDATED_SINCE, pageSizeFor } from './queries.js';
import { registerOrderWebhooks, WEBHOOK_PATH, type WebhookIntake } from './webhooks.js';
import type { WireLineItem, WireOrder, WirePageInfo } from './wire.js';

export interface ShopifyOrderSourceOptions {
  name: string;
  api: AdminApi;
  maxQueryCost: number;
  webhooks: { enabled: boolean; intake: WebhookIntake; callbackBase: () => string };
  shopCurrency: () => Promise<string | null>;
  logger: Logger;
  metrics: Metrics;
}

/** upstreams.md search syntax: `updated_at:>='2025-01-01T00:00:00Z'` (dates quoted). */
export function updatedSinceQuery(since: string): string {
  // A time the mirror wrote (ISO-8601); anything else would be a syntax the search does not know.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(since)) throw new Error(`not an ISO-8601 UTC time: ${since.slice(0, 40)}`);
  return `updated_at:>='${since.replace(/\.\d+Z$/, 'Z')}'`;
}

export function createShopifyOrderSource(options: ShopifyOrderSourceOptions): OrderSource {
  const { api, name } = options;
  const PAGE = 'orders.updatedSince';
  /** What one order of a page costs: the estimate, then what Shopify reported for the last page. */
  let perOrder = ESTIMATED_COST_PER_ORDER;
  let pageSize = pageSizeFor(perOrder, options.maxQueryCost);

  async function remainingLines(orderId: string, after: string, signal?: AbortSignal) {
    const lines: ChannelOrderLine[] = [];
    let cursor: string | null = after;
    while (cursor) {
      const answer: { data: { node?: { lineItems?: { nodes?: WireLineItem[]; pageInfo?: WirePageInfo } } | null } } = await api.query({
        name: 'order.lines',
        document: ORDER_LINES_AFTER,
        variables: { id: orderId, after: cursor },
        estimatedCost: ESTIMATED_COST_ORDER_LINES,
        lane: 'bulk',
        signal,
      });
      const conn = answer.data.node?.lineItems;
      for (const l of conn?.nodes ?? []) lines.push(mapLineItem(l));
      cursor = conn?.pageInfo?.hasNextPage ? (conn.pageInfo.endCursor ?? null) : null;
    }
    return lines;
  }

  async function updatedSince(since: string | null, after: string | null, signal?: AbortSignal): Promise<OrderPage> {
    const first = pageSize;
    const { data, cost } = await api.query<{ orders?: { nodes?: Array<WireOrder & { lineItems?: { nodes?: WireLineItem[]; pageInfo?: WirePageInfo } }>; pageInfo?: WirePageInfo } }>({
      name: PAGE,
      document: ORDERS_UPDATED_SINCE,
      variables: { first, after, query: since ? updatedSinceQuery(since) : null },
      // Scaled to this page's size from what one order was last reported to cost.
      estimatedCost: Math.ceil(first * perOrder),
      paceOnReport: false,
      lane: 'bulk',
      signal,
    });
    if (cost.requested !== null) {
      // Shopify's own figure sizes the next page (and the next page's wait for the bucket).
      perOrder = Math.max(0.01, cost.requested / first);
      pageSize = pageSizeFor(perOrder, options.maxQueryCost);
    }
    const conn = data.orders;
    if (!conn) throw new UpstreamError('rejected', name, 'an orders answer without the connection');
    const currency = await options.shopCurrency();
    const orders: ChannelOrder[] = [];
    const failures: OrderPage['failures'] = [];
    for (const node of conn.nodes ?? []) {
      try {
        const lines = (node.lineItems?.nodes ?? []).map(mapLineItem);
        const more = node.lineItems?.pageInfo;
        if (more?.hasNextPage && more.endCursor && typeof node.id === 'string') lines.push(...(await remainingLines(node.id, more.endCursor, signal)));
        orders.push(mapOrderNode(node, lines, currency));
      } catch (err) {
        // One order the mirror cannot keep fails alone; an upstream failure fails the page.
        if (!(err instanceof MappingError)) throw err;
        failures.push({ orderId: typeof node.id === 'string' ? node.id.slice(0, 100) : null, message: err.message });
      }
    }
    return { orders, failures, endCursor: conn.pageInfo?.endCursor ?? null, hasNextPage: conn.pageInfo?.hasNextPage === true };
  }

  const bulk = createBulkExports(api, { upstream: name, shopCurrency: options.shopCurrency, download: { name: `${name}-bulk-file`, metrics: options.metrics } });

  return {
    name,
    displayName: 'Shopify',
    channel: 'SHOPIFY',
    bulk,
    updatedSince,
    webhooks: {
      enabled: options.webhooks.enabled,
      async register() {
        if (!options.webhooks.enabled) return;
        await registerOrderWebhooks(api, `${options.webhooks.callbackBase()}${WEBHOOK_PATH}`, options.logger);
      },
      deliverTo: (sink) => options.webhooks.intake.deliverTo(sink),
    },
  };
}
