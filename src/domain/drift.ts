/**
 * Drift: the fields where a store product disagrees with what its supplier
 * part maps to. Prices compare as exact decimals.
 */
import { sameAmount } from './money.js';

export type DriftFieldName = 'PRICE' | 'STOCK' | 'NAME';

export interface DriftEntry {
  field: DriftFieldName;
  expected: string;
  actual: string;
}

export interface DriftInput {
  expected: { name: string; price: string | null; stock: number | null };
  /** `price` null: the store's price is not a number (it disagrees with any expected price). */
  actual: { name: string; price: string | null; stock: number | null };
}

/** What drift shows as the store's value when the store's price is not a number. */
export const UNREADABLE_PRICE = 'not a number';

export function computeDrift({ expected, actual }: DriftInput): DriftEntry[] {
  const out: DriftEntry[] = [];
  if (expected.price !== null && (actual.price === null || !sameAmount(expected.price, actual.price))) {
    out.push({ field: 'PRICE', expected: expected.price, actual: actual.price ?? UNREADABLE_PRICE });
  }
  if (expected.stock !== null && actual.stock !== null && expected.stock !== actual.stock) {
    out.push({ field: 'STOCK', expected: String(expected.stock), actual: String(actual.stock) });
  }
  if (expected.name.trim() !== actual.name.trim()) out.push({ field: 'NAME', expected: expected.name, actual: actual.name });
  return out;
}
