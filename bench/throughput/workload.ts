/**
 * What the throughput scenario asks: 20 parts with their price and their
 * store product. The identical case sends one fixed body; the distinct case
 * draws a fresh random set of 20 ids from a range the gateway's entity cache
 * holds, so the whole-response cache misses as it does for a frontend's real
 * traffic (different ids, pages, filters), while no entity has to be fetched.
 */

/** The query, with the ids as a variable so only the variables change between requests. */
export const CROSSDOCK_QUERY =
  'query Parts($ids: [ID!]!) { parts(ids: $ids) { id partNumber price { amount } storeProduct { sku price { amount } } } }';

/**
 * The same logical data from the peer's supergraph (bench/peer/): FinditParts'
 * batch endpoint `GET /products/{ids}/multi` takes the ids as one comma list.
 * A part's price is its preferred variant's, so the variants come along.
 */
export const PEER_QUERY =
  'query Parts($ids: String!) { FIP_api_v1_products_by_ids_multi(ids: $ids) { products { id part_number preferred_variant_id variants { variant_id price } storeProduct { sku price } } } }';

export const crossdockBody = (ids: readonly string[]): string => JSON.stringify({ query: CROSSDOCK_QUERY, variables: { ids } });
export const peerBody = (ids: readonly string[]): string => JSON.stringify({ query: PEER_QUERY, variables: { ids: ids.join(',') } });

/** The fixed set of the identical-query case: parts 1–`size`. */
export function firstIds(size: number): string[] {
  return Array.from({ length: size }, (_, i) => String(i + 1));
}

export interface IdSets {
  /** `size` distinct ids from 1..`range`, in random order. */
  next(): string[];
}

/**
 * Seeded (mulberry32), so a run's sets can be replayed; ids are distinct within a set.
 * With 20 of 1,000 there are about 3·10^41 sets: a run of a few hundred thousand
 * requests repeats none, so no answer can come from the response cache.
 */
export function randomIdSets(options: { range: number; size: number; seed: number }): IdSets {
  const { range, size } = options;
  if (!Number.isInteger(range) || !Number.isInteger(size) || size < 1 || size > range) {
    throw new Error(`randomIdSets: need 1 <= size (${size}) <= range (${range})`);
  }
  let state = options.seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next() {
      const picked = new Set<number>();
      while (picked.size < size) picked.add(1 + Math.floor(random() * range));
      return [...picked].map(String);
    },
  };
}
