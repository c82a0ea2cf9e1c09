/**
 * The plan for one page: what each supplier part (or import row) needs in
 * the store, by job kind. Products match by SKU, so re-running never creates
 * duplicates, and a field is written only when the store disagrees with it —
 * name, price, stock, and fitments (the `Fits` custom fields) alike — so a
 * re-run writes nothing.
 */
import { currentFitmentValues, FITMENT_FIELD, planFitmentFields } from '../../domain/fitmentFields.js';
import { sameAmount } from '../../domain/money.js';
import type { StoreProductUpdate } from '../../domain/ports.js';
import type { Part, StoreProduct } from '../../domain/types.js';
import { mapPart, type MappedProduct, type MappingRules, type ProductOverrides } from '../productMapper.js';
import type { FieldChange, SyncKind } from '../types.js';

/** What an update writes: the product PUT's fields, an absolute stock level, custom fields to delete. */
export interface ProductWrite {
  update: Omit<StoreProductUpdate, 'id'>;
  stock?: number;
  /** Custom field ids to delete (fitments the part no longer has). */
  removeFields: string[];
}

/** Where an item came from, for its failure: an import's row has a line (and a column for bad cells). */
export interface ItemSource {
  line?: number;
  column?: string;
}

export type ItemPlan = ItemSource &
  (
    | { kind: 'create'; sku: string; partNumber: string | null; product: MappedProduct; changes: FieldChange[] }
    | { kind: 'update'; sku: string; partNumber: string | null; storeId: string; changes: FieldChange[]; write: ProductWrite }
    | { kind: 'unchanged'; sku: string; partNumber: string | null }
    | { kind: 'invalid'; sku: string; partNumber: string | null; code: string; message: string }
  );

/** The kinds that create products and keep every mapped field, fitments included. */
const CATALOG_LIKE: ReadonlySet<SyncKind> = new Set(['CATALOG', 'PART_LIST']);

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  const x = [...new Set(a)].sort((m, n) => m - n);
  const y = [...new Set(b)].sort((m, n) => m - n);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** A product's `Fits` values as a planned change shows them. */
const fitsText = (values: readonly string[]) => [...values].sort().join('; ');

export function planItem(kind: SyncKind, part: Part, existing: StoreProduct | undefined, rules: MappingRules, overrides?: ProductOverrides, source: ItemSource = {}): ItemPlan {
  const mapped = mapPart(part, rules, overrides);
  const sku = rules.skuRule.skuFor(part.partNumber);
  const partNumber = part.partNumber;
  if (!mapped.ok) return { ...source, kind: 'invalid', sku, partNumber, code: mapped.code, message: mapped.message };
  const p = mapped.product;
  if (!existing) {
    // PRICE and INVENTORY only touch products already in the store.
    if (!CATALOG_LIKE.has(kind)) return { ...source, kind: 'unchanged', sku, partNumber };
    const changes: FieldChange[] = [
      { field: 'name', before: null, after: p.name },
      { field: 'price', before: null, after: p.price },
      { field: 'inventory', before: null, after: String(p.stock) },
    ];
    if (p.fits.length) changes.push({ field: 'fitments', before: null, after: fitsText(p.fits) });
    return { ...source, kind: 'create', sku, partNumber, product: p, changes };
  }
  const changes: FieldChange[] = [];
  const write: ProductWrite = { update: {}, removeFields: [] };
  const catalogLike = CATALOG_LIKE.has(kind);
  if (catalogLike && existing.name !== p.name) {
    changes.push({ field: 'name', before: existing.name, after: p.name });
    write.update.name = p.name;
  }
  // A store price that is not a number (map.ts: null) is wrong whatever it says: rewrite it.
  if ((catalogLike || kind === 'PRICE') && (existing.price === null || !sameAmount(existing.price.amount, p.price))) {
    changes.push({ field: 'price', before: existing.price?.amount ?? null, after: p.price });
    write.update.price = Number(p.price);
  }
  if ((catalogLike || kind === 'INVENTORY') && existing.inventoryLevel !== p.stock) {
    changes.push({ field: 'inventory', before: existing.inventoryLevel === null ? null : String(existing.inventoryLevel), after: String(p.stock) });
    write.stock = p.stock;
  }
  if (catalogLike && p.isVisible !== undefined && existing.isVisible !== p.isVisible) {
    changes.push({ field: 'visible', before: String(existing.isVisible), after: String(p.isVisible) });
    write.update.isVisible = p.isVisible;
  }
  if (catalogLike && p.categoriesOverridden && !sameSet(existing.categories, p.categories)) {
    changes.push({ field: 'categories', before: existing.categories.join('|'), after: p.categories.join('|') });
    write.update.categories = p.categories;
  }
  if (catalogLike && (rules.fitmentCap ?? 0) > 0) {
    const fields = planFitmentFields(existing.customFields, p.fits);
    if (fields) {
      const before = currentFitmentValues(existing.customFields);
      changes.push({ field: 'fitments', before: before.length ? fitsText(before) : null, after: fitsText(p.fits) });
      const customFields = [...fields.update.map((f) => ({ id: f.id, name: FITMENT_FIELD, value: f.value })), ...fields.add.map((value) => ({ name: FITMENT_FIELD, value }))];
      if (customFields.length) write.update.customFields = customFields;
      write.removeFields = fields.remove;
    }
  }
  if (changes.length === 0) return { ...source, kind: 'unchanged', sku, partNumber };
  return { ...source, kind: 'update', sku, partNumber, storeId: existing.storeId, changes, write };
}

/**
 * PRICE_OVERRIDES and STOCK_OVERRIDES rows: a product already in the store
 * gets this price or stock as given (no supplier part, no markup).
 */
export function planOverride(kind: 'PRICE_OVERRIDES' | 'STOCK_OVERRIDES', sku: string, value: string | number, existing: StoreProduct | undefined, source: ItemSource = {}): ItemPlan {
  if (!existing) return { ...source, kind: 'invalid', sku, partNumber: null, code: 'NOT_IN_STORE', message: `the store has no product with SKU ${sku}` };
  if (kind === 'PRICE_OVERRIDES') {
    const price = String(value);
    if (existing.price !== null && sameAmount(existing.price.amount, price)) return { ...source, kind: 'unchanged', sku, partNumber: null };
    return {
      ...source,
      kind: 'update',
      sku,
      partNumber: null,
      storeId: existing.storeId,
      changes: [{ field: 'price', before: existing.price?.amount ?? null, after: price }],
      write: { update: { price: Number(price) }, removeFields: [] },
    };
  }
  const stock = Number(value);
  if (existing.inventoryLevel === stock) return { ...source, kind: 'unchanged', sku, partNumber: null };
  return {
    ...source,
    kind: 'update',
    sku,
    partNumber: null,
    storeId: existing.storeId,
    changes: [{ field: 'inventory', before: existing.inventoryLevel === null ? null : String(existing.inventoryLevel), after: String(stock) }],
    write: { update: {}, stock, removeFields: [] },
  };
}
