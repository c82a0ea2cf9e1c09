/**
 * The simulated store's catalog: seeded products derived on demand from the
 * supplier catalog (a presence bitset says which), with every written or
 * created product kept in an overlay. Nothing is materialised up front, so a
 * million-part catalog costs one byte per part.
 */
import type { Catalog } from '../common/catalog.js';
import { Presence } from './presence.js';
import {
  CREATED_ID_START,
  SEEDED_ID_OFFSET,
  SUB_ID_START,
  VARIANT_ID_OFFSET,
  brandIdOfManufacturer,
  catalogIndexOf,
  isSeededPresent,
  seededProduct,
  type CustomFieldRecord,
  type ImageRecord,
  type ProductRecord,
} from './productRecord.js';
import { iso8601 } from './wire.js';

export interface ProductStoreOptions {
  seed: number;
  storeShare: number;
  driftShare: number;
}

/** Which products a listing asks for; every given constraint must hold. */
export interface ProductQuery {
  ids?: number[];
  skus?: string[];
  where?: (p: ProductRecord) => boolean;
}

export interface ProductPage {
  total: number;
  items: ProductRecord[];
}

/** What a create call may set (validated by the route). */
export type ProductInput = Partial<Omit<ProductRecord, 'id' | 'date_created' | 'date_modified' | 'custom_fields' | 'images' | 'variant'>> & {
  name: string;
  type: 'physical' | 'digital';
  weight: number;
  price: number;
  brand_name?: string;
  custom_fields?: Array<{ name: string; value: string }>;
  images?: Array<{ image_url: string; is_thumbnail?: boolean; sort_order?: number; description?: string }>;
  variant?: Partial<ProductRecord['variant']>;
};

export type ProductPatch = Partial<Omit<ProductRecord, 'id' | 'date_created' | 'date_modified' | 'variant'>> & {
  variant?: Partial<ProductRecord['variant']>;
};

/** BigCommerce Catalog API, "Product Custom Fields" limits. */
export const MAX_CUSTOM_FIELDS = 200;

/** Why a product's custom fields break the vendor's rules, or undefined when they do not. */
export function customFieldProblem(fields: ReadonlyArray<{ name: string; value: string }>): string | undefined {
  if (fields.length > MAX_CUSTOM_FIELDS) return `A product can have at most ${MAX_CUSTOM_FIELDS} custom fields.`;
  const pairs = new Set<string>();
  for (const f of fields) {
    const pair = `${f.name}\u0000${f.value}`;
    if (pairs.has(pair)) return `The custom field name-value pair "${f.name}: ${f.value}" must be unique within the product.`;
    pairs.add(pair);
  }
  return undefined;
}

export class ProductStore {
  readonly presence: Presence;
  /** Seeded products that were written, and every created product. */
  private overlay = new Map<number, ProductRecord>();
  /** Created product ids, ascending (ids only grow). */
  private created: number[] = [];
  /** SKUs given by writes (created products, changed SKUs); seeded SKUs are found through the catalog. */
  private skuIndex = new Map<string, number>();
  private brands = new Map<string, number>();
  private nextId = CREATED_ID_START;
  private nextSubId = SUB_ID_START;

  constructor(
    private readonly catalog: Catalog,
    private readonly options: ProductStoreOptions,
  ) {
    this.presence = new Presence(catalog.size, (i) => isSeededPresent(options.seed, i, options.storeShare));
  }

  /** Products in the store now. */
  get count(): number {
    return this.presence.count + this.created.length;
  }

  /** Drops every write: the store is back to its seeded state. */
  reset(): void {
    this.overlay.clear();
    this.created = [];
    this.skuIndex.clear();
    this.brands.clear();
    this.nextId = CREATED_ID_START;
    this.nextSubId = SUB_ID_START;
  }

  /** The current record. Seeded records are rebuilt on each call: never mutate, use update(). */
  get(id: number): ProductRecord | undefined {
    const written = this.overlay.get(id);
    if (written) return written;
    const index = catalogIndexOf(id, this.catalog);
    if (index === undefined || !this.presence.has(index)) return undefined;
    const part = this.catalog.get(index);
    return part ? seededProduct(part, this.options.seed, this.options.driftShare) : undefined;
  }

  /** The product with this exact SKU (case-sensitive), if any. */
  idBySku(sku: string): number | undefined {
    if (sku === '') return undefined;
    const indexed = this.skuIndex.get(sku);
    if (indexed !== undefined && this.get(indexed)?.sku === sku) return indexed;
    const index = this.catalog.indexOfPartNumber(sku);
    if (index === undefined || !this.presence.has(index)) return undefined;
    const id = SEEDED_ID_OFFSET + index;
    return this.get(id)?.sku === sku ? id : undefined;
  }

  productIdOfVariant(variantId: number): number | undefined {
    const id = variantId - VARIANT_ID_OFFSET;
    return this.get(id) ? id : undefined;
  }

  create(input: ProductInput, now = Date.now()): ProductRecord {
    const id = this.nextId++;
    const stamp = iso8601(now);
    const { brand_name, custom_fields, images, variant, ...fields } = input;
    const record: ProductRecord = {
      id,
      sku: '',
      description: '',
      width: 0,
      depth: 0,
      height: 0,
      cost_price: 0,
      retail_price: 0,
      sale_price: 0,
      map_price: 0,
      categories: [],
      brand_id: brand_name ? this.brandId(brand_name) : 0,
      inventory_level: 0,
      inventory_warning_level: 0,
      inventory_tracking: 'none',
      is_visible: true,
      is_featured: false,
      is_free_shipping: false,
      availability: 'available',
      condition: 'New',
      upc: '',
      mpn: '',
      gtin: '',
      bin_picking_number: '',
      ...fields,
      date_created: stamp,
      date_modified: stamp,
      custom_fields: (custom_fields ?? []).map((f) => ({ id: this.nextSubId++, name: f.name, value: f.value })),
      images: this.makeImages(images ?? [], stamp),
      variant: { purchasing_disabled: false, purchasing_disabled_message: '', fixed_cost_shipping_price: null, ...variant },
    };
    this.overlay.set(id, record);
    this.created.push(id);
    if (record.sku !== '') this.skuIndex.set(record.sku, id);
    return record;
  }

  /** Applies a patch to an existing product; the caller has checked the id and SKU uniqueness. */
  update(id: number, patch: ProductPatch, now = Date.now()): ProductRecord {
    const current = this.get(id);
    if (!current) throw new Error(`no product ${id}`);
    const { variant, ...fields } = patch;
    const next: ProductRecord = {
      ...current,
      ...fields,
      variant: { ...current.variant, ...variant },
      date_modified: iso8601(now),
    };
    this.overlay.set(id, next);
    if (next.sku !== current.sku) {
      if (this.skuIndex.get(current.sku) === id) this.skuIndex.delete(current.sku);
      if (next.sku !== '') this.skuIndex.set(next.sku, id);
    }
    return next;
  }

  /**
   * BigCommerce Catalog API, "Product Custom Fields": a field is identified by
   * its id and names may repeat (one `Fits` field per vehicle); an item with an
   * `id` changes that field, one without adds a field. Every name-value pair is
   * unique within a product and a product holds at most 200 fields: a write
   * that breaks either (or names an id the product does not have) is refused.
   */
  mergeCustomFields(current: CustomFieldRecord[], fields: Array<{ id?: number; name: string; value: string }>): CustomFieldRecord[] | string {
    const out = current.map((f) => ({ ...f }));
    for (const f of fields) {
      if (f.id !== undefined) {
        const existing = out.find((o) => o.id === f.id);
        if (!existing) return `Custom field ${f.id} was not found on this product.`;
        existing.name = f.name;
        existing.value = f.value;
      } else out.push({ id: this.nextSubId++, name: f.name, value: f.value });
    }
    return customFieldProblem(out) ?? out;
  }

  makeImages(images: NonNullable<ProductInput['images']>, stamp: string): ImageRecord[] {
    return images.map((img, n) => ({
      id: this.nextSubId++,
      image_url: img.image_url,
      is_thumbnail: img.is_thumbnail ?? n === 0,
      sort_order: img.sort_order ?? n,
      description: img.description ?? '',
      date_modified: stamp,
    }));
  }

  /** Removes one custom field; false when the product has no field with that id. */
  deleteCustomField(id: number, fieldId: number, now = Date.now()): boolean {
    const current = this.get(id);
    if (!current || !current.custom_fields.some((f) => f.id === fieldId)) return false;
    this.update(id, { custom_fields: current.custom_fields.filter((f) => f.id !== fieldId) }, now);
    return true;
  }

  brandId(name: string): number {
    const known = brandIdOfManufacturer(name);
    if (known !== undefined) return known;
    const key = name.toLowerCase();
    let id = this.brands.get(key);
    if (id === undefined) {
      id = 1_000 + this.brands.size;
      this.brands.set(key, id);
    }
    return id;
  }

  /** Every product in id order, derived lazily (seeded first: their ids are all below the created range). */
  *scan(): Generator<ProductRecord> {
    for (const index of this.presence.all()) {
      const p = this.get(SEEDED_ID_OFFSET + index);
      if (p) yield p;
    }
    for (const id of this.created) {
      const p = this.overlay.get(id);
      if (p) yield p;
    }
  }

  /** One page of a listing, sorted by id. `offset` is (page - 1) * limit. */
  page(query: ProductQuery, offset: number, limit: number): ProductPage {
    if (query.ids !== undefined || query.skus !== undefined) return this.pageOfCandidates(query, offset, limit);
    if (query.where) {
      let total = 0;
      const items: ProductRecord[] = [];
      for (const p of this.scan()) {
        if (!query.where(p)) continue;
        if (total >= offset && items.length < limit) items.push(p);
        total++;
      }
      return { total, items };
    }
    // No filter: seek straight to the page through the presence counts.
    const items: ProductRecord[] = [];
    for (const index of this.presence.slice(offset, limit)) {
      const p = this.get(SEEDED_ID_OFFSET + index);
      if (p) items.push(p);
    }
    if (items.length < limit) {
      const from = Math.max(0, offset - this.presence.count);
      for (const id of this.created.slice(from, from + limit - items.length)) {
        const p = this.overlay.get(id);
        if (p) items.push(p);
      }
    }
    return { total: this.count, items };
  }

  private pageOfCandidates(query: ProductQuery, offset: number, limit: number): ProductPage {
    let ids: Set<number> | undefined;
    if (query.ids !== undefined) ids = new Set(query.ids.filter((id) => this.get(id) !== undefined));
    if (query.skus !== undefined) {
      const bySku = new Set<number>();
      for (const sku of query.skus) {
        const id = this.idBySku(sku);
        if (id !== undefined && (ids === undefined || ids.has(id))) bySku.add(id);
      }
      ids = bySku;
    }
    const matches: ProductRecord[] = [];
    for (const id of [...(ids ?? [])].sort((a, b) => a - b)) {
      const p = this.get(id);
      if (p && (!query.where || query.where(p))) matches.push(p);
    }
    return { total: matches.length, items: matches.slice(offset, offset + limit) };
  }
}
