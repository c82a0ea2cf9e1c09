/**
 * The plan for one page: what each supplier part needs in the store, by job
 * kind. Products match by SKU, so re-running never creates duplicates.
 */
import { sameAmount } from '../../domain/money.js';
import type { Part, StoreProduct } from '../../domain/types.js';
import { mapPart, type MappedProduct, type MappingRules } from '../productMapper.js';
import type { FieldChange, SyncKind } from '../types.js';

export type ItemPlan =
  | { kind: 'create'; part: Part; product: MappedProduct; changes: FieldChange[] }
  | { kind: 'update'; part: Part; product: MappedProduct; storeId: string; changes: FieldChange[] }
  | { kind: 'unchanged'; part: Part; sku: string }
  | { kind: 'invalid'; part: Part; sku: string; message: string };

export function planItem(kind: SyncKind, part: Part, existing: StoreProduct | undefined, rules: MappingRules): ItemPlan {
  const mapped = mapPart(part, rules);
  const sku = rules.skuRule.skuFor(part.partNumber);
  if (!mapped.ok) return { kind: 'invalid', part, sku, message: mapped.message };
  const p = mapped.product;
  if (!existing) {
    // PRICE and INVENTORY only touch products already in the store.
    if (kind !== 'CATALOG') return { kind: 'unchanged', part, sku };
    return {
      kind: 'create',
      part,
      product: p,
      changes: [
        { field: 'name', before: null, after: p.name },
        { field: 'price', before: null, after: p.price },
        { field: 'inventory', before: null, after: String(p.stock) },
      ],
    };
  }
  const changes: FieldChange[] = [];
  if ((kind === 'CATALOG') && existing.name !== p.name) changes.push({ field: 'name', before: existing.name, after: p.name });
  // A store price that is not a number (map.ts: null) is wrong whatever it says: rewrite it.
  if ((kind === 'CATALOG' || kind === 'PRICE') && (existing.price === null || !sameAmount(existing.price.amount, p.price))) {
    changes.push({ field: 'price', before: existing.price?.amount ?? null, after: p.price });
  }
  if ((kind === 'CATALOG' || kind === 'INVENTORY') && existing.inventoryLevel !== p.stock) {
    changes.push({ field: 'inventory', before: existing.inventoryLevel === null ? null : String(existing.inventoryLevel), after: String(p.stock) });
  }
  if (changes.length === 0) return { kind: 'unchanged', part, sku };
  return { kind: 'update', part, product: p, storeId: existing.storeId, changes };
}
