/**
 * The store's product record and how a seeded one is derived from the
 * supplier catalog: present when a hash says so, with a store id unrelated to
 * the supplier's, and sometimes drifted (stale price, stock or name), which is
 * what a sync has to find and repair.
 */
import { MANUFACTURERS, type Catalog, type CatalogPart } from '../common/catalog.js';
import { hash32, unit } from '../common/random.js';
import { iso8601 } from './wire.js';

/** Seeded product id = SEEDED_ID_OFFSET + catalog index (deliberately not the supplier's id). */
export const SEEDED_ID_OFFSET = 10_000_000;
/** Products created through the API get ids from here upward. */
export const CREATED_ID_START = 60_000_000;
/** Each product has one base variant: variant id = product id + VARIANT_ID_OFFSET. */
export const VARIANT_ID_OFFSET = 500_000_000;
/** Images and custom fields get ids from these counters' ranges. */
export const SUB_ID_START = 1_000;

const SALT = { present: 9101, drift: 9102, driftKind: 9103, driftAmount: 9104, dates: 9105 } as const;

export type DriftKind = 'price' | 'stock' | 'name';

export interface CustomFieldRecord {
  id: number;
  name: string;
  value: string;
}

export interface ImageRecord {
  id: number;
  image_url: string;
  is_thumbnail: boolean;
  sort_order: number;
  description: string;
  date_modified: string;
}

export interface ProductRecord {
  id: number;
  name: string;
  type: 'physical' | 'digital';
  sku: string;
  description: string;
  weight: number;
  width: number;
  depth: number;
  height: number;
  price: number;
  cost_price: number;
  retail_price: number;
  sale_price: number;
  map_price: number;
  categories: number[];
  brand_id: number;
  inventory_level: number;
  inventory_warning_level: number;
  inventory_tracking: 'none' | 'product' | 'variant';
  is_visible: boolean;
  is_featured: boolean;
  is_free_shipping: boolean;
  availability: 'available' | 'disabled' | 'preorder';
  condition: 'New' | 'Used' | 'Refurbished';
  upc: string;
  mpn: string;
  gtin: string;
  bin_picking_number: string;
  date_created: string;
  date_modified: string;
  custom_fields: CustomFieldRecord[];
  images: ImageRecord[];
  /** Fields only the base variant shows. */
  variant: {
    purchasing_disabled: boolean;
    purchasing_disabled_message: string;
    fixed_cost_shipping_price: number | null;
  };
}

/** Numeric category ids for the supplier's category tags (unknown tags hash into 100..999). */
const CATEGORY_IDS: Record<string, number> = {
  brakes: 21,
  filters: 22,
  lighting: 23,
  electrical: 24,
  suspension: 25,
  drivetrain: 26,
  cooling: 27,
  engine: 28,
};

export function categoryId(tag: string): number {
  const known = CATEGORY_IDS[tag];
  if (known !== undefined) return known;
  let h = 0;
  for (const ch of tag) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
  return 100 + (h % 900);
}

/** Brand ids 1..n follow the supplier's manufacturer list. */
export function brandIdOfManufacturer(name: string): number | undefined {
  const i = MANUFACTURERS.findIndex((m) => m.name.toLowerCase() === name.toLowerCase());
  return i < 0 ? undefined : i + 1;
}

export function isSeededPresent(seed: number, index: number, storeShare: number): boolean {
  return unit(seed, index, SALT.present) < storeShare;
}

export function driftOf(seed: number, index: number, driftShare: number): DriftKind | undefined {
  if (!(unit(seed, index, SALT.drift) < driftShare)) return undefined;
  const kinds: DriftKind[] = ['price', 'stock', 'name'];
  return kinds[hash32(seed, index, SALT.driftKind) % kinds.length];
}

const DAY = 86_400_000;
const EPOCH_2024 = Date.UTC(2024, 0, 1);

export function seededProduct(part: CatalogPart, seed: number, driftShare: number): ProductRecord {
  const i = part.index;
  const v = part.variants[0];
  let priceCents = v?.priceCents ?? 0;
  let stock = v?.quantity ?? 0;
  let name = part.description;
  const drift = driftOf(seed, i, driftShare);
  const k = unit(seed, i, SALT.driftAmount);
  if (drift === 'price') priceCents = Math.round(priceCents * 1.15);
  else if (drift === 'stock') stock = stock > 20 ? stock - 1 - Math.floor(k * 20) : stock + 1 + Math.floor(k * 40);
  else if (drift === 'name') name = `${part.manufacturer} ${part.description}`;
  const created = EPOCH_2024 + Math.floor(unit(seed, i, SALT.dates) * 365 * DAY);
  const modified = created + Math.floor(k * 180 * DAY);
  const id = SEEDED_ID_OFFSET + i;
  return {
    id,
    name,
    type: 'physical',
    sku: part.partNumber,
    description: `<p>${part.manufacturer} ${part.description}</p>`,
    weight: part.weightLb,
    width: 0,
    depth: 0,
    height: 0,
    price: priceCents / 100,
    cost_price: 0,
    retail_price: 0,
    sale_price: 0,
    map_price: 0,
    categories: [categoryId(part.category)],
    brand_id: brandIdOfManufacturer(part.manufacturer) ?? 0,
    inventory_level: stock,
    inventory_warning_level: 0,
    inventory_tracking: 'product',
    is_visible: true,
    is_featured: false,
    is_free_shipping: false,
    availability: 'available',
    condition: 'New',
    upc: '',
    mpn: part.partNumber,
    gtin: '',
    bin_picking_number: '',
    date_created: iso8601(created),
    date_modified: iso8601(modified),
    custom_fields: [],
    images: [],
    variant: { purchasing_disabled: false, purchasing_disabled_message: '', fixed_cost_shipping_price: null },
  };
}

/** The catalog index behind a seeded product id, or undefined for created or unknown ids. */
export function catalogIndexOf(id: number, catalog: Catalog): number | undefined {
  const i = id - SEEDED_ID_OFFSET;
  return Number.isInteger(i) && i >= 1 && i <= catalog.size ? i : undefined;
}
