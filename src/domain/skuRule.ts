/**
 * The link between a supplier part and a store product: store SKU = prefix +
 * supplier part number (the seed's ProductMapper: part number → SKU).
 */
export interface SkuRule {
  skuFor(partNumber: string): string;
  /** The part number a store SKU links to, or null when the SKU is not from this rule. */
  partNumberFor(sku: string): string | null;
}

export function createSkuRule(prefix: string): SkuRule {
  return {
    skuFor: (partNumber) => `${prefix}${partNumber}`,
    partNumberFor: (sku) => (sku.startsWith(prefix) && sku.length > prefix.length ? sku.slice(prefix.length) : null),
  };
}

/**
 * The store product custom field a sync writes the supplier id into, so a
 * read can link a product back to its part with one batched call.
 */
export const SUPPLIER_ID_FIELD = 'finditparts_id';
