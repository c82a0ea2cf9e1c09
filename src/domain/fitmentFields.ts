/**
 * Vehicle fitment on a store product, as custom fields a buyer can filter by
 * (README, "Vehicle fitment in the store"): one field named `Fits` per
 * vehicle, its value `YEAR MAKE MODEL` ("2018 Freightliner Cascadia").
 *
 * BigCommerce's limits (Catalog API, "Product Custom Fields"): at most 200
 * custom fields per product, name and value at most 250 characters each, and
 * every name-value pair unique within a product. A part listed for more
 * vehicles than the configured cap (FITMENT_FIELDS_MAX) is written compactly:
 * the years of one make and model become a range ("2015-2018 Freightliner
 * Cascadia"); if that is still over the cap, the first `cap` values in order
 * (make, model, year) are kept.
 */
import type { StoreCustomField, VehicleFitment } from './types.js';

/** The custom field name every fitment is written under. */
export const FITMENT_FIELD = 'Fits';
/** BigCommerce: a custom field's name and value are at most 250 characters each. */
export const CUSTOM_FIELD_MAX_CHARS = 250;
/** BigCommerce: at most 200 custom fields per product. */
export const CUSTOM_FIELDS_PER_PRODUCT = 200;

const clean = (s: string) => s.replace(/\s+/g, ' ').trim();

function compare(a: VehicleFitment, b: VehicleFitment): number {
  const make = a.make.localeCompare(b.make);
  if (make !== 0) return make;
  const model = a.model.localeCompare(b.model);
  return model !== 0 ? model : a.year - b.year;
}

/** `2015-2018` style ranges of consecutive years. */
function yearRanges(years: number[]): string[] {
  const out: string[] = [];
  let start = years[0];
  let prev = years[0];
  for (const y of [...years.slice(1), Number.NaN]) {
    if (start === undefined || prev === undefined) break;
    if (y === prev + 1) {
      prev = y;
      continue;
    }
    out.push(start === prev ? String(start) : `${start}-${prev}`);
    start = y;
    prev = y;
  }
  return out;
}

/**
 * The `Fits` values for a part's fitments (an empty list with `cap` 0:
 * fitments are not written). Order: make, model, year; no duplicates.
 */
export function fitmentValues(fitments: readonly VehicleFitment[], cap: number): string[] {
  if (cap <= 0) return [];
  const vehicles = fitments
    .map((f) => ({ year: f.year, make: clean(f.make), model: clean(f.model) }))
    .filter((f) => Number.isInteger(f.year) && f.make !== '' && f.model !== '')
    .sort(compare);
  const one = [...new Set(vehicles.map((f) => `${f.year} ${f.make} ${f.model}`.slice(0, CUSTOM_FIELD_MAX_CHARS)))];
  if (one.length <= cap) return one;
  const byModel = new Map<string, { make: string; model: string; years: Set<number> }>();
  for (const f of vehicles) {
    const key = `${f.make}\u0000${f.model}`;
    const entry = byModel.get(key) ?? { make: f.make, model: f.model, years: new Set<number>() };
    entry.years.add(f.year);
    byModel.set(key, entry);
  }
  const ranged = [...byModel.values()].flatMap((m) =>
    yearRanges([...m.years].sort((a, b) => a - b)).map((years) => `${years} ${m.make} ${m.model}`.slice(0, CUSTOM_FIELD_MAX_CHARS)),
  );
  return [...new Set(ranged)].slice(0, cap);
}

/** What to write to make a product's `Fits` fields say `desired`: fields reused by id first, then added or removed. */
export interface FitmentFieldPlan {
  /** Existing fields given a new value (no call of their own: they ride on the product update). */
  update: Array<{ id: string; value: string }>;
  /** New fields. */
  add: string[];
  /** Fields to delete (field ids). */
  remove: string[];
}

/** The product's current `Fits` values, sorted. */
export function currentFitmentValues(fields: readonly StoreCustomField[]): string[] {
  return fields.filter((f) => f.name === FITMENT_FIELD).map((f) => f.value).sort();
}

/** null when the product already says exactly `desired` (a re-run writes nothing). */
export function planFitmentFields(fields: readonly StoreCustomField[], desired: readonly string[]): FitmentFieldPlan | null {
  const want = new Set(desired);
  const kept = new Set<string>();
  const stale: StoreCustomField[] = [];
  for (const f of fields) {
    if (f.name !== FITMENT_FIELD) continue;
    if (want.has(f.value) && !kept.has(f.value)) kept.add(f.value);
    else stale.push(f);
  }
  const missing = [...want].filter((v) => !kept.has(v));
  if (stale.length === 0 && missing.length === 0) return null;
  const pairs = Math.min(stale.length, missing.length);
  return {
    update: stale.slice(0, pairs).map((f, i) => ({ id: f.id, value: missing[i] as string })),
    add: missing.slice(pairs),
    remove: stale.slice(pairs).map((f) => f.id),
  };
}
