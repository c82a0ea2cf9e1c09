/**
 * One simulated Shopify order, derived from (seed, index) and the order's
 * mutable facts (dates and statuses, which the order book keeps for every
 * order in typed arrays). Everything else — customer, addresses, line items,
 * money — is recomputed from the seed on demand, so 100,000 orders cost a few
 * megabytes until somebody reads them.
 *
 * Line items sell real sandbox parts under the store's SKU rule (SKU = the
 * shop's SKU prefix + the supplier part number); a small share are custom
 * items with no SKU, as Shopify allows. Statuses are the values upstreams.md
 * lists for `displayFinancialStatus` and `displayFulfillmentStatus`.
 *
 * The sandbox's own types: nothing here is shared with the connector
 * (DESIGN.md, principle 5).
 */
import type { Catalog } from '../common/catalog.js';
import { pick, rng, unit } from '../common/random.js';

/** upstreams.md, `displayFinancialStatus`. The position is the code the order book stores. */
export const FINANCIAL_STATUSES = ['AUTHORIZED', 'EXPIRED', 'PAID', 'PARTIALLY_PAID', 'PARTIALLY_REFUNDED', 'PENDING', 'REFUNDED', 'VOIDED'] as const;
/** upstreams.md, `displayFulfillmentStatus`. */
export const FULFILLMENT_STATUSES = [
  'FULFILLED',
  'IN_PROGRESS',
  'ON_HOLD',
  'OPEN',
  'PARTIALLY_FULFILLED',
  'PENDING_FULFILLMENT',
  'REQUEST_DECLINED',
  'RESTOCKED',
  'SCHEDULED',
  'UNFULFILLED',
] as const;
export type FinancialStatus = (typeof FINANCIAL_STATUSES)[number];
export type FulfillmentStatus = (typeof FULFILLMENT_STATUSES)[number];

export const financialCode = (s: FinancialStatus): number => FINANCIAL_STATUSES.indexOf(s);
export const fulfillmentCode = (s: FulfillmentStatus): number => FULFILLMENT_STATUSES.indexOf(s);

/**
 * Legacy (numeric) ids: Shopify's are 13-digit numbers, past 2^32 and below
 * 2^53; the sandbox's are too, in ranges of their own per resource.
 */
export const ID_BASE = {
  order: 5_600_000_000_000,
  lineItem: 14_800_000_000_000,
  customer: 7_400_000_000_000,
  product: 8_100_000_000_000,
  variant: 45_000_000_000_000,
} as const;
/** Line item ids are `lineItem + index × LINES_STRIDE + k`, k in 1..MAX_LINES. */
export const LINES_STRIDE = 8;
export const MAX_LINES = 4;
/** The first order is `#1001`, as a new shop's is. */
export const ORDER_NUMBER_OFFSET = 1000;

/** Seeded orders are spread over the two years before this instant (fixed, so the data is deterministic). */
export const SEEDED_END_MS = Date.UTC(2026, 5, 1);
export const SEEDED_SPAN_MS = 730 * 86_400_000;

const SALT = {
  created: 7301,
  financial: 7302,
  fulfillment: 7303,
  touched: 7304,
  updateLag: 7305,
  closed: 7306,
  lines: 7307,
  guest: 7308,
  customer: 7309,
  customerData: 7310,
  ship: 7311,
  shipData: 7312,
  totals: 7313,
  tags: 7314,
  note: 7315,
} as const;

/** The mutable part of an order: what the order book stores per index. Times in whole seconds since the epoch. */
export interface OrderFacts {
  createdSec: number;
  updatedSec: number;
  /** 0 when the order is open. */
  closedSec: number;
  /** 0 when the order was not cancelled. */
  cancelledSec: number;
  financial: FinancialStatus;
  fulfillment: FulfillmentStatus;
  lineCount: number;
}

export interface ShopAddress {
  firstName: string;
  lastName: string;
  company: string | null;
  address1: string;
  address2: string | null;
  city: string;
  province: string;
  provinceCode: string;
  zip: string;
  country: string;
  countryCode: string;
  phone: string | null;
}

export interface ShopCustomer {
  index: number;
  legacyId: number;
  firstName: string;
  lastName: string;
  email: string;
  phone: string | null;
  createdSec: number;
  address: ShopAddress;
  tags: string[];
}

export interface ShopLineItem {
  legacyId: number;
  /** 1-based position in the order. */
  position: number;
  title: string;
  variantTitle: string | null;
  /** Null for a custom item. */
  sku: string | null;
  vendor: string | null;
  quantity: number;
  unitCents: number;
  productLegacyId: number | null;
  variantLegacyId: number | null;
}

export interface ShopOrder extends OrderFacts {
  index: number;
  legacyId: number;
  name: string;
  orderNumber: number;
  email: string | null;
  phone: string | null;
  note: string | null;
  tags: string[];
  cancelReason: string | null;
  customer: ShopCustomer | null;
  shippingAddress: ShopAddress | null;
  billingAddress: ShopAddress | null;
  lineItems: ShopLineItem[];
  subtotalCents: number;
  shippingCents: number;
  taxCents: number;
  totalCents: number;
  currency: string;
}

export interface OrderGenerator {
  /** The facts of seeded order `index` (1..seeded) as generated. */
  seededFacts(index: number): OrderFacts;
  /** The facts of an order created now (index past the seeded ones). */
  createdFacts(index: number, nowSec: number): OrderFacts;
  /** The whole order from its facts. */
  order(index: number, facts: OrderFacts, note: string | null): ShopOrder;
  /** A customer by its 1-based index, or undefined outside the pool. */
  customer(index: number): ShopCustomer | undefined;
  readonly customerPool: number;
}

export interface OrderGeneratorOptions {
  seed: number;
  /** Seeded orders: their dates are spread over SEEDED_SPAN_MS whatever their number. */
  seeded: number;
  catalog: Catalog;
  currency: string;
  /** The store's SKU rule: SKU = skuPrefix + supplier part number. */
  skuPrefix: string;
}

const FIRST = ['James', 'Maria', 'Robert', 'Linda', 'Michael', 'Patricia', 'David', 'Jennifer', 'Carlos', 'Aisha', 'Wei', 'Olga', 'Tomás', 'Zoë', 'Kwame', 'Siobhán'];
const LAST = ['Smith', 'Johnson', 'García', 'Brown', 'Miller', 'Davis', 'Martinez', 'Wilson', 'Anderson', 'Lee', 'Nguyen', 'Kowalski', "O'Brien", 'Okafor'];
const COMPANIES = [null, null, null, 'Lone Star Freight', 'Buckeye Haulers', 'Rocky Mountain Transport', 'Peach State Logistics', 'Great Lakes Fleet Service'];
const STREETS = ['Main St', 'Industrial Pkwy', 'Commerce Dr', 'Freight Ave', 'Depot Rd', 'Harbor Blvd', 'Terminal Way', 'Route 9'];
const PLACES = [
  { city: 'Dallas', province: 'Texas', provinceCode: 'TX', zip: '75201', country: 'United States', countryCode: 'US' },
  { city: 'Columbus', province: 'Ohio', provinceCode: 'OH', zip: '43215', country: 'United States', countryCode: 'US' },
  { city: 'Denver', province: 'Colorado', provinceCode: 'CO', zip: '80202', country: 'United States', countryCode: 'US' },
  { city: 'Atlanta', province: 'Georgia', provinceCode: 'GA', zip: '30303', country: 'United States', countryCode: 'US' },
  { city: 'Phoenix', province: 'Arizona', provinceCode: 'AZ', zip: '85004', country: 'United States', countryCode: 'US' },
  { city: 'Nashville', province: 'Tennessee', provinceCode: 'TN', zip: '37203', country: 'United States', countryCode: 'US' },
  { city: 'Winnipeg', province: 'Manitoba', provinceCode: 'MB', zip: 'R3C 4T3', country: 'Canada', countryCode: 'CA' },
  { city: 'Hamilton', province: 'Ontario', provinceCode: 'ON', zip: 'L8P 4R5', country: 'Canada', countryCode: 'CA' },
];
const CUSTOM_ITEMS = ['Core deposit', 'Rush handling', 'Custom hose assembly', 'Freight surcharge'];
const SHIPPING_CENTS = [995, 1495, 2495];
const TAX_RATES = [0, 0.0625, 0.0825];
const DAY_SEC = 86_400;

function address(r: () => number, first: string, last: string): ShopAddress {
  const place = pick(PLACES, r());
  const n = 100 + Math.floor(r() * 9_800);
  return {
    firstName: first,
    lastName: last,
    company: pick(COMPANIES, r()),
    address1: `${n} ${pick(STREETS, r())}`,
    address2: r() < 0.15 ? `Suite ${1 + Math.floor(r() * 400)}` : null,
    city: place.city,
    province: place.province,
    provinceCode: place.provinceCode,
    zip: place.zip,
    country: place.country,
    countryCode: place.countryCode,
    phone: r() < 0.7 ? `+1555${String(Math.floor(r() * 10_000_000)).padStart(7, '0')}` : null,
  };
}

const emailPart = (s: string) => s.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase();

/** Shop price of a supplier part: a 35 % margin, ending in .99. */
const shopPrice = (supplierCents: number) => Math.max(99, Math.ceil((supplierCents * 1.35) / 100) * 100 - 1);

export function createOrderGenerator(options: OrderGeneratorOptions): OrderGenerator {
  const { seed, seeded, catalog } = options;
  const startSec = Math.floor((SEEDED_END_MS - SEEDED_SPAN_MS) / 1000);
  const endSec = Math.floor(SEEDED_END_MS / 1000);
  const spacingSec = SEEDED_SPAN_MS / 1000 / Math.max(1, seeded);
  const customerPool = Math.max(1, Math.floor(Math.max(seeded, 40) / 4));
  const u = (index: number, salt: number) => unit(seed, index, salt);

  function statuses(index: number): { financial: FinancialStatus; fulfillment: FulfillmentStatus; cancelled: boolean } {
    const f = u(index, SALT.financial);
    const g = u(index, SALT.fulfillment);
    const financial: FinancialStatus =
      f < 0.72 ? 'PAID' : f < 0.77 ? 'PENDING' : f < 0.82 ? 'AUTHORIZED' : f < 0.83 ? 'PARTIALLY_PAID' : f < 0.88 ? 'REFUNDED' : f < 0.92 ? 'PARTIALLY_REFUNDED' : f < 0.96 ? 'VOIDED' : 'EXPIRED';
    let fulfillment: FulfillmentStatus;
    switch (financial) {
      case 'PAID':
        fulfillment =
          g < 0.78 ? 'FULFILLED' : g < 0.88 ? 'UNFULFILLED' : g < 0.92 ? 'PARTIALLY_FULFILLED' : g < 0.95 ? 'IN_PROGRESS' : g < 0.97 ? 'ON_HOLD' : g < 0.98 ? 'SCHEDULED' : g < 0.99 ? 'PENDING_FULFILLMENT' : 'OPEN';
        break;
      case 'PENDING':
      case 'AUTHORIZED':
      case 'PARTIALLY_PAID':
        fulfillment = g < 0.9 ? 'UNFULFILLED' : 'ON_HOLD';
        break;
      case 'REFUNDED':
        fulfillment = g < 0.6 ? 'RESTOCKED' : 'FULFILLED';
        break;
      case 'PARTIALLY_REFUNDED':
        fulfillment = g < 0.7 ? 'FULFILLED' : 'PARTIALLY_FULFILLED';
        break;
      case 'VOIDED':
      case 'EXPIRED':
        fulfillment = g < 0.95 ? 'UNFULFILLED' : 'REQUEST_DECLINED';
        break;
    }
    const cancelled = financial === 'VOIDED' || financial === 'EXPIRED' || (financial === 'REFUNDED' && fulfillment === 'RESTOCKED');
    return { financial, fulfillment, cancelled };
  }

  const lineCountOf = (index: number) => 1 + Math.floor(u(index, SALT.lines) ** 1.5 * MAX_LINES);

  function seededFacts(index: number): OrderFacts {
    const createdSec = Math.floor(startSec + (index - 1) * spacingSec + u(index, SALT.created) * spacingSec * 0.9);
    const { financial, fulfillment, cancelled } = statuses(index);
    const touched = u(index, SALT.touched) >= 0.25;
    // Updated up to 45 days after creation, never past the end of the seeded span: capping a later
    // update at the end instead piled ~1,500 of 100,000 orders onto its last second.
    const updatedSec = touched ? createdSec + Math.floor(u(index, SALT.updateLag) ** 2 * Math.min(45 * DAY_SEC, endSec - createdSec)) : createdSec;
    const done = fulfillment === 'FULFILLED' && (financial === 'PAID' || financial === 'PARTIALLY_REFUNDED' || financial === 'REFUNDED');
    const closed = (done || cancelled) && u(index, SALT.closed) < 0.6;
    return {
      createdSec,
      updatedSec,
      closedSec: closed ? updatedSec : 0,
      cancelledSec: cancelled ? updatedSec : 0,
      financial,
      fulfillment,
      lineCount: lineCountOf(index),
    };
  }

  function createdFacts(index: number, nowSec: number): OrderFacts {
    const financial: FinancialStatus = u(index, SALT.financial) < 0.85 ? 'PAID' : 'PENDING';
    return { createdSec: nowSec, updatedSec: nowSec, closedSec: 0, cancelledSec: 0, financial, fulfillment: 'UNFULFILLED', lineCount: lineCountOf(index) };
  }

  function customer(ci: number): ShopCustomer | undefined {
    if (!Number.isInteger(ci) || ci < 1 || ci > customerPool) return undefined;
    const r = rng(seed, ci, SALT.customerData);
    const firstName = pick(FIRST, r());
    const lastName = pick(LAST, r());
    return {
      index: ci,
      legacyId: ID_BASE.customer + ci,
      firstName,
      lastName,
      email: `${emailPart(firstName)}.${emailPart(lastName)}${ci}@example.com`,
      phone: r() < 0.6 ? `+1555${String(Math.floor(r() * 10_000_000)).padStart(7, '0')}` : null,
      createdSec: startSec - Math.floor(r() * 365 * DAY_SEC),
      address: address(r, firstName, lastName),
      tags: r() < 0.2 ? ['fleet'] : [],
    };
  }

  function lines(index: number, count: number): ShopLineItem[] {
    const r = rng(seed, index, SALT.lines);
    r();
    const out: ShopLineItem[] = [];
    for (let k = 1; k <= count; k++) {
      const legacyId = ID_BASE.lineItem + index * LINES_STRIDE + k;
      const quantity = 1 + Math.floor(r() ** 2 * 6);
      if (r() < 0.02) {
        out.push({ legacyId, position: k, title: pick(CUSTOM_ITEMS, r()), variantTitle: null, sku: null, vendor: null, quantity, unitCents: 500 + Math.floor(r() * 95) * 100, productLegacyId: null, variantLegacyId: null });
        continue;
      }
      // Customers buy what the supplier sells: skip parts that are not sellable (a few steps at most).
      let partIndex = 1 + Math.floor(r() * catalog.size);
      let part = catalog.get(partIndex);
      for (let step = 0; step < 8 && part && !part.sellable; step++) {
        partIndex = (partIndex % catalog.size) + 1;
        part = catalog.get(partIndex);
      }
      const variant = part?.variants[0];
      if (!part || !variant) throw new Error(`sandbox catalog has no part ${partIndex}`);
      out.push({
        legacyId,
        position: k,
        title: part.description,
        variantTitle: part.variants.length > 1 ? 'Each' : null,
        sku: `${options.skuPrefix}${part.partNumber}`,
        vendor: part.manufacturer,
        quantity,
        unitCents: shopPrice(variant.priceCents),
        productLegacyId: ID_BASE.product + partIndex,
        variantLegacyId: ID_BASE.variant + variant.variantId,
      });
    }
    return out;
  }

  function order(index: number, facts: OrderFacts, note: string | null): ShopOrder {
    const guest = u(index, SALT.guest) < 0.04;
    const buyer = guest ? undefined : customer(1 + Math.floor(u(index, SALT.customer) * customerPool));
    const shipR = rng(seed, index, SALT.shipData);
    const guestFirst = pick(FIRST, shipR());
    const guestLast = pick(LAST, shipR());
    const shippingAddress = buyer && u(index, SALT.ship) < 0.85 ? buyer.address : address(shipR, buyer?.firstName ?? guestFirst, buyer?.lastName ?? guestLast);
    const lineItems = lines(index, facts.lineCount);
    const subtotalCents = lineItems.reduce((s, l) => s + l.unitCents * l.quantity, 0);
    const totalsR = rng(seed, index, SALT.totals);
    const shippingCents = subtotalCents >= 50_000 ? 0 : pick(SHIPPING_CENTS, totalsR());
    const taxCents = Math.round(subtotalCents * pick(TAX_RATES, totalsR()));
    const t = u(index, SALT.tags);
    const cancelled = facts.cancelledSec !== 0;
    // Properties listed, not spread: a spread here made every order a slow dictionary object (40 µs each).
    return {
      createdSec: facts.createdSec,
      updatedSec: facts.updatedSec,
      closedSec: facts.closedSec,
      cancelledSec: facts.cancelledSec,
      financial: facts.financial,
      fulfillment: facts.fulfillment,
      lineCount: facts.lineCount,
      index,
      legacyId: ID_BASE.order + index,
      name: `#${ORDER_NUMBER_OFFSET + index}`,
      orderNumber: ORDER_NUMBER_OFFSET + index,
      email: buyer?.email ?? `${emailPart(guestFirst)}.${index}@guest.example.net`,
      phone: buyer?.phone ?? null,
      note: note ?? (u(index, SALT.note) < 0.1 ? 'Please deliver to the loading dock.' : null),
      tags: t < 0.1 ? ['wholesale'] : t < 0.15 ? ['fleet', 'net-30'] : [],
      cancelReason: cancelled ? (facts.financial === 'VOIDED' ? 'DECLINED' : facts.financial === 'EXPIRED' ? 'OTHER' : 'CUSTOMER') : null,
      customer: buyer ?? null,
      shippingAddress,
      billingAddress: buyer?.address ?? shippingAddress,
      lineItems,
      subtotalCents,
      shippingCents,
      taxCents,
      totalCents: subtotalCents + shippingCents + taxCents,
      currency: options.currency,
    };
  }

  return { seededFacts, createdFacts, order, customer, customerPool };
}
