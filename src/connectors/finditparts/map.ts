/** FinditParts wire → domain. Prices stay decimal strings end to end. */
import { money, normalizeDecimal } from '../../domain/money.js';
import type { Part, PartVariant } from '../../domain/types.js';
import type { FipProduct, FipVariant } from './wire.js';

export function mapVariant(v: FipVariant, partId: string): PartVariant {
  const core = v.core_price ? normalizeDecimal(v.core_price) : undefined;
  return {
    variantId: String(v.variant_id),
    partId: v.product_id !== undefined ? String(v.product_id) : partId,
    price: money(v.price),
    quantity: Number.isFinite(v.quantity) ? v.quantity : 0,
    packQuantity: v.pack_quantity ?? 1,
    minimum: v.minimum ?? 1,
    corePrice: core && core !== '0.00' ? money(core) : null,
    estimatedShipDate: v.estimated_ship_date ?? null,
  };
}

export function mapProduct(p: FipProduct): Part {
  const supplierId = String(p.finditparts_product_id ?? p.id);
  return {
    supplierId,
    partNumber: p.part_number,
    manufacturer: p.manufacturer,
    description: p.short_description ?? '',
    url: p.url ?? null,
    imageUrl: p.image ?? null,
    sellable: p.sellable ?? true,
    tags: p.tags ?? [],
    preferredVariantId: p.preferred_variant_id != null ? String(p.preferred_variant_id) : null,
    variants: (p.variants ?? []).map((v) => mapVariant(v, supplierId)),
    fitments: p.fitments ?? [],
  };
}
