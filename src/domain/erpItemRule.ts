/**
 * The link between a supplier part (or a store product) and an ERP item:
 * by default the ERP's item number is the supplier part number (the seed's
 * catalog and the ERP's item master share their numbers); configurable to
 * the store SKU, and with a prefix (ERP_ITEM_IDENTITY, ERP_ITEM_PREFIX).
 */
import { isCode } from './codes.js';
import type { SkuRule } from './skuRule.js';

export type ErpItemIdentity = 'partNumber' | 'sku';

export interface ErpItemRule {
  /** The ERP item number for a supplier part number, or null when the rule gives none. */
  forPart(partNumber: string): string | null;
  /** The ERP item number for a store SKU, or null when the rule gives none. */
  forSku(sku: string): string | null;
}

export function createErpItemRule(options: { identity: ErpItemIdentity; prefix: string; skuRule: SkuRule }): ErpItemRule {
  const { identity, prefix, skuRule } = options;
  // A number the rule makes is sent upstream as a field value: it must pass the same code rule as client input.
  const checked = (n: string | null) => (n !== null && isCode(n) ? n : null);
  return identity === 'sku'
    ? { forPart: (pn) => checked(`${prefix}${skuRule.skuFor(pn)}`), forSku: (sku) => checked(`${prefix}${sku}`) }
    : {
        forPart: (pn) => checked(`${prefix}${pn}`),
        forSku: (sku) => {
          const pn = skuRule.partNumberFor(sku);
          return pn === null ? null : checked(`${prefix}${pn}`);
        },
      };
}
