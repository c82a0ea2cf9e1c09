/**
 * FinditParts Reseller API: the supplier catalog the graph and the jobs read
 * (domain/ports.ts `SupplierCatalog`), in the vendor's batch forms (multi
 * endpoint in chunks of 50).
 */
import type { SupplierCatalog } from '../../domain/ports.js';
import type { Part, PartVariant } from '../../domain/types.js';
import type { UpstreamClient, UpstreamVendor } from '../../upstreams/http.js';
import { UpstreamError } from '../../upstreams/upstreamError.js';
import { parseRetryAfter } from '../../upstreams/retryAfter.js';
import { signFinditPartsJwt } from './jwt.js';
import { mapProduct, mapVariant } from './map.js';
import {
  FIP_MULTI_MAX_IDS,
  FIP_SEARCH_MAX_PER,
  FIP_VARIANTS_MAX_IDS,
  isFipError,
  type FipMultiEnvelope,
  type FipProductEnvelope,
  type FipSearchEnvelope,
  type FipVariantsEnvelope,
  type FipVehiclesEnvelope,
} from './wire.js';

export interface FinditPartsAuth {
  clientId?: string;
  clientSecret?: string;
  apiKey?: string;
}

/** Auth, quota headers and error bodies as FinditParts speaks them. */
export function finditPartsVendor(auth: FinditPartsAuth): UpstreamVendor {
  return {
    authHeaders(): Record<string, string> {
      // upstreams.md: a fresh short-lived JWT per request, or a static X-API-Key.
      if (auth.clientId && auth.clientSecret) {
        return { authorization: `Bearer ${signFinditPartsJwt({ clientId: auth.clientId, clientSecret: auth.clientSecret })}` };
      }
      if (auth.apiKey) return { 'x-api-key': auth.apiKey };
      return {};
    },
    quotaReport(status, headers) {
      // No published quota headers; a 429 carries Retry-After.
      const retryAfterMs = status === 429 ? parseRetryAfter(headers['retry-after']) : undefined;
      return retryAfterMs !== undefined ? { retryAfterMs } : {};
    },
    errorMessage(body) {
      return isFipError(body) ? body.message : undefined;
    },
  };
}


export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function createFinditPartsCatalog(http: UpstreamClient): SupplierCatalog {
  function ensureOk(body: unknown): void {
    // upstreams.md: errno 0 = success, also present on 200s; anything else is a business error.
    if (isFipError(body)) throw new UpstreamError('rejected', http.name, body.message);
  }

  return {
    async productsByIds(ids, lane) {
      const found = new Map<string, Part>();
      const keep = (products: FipMultiEnvelope['products']) => {
        for (const p of products ?? []) {
          const part = mapProduct(p);
          found.set(part.supplierId, part);
        }
      };
      // upstreams.md: `/products/{ids}/multi` is the batch read (at most 50 ids a call); the search
      // also filters by `ids`, 100 a page, with the same product shape. Up to one multi call's worth
      // the multi endpoint answers; past it, pages of 100 take half the calls (and half the quota).
      if (ids.length === 0) return found;
      if (ids.length <= FIP_MULTI_MAX_IDS) {
        const res = await http.request({ method: 'GET', path: ['products', ids.join(','), 'multi'], endpoint: 'products.multi', lane });
        if (res.status === 404) return found;
        ensureOk(res.body);
        keep((res.body as FipMultiEnvelope).products);
        return found;
      }
      await Promise.all(
        chunk(ids, FIP_SEARCH_MAX_PER).map(async (group) => {
          const res = await http.request({ method: 'GET', path: ['products'], query: { ids: group.join(','), page: 1, per: group.length }, endpoint: 'products.byIds', lane });
          if (res.status === 404) return;
          ensureOk(res.body);
          keep((res.body as FipSearchEnvelope).products);
        }),
      );
      return found;
    },

    async search(params, lane) {
      const res = await http.request({
        method: 'GET',
        path: ['products'],
        query: {
          query: params.query,
          part_number: params.partNumber,
          tags: params.tags?.length ? params.tags.join(',') : undefined,
          // The sandbox's fitment filters (upstreams.md: fitment is not documented publicly).
          fitment_year: params.vehicle?.year,
          fitment_make: params.vehicle?.make,
          fitment_model: params.vehicle?.model,
          page: params.page,
          per: Math.min(params.per, FIP_SEARCH_MAX_PER),
        },
        endpoint: 'products.search',
        lane,
      });
      if (res.status === 404) return { items: [], total: 0 };
      ensureOk(res.body);
      const env = res.body as FipSearchEnvelope;
      return { items: (env.products ?? []).map(mapProduct), total: env.pagination?.total_count ?? 0 };
    },

    async lookup(partNumber, lane) {
      const res = await http.request({
        method: 'GET',
        path: ['products', 'lookup'],
        query: { part_number: partNumber },
        endpoint: 'products.lookup',
        lane,
      });
      if (res.status === 404) return null;
      ensureOk(res.body);
      return mapProduct((res.body as FipProductEnvelope).product);
    },

    async vehicles(lane) {
      const res = await http.request({ method: 'GET', path: ['vehicles'], endpoint: 'vehicles', lane });
      if (res.status === 404) return { makes: [] };
      ensureOk(res.body);
      const env = res.body as FipVehiclesEnvelope;
      const { min, max } = env.years ?? { min: 0, max: -1 };
      // One year range for every model: the sandbox lists no years per model.
      const years = Number.isInteger(min) && Number.isInteger(max) && max >= min && max - min <= 200 ? Array.from({ length: max - min + 1 }, (_, i) => min + i) : [];
      return {
        makes: (env.vehicles ?? []).map((v) => ({ make: v.make, models: (v.models ?? []).map((model) => ({ model, years: [...years] })) })),
      };
    },

    async variantsByIds(ids, lane) {
      const found = new Map<string, PartVariant>();
      await Promise.all(
        chunk(ids, FIP_VARIANTS_MAX_IDS).map(async (group) => {
          const res = await http.request({ method: 'GET', path: ['variants', group.join(',')], endpoint: 'variants', lane });
          if (res.status === 404) return;
          ensureOk(res.body);
          for (const v of (res.body as FipVariantsEnvelope).variants ?? []) {
            const variant = mapVariant(v, v.product_id !== undefined ? String(v.product_id) : '');
            found.set(variant.variantId, variant);
          }
        }),
      );
      return found;
    },
  };
}
