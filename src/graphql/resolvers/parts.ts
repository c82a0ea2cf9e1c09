/** Parts: the supplier's catalog, linked to the store by the SKU rule. */
import type { Part } from '../../domain/types.js';
import { computeDrift } from '../../domain/drift.js';
import { mapPart, mappedVariant } from '../../jobs/productMapper.js';
import type { GraphQLContext } from '../context.js';
import { ErrorCode, gatewayError } from '../errors.js';
import type { PartResolvers, QueryResolvers } from '../generated/resolvers.js';
import { checkCode, checkListSize, parseId, toGlobalId } from '../ids.js';
import { toGatewayError } from '../loaders.js';
import { connection, fetchWindow, parseWindow } from '../pagination.js';
import { erpAvailable } from './erp.js';
import { VEHICLES_KEY } from '../sources.js';

/** Largest `first` for searchParts: the supplier's page size cap. */
export const SEARCH_MAX_FIRST = 100;

export function preferredVariantId(part: Part): string | null {
  return part.preferredVariantId ?? part.variants[0]?.variantId ?? null;
}

/**
 * Drift: where the store differs from what a sync would write for this part
 * now (README, Sync jobs: the mapper applies PRICE_MARKUP_PERCENT and
 * PRICE_ROUNDING, trims the name, floors stock at 0). Comparing with the raw
 * supplier values instead would call every marked-up product drifted and a
 * product left at the supplier's price in sync. With an ERP, the store's
 * stock is also compared with the ERP's available stock (ERP_STOCK).
 */
export async function partDrift(part: Part, ctx: GraphQLContext) {
  const { skuRule, config } = ctx.services;
  const product = await ctx.loaders.productBySku.load(skuRule.skuFor(part.partNumber));
  if (!product) return null;
  const variant = mappedVariant(part);
  const [[price, stock], erpStock] = await Promise.all([
    variant ? Promise.all([ctx.loaders.price.load(variant.variantId), ctx.loaders.stock.load(variant.variantId)]) : Promise.resolve([null, null] as const),
    erpAvailable(ctx.services.erpItemRule.forPart(part.partNumber), ctx),
  ]);
  // The part as the sync would read it: the variant's current price and stock (their caches are fresher than the part's).
  const current: Part = {
    ...part,
    variants: part.variants.map((v) => (v === variant ? { ...v, price: price ?? v.price, quantity: stock ?? v.quantity } : v)),
  };
  const mapped = mapPart(current, { skuRule, markupPercent: config.sync.markupPercent, rounding: config.sync.rounding, categoryMap: config.sync.categoryMap });
  // A part the mapper refuses (no positive price, no name) is never written: only what it would still normalise is compared.
  const expected = mapped.ok
    ? { name: mapped.product.name, price: price ? mapped.product.price : null, stock: stock === null ? null : mapped.product.stock }
    : { name: part.description.trim(), price: null, stock: stock === null ? null : Math.max(0, stock) };
  const fields = computeDrift({
    expected,
    actual: { name: product.name, price: product.price?.amount ?? null, stock: product.inventoryLevel },
    erpStock,
  });
  return { inSync: fields.length === 0, fields };
}

/** A vehicle as a client gives it: a plausible year, a make and a model of 1 to 50 characters. */
export function checkVehicle(argument: string, v: { year: number; make: string; model: string }): { year: number; make: string; model: string } {
  if (!Number.isInteger(v.year) || v.year < 1900 || v.year > 2100) throw gatewayError(ErrorCode.BAD_USER_INPUT, `${argument}.year must be a year from 1900 to 2100`, { argument: `${argument}.year` });
  const text = (name: 'make' | 'model') => {
    const t = v[name].trim();
    if (t.length === 0 || t.length > 50) throw gatewayError(ErrorCode.BAD_USER_INPUT, `${argument}.${name} must be 1 to 50 characters`, { argument: `${argument}.${name}` });
    return t;
  };
  return { year: v.year, make: text('make'), model: text('model') };
}

const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

async function vehicleLookup(ctx: GraphQLContext) {
  return (await ctx.loaders.vehicles.load(VEHICLES_KEY)) ?? { makes: [] };
}

export const vehicleQueries: Pick<QueryResolvers, 'vehicleMakes' | 'vehicleModels' | 'vehicleYears'> = {
  async vehicleMakes(_root, _args, ctx) {
    return (await vehicleLookup(ctx)).makes.map((m) => m.make);
  },
  async vehicleModels(_root, { make }, ctx) {
    return (await vehicleLookup(ctx)).makes.find((m) => sameName(m.make, make))?.models.map((m) => m.model) ?? [];
  },
  async vehicleYears(_root, { make, model }, ctx) {
    const found = (await vehicleLookup(ctx)).makes.find((m) => sameName(m.make, make))?.models.find((m) => sameName(m.model, model));
    return found ? [...found.years].sort((a, b) => a - b) : [];
  },
};

/** Unknown ids are null; an upstream failure for an id fails the field with its code. */
function withoutFailures(results: Array<Part | null | Error>): Array<Part | null> {
  const failed = results.find((r): r is Error => r instanceof Error);
  if (failed) throw failed;
  return results as Array<Part | null>;
}

export const partQueries: Pick<QueryResolvers, 'part' | 'parts' | 'partByNumber' | 'searchParts'> = {
  // Not async: a value at hand is answered as a value (loaders.ts, ImmediateReads).
  part(_root, { id }, ctx) {
    return ctx.loaders.read('part', parseId('Part', id));
  },
  parts(_root, { ids }, ctx) {
    checkListSize('ids', ids.length, ctx.services.config.maxIdsPerField);
    const local = ids.map((id) => parseId('Part', id));
    const results = ctx.loaders.readMany('part', local);
    return Array.isArray(results) ? results : results.then(withoutFailures);
  },
  async partByNumber(_root, { partNumber }, ctx) {
    const id = await ctx.loaders.partNumber.load(checkCode('partNumber', partNumber));
    return id ? ctx.loaders.part.load(id) : null;
  },
  async searchParts(_root, { query, tags, vehicle, first, after }, ctx) {
    if (query && query.length > 200) throw gatewayError(ErrorCode.BAD_USER_INPUT, 'query: at most 200 characters', { argument: 'query' });
    const fits = vehicle ? checkVehicle('vehicle', vehicle) : undefined;
    if (tags) {
      checkListSize('tags', tags.length, 20);
      tags.forEach((t) => checkCode('tags', t));
    }
    const window = parseWindow(first, after, SEARCH_MAX_FIRST);
    // A result page changes as stock does: cache whole responses no longer than stock.
    ctx.hints.minTtlMs = Math.min(ctx.hints.minTtlMs, ctx.services.config.cache.ttl.stockMs);
    try {
      // Before the page is read: a page from before a sync's invalidation must not be primed after it.
      const mark = await ctx.services.cache.mark();
      const page = await fetchWindow(window.offset, window.first, (p, per) =>
        ctx.services.supplier.catalog.search({ query: query ?? undefined, tags: tags ?? undefined, vehicle: fits, page: p, per }, 'interactive'),
      );
      await ctx.services.sources.primeParts(page.items, mark);
      for (const part of page.items) ctx.loaders.part.prime(part.supplierId, part);
      return connection(page.items, window.offset, page.total, window.offset + page.items.length < page.total);
    } catch (err) {
      throw toGatewayError(err);
    }
  },
};

export const partResolvers: PartResolvers = {
  id: (part) => toGlobalId('Part', part.supplierId),
  description: (part) => part.description,
  price(part, _args, ctx) {
    const vid = preferredVariantId(part);
    return vid ? ctx.loaders.read('price', vid) : null;
  },
  supplierStock(part, _args, ctx) {
    const vid = preferredVariantId(part);
    return vid ? ctx.loaders.read('stock', vid) : null;
  },
  variants: (part) => part.variants.map((v) => ({ ...v })),
  fits: (part, args) => {
    const v = checkVehicle('fits', args);
    return part.fitments.some((f) => f.year === v.year && sameName(f.make, v.make) && sameName(f.model, v.model));
  },
  storeProduct: (part, _args, ctx) => ctx.loaders.read('productBySku', ctx.services.skuRule.skuFor(part.partNumber)),
  inventory: (part, _args, ctx) => ({ sku: ctx.services.skuRule.skuFor(part.partNumber), supplierVariantId: preferredVariantId(part) }),
  drift: (part, _args, ctx) => partDrift(part, ctx),
};

export const partVariantResolvers = {
  id: (v: { variantId: string }) => v.variantId,
};
