/**
 * The shop's orders: the seeded ones (generated from the seed, their facts
 * filled on first use) and those created since through `POST
 * /__sandbox/orders`, with every change a touch made. The mutable facts of
 * every order live in typed arrays (about 20 bytes an order); whole orders
 * are generated on demand and a few thousand kept in a small cache.
 *
 * Orders are found by index (1-based; seeded first, created after, so the
 * index order is the creation order) and through sequences, one per sort
 * key, each a list of positions in (sort value, id) order that pagination
 * walks with keyset cursors.
 */
import type { Catalog } from '../common/catalog.js';
import {
  createOrderGenerator,
  FINANCIAL_STATUSES,
  FULFILLMENT_STATUSES,
  ID_BASE,
  SEEDED_END_MS,
  type FinancialStatus,
  type FulfillmentStatus,
  type OrderFacts,
  type ShopCustomer,
  type ShopOrder,
} from './orderRecord.js';
import type { SearchableFacts } from './searchQuery.js';

/** upstreams.md: `sortKey` includes CREATED_AT, UPDATED_AT, ID, ORDER_NUMBER, PROCESSED_AT, TOTAL_PRICE (RELEVANCE is the default order). */
export const ORDER_SORT_KEYS = ['CREATED_AT', 'ID', 'ORDER_NUMBER', 'PROCESSED_AT', 'RELEVANCE', 'TOTAL_PRICE', 'UPDATED_AT'] as const;
export type OrderSortKey = (typeof ORDER_SORT_KEYS)[number];

/** A keyset position: the sort value and the id of the last item seen (what a cursor holds). */
export interface SequenceKey {
  value: number;
  index: number;
}

/** Orders in one sort order. Positions are 0-based. */
export interface OrderSequence {
  readonly length: number;
  at(position: number): number;
  /** The sort value of an order, as the cursor stores it. */
  valueOf(index: number): number;
  /** How many positions hold a key ≤ `key`. */
  upperBound(key: SequenceKey): number;
  /** How many positions hold a key < `key`. */
  lowerBound(key: SequenceKey): number;
}

/** What a touch may change; absent fields keep their value. */
export interface OrderChange {
  financial?: FinancialStatus;
  fulfillment?: FulfillmentStatus;
  note?: string | null;
  cancel?: boolean;
  close?: boolean;
}

export interface OrderBookOptions {
  seed: number;
  seeded: number;
  catalog: Catalog;
  currency: string;
  skuPrefix: string;
}

export interface OrderBook extends SearchableFacts {
  readonly seeded: number;
  /** Every order: seeded plus created. */
  size(): number;
  has(index: number): boolean;
  facts(index: number): OrderFacts;
  order(index: number): ShopOrder;
  customer(index: number): ShopCustomer | undefined;
  sequence(sortKey: OrderSortKey): OrderSequence;
  /** Creates `count` orders now; returns their indices. */
  create(count: number, nowMs?: number): number[];
  /** Changes an order now (updatedAt moves on, strictly past its previous value); returns the new order. */
  touch(index: number, change?: OrderChange, nowMs?: number): ShopOrder;
  /** Line items over every order. */
  lineItemCount(): number;
  /** Created and touched since the last reset. */
  changes(): { created: number; touched: number };
  /** Back to the seeded orders. */
  reset(): void;
}

/** Composite sort keys: value × 2^21 + index, exact in a double for values below 2^32 and indices below 2^21. */
const INDEX_BITS = 2 ** 21;
export const MAX_ORDERS = INDEX_BITS - 1;
const CACHE_MAX = 4_000;

class Growable {
  data: Uint32Array | Uint8Array;
  constructor(private readonly kind: 'u32' | 'u8', capacity: number) {
    this.data = kind === 'u32' ? new Uint32Array(capacity) : new Uint8Array(capacity);
  }
  ensure(capacity: number): void {
    if (capacity <= this.data.length) return;
    const next = this.kind === 'u32' ? new Uint32Array(Math.max(capacity, this.data.length * 2)) : new Uint8Array(Math.max(capacity, this.data.length * 2));
    next.set(this.data);
    this.data = next;
  }
}

/** A sorted list of composite keys, kept sorted through single inserts and removals. */
class SortedKeys {
  keys: Float64Array;
  length = 0;
  constructor(initial: Float64Array) {
    this.keys = initial;
    this.length = initial.length;
  }
  /** First position whose key is ≥ k. */
  lowerBound(k: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid]! < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  insert(k: number): void {
    if (this.length === this.keys.length) {
      const next = new Float64Array(Math.max(16, this.keys.length * 2));
      next.set(this.keys.subarray(0, this.length));
      this.keys = next;
    }
    const at = this.lowerBound(k);
    this.keys.copyWithin(at + 1, at, this.length);
    this.keys[at] = k;
    this.length++;
  }
  remove(k: number): void {
    const at = this.lowerBound(k);
    if (at >= this.length || this.keys[at] !== k) return;
    this.keys.copyWithin(at, at + 1, this.length);
    this.length--;
  }
}

const composite = (value: number, index: number) => value * INDEX_BITS + index;

export function createOrderBook(options: OrderBookOptions): OrderBook {
  if (!Number.isInteger(options.seeded) || options.seeded < 0 || options.seeded > MAX_ORDERS / 2) {
    throw new RangeError(`seeded orders must be an integer in 0..${MAX_ORDERS / 2}, got ${options.seeded}`);
  }
  const generator = createOrderGenerator(options);
  const seeded = options.seeded;

  let filled = false;
  let size = seeded;
  const created = new Growable('u32', 0);
  const updated = new Growable('u32', 0);
  const closed = new Growable('u32', 0);
  const cancelled = new Growable('u32', 0);
  const financial = new Growable('u8', 0);
  const fulfillment = new Growable('u8', 0);
  const lines = new Growable('u8', 0);
  let notes = new Map<number, string | null>();
  let touched = new Set<number>();
  let lineTotal = 0;
  let lastCreatedSec = 0;
  let byUpdated: SortedKeys | undefined;
  let byTotal: SortedKeys | undefined;
  const cache = new Map<number, ShopOrder>();
  const all = [created, updated, closed, cancelled, financial, fulfillment, lines];

  function store(index: number, f: OrderFacts): void {
    created.data[index] = f.createdSec;
    updated.data[index] = f.updatedSec;
    closed.data[index] = f.closedSec;
    cancelled.data[index] = f.cancelledSec;
    financial.data[index] = FINANCIAL_STATUSES.indexOf(f.financial);
    fulfillment.data[index] = FULFILLMENT_STATUSES.indexOf(f.fulfillment);
    lines.data[index] = f.lineCount;
  }

  function fill(): void {
    if (filled) return;
    filled = true;
    for (const a of all) a.ensure(seeded + 1 + 64);
    lineTotal = 0;
    for (let i = 1; i <= seeded; i++) {
      const f = generator.seededFacts(i);
      store(i, f);
      lineTotal += f.lineCount;
    }
    lastCreatedSec = Math.floor(SEEDED_END_MS / 1000);
  }

  const has = (index: number) => Number.isInteger(index) && index >= 1 && index <= size;

  function facts(index: number): OrderFacts {
    fill();
    return {
      createdSec: created.data[index]!,
      updatedSec: updated.data[index]!,
      closedSec: closed.data[index]!,
      cancelledSec: cancelled.data[index]!,
      financial: FINANCIAL_STATUSES[financial.data[index]!]!,
      fulfillment: FULFILLMENT_STATUSES[fulfillment.data[index]!]!,
      lineCount: lines.data[index]!,
    };
  }

  function order(index: number): ShopOrder {
    if (!has(index)) throw new RangeError(`no order ${index}`);
    let o = cache.get(index);
    if (!o) {
      o = generator.order(index, facts(index), notes.get(index) ?? null);
      if (cache.size >= CACHE_MAX) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
      cache.set(index, o);
    }
    return o;
  }

  function updatedKeys(): SortedKeys {
    if (!byUpdated) {
      fill();
      const keys = new Float64Array(size);
      for (let i = 1; i <= size; i++) keys[i - 1] = composite(updated.data[i]!, i);
      keys.sort();
      byUpdated = new SortedKeys(keys);
    }
    return byUpdated;
  }

  function totalKeys(): SortedKeys {
    if (!byTotal) {
      const keys = new Float64Array(size);
      for (let i = 1; i <= size; i++) keys[i - 1] = composite(order(i).totalCents, i);
      keys.sort();
      byTotal = new SortedKeys(keys);
    }
    return byTotal;
  }

  /** Creation order: index order (created orders are never dated before an older one). */
  function byIndex(value: (index: number) => number): OrderSequence {
    return {
      get length() {
        return size;
      },
      at: (position) => position + 1,
      valueOf: value,
      upperBound: (key) => Math.max(0, Math.min(size, key.index)),
      lowerBound: (key) => Math.max(0, Math.min(size, key.index - 1)),
    };
  }

  function sorted(keysOf: () => SortedKeys, value: (index: number) => number): OrderSequence {
    return {
      get length() {
        return keysOf().length;
      },
      at: (position) => keysOf().keys[position]! % INDEX_BITS,
      valueOf: value,
      upperBound: (key) => keysOf().lowerBound(composite(key.value, key.index) + 1),
      lowerBound: (key) => keysOf().lowerBound(composite(key.value, key.index)),
    };
  }

  const sequences: Record<OrderSortKey, OrderSequence> = {
    ID: byIndex((i) => ID_BASE.order + i),
    RELEVANCE: byIndex((i) => ID_BASE.order + i),
    ORDER_NUMBER: byIndex((i) => i),
    CREATED_AT: byIndex((i) => facts(i).createdSec),
    PROCESSED_AT: byIndex((i) => facts(i).createdSec),
    UPDATED_AT: sorted(updatedKeys, (i) => (fill(), updated.data[i]!)),
    TOTAL_PRICE: sorted(totalKeys, (i) => order(i).totalCents),
  };

  function create(count: number, nowMs = Date.now()): number[] {
    fill();
    const out: number[] = [];
    if (size + count > MAX_ORDERS) throw new RangeError(`the sandbox holds at most ${MAX_ORDERS} orders`);
    for (let k = 0; k < count; k++) {
      const index = ++size;
      for (const a of all) a.ensure(index + 1);
      // Creation order is index order: never date an order before the last one.
      const nowSec = Math.max(Math.floor(nowMs / 1000), lastCreatedSec);
      lastCreatedSec = nowSec;
      const f = generator.createdFacts(index, nowSec);
      store(index, f);
      lineTotal += f.lineCount;
      byUpdated?.insert(composite(f.updatedSec, index));
      if (byTotal) byTotal.insert(composite(order(index).totalCents, index));
      out.push(index);
    }
    return out;
  }

  function touch(index: number, change: OrderChange = {}, nowMs = Date.now()): ShopOrder {
    if (!has(index)) throw new RangeError(`no order ${index}`);
    const before = facts(index);
    // The sandbox's choice: every change moves updatedAt strictly forward (Shopify's timestamps are whole
    // seconds, so two changes in one second would otherwise be indistinguishable by updatedAt).
    const updatedSec = Math.max(Math.floor(nowMs / 1000), before.updatedSec + 1);
    const next: OrderFacts = { ...before, updatedSec };
    const explicit = change.financial !== undefined || change.fulfillment !== undefined || change.note !== undefined || change.cancel || change.close;
    if (change.financial) next.financial = change.financial;
    if (change.fulfillment) next.fulfillment = change.fulfillment;
    if (change.cancel && !next.cancelledSec) next.cancelledSec = updatedSec;
    if ((change.close || change.cancel) && !next.closedSec) next.closedSec = updatedSec;
    if (!explicit) {
      // A plain touch moves the order along: paid and unfulfilled orders ship; others get a note.
      if (next.financial === 'PAID' && (next.fulfillment === 'UNFULFILLED' || next.fulfillment === 'PARTIALLY_FULFILLED' || next.fulfillment === 'IN_PROGRESS')) next.fulfillment = 'FULFILLED';
      else if (next.financial === 'PENDING' || next.financial === 'AUTHORIZED') next.financial = 'PAID';
      else notes.set(index, `Touched by the sandbox at ${new Date(updatedSec * 1000).toISOString()}`);
    }
    if (change.note !== undefined) notes.set(index, change.note);
    byUpdated?.remove(composite(before.updatedSec, index));
    store(index, next);
    byUpdated?.insert(composite(updatedSec, index));
    touched.add(index);
    cache.delete(index);
    return order(index);
  }

  function reset(): void {
    filled = false;
    size = seeded;
    notes = new Map();
    touched = new Set();
    byUpdated = undefined;
    byTotal = undefined;
    cache.clear();
  }

  return {
    seeded,
    size: () => size,
    has,
    facts,
    order,
    customer: (i) => generator.customer(i),
    sequence: (key) => sequences[key],
    create,
    touch,
    lineItemCount: () => (fill(), lineTotal),
    changes: () => ({ created: size - seeded, touched: touched.size }),
    reset,
    // Searches run after a sequence or `has` filled the facts; the check keeps a stray call honest.
    createdSec: (i) => (filled || fill(), created.data[i]!),
    updatedSec: (i) => (filled || fill(), updated.data[i]!),
    closed: (i) => (filled || fill(), closed.data[i]! !== 0),
    cancelled: (i) => (filled || fill(), cancelled.data[i]! !== 0),
    financial: (i) => (filled || fill(), financial.data[i]!),
    fulfillment: (i) => (filled || fill(), fulfillment.data[i]!),
  };
}
