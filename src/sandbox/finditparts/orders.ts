/**
 * Supplier orders: validation of `POST /partners/place_order` bodies and the
 * in-memory order book (kept for the life of the process; cleared by
 * `POST /__sandbox/reset {"data":true}`).
 *
 * upstreams.md: "No published rate limits and no idempotency keys" — the same
 * `po_number` placed twice makes two orders here too; exactly-once is the
 * gateway's job.
 */
import { z } from 'zod';
import type { Catalog } from '../common/catalog.js';
import { ERRNO, money, SHIPPING_METHODS, type AddressWire, type OrderItemWire, type OrderStatus, type OrderWire } from './wire.js';

/** Status advances with time from `created_at` (sandbox: so status tracking has something to poll). */
export const PROCESSING_AFTER_MS = 2_000;
export const SHIPPED_AFTER_MS = 10_000;
export const ORDER_STATUSES = ['received', 'processing', 'shipped', 'cancelled'] as const satisfies readonly OrderStatus[];
export const MAX_ITEMS_PER_ORDER = 100;

const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => s.trim().length > 0, 'must not be blank');
const shippingIds = SHIPPING_METHODS.map((m) => m.id) as [string, ...string[]];

export const placeOrderSchema = z.object({
  po_number: text(64),
  shipping_method: z.enum(shippingIds),
  address: z.object({
    name: text(200),
    street1: text(200),
    street2: z.string().max(200).optional(),
    city: text(100),
    state: text(100),
    zip: text(20),
    country: text(100),
  }),
  items: z
    .array(z.object({ variant_id: z.number().int().positive(), quantity: z.number().int().min(1).max(100_000) }))
    .min(1)
    .max(MAX_ITEMS_PER_ORDER),
});

export type PlaceOrderInput = z.infer<typeof placeOrderSchema>;

export const setStatusSchema = z.object({ status: z.enum(ORDER_STATUSES) }).strict();

interface OrderRecord {
  id: number;
  poNumber: string;
  createdAt: number;
  items: OrderItemWire[];
  subtotalCents: number;
  shippingMethod: string;
  shippingCents: number;
  address: AddressWire;
  /** Set by `POST /__sandbox/orders/{id}/status`; freezes the status. */
  statusOverride?: OrderStatus;
}

export type PlaceResult = { ok: true; order: OrderWire } | { ok: false; errno: number; message: string };

export interface OrderBook {
  /** Validate against the catalog and record the order. */
  place(input: PlaceOrderInput): PlaceResult;
  get(id: number): OrderWire | undefined;
  /** Orders with this po_number (all orders when absent), oldest first. */
  search(poNumber: string | undefined): OrderWire[];
  setStatus(id: number, status: OrderStatus): OrderWire | undefined;
  all(): OrderWire[];
  clear(): void;
}

/** Zod issues → one message, `path: problem`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

function cents(price: string): number {
  const [whole = '0', frac = '0'] = price.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0').slice(0, 2));
}

export function createOrderBook(catalog: Catalog, clock: () => number = Date.now): OrderBook {
  const orders = new Map<number, OrderRecord>();
  // Ids keep counting across resets, so an id never names two different orders.
  let nextId = 100_001;

  function status(o: OrderRecord, now: number): OrderStatus {
    if (o.statusOverride) return o.statusOverride;
    const age = now - o.createdAt;
    if (age >= SHIPPED_AFTER_MS) return 'shipped';
    if (age >= PROCESSING_AFTER_MS) return 'processing';
    return 'received';
  }

  function toWire(o: OrderRecord): OrderWire {
    const s = status(o, clock());
    return {
      id: o.id,
      po_number: o.poNumber,
      status: s,
      created_at: new Date(o.createdAt).toISOString(),
      items: o.items.map((item) => ({ ...item })),
      subtotal: money(o.subtotalCents),
      shipping_method: o.shippingMethod,
      shipping_price: money(o.shippingCents),
      total: money(o.subtotalCents + o.shippingCents),
      address: { ...o.address },
      tracking_number: s === 'shipped' ? `1ZFIP${String(o.id).padStart(10, '0')}` : null,
    };
  }

  return {
    place(input) {
      const items: OrderItemWire[] = [];
      let subtotalCents = 0;
      for (const [n, item] of input.items.entries()) {
        const index = catalog.indexOfVariant(item.variant_id);
        const part = index === undefined ? undefined : catalog.get(index);
        const variant = part?.variants.find((v) => v.variantId === item.variant_id);
        if (!part || !variant) {
          return { ok: false, errno: ERRNO.UNKNOWN_VARIANT, message: `items.${n}: unknown variant ${item.variant_id}` };
        }
        if (!part.sellable) {
          return { ok: false, errno: ERRNO.NOT_ORDERABLE, message: `items.${n}: part ${part.partNumber} is not sellable` };
        }
        if (variant.quantity === 0) {
          return { ok: false, errno: ERRNO.OUT_OF_STOCK, message: `items.${n}: variant ${variant.variantId} is out of stock` };
        }
        if (item.quantity < variant.minimum) {
          return {
            ok: false,
            errno: ERRNO.NOT_ORDERABLE,
            message: `items.${n}: quantity ${item.quantity} is below the minimum of ${variant.minimum} for variant ${variant.variantId}`,
          };
        }
        subtotalCents += variant.priceCents * item.quantity;
        items.push({
          variant_id: variant.variantId,
          product_id: part.index,
          part_number: part.partNumber,
          quantity: item.quantity,
          price: money(variant.priceCents),
        });
      }
      const method = SHIPPING_METHODS.find((m) => m.id === input.shipping_method);
      const address: AddressWire = {
        name: input.address.name,
        street1: input.address.street1,
        city: input.address.city,
        state: input.address.state,
        zip: input.address.zip,
        country: input.address.country,
      };
      if (input.address.street2) address.street2 = input.address.street2;
      const record: OrderRecord = {
        id: nextId++,
        poNumber: input.po_number,
        createdAt: clock(),
        items,
        subtotalCents,
        shippingMethod: input.shipping_method,
        shippingCents: method ? cents(method.price) : 0,
        address,
      };
      orders.set(record.id, record);
      return { ok: true, order: toWire(record) };
    },
    get(id) {
      const o = orders.get(id);
      return o ? toWire(o) : undefined;
    },
    search(poNumber) {
      const found: OrderWire[] = [];
      for (const o of orders.values()) if (poNumber === undefined || o.poNumber === poNumber) found.push(toWire(o));
      return found;
    },
    setStatus(id, s) {
      const o = orders.get(id);
      if (!o) return undefined;
      o.statusOverride = s;
      return toWire(o);
    },
    all: () => [...orders.values()].map(toWire),
    clear() {
      orders.clear();
    },
  };
}
