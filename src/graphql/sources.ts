/**
 * The process-wide, cached and batched data sources behind the graph: one
 * per entity kind, each fetching in the vendor's batch form and priming the
 * kinds a response also carries (a multi call also brings price and stock).
 */
import type { CacheTtls } from '../config.js';
import type { CacheMark, EntityCache, EntitySource } from '../cache/entityCache.js';
import type { Money } from '../domain/money.js';
import type { Part, StoreInventory, StoreOrder, StoreOrderLine, StoreProduct, VehicleLookup } from '../domain/types.js';
import type { Store, Supplier } from '../domain/ports.js';

export interface Sources {
  part: EntitySource<Part>;
  /** Part number → supplier id. */
  partNumber: EntitySource<string>;
  /** Supplier variant id → price. */
  price: EntitySource<Money>;
  /** Supplier variant id → quantity. */
  stock: EntitySource<number>;
  productById: EntitySource<StoreProduct>;
  productBySku: EntitySource<StoreProduct>;
  storeStock: EntitySource<StoreInventory>;
  order: EntitySource<StoreOrder>;
  orderLines: EntitySource<StoreOrderLine[]>;
  /** The supplier's vehicle lookup (makes, models, years), under the one key VEHICLES_KEY. */
  vehicles: EntitySource<VehicleLookup>;
  /**
   * Writes what a page of parts carries into the part, price and stock caches.
   * `mark`: taken before the page was fetched (EntityCache.mark()), so a page
   * read before a sync's invalidation does not undo it.
   */
  primeParts(parts: Part[], mark: CacheMark): Promise<void>;
  primeProducts(products: StoreProduct[], mark: CacheMark): Promise<void>;
}

/** The vehicle lookup is one list: cached under one key. */
export const VEHICLES_KEY = 'all';

export function createSources(cache: EntityCache, supplier: Supplier, store: Store, ttl: CacheTtls): Sources {
  const fip = supplier.catalog;
  const bc = { ...store.catalog, ...store.orders };
  let sources: Sources;

  async function primeParts(parts: Part[], mark: CacheMark): Promise<void> {
    const prices = new Map<string, Money>();
    const stocks = new Map<string, number>();
    for (const part of parts) {
      for (const v of part.variants) {
        prices.set(v.variantId, v.price);
        stocks.set(v.variantId, v.quantity);
      }
    }
    await Promise.all([
      sources.part.prime(new Map(parts.map((p) => [p.supplierId, p])), mark),
      sources.partNumber.prime(new Map(parts.map((p) => [p.partNumber, p.supplierId])), mark),
      sources.price.prime(prices, mark),
      sources.stock.prime(stocks, mark),
    ]);
  }

  async function primeProducts(products: StoreProduct[], mark: CacheMark): Promise<void> {
    await Promise.all([
      sources.productById.prime(new Map(products.map((p) => [p.storeId, p])), mark),
      sources.productBySku.prime(new Map(products.map((p) => [p.sku, p])), mark),
    ]);
  }

  async function variants(keys: string[], pick: 'price' | 'quantity', mark: CacheMark) {
    const found = await fip.variantsByIds(keys, 'interactive');
    const other = pick === 'price' ? sources.stock : sources.price;
    await other.prime(new Map([...found].map(([k, v]) => [k, pick === 'price' ? v.quantity : v.price] as [string, never])), mark);
    return new Map([...found].map(([k, v]) => [k, pick === 'price' ? v.price : v.quantity] as [string, never]));
  }

  sources = {
    part: cache.source<Part>({
      kind: 'part',
      ttlMs: ttl.partMs,
      maxBatch: 250,
      async fetchMany(ids, { mark }) {
        const found = await fip.productsByIds(ids, 'interactive');
        // Price and stock ride along; the part itself is stored by the cache.
        const parts = [...found.values()];
        await Promise.all([
          sources.partNumber.prime(new Map(parts.map((p) => [p.partNumber, p.supplierId])), mark),
          sources.price.prime(new Map(parts.flatMap((p) => p.variants.map((v) => [v.variantId, v.price] as const))), mark),
          sources.stock.prime(new Map(parts.flatMap((p) => p.variants.map((v) => [v.variantId, v.quantity] as const))), mark),
        ]);
        return found;
      },
    }),
    partNumber: cache.source<string>({
      kind: 'partNumber',
      ttlMs: ttl.partMs,
      maxBatch: 50,
      async fetchMany(numbers, { mark }) {
        // The supplier has no batch lookup by part number: one call each, in parallel.
        const found = new Map<string, string | null>();
        const parts = await Promise.all(numbers.map((n) => fip.lookup(n, 'interactive')));
        numbers.forEach((n, i) => found.set(n, parts[i]?.supplierId ?? null));
        const existing = parts.filter((p): p is Part => p !== null);
        if (existing.length) await primeParts(existing, mark);
        return found;
      },
    }),
    price: cache.source<Money>({ kind: 'price', ttlMs: ttl.priceMs, fetchMany: (keys, { mark }) => variants(keys, 'price', mark) }),
    stock: cache.source<number>({ kind: 'stock', ttlMs: ttl.stockMs, fetchMany: (keys, { mark }) => variants(keys, 'quantity', mark) }),
    productById: cache.source<StoreProduct>({
      kind: 'product',
      ttlMs: ttl.productMs,
      async fetchMany(ids, { mark }) {
        const found = await bc.productsByIds(ids, 'interactive');
        await sources.productBySku.prime(new Map([...found.values()].map((p) => [p.sku, p])), mark);
        return found;
      },
    }),
    productBySku: cache.source<StoreProduct>({
      kind: 'productBySku',
      ttlMs: ttl.productMs,
      async fetchMany(skus, { mark }) {
        const found = await bc.productsBySkus(skus, 'interactive');
        await sources.productById.prime(new Map([...found.values()].map((p) => [p.storeId, p])), mark);
        return found;
      },
    }),
    storeStock: cache.source<StoreInventory>({
      kind: 'storeStock',
      ttlMs: ttl.stockMs,
      fetchMany: (skus) => bc.inventoryBySkus(skus, 'interactive'),
    }),
    order: cache.source<StoreOrder>({
      kind: 'order',
      ttlMs: ttl.orderMs,
      maxBatch: 50,
      async fetchMany(ids) {
        const orders = await Promise.all(ids.map((id) => bc.get(id, 'interactive')));
        return new Map(ids.map((id, i) => [id, orders[i] ?? null]));
      },
    }),
    orderLines: cache.source<StoreOrderLine[]>({
      kind: 'orderLines',
      ttlMs: ttl.orderMs,
      maxBatch: 50,
      async fetchMany(ids) {
        // Lines carry their order's currency, which v2 order products do not state: the
        // orders (cached: a line is reached through its order) say it.
        const orders = await sources.order.loadMany(ids);
        // v2 has no batch form for order products: one call per order.
        const lines = await Promise.all(
          ids.map((id, i) => {
            const order = orders[i];
            if (order instanceof Error) return Promise.reject(order);
            return order?.value ? bc.lines(id, order.value.currency, 'interactive') : Promise.resolve([]);
          }),
        );
        return new Map(ids.map((id, i) => [id, lines[i] ?? []]));
      },
    }),
    vehicles: cache.source<VehicleLookup>({
      kind: 'vehicles',
      // The vehicles change when the supplier's fitment data does: as slowly as parts.
      ttlMs: ttl.partMs,
      maxBatch: 1,
      async fetchMany(keys) {
        const lookup = await fip.vehicles('interactive');
        return new Map(keys.map((k) => [k, k === VEHICLES_KEY ? lookup : null]));
      },
    }),
    primeParts,
    primeProducts,
  };
  return sources;
}
