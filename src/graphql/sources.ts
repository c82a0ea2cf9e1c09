/**
 * The process-wide, cached and batched data sources behind the graph: one
 * per entity kind, each fetching in the vendor's batch form and priming the
 * kinds a response also carries (a multi call also brings price and stock).
 */
import { createHash } from 'node:crypto';
import type { CacheTtls } from '../cache/cacheConfig.js';
import { BoundedMap } from '../cache/boundedMap.js';
import type { CacheMark, CacheResult, EntityCache, EntitySource } from '../cache/entityCache.js';
import type { Money } from '../domain/money.js';
import type { ErpItem, ErpWarehouseStock, Part, StoreInventory, StoreOrder, StoreOrderLine, StoreProduct, VehicleLookup } from '../domain/types.js';
import type { Capabilities, Erp, ErpReadRequest, ErpReadResult } from '../domain/ports.js';
import { ErrorCode, crossdockError } from '../errors/crossdockError.js';

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
  /** ERP item number → item (one bulk ERP call per batch). */
  erpItem: EntitySource<ErpItem>;
  /** ERP item number → its stock by warehouse. */
  erpStock: EntitySource<ErpWarehouseStock[]>;
  /**
   * One ERP read transaction (the `m3` escape hatch), cached for the TTL the
   * ERP gives its transaction, under the seed proxy's key: the transaction
   * and a hash of its input.
   */
  erpRead(request: ErpReadRequest): Promise<{ result: CacheResult<ErpReadResult> | Error; ttlMs: number }>;
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

/** Refused with no ERP: the fields that only the ERP answers say so (README, "The ERP"). */
export function erpNotConfigured(): Error {
  return crossdockError(ErrorCode.UPSTREAM_UNAVAILABLE, 'no ERP is configured (set ION_API_FILE)', { upstream: 'erp', reason: 'NOT_CONFIGURED' });
}

/** Per-key outcomes of a batch the ERP answered, for a source (an Error fails that key alone). */
function settle<V>(keys: readonly string[], run: (key: string) => Promise<V>): Promise<Map<string, V | Error>> {
  return Promise.all(
    keys.map((k) =>
      run(k).then(
        (v): [string, V | Error] => [k, v],
        (err: unknown): [string, V | Error] => [k, err instanceof Error ? err : new Error(String(err))],
      ),
    ),
  ).then((entries) => new Map(entries));
}

function erpSources(cache: EntityCache, erp: Erp | undefined) {
  const item = cache.source<ErpItem>({
    kind: 'erpItem',
    ttlMs: erp?.cacheTtlMs.items ?? 0,
    maxBatch: 250,
    async fetchMany(numbers) {
      if (!erp) throw erpNotConfigured();
      return erp.items.byNumbers(numbers, 'interactive');
    },
  });
  const stock = cache.source<ErpWarehouseStock[]>({
    kind: 'erpStock',
    ttlMs: erp?.cacheTtlMs.stock ?? 0,
    maxBatch: 250,
    async fetchMany(numbers) {
      if (!erp) throw erpNotConfigured();
      return erp.items.stockByNumbers(numbers, 'interactive');
    },
  });
  // One source per transaction (its TTL is the transaction's); bounded by the allow-list.
  const reads = new Map<string, EntitySource<ErpReadResult>>();
  // Key → request, for the fetch (a background refresh may run after the read that asked returned).
  const requests = new BoundedMap<string, ErpReadRequest>(10_000);
  async function read(request: ErpReadRequest) {
    if (!erp) throw erpNotConfigured();
    const name = `${request.program}/${request.transaction}`;
    const ttlMs = erp.transactions.ttlMs(request.program, request.transaction);
    let source = reads.get(name);
    if (!source) {
      source = cache.source<ErpReadResult>({
        kind: `erpRead.${request.program}.${request.transaction}`,
        ttlMs,
        maxBatch: 20,
        fetchMany: (keys) => settle(keys, async (k) => {
          const r = requests.get(k);
          if (!r) throw new Error(`no request for ${k}`);
          return erp.transactions.read(r, 'interactive');
        }),
      });
      reads.set(name, source);
    }
    // The seed's key: method and path (the source's kind names the transaction, read by GET) and a
    // hash of the query: the input in a canonical order, and the options.
    const canonical = JSON.stringify([Object.entries(request.input).sort(([a], [b]) => (a < b ? -1 : 1)), request.maxRecords, request.returnColumns ?? null]);
    const key = createHash('sha256').update(canonical).digest('base64url');
    requests.set(key, request);
    const [result] = await source.loadMany([key]);
    return { result: result ?? new Error('no answer'), ttlMs };
  }
  return { item, stock, read };
}

export function createSources(cache: EntityCache, capabilities: Capabilities, ttl: CacheTtls): Sources {
  const fip = capabilities.supplier.catalog;
  const bc = { ...capabilities.store.catalog, ...capabilities.store.orders };
  const erp = erpSources(cache, capabilities.erp);
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
    erpItem: erp.item,
    erpStock: erp.stock,
    erpRead: erp.read,
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
