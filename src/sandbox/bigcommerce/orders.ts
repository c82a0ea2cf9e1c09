/**
 * The store's v2 orders: `options.orders` of them seeded from the seed (ids
 * from 100 upward), each buying present store products, most of them
 * Awaiting Fulfillment. Status changes persist until a data reset.
 */
import type { Catalog } from '../common/catalog.js';
import { pick, rng } from '../common/random.js';
import { SEEDED_ID_OFFSET, VARIANT_ID_OFFSET } from './productRecord.js';
import type { ProductStore } from './store.js';

export const FIRST_ORDER_ID = 100;

/** upstreams.md: the v2 order status ids. */
export const ORDER_STATUSES: Readonly<Record<number, string>> = {
  0: 'Incomplete',
  1: 'Pending',
  2: 'Shipped',
  3: 'Partially Shipped',
  4: 'Refunded',
  5: 'Cancelled',
  6: 'Declined',
  7: 'Awaiting Payment',
  8: 'Awaiting Pickup',
  9: 'Awaiting Shipment',
  10: 'Completed',
  11: 'Awaiting Fulfillment',
  12: 'Manual Verification Required',
  13: 'Disputed',
  14: 'Partially Refunded',
};

export interface Address {
  first_name: string;
  last_name: string;
  company: string;
  street_1: string;
  street_2: string;
  city: string;
  state: string;
  zip: string;
  country: string;
  country_iso2: string;
  phone: string;
  email: string;
}

export interface OrderLine {
  id: number;
  product_id: number;
  variant_id: number;
  name: string;
  sku: string;
  quantity: number;
  weight: number;
  /** Unit price before tax, in cents. */
  priceCents: number;
  /** Unit tax, in cents. */
  taxCents: number;
}

export interface ShipmentItem {
  order_product_id: number;
  product_id: number;
  quantity: number;
}

/** A v2 order shipment (`/v2/orders/{id}/shipments`). */
export interface ShipmentRecord {
  id: number;
  order_address_id: number;
  createdMs: number;
  tracking_number: string;
  shipping_method: string;
  shipping_provider: string;
  tracking_carrier: string;
  tracking_link: string;
  comments: string;
  items: ShipmentItem[];
}

export interface OrderRecord {
  id: number;
  customer_id: number;
  createdMs: number;
  modifiedMs: number;
  shippedMs: number | null;
  status_id: number;
  staff_notes: string;
  customer_message: string;
  payment_method: string;
  shippingCents: number;
  billing: Address;
  shipping: Address;
  lines: OrderLine[];
  shipments: ShipmentRecord[];
}

const FIRST = ['James', 'Maria', 'Robert', 'Linda', 'Michael', 'Patricia', 'David', 'Jennifer', 'Carlos', 'Aisha', 'Wei', 'Olga'];
const LAST = ['Smith', 'Johnson', 'Garcia', 'Brown', 'Miller', 'Davis', 'Martinez', 'Wilson', 'Anderson', 'Lee', 'Nguyen', 'Kowalski'];
const COMPANIES = ['', '', 'Lone Star Freight', 'Buckeye Haulers', 'Rocky Mountain Transport', 'Peach State Logistics', 'Desert Line Trucking'];
const STREETS = ['Main St', 'Industrial Pkwy', 'Commerce Dr', 'Freight Ave', 'Depot Rd', 'Harbor Blvd', 'Terminal Way'];
const PLACES = [
  { city: 'Dallas', state: 'Texas', zip: '75201' },
  { city: 'Columbus', state: 'Ohio', zip: '43215' },
  { city: 'Denver', state: 'Colorado', zip: '80202' },
  { city: 'Atlanta', state: 'Georgia', zip: '30303' },
  { city: 'Phoenix', state: 'Arizona', zip: '85004' },
  { city: 'Sacramento', state: 'California', zip: '95814' },
  { city: 'Nashville', state: 'Tennessee', zip: '37203' },
  { city: 'Indianapolis', state: 'Indiana', zip: '46204' },
];
/** Non-default statuses seeded orders may have (most are 11, Awaiting Fulfillment). */
const OTHER_STATUSES = [1, 2, 5, 7, 9, 10, 3];
const TAX_RATES = [0, 0.0625, 0.0825];
const SALT_ORDERS = 9201;
const HOUR = 3_600_000;
const FIRST_ORDER_MS = Date.UTC(2025, 0, 6, 8, 0, 0);

function address(r: () => number): Address {
  const first = pick(FIRST, r());
  const last = pick(LAST, r());
  const place = pick(PLACES, r());
  const n = 100 + Math.floor(r() * 9_800);
  return {
    first_name: first,
    last_name: last,
    company: pick(COMPANIES, r()),
    street_1: `${n} ${pick(STREETS, r())}`,
    street_2: '',
    city: place.city,
    state: place.state,
    zip: place.zip,
    country: 'United States',
    country_iso2: 'US',
    phone: `555-01${String(Math.floor(r() * 100)).padStart(2, '0')}`,
    email: `${first}.${last}${n % 100}@example.com`.toLowerCase(),
  };
}

export class OrderStore {
  private orders = new Map<number, OrderRecord>();
  private nextShipmentId = 1;

  constructor(
    private readonly store: ProductStore,
    private readonly catalog: Catalog,
    private readonly seed: number,
    private readonly count: number,
  ) {
    this.reset();
  }

  /** Back to the seeded orders (call after the product store's reset, so lines see seeded prices). */
  reset(): void {
    this.orders.clear();
    this.nextShipmentId = 1;
    for (let n = 0; n < this.count; n++) {
      const order = this.seeded(n);
      this.orders.set(order.id, order);
    }
  }

  get(id: number): OrderRecord | undefined {
    return this.orders.get(id);
  }

  /** Every order, by id ascending. */
  all(): OrderRecord[] {
    return [...this.orders.values()];
  }

  update(id: number, patch: { status_id?: number; staff_notes?: string; customer_message?: string }, now = Date.now()): OrderRecord | undefined {
    const current = this.orders.get(id);
    if (!current) return undefined;
    const next: OrderRecord = { ...current, ...patch, modifiedMs: Math.floor(now / 1000) * 1000 };
    if (patch.status_id === 2 && current.shippedMs === null) next.shippedMs = next.modifiedMs;
    this.orders.set(id, next);
    return next;
  }

  /** Units of `line` in the order's shipments. */
  shippedOf(order: OrderRecord, lineId: number): number {
    let n = 0;
    for (const s of order.shipments) for (const item of s.items) if (item.order_product_id === lineId) n += item.quantity;
    return n;
  }

  /**
   * Records a shipment (validated by the route). BigCommerce moves the order
   * to Shipped once every item has shipped, to Partially Shipped before.
   */
  addShipment(id: number, shipment: Omit<ShipmentRecord, 'id' | 'createdMs'>, now = Date.now()): ShipmentRecord | undefined {
    const current = this.orders.get(id);
    if (!current) return undefined;
    const createdMs = Math.floor(now / 1000) * 1000;
    const record: ShipmentRecord = { ...shipment, id: this.nextShipmentId++, createdMs };
    const next: OrderRecord = { ...current, shipments: [...current.shipments, record], modifiedMs: createdMs };
    const complete = next.lines.every((l) => this.shippedOf(next, l.id) >= l.quantity);
    next.status_id = complete ? 2 : 3;
    if (complete && next.shippedMs === null) next.shippedMs = createdMs;
    this.orders.set(id, next);
    return record;
  }

  private seeded(n: number): OrderRecord {
    const r = rng(this.seed, n + 1, SALT_ORDERS);
    const id = FIRST_ORDER_ID + n;
    const createdMs = FIRST_ORDER_MS + n * 5 * HOUR + Math.floor(r() * 4 * HOUR / 1000) * 1000;
    const modifiedMs = createdMs + Math.floor(r() * 48 * HOUR / 1000) * 1000;
    const status_id = r() < 0.7 ? 11 : pick(OTHER_STATUSES, r());
    const taxRate = pick(TAX_RATES, r());
    const billing = address(r);
    const lines: OrderLine[] = [];
    const lineCount = 1 + Math.floor(r() * 3);
    const used = new Set<number>();
    for (let k = 0; k < lineCount; k++) {
      const line = this.line(r, id * 100 + k + 1, taxRate, used);
      if (line) lines.push(line);
    }
    const subtotal = lines.reduce((s, l) => s + l.priceCents * l.quantity, 0);
    return {
      id,
      customer_id: r() < 0.1 ? 0 : 1 + Math.floor(r() * 400),
      createdMs,
      modifiedMs,
      shippedMs: status_id === 2 || status_id === 10 ? modifiedMs : null,
      status_id,
      staff_notes: '',
      customer_message: r() < 0.2 ? 'Please deliver to the loading dock.' : '',
      payment_method: pick(['Credit Card', 'Net 30', 'PayPal'], r()),
      shippingCents: subtotal >= 50_000 ? 0 : pick([995, 1495, 2495], r()),
      billing,
      shipping: r() < 0.7 ? billing : address(r),
      lines,
      shipments: [],
    };
  }

  private line(r: () => number, lineId: number, taxRate: number, used: Set<number>): OrderLine | undefined {
    const quantity = 1 + Math.floor(r() * 4);
    const start = 1 + Math.floor(r() * this.catalog.size);
    // Customers buy what can be had: skip products the supplier has none of (a few steps at most).
    const orderable = (i: number | undefined) => {
      if (i === undefined || used.has(i)) return false;
      const part = this.catalog.get(i);
      const v = part?.variants[0];
      return Boolean(part?.sellable && v && v.quantity >= 4 && v.minimum === 1);
    };
    let index = this.store.presence.nextFrom(start);
    for (let step = 0; step < 8 && index !== undefined && !orderable(index); step++) {
      index = this.store.presence.nextFrom((index % this.catalog.size) + 1);
    }
    if (index !== undefined && !orderable(index)) return undefined;
    if (index !== undefined) {
      used.add(index);
      const p = this.store.get(SEEDED_ID_OFFSET + index);
      if (!p) return undefined;
      const priceCents = Math.round(p.price * 100);
      return {
        id: lineId,
        product_id: p.id,
        variant_id: p.id + VARIANT_ID_OFFSET,
        name: p.name,
        sku: p.sku,
        quantity,
        weight: p.weight,
        priceCents,
        taxCents: Math.round(priceCents * taxRate),
      };
    }
    // No product in the store at all: a custom line (product_id 0), as the vendor shows one.
    const part = this.catalog.get(start);
    if (!part) return undefined;
    const priceCents = part.variants[0]?.priceCents ?? 0;
    return {
      id: lineId,
      product_id: 0,
      variant_id: 0,
      name: part.description,
      sku: part.partNumber,
      quantity,
      weight: part.weightLb,
      priceCents,
      taxCents: Math.round(priceCents * taxRate),
    };
  }
}
