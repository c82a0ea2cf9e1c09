/**
 * The gateway's domain types: what resolvers work with, independent of any
 * vendor's wire format. Connectors map their wire types into these.
 */
import type { Money } from './money.js';

export interface PartVariant {
  variantId: string;
  partId: string;
  price: Money;
  quantity: number;
  packQuantity: number;
  minimum: number;
  corePrice: Money | null;
  estimatedShipDate: string | null;
}

export interface VehicleFitment {
  year: number;
  make: string;
  model: string;
}

export interface Part {
  /** Supplier product id (numeric string). */
  supplierId: string;
  partNumber: string;
  manufacturer: string;
  description: string;
  url: string | null;
  imageUrl: string | null;
  sellable: boolean;
  tags: string[];
  preferredVariantId: string | null;
  variants: PartVariant[];
  fitments: VehicleFitment[];
}

/** A store product's custom field (BigCommerce identifies them by id; names may repeat). */
export interface StoreCustomField {
  id: string;
  name: string;
  value: string;
}

/**
 * The vehicles the supplier's parts fit, for buyers' lookups: makes, their
 * models, and the years each model is listed for.
 */
export interface VehicleLookup {
  makes: Array<{ make: string; models: Array<{ model: string; years: number[] }> }>;
}

export interface StoreProduct {
  /** Store product id (numeric string). */
  storeId: string;
  sku: string;
  name: string;
  type: string;
  /** Null when the store sent a price that is not a number: an error for this product, never zero. */
  price: Money | null;
  inventoryLevel: number | null;
  isVisible: boolean;
  weight: number | null;
  categories: number[];
  dateModified: string | null;
  /** The supplier id a sync wrote into the product's custom fields, if any. */
  supplierId: string | null;
  /** Its custom fields (a sync's supplier id, manufacturer and `Fits` fitments among them). */
  customFields: StoreCustomField[];
}

export interface StoreInventoryLocation {
  locationId: string;
  availableToSell: number;
  onHand: number;
}

export interface StoreInventory {
  sku: string;
  productId: string | null;
  variantId: string | null;
  locations: StoreInventoryLocation[];
}

export interface StoreOrderLine {
  lineId: string;
  orderId: string;
  productId: string | null;
  variantId: string | null;
  sku: string;
  name: string;
  quantity: number;
  /** Null when the store sent an amount that is not a number. */
  unitPrice: Money | null;
  total: Money | null;
}

export interface StoreOrder {
  orderId: string;
  statusId: number;
  status: string;
  /** The store will not fulfil it: cancelled, declined, refunded, or a checkout never completed (in the store's own terms, mapped by its connector). */
  cancelled: boolean;
  customerId: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  /** Null when the store sent an amount that is not a number. */
  subtotal: Money | null;
  total: Money | null;
  itemsTotal: number;
  /** The currency the order's amounts are in (its transactional currency). */
  currency: string;
}

/**
 * An item of the ERP's item master (M3 MMS200MI), its values typed at the
 * connector's edge: codes as text, quantities and weights as exact decimal
 * strings, dates as ISO calendar dates.
 */
export interface ErpItem {
  itemNumber: string;
  description: string;
  /** The longer description (M3 FUDS); empty when the ERP has none. */
  longDescription: string;
  /** The ERP's status code (M3: 10 preliminary, 20 released, 80 phasing out, 90 deactivated). */
  status: string;
  /** Basic unit of measure (M3 UNMS), e.g. `EA`. */
  unit: string;
  /** Item type (M3 ITTY). */
  type: string;
  /** Item group (M3 ITGR). */
  group: string;
  /** Gross weight as an exact decimal, or null when the ERP has none. */
  grossWeight: string | null;
  /** When the item was last changed (ISO date), or null. */
  changedOn: string | null;
}

/** One item's stock in one ERP warehouse; quantities are exact decimal strings. */
export interface ErpWarehouseStock {
  warehouse: string;
  onHand: string;
  allocated: string;
  available: string;
}

/** A page of results from an offset-paged upstream. */
export interface Page<T> {
  items: T[];
  total: number;
}
