/**
 * What the domain may ask of the upstreams, in the domain's own terms. A
 * connector (src/connectors/<vendor>/) provides some of these capabilities;
 * the composition root hands each to the services that need it. Resolvers,
 * job pipelines and the order worker know these interfaces, never a vendor.
 *
 * Every call names its pacing lane: `interactive` for reads a client waits on,
 * `bulk` for jobs (DESIGN.md, "Pacing and priority").
 */
import type { Messaging } from './messagingPorts.js';
import type { Money } from './money.js';
import type { OrderSource } from './orderSourcePorts.js';
import type { SocialVideos } from './socialPorts.js';
import type { ErpItem, ErpWarehouseStock, Page, Part, PartVariant, StoreInventory, StoreOrder, StoreOrderLine, StoreProduct, VehicleFitment, VehicleLookup } from './types.js';

export type Lane = 'interactive' | 'bulk';

// ---- the parts supplier -------------------------------------------------------------------------

export interface SupplierSearch {
  query?: string;
  partNumber?: string;
  tags?: string[];
  /** Only parts that fit this vehicle (make and model compared case-insensitively). */
  vehicle?: VehicleFitment;
  page: number;
  per: number;
}

/** The supplier's catalog, in its batch forms. */
export interface SupplierCatalog {
  productsByIds(ids: readonly string[], lane: Lane): Promise<Map<string, Part>>;
  search(params: SupplierSearch, lane: Lane): Promise<Page<Part>>;
  /** One part by its part number; null when the supplier has none. */
  lookup(partNumber: string, lane: Lane): Promise<Part | null>;
  variantsByIds(ids: readonly string[], lane: Lane): Promise<Map<string, PartVariant>>;
  /** The vehicles parts are listed as fitting (makes, models, years). */
  vehicles(lane: Lane): Promise<VehicleLookup>;
}

export interface ShippingAddress {
  name: string;
  street1: string;
  street2?: string;
  city: string;
  state: string;
  zip: string;
  country: string;
}

export interface SupplierOrderRequest {
  /** The buyer's reference, unique per order: the supplier's only dedupe key (upstreams.md, `po_number`). */
  poNumber: string;
  shippingMethod: string;
  address: ShippingAddress;
  items: Array<{ variantId: string; quantity: number }>;
}

/** Where the supplier says an order is, mapped from its own words by the connector. */
export type SupplierOrderState = 'SUBMITTED' | 'PROCESSING' | 'SHIPPED' | 'CANCELLED';

export interface SupplierOrderAck {
  id: string;
  poNumber: string;
  state: SupplierOrderState;
  /** The supplier's own word for it (e.g. `delivered`), for history and operators. */
  statusText: string;
  trackingNumber: string | null;
}

/** Ordering from the supplier. `place` is not idempotent upstream: the caller looks up by reference before a resend. */
export interface SupplierOrdering {
  place(order: SupplierOrderRequest, signal?: AbortSignal): Promise<SupplierOrderAck>;
  get(id: string, lane: Lane): Promise<SupplierOrderAck | null>;
  findByPoNumber(poNumber: string, lane: Lane, signal?: AbortSignal): Promise<SupplierOrderAck[]>;
}

export interface Supplier {
  /** The connector's name (metrics label, `upstream` in errors), e.g. `finditparts`. */
  name: string;
  /** How people call it, for notes and messages (e.g. "FinditParts"). */
  displayName: string;
  catalog: SupplierCatalog;
  ordering: SupplierOrdering;
}

// ---- the storefront -----------------------------------------------------------------------------

export interface StoreProductQuery {
  keyword?: string;
  ids?: string[];
  skus?: string[];
  isVisible?: boolean;
  page: number;
  limit: number;
}

export interface StoreOrderQuery {
  /** The store's own numeric status id (the graph's `filter.statusId`). */
  statusId?: number;
  /** Only orders waiting to be fulfilled, whatever the store's id for that status. */
  awaitingFulfillment?: boolean;
  minDateModified?: string;
  minId?: number;
  page: number;
  limit: number;
}

export interface StoreCatalog {
  productsByIds(ids: readonly string[], lane: Lane): Promise<Map<string, StoreProduct>>;
  productsBySkus(skus: readonly string[], lane: Lane): Promise<Map<string, StoreProduct>>;
  listProducts(params: StoreProductQuery, lane: Lane): Promise<Page<StoreProduct>>;
  inventoryBySkus(skus: readonly string[], lane: Lane): Promise<Map<string, StoreInventory>>;
  /** The store's default currency (prices without one of their own are in it). */
  currency(lane: Lane): Promise<string>;
}

export interface StoreOrders {
  list(params: StoreOrderQuery, lane: Lane): Promise<StoreOrder[]>;
  count(lane: Lane): Promise<number>;
  get(id: string, lane: Lane): Promise<StoreOrder | null>;
  /** An order's lines, priced in the order's currency. */
  lines(orderId: string, currency: string, lane: Lane): Promise<StoreOrderLine[]>;
  /** The first shipping address of an order, or null. */
  shippingAddress(orderId: string, lane: Lane): Promise<ShippingAddress | null>;
}

/** What a store order looks like to the routing write-back. */
export interface StoreOrderFulfillment {
  /** Still waiting to be fulfilled (the only state the write-back moves on). */
  awaitingFulfillment: boolean;
  staffNotes: string;
}

/** Writing routing outcomes back to store orders (notes, status, shipments). */
export interface StoreOrderWrites {
  /** null when the store has no such order. */
  fulfillment(orderId: string, lane: Lane): Promise<StoreOrderFulfillment | null>;
  /** `awaitingShipment`: the supplier has it, the store should show it is on its way to being shipped. */
  update(orderId: string, patch: { awaitingShipment?: true; staffNotes?: string }, lane: Lane): Promise<void>;
  /** Tracking numbers of the order's shipments. */
  shipments(orderId: string, lane: Lane): Promise<string[]>;
  /** One shipment of every unit not shipped yet; false when nothing is left to ship. */
  shipRemaining(orderId: string, shipment: { trackingNumber: string; comments: string }, lane: Lane): Promise<boolean>;
}

export interface NewStoreProduct {
  name: string;
  sku: string;
  price: number;
  weight: number;
  inventoryLevel?: number;
  trackInventory: boolean;
  categories?: number[];
  customFields?: Array<{ name: string; value: string }>;
  images?: Array<{ url: string; isThumbnail: boolean }>;
  brand?: string;
  description?: string;
  isVisible?: boolean;
}

export interface StoreProductUpdate {
  id: string;
  name?: string;
  price?: number;
  isVisible?: boolean;
  categories?: number[];
  /** With an `id`: that field's new name and value; without: a field to add. */
  customFields?: Array<{ id?: string; name: string; value: string }>;
}

export interface StoreBatchOutcome {
  updated: StoreProduct[];
  /** Store product id → reason, for items the store refused. */
  failed: Map<string, string>;
}

export interface StoreWriter {
  /** The most updates one `updateProducts` call may carry (the vendor's batch size). */
  readonly maxUpdateBatch: number;
  createProduct(product: NewStoreProduct, lane: Lane): Promise<StoreProduct>;
  updateProducts(updates: StoreProductUpdate[], lane: Lane): Promise<StoreBatchOutcome>;
  /** Absolute stock levels (at the location the connector is configured with); returns the store's reference for the adjustment. */
  setStock(items: Array<{ sku: string; quantity: number }>, lane: Lane): Promise<string>;
  /** Removes custom fields (one call each where the vendor has no batch form); field id → reason for those refused. */
  deleteCustomFields(fields: Array<{ productId: string; fieldId: string }>, lane: Lane): Promise<Map<string, string>>;
}

export interface Store {
  /** The connector's name (metrics label, `upstream` in errors), e.g. `bigcommerce`. */
  name: string;
  displayName: string;
  catalog: StoreCatalog;
  orders: StoreOrders;
  orderWrites: StoreOrderWrites;
  writer: StoreWriter;
}

// ---- the ERP ------------------------------------------------------------------------------------

/** The ERP's item master and stock, in its batch forms. A key the map lacks is "no such item"; an Error fails that item alone. */
export interface ErpItems {
  byNumbers(itemNumbers: readonly string[], lane: Lane): Promise<Map<string, ErpItem | Error>>;
  /** Stock by warehouse; an item that exists with no stock has an empty list, a missing item no entry. */
  stockByNumbers(itemNumbers: readonly string[], lane: Lane): Promise<Map<string, ErpWarehouseStock[] | Error>>;
}

/** One read transaction of the ERP's own API, for the clients of the proxy the gateway replaces. */
export interface ErpReadRequest {
  program: string;
  transaction: string;
  /** Field → value, as the ERP names its fields. */
  input: Readonly<Record<string, string>>;
  maxRecords: number;
  returnColumns?: readonly string[];
}

export interface ErpReadResult {
  /** The ERP's records as it sends them: field → text (trimmed). */
  records: Array<Record<string, string>>;
}

/** Read transactions through the escape hatch: only those an allow-list names, cached by the connector's TTL table. */
export interface ErpTransactions {
  allows(program: string, transaction: string): boolean;
  /** How long this transaction's answers may be cached, in ms. */
  ttlMs(program: string, transaction: string): number;
  /** Refuses (FORBIDDEN) what `allows` refuses, without a call; a business error is a typed error, never data. */
  read(request: ErpReadRequest, lane: Lane): Promise<ErpReadResult>;
}

/** A customer order head as the ERP lists it by reference. */
export interface ErpOrderHead {
  /** The batch's temporary number until confirmed, then the customer order's own. */
  orderNumber: string;
  customerReference: string;
  /** Confirmed into a customer order (not a batch head waiting for its lines and confirmation). */
  confirmed: boolean;
  /** The ERP's own status code, for history and operators. */
  status: string;
}

/** One line's outcome: added under the ERP's line number, or refused (a typed error naming the field). */
export type ErpLineOutcome = { ok: true; lineNumber: string } | { ok: false; error: Error };

/**
 * Entering customer orders in the ERP, for the configured customer and
 * order type. Nothing here is idempotent upstream: a call whose outcome is
 * unknown is never resent before the caller has looked the order up by its
 * reference. A refusal the ERP answers (a business rule, a field) is a
 * client-facing error (errors/crossdockError.ts) with the field it named;
 * anything else is an upstream error (upstreams/upstreamError.ts).
 */
export interface ErpOrdering {
  /** Who the orders are entered for, for notes and messages (e.g. "customer WEBSTORE, order type WEB"). */
  enteredAs: string;
  /** Opens a batch head for `reference`; answers its temporary order number. */
  addHead(reference: string, lane: Lane, signal?: AbortSignal): Promise<string>;
  /** Adds lines to an open batch head: one outcome per line, in order. */
  addLines(batchOrderNumber: string, lines: ReadonlyArray<{ itemNumber: string; quantity: number }>, lane: Lane, signal?: AbortSignal): Promise<ErpLineOutcome[]>;
  /** Confirms the batch into a customer order: its final number. */
  confirm(batchOrderNumber: string, lane: Lane, signal?: AbortSignal): Promise<ErpOrderHead>;
  /** Every order head of the configured customer with this reference. */
  findByReference(reference: string, lane: Lane, signal?: AbortSignal): Promise<ErpOrderHead[]>;
}

export interface Erp {
  /** The connector's name (metrics label, `upstream` in errors), e.g. `ion`. */
  name: string;
  displayName: string;
  items: ErpItems;
  transactions: ErpTransactions;
  /** Entering customer orders (ERP_ORDER_EXPORT); absent when the connector is not set up to (no customer configured). */
  orders?: ErpOrdering;
  /** Why `orders` is absent, naming what to configure. */
  ordersUnavailable?: string;
  /** How long item and stock reads may be cached, in ms (the connector's TTL table). */
  cacheTtlMs: { items: number; stock: number };
}

// ---- what connectors provide --------------------------------------------------------------------

/** The capabilities a connector may provide; each is provided by at most one connector, supplier and store by exactly one. */
export interface Capabilities {
  supplier: Supplier;
  store: Store;
  /** Optional: the gateway runs without an ERP (its fields are then refused, README "The ERP"). */
  erp?: Erp;
  /** Optional: a social video platform for the link → product draft ingestion (README "Social links"). */
  socialVideos?: SocialVideos;
  /** Optional: product messages to customers (README "WhatsApp"); refused without it. */
  messaging?: Messaging;
  /** Optional: a sales channel whose orders are mirrored (Shopify); without one its mirror is not refreshed. */
  orderSource?: OrderSource;
}

export type CapabilityName = keyof Capabilities;

