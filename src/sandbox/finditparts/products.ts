/**
 * Catalog routes of the Reseller API (registered under `/api/v1`):
 * upstreams.md "Catalog" plus the sandbox's vehicle fitment extension.
 */
import type { FastifyInstance } from 'fastify';
import { VEHICLE_MAKES, type Catalog } from '../common/catalog.js';
import { parseIdList, parsePaging, queryString, unique, type Query } from './params.js';
import type { ProductSearch } from './search.js';
import { parseSearchFilters } from './search.js';
import { ERRNO, errorBody, toProductWire, toVariantWire, type ProductWire } from './wire.js';

/** upstreams.md: "the sandbox caps [multi] at 50 ids per call"; `/variants/{ids}` shares the cap. */
export const MAX_IDS_PER_CALL = 50;

/**
 * Years the catalog's fitments span (catalog.ts draws `2005 + floor(r * 20)`).
 * Sandbox extension: the vendor documents no vehicle lookup.
 */
export const FITMENT_YEARS = { min: 2005, max: 2024 } as const;

const PRODUCT_NOT_FOUND = errorBody(ERRNO.NOT_FOUND, 'product not found');

export function registerProductRoutes(api: FastifyInstance, catalog: Catalog, search: ProductSearch): void {
  function product(id: number): ProductWire | undefined {
    const part = catalog.get(id);
    return part ? toProductWire(part) : undefined;
  }

  // upstreams.md: GET /products?query=&part_number=&page=&per=&tags=&ids= — search.
  api.get('/products', async (request, reply) => {
    const query = request.query as Query;
    const paging = parsePaging(query);
    if (!paging.ok) return reply.code(400).send(errorBody(ERRNO.BAD_REQUEST, paging.message));
    const filters = parseSearchFilters(query);
    if (!filters.ok) return reply.code(400).send(errorBody(ERRNO.BAD_REQUEST, filters.message));
    const { page, per } = paging.value;
    const result = search.search(filters.value, page, per);
    return {
      products: result.indices.map(product).filter((p): p is ProductWire => p !== undefined),
      pagination: { current_page: page, per_page: per, total_count: result.totalCount },
      errno: ERRNO.OK,
      aggs: { manufacturers: result.manufacturers },
    };
  });

  // upstreams.md: GET /products/lookup?part_number= — by part number. A static
  // segment, so it wins over /products/:id in the router.
  api.get('/products/lookup', async (request, reply) => {
    const partNumber = queryString(request.query as Query, 'part_number');
    if (!partNumber) return reply.code(400).send(errorBody(ERRNO.BAD_REQUEST, 'part_number is required'));
    const index = catalog.indexOfPartNumber(partNumber);
    const found = index === undefined ? undefined : product(index);
    if (!found) return reply.code(404).send(PRODUCT_NOT_FOUND);
    return { product: found, errno: ERRNO.OK };
  });

  // upstreams.md: GET /products/{id} — one product.
  api.get('/products/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const found = /^\d{1,15}$/.test(id) ? product(Number(id)) : undefined;
    if (!found) return reply.code(404).send(PRODUCT_NOT_FOUND);
    return { product: found, errno: ERRNO.OK };
  });

  // upstreams.md: GET /products/{id1,id2,…}/multi — many products in one call,
  // capped at 50 ids; found products come back in the order asked, unknown
  // ids are simply absent.
  api.get('/products/:ids/multi', async (request, reply) => {
    const { ids } = request.params as { ids: string };
    const parsed = parseIdList(ids, 'ids', MAX_IDS_PER_CALL);
    if (!parsed.ok) return reply.code(400).send(errorBody(ERRNO.BAD_REQUEST, parsed.message));
    const products = unique(parsed.value)
      .map(product)
      .filter((p): p is ProductWire => p !== undefined);
    return { products, errno: ERRNO.OK };
  });

  // upstreams.md: GET /variants/{ids} — variants (each with its product_id).
  api.get('/variants/:ids', async (request, reply) => {
    const { ids } = request.params as { ids: string };
    const parsed = parseIdList(ids, 'ids', MAX_IDS_PER_CALL);
    if (!parsed.ok) return reply.code(400).send(errorBody(ERRNO.BAD_REQUEST, parsed.message));
    const variants = [];
    for (const variantId of unique(parsed.value)) {
      const index = catalog.indexOfVariant(variantId);
      const variant = index === undefined ? undefined : catalog.get(index)?.variants.find((v) => v.variantId === variantId);
      if (index !== undefined && variant) variants.push({ ...toVariantWire(variant), product_id: index });
    }
    return { variants, errno: ERRNO.OK };
  });

  // Sandbox extension (upstreams.md: "Vehicle fitment: not documented
  // publicly. The sandbox defines it"): the makes and models products fit,
  // and the year range; filter products with GET /products?fitment_year=&fitment_make=&fitment_model=.
  api.get('/vehicles', async () => ({
    vehicles: VEHICLE_MAKES.map((v) => ({ make: v.make, models: [...v.models] })),
    years: { ...FITMENT_YEARS },
    errno: ERRNO.OK,
  }));
}
