/**
 * BigCommerce Management API connector (upstreams.md, BigCommerce): v3
 * catalog and inventory reads in their batch forms (`id:in`, `sku:in`,
 * 250 per call and within URL length), v2 orders.
 *
 * Money carries the store's currencies: catalog prices are in the store's
 * default currency (`GET /v2/store` → `currency`, read once and kept an
 * hour), an order's amounts and its lines in the order's transactional
 * currency (map.ts, orderCurrency).
 */
import type { Lane, StoreCatalog, StoreOrders } from '../../domain/ports.js';
import type { StoreInventory, StoreProduct } from '../../domain/types.js';
import type { UpstreamClient, UpstreamVendor } from '../../upstreams/http.js';
import { parseRetryAfter } from '../../upstreams/retryAfter.js';
import { UpstreamError } from '../../upstreams/upstreamError.js';
import { currencyCode, mapInventory, mapOrder, mapOrderLine, mapProduct } from './map.js';
import {
  BC_MAX_QUERY_CHARS,
  BC_STATUS_ID,
  BC_V2_MAX_LIMIT,
  BC_V3_MAX_LIMIT,
  bcErrorMessage,
  type BcV2Order,
  type BcV2OrderProduct,
  type BcV2Store,
  type BcV3InventoryItem,
  type BcV3ListEnvelope,
  type BcV3Product,
} from './wire.js';

const num = (v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};

/** Auth, quota headers and error bodies as BigCommerce speaks them. */
export function bigCommerceVendor(accessToken: () => string): UpstreamVendor {
  return {
    authHeaders: () => ({ 'x-auth-token': accessToken() }),
    quotaReport(status, headers) {
      // upstreams.md: every response carries X-Rate-Limit-*; a 429 without them means platform load.
      const left = num(headers['x-rate-limit-requests-left']);
      const resetMs = num(headers['x-rate-limit-time-reset-ms']);
      const quota = num(headers['x-rate-limit-requests-quota']);
      const report: { left?: number; resetMs?: number; quota?: number; retryAfterMs?: number } = {};
      if (left !== undefined && resetMs !== undefined) {
        report.left = left;
        report.resetMs = resetMs;
      }
      if (quota !== undefined) report.quota = quota;
      if (status === 429) report.retryAfterMs = resetMs ?? parseRetryAfter(headers['retry-after']) ?? 1_000;
      return report;
    },
    errorMessage: bcErrorMessage,
  };
}

/** Splits values into groups of at most `max` whose comma-joined length stays under the URL budget. */
export function groupForQuery(values: readonly string[], max: number, maxChars = BC_MAX_QUERY_CHARS): string[][] {
  const groups: string[][] = [];
  let current: string[] = [];
  let chars = 0;
  for (const v of values) {
    const cost = encodeURIComponent(v).length + 3; // + encoded comma
    if (current.length > 0 && (current.length >= max || chars + cost > maxChars)) {
      groups.push(current);
      current = [];
      chars = 0;
    }
    current.push(v);
    chars += cost;
  }
  if (current.length) groups.push(current);
  return groups;
}

/** How long the store's default currency is trusted before it is read again: it changes only when the merchant changes it. */
export const STORE_CURRENCY_TTL_MS = 3_600_000;

export type StoreCurrency = (lane: Lane) => Promise<string>;

/**
 * The store's default currency (ISO 4217), the currency of its catalog prices:
 * single-flight; a failed read is forgotten (the next call asks again), a
 * failed refresh keeps the last known code.
 */
export function createStoreCurrency(http: UpstreamClient): StoreCurrency {
  let currency: { value: Promise<string>; until: number } | undefined;
  let lastCurrency: string | undefined;
  return function storeCurrency(lane) {
    const now = Date.now();
    if (currency && now < currency.until) return currency.value;
    const value = (async () => {
      try {
        const res = await http.request({ method: 'GET', path: ['v2', 'store'], endpoint: 'store.info', lane });
        const code = res.status < 300 ? currencyCode((res.body as BcV2Store | undefined)?.currency) : undefined;
        if (!code) throw new UpstreamError('rejected', http.name, `the store information (GET /v2/store) names no currency (HTTP ${res.status})`, { status: res.status });
        lastCurrency = code;
        return code;
      } catch (err) {
        if (lastCurrency) return lastCurrency;
        throw err;
      }
    })();
    currency = { value, until: now + STORE_CURRENCY_TTL_MS };
    value.catch(() => {
      if (currency?.value === value) currency = undefined;
    });
    return value;
  };
}

/** The v3 catalog and inventory reads, in their batch forms. */
export function createBigCommerceCatalog(http: UpstreamClient, storeCurrency: StoreCurrency): StoreCatalog {
  async function productsWhere(filter: 'id:in' | 'sku:in', values: readonly string[], lane: Lane) {
    const found: StoreProduct[] = [];
    // Read beside the products, not before them: no latency added when it is not cached yet.
    const storeCurrencyP = storeCurrency(lane);
    await Promise.all(
      groupForQuery(values, BC_V3_MAX_LIMIT).map(async (group) => {
        const res = await http.request({
          method: 'GET',
          path: ['v3', 'catalog', 'products'],
          // custom_fields carry the supplier id a sync wrote: it links back to the part in one batch.
          query: { [filter]: group.join(','), limit: BC_V3_MAX_LIMIT, include: 'custom_fields' },
          endpoint: `catalog.products.${filter === 'id:in' ? 'byId' : 'bySku'}`,
          lane,
        });
        if (res.status === 404 || res.status === 204) return;
        const code = await storeCurrencyP;
        for (const p of (res.body as BcV3ListEnvelope<BcV3Product>).data ?? []) found.push(mapProduct(p, code));
      }),
    );
    return found;
  }

  return {
    currency: storeCurrency,
    async productsByIds(ids, lane) {
      return new Map((await productsWhere('id:in', ids, lane)).map((p) => [p.storeId, p]));
    },
    async productsBySkus(skus, lane) {
      return new Map((await productsWhere('sku:in', skus, lane)).map((p) => [p.sku, p]));
    },
    async listProducts(params, lane) {
      const storeCurrencyP = storeCurrency(lane);
      const res = await http.request({
        method: 'GET',
        path: ['v3', 'catalog', 'products'],
        query: {
          keyword: params.keyword,
          'id:in': params.ids?.join(','),
          'sku:in': params.skus?.join(','),
          is_visible: params.isVisible,
          include: 'custom_fields',
          page: params.page,
          limit: Math.min(params.limit, BC_V3_MAX_LIMIT),
        },
        endpoint: 'catalog.products.list',
        lane,
      });
      if (res.status === 404 || res.status === 204) return { items: [], total: 0 };
      const env = res.body as BcV3ListEnvelope<BcV3Product>;
      const code = await storeCurrencyP;
      return { items: (env.data ?? []).map((p) => mapProduct(p, code)), total: env.meta?.pagination?.total ?? env.data?.length ?? 0 };
    },
    async inventoryBySkus(skus, lane) {
      const found = new Map<string, StoreInventory>();
      await Promise.all(
        groupForQuery(skus, BC_V3_MAX_LIMIT).map(async (group) => {
          const res = await http.request({
            method: 'GET',
            path: ['v3', 'inventory', 'items'],
            query: { 'sku:in': group.join(','), limit: BC_V3_MAX_LIMIT },
            endpoint: 'inventory.items',
            lane,
          });
          if (res.status === 404 || res.status === 204) return;
          for (const item of (res.body as BcV3ListEnvelope<BcV3InventoryItem>).data ?? []) {
            const inv = mapInventory(item);
            found.set(inv.sku, inv);
          }
        }),
      );
      return found;
    },
  };
}

/** v2 orders: amounts in the order's currency (map.ts), lines in their order's. */
export function createBigCommerceOrders(http: UpstreamClient, storeCurrency: StoreCurrency): StoreOrders {
  return {
    async list(params, lane) {
      const storeCurrencyP = storeCurrency(lane);
      const res = await http.request({
        method: 'GET',
        path: ['v2', 'orders'],
        query: {
          status_id: params.awaitingFulfillment ? BC_STATUS_ID.AWAITING_FULFILLMENT : params.statusId,
          min_date_modified: params.minDateModified,
          min_id: params.minId,
          page: params.page,
          limit: Math.min(params.limit, BC_V2_MAX_LIMIT),
          sort: 'id:asc',
        },
        endpoint: 'orders.list',
        lane,
      });
      // upstreams.md: v2 answers an empty result with 204 and no body.
      if (res.status === 204 || res.status === 404 || !Array.isArray(res.body)) return [];
      const code = await storeCurrencyP;
      return (res.body as BcV2Order[]).map((o) => mapOrder(o, code));
    },
    async count(lane) {
      const res = await http.request({ method: 'GET', path: ['v2', 'orders', 'count'], endpoint: 'orders.count', lane });
      const count = (res.body as { count?: unknown } | undefined)?.count;
      return typeof count === 'number' ? count : 0;
    },
    async get(id, lane) {
      const storeCurrencyP = storeCurrency(lane);
      const res = await http.request({ method: 'GET', path: ['v2', 'orders', id], endpoint: 'orders.get', lane });
      if (res.status === 404 || res.status === 204) return null;
      return mapOrder(res.body as BcV2Order, await storeCurrencyP);
    },
    async shippingAddress(orderId, lane) {
      const res = await http.request({ method: 'GET', path: ['v2', 'orders', orderId, 'shipping_addresses'], endpoint: 'orders.shippingAddresses', lane });
      if (res.status === 404 || res.status === 204 || !Array.isArray(res.body) || res.body.length === 0) return null;
      const a = res.body[0] as Record<string, unknown>;
      const str = (k: string) => (typeof a[k] === 'string' ? (a[k] as string) : '');
      const street2 = str('street_2');
      return {
        name: `${str('first_name')} ${str('last_name')}`.trim() || str('company'),
        street1: str('street_1'),
        ...(street2 ? { street2 } : {}),
        city: str('city'),
        state: str('state'),
        zip: str('zip'),
        country: str('country_iso2') || str('country'),
      };
    },
    async lines(orderId, currency, lane) {
      const res = await http.request({ method: 'GET', path: ['v2', 'orders', orderId, 'products'], endpoint: 'orders.products', lane });
      if (res.status === 404 || res.status === 204 || !Array.isArray(res.body)) return [];
      return (res.body as BcV2OrderProduct[]).map((l) => mapOrderLine(l, currency));
    },
  };
}
