/**
 * ProductMapper (the seed's pipeline): supplier part → the store product it
 * should be. Part number → SKU (prefix rule), description → name, price →
 * price (markup and rounding), quantity → inventory; categories from the
 * manufacturer and tags; the image; custom fields carrying the supplier id
 * and manufacturer, and one `Fits` field per vehicle the part fits
 * (domain/fitmentFields.ts). An import's row may override the name, the
 * price (or the markup), the categories and the visibility. A part that
 * cannot be mapped is a validation failure of that item, never the end of
 * the job.
 */
import { fromUnits, toUnits } from '../domain/money.js';
import { FITMENT_FIELD, fitmentValues } from '../domain/fitmentFields.js';
import { SUPPLIER_ID_FIELD, type SkuRule } from '../domain/skuRule.js';
import type { Part, PartVariant } from '../domain/types.js';

export interface MappingRules {
  skuRule: SkuRule;
  /** Price markup in percent (10 = +10%). @default 0 */
  markupPercent: number;
  /** Rounding after markup: to the cent, or up to the next .99. @default "cent" */
  rounding: 'cent' | 'x99';
  /** Supplier tag or manufacturer → store category id. @default {} */
  categoryMap: Record<string, number>;
  /** Most `Fits` custom fields written per product (FITMENT_FIELDS_MAX); 0: fitments are not written. @default 0 */
  fitmentCap?: number;
}

/** What an import row may set instead of the mapping (README, "Bulk CSV"). */
export interface ProductOverrides {
  name?: string;
  /** Decimal string: the store price as is (no markup, no rounding). */
  price?: string;
  /** This markup in percent instead of PRICE_MARKUP_PERCENT (rounding still applies). */
  markupPercent?: number;
  categories?: number[];
  isVisible?: boolean;
}

export interface MappedProduct {
  sku: string;
  name: string;
  /** Decimal string. */
  price: string;
  stock: number;
  weight: number;
  categories: number[];
  imageUrl: string | null;
  customFields: Array<{ name: string; value: string }>;
  brand: string;
  /** The `Fits` values (one per vehicle, or compacted past the cap). */
  fits: string[];
  /** Set only when an import row says so; otherwise the store's own visibility is left alone. */
  isVisible?: boolean;
  /** Whether `categories` came from an import row (then they are compared with the store's). */
  categoriesOverridden: boolean;
}

export type MapResult = { ok: true; product: MappedProduct } | { ok: false; code: 'VALIDATION'; message: string };


function priceWithMarkup(base: string, rules: MappingRules, markupPercent = rules.markupPercent): string {
  // Exact arithmetic in 1/10,000 units; never floats.
  let units = (toUnits(base) * BigInt(Math.round((100 + markupPercent) * 100))) / 10_000n;
  units = (units + 50n) / 100n * 100n; // to the cent
  if (rules.rounding === 'x99') {
    const whole = units / 10_000n;
    units = whole * 10_000n + 9_900n;
  }
  return fromUnits(units);
}

/** The variant the mapper prices and stocks the product from: the preferred one, else the first. */
export function mappedVariant(part: Part): PartVariant | undefined {
  return part.variants.find((v) => v.variantId === part.preferredVariantId) ?? part.variants[0];
}

export function mapPart(part: Part, rules: MappingRules, overrides: ProductOverrides = {}): MapResult {
  const variant = mappedVariant(part);
  if (!variant) return { ok: false, code: 'VALIDATION', message: 'part has no variant to price' };
  const name = (overrides.name ?? part.description).trim();
  if (name.length === 0) return { ok: false, code: 'VALIDATION', message: 'part has no description to name the product' };
  if (name.length > 250) return { ok: false, code: 'VALIDATION', message: 'description longer than 250 characters' };
  if (overrides.price === undefined && toUnits(variant.price.amount) <= 0n) return { ok: false, code: 'VALIDATION', message: `price ${variant.price.amount} is not positive` };
  const mappedCategories = [rules.categoryMap[part.manufacturer], ...part.tags.map((t) => rules.categoryMap[t])].filter(
    (c): c is number => typeof c === 'number',
  );
  const fits = fitmentValues(part.fitments, rules.fitmentCap ?? 0);
  return {
    ok: true,
    product: {
      sku: rules.skuRule.skuFor(part.partNumber),
      name,
      price: overrides.price !== undefined ? fromUnits(toUnits(overrides.price)) : priceWithMarkup(variant.price.amount, rules, overrides.markupPercent),
      stock: Math.max(0, variant.quantity),
      weight: 1,
      categories: [...new Set(overrides.categories ?? mappedCategories)],
      categoriesOverridden: overrides.categories !== undefined,
      imageUrl: part.imageUrl,
      customFields: [
        { name: SUPPLIER_ID_FIELD, value: part.supplierId },
        { name: 'manufacturer', value: part.manufacturer },
        ...fits.map((value) => ({ name: FITMENT_FIELD, value })),
      ],
      brand: part.manufacturer,
      fits,
      ...(overrides.isVisible !== undefined ? { isVisible: overrides.isVisible } : {}),
    },
  };
}
