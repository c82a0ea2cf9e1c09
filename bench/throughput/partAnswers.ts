/**
 * The peer must answer the same data as Crossdock before its figures mean
 * anything: both answers are reduced to rows of part number, price and store
 * product (SKU, price), with money as two-decimal strings (Crossdock sends
 * `"61.74"`, Mesh passes BigCommerce's JSON number `61.74` through), and
 * compared row by row.
 */

export interface PartRow {
  partNumber: string;
  /** The preferred variant's price, or null. */
  price: string | null;
  storeSku: string | null;
  storePrice: string | null;
}

type Json = Record<string, unknown>;

const obj = (v: unknown): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

/** A decimal amount as a string with two decimals; null stays null. */
export function money(v: unknown): string | null {
  const s = str(v);
  if (s === null) return null;
  const n = Number(s);
  if (!Number.isFinite(n)) throw new Error(`not an amount: ${JSON.stringify(v)}`);
  return n.toFixed(2);
}

function errorsOf(body: unknown): string | undefined {
  const errors = obj(body)?.errors;
  return Array.isArray(errors) && errors.length > 0 ? JSON.stringify(errors).slice(0, 400) : undefined;
}

/** Rows from Crossdock's `{ data: { parts: [{ partNumber, price { amount }, storeProduct { sku, price { amount } } }] } }`. */
export function rowsFromCrossdock(body: unknown): PartRow[] {
  const err = errorsOf(body);
  if (err) throw new Error(`Crossdock answered errors: ${err}`);
  const parts = obj(obj(body)?.data)?.parts;
  if (!Array.isArray(parts)) throw new Error(`Crossdock answer has no data.parts: ${JSON.stringify(body).slice(0, 300)}`);
  return parts.map((p) => {
    const part = obj(p);
    if (!part) throw new Error('Crossdock answered a null part');
    const store = obj(part.storeProduct);
    return {
      partNumber: str(part.partNumber) ?? '',
      price: money(obj(part.price)?.amount),
      storeSku: store ? str(store.sku) : null,
      storePrice: store ? money(obj(store.price)?.amount) : null,
    };
  });
}

/** Rows from the peer's `{ data: { FIP_api_v1_products_by_ids_multi: { products: [...] } } }`. */
export function rowsFromPeer(body: unknown): PartRow[] {
  const err = errorsOf(body);
  if (err) throw new Error(`the peer answered errors: ${err}`);
  const products = obj(obj(obj(body)?.data)?.FIP_api_v1_products_by_ids_multi)?.products;
  if (!Array.isArray(products)) throw new Error(`the peer's answer has no products: ${JSON.stringify(body).slice(0, 300)}`);
  return products.map((p) => {
    const product = obj(p);
    if (!product) throw new Error('the peer answered a null product');
    const variants = Array.isArray(product.variants) ? product.variants.map(obj) : [];
    const preferred = variants.find((v) => v !== undefined && v.variant_id === product.preferred_variant_id);
    const store = obj(product.storeProduct);
    return {
      partNumber: str(product.part_number) ?? '',
      price: money(preferred?.price),
      storeSku: store ? str(store.sku) : null,
      storePrice: store ? money(store.price) : null,
    };
  });
}

/** Every difference between two answers, one line each ([] when they agree). */
export function differences(expected: readonly PartRow[], actual: readonly PartRow[]): string[] {
  const out: string[] = [];
  if (expected.length !== actual.length) out.push(`${expected.length} parts expected, ${actual.length} answered`);
  for (let i = 0; i < Math.min(expected.length, actual.length); i++) {
    const e = expected[i] as PartRow;
    const a = actual[i] as PartRow;
    for (const k of ['partNumber', 'price', 'storeSku', 'storePrice'] as const) {
      if (e[k] !== a[k]) out.push(`part ${i + 1} (${e.partNumber}): ${k} ${JSON.stringify(e[k])} expected, ${JSON.stringify(a[k])} answered`);
    }
  }
  return out;
}
