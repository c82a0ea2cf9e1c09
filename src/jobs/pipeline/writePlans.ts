/**
 * Writing one page's plan to the store in the vendor's batch sizes
 * (upstreams.md, BigCommerce): one POST per new product (a few at a time),
 * ten products per PUT for name, price, visibility, categories and the `Fits`
 * custom fields, stock as absolute inventory adjustments (one call per page,
 * up to 2000 items), and a DELETE per custom field a part no longer has.
 * Each item's failure is recorded against that item; the page goes on.
 */
import type { StoreWriter } from '../../domain/ports.js';
import { UpstreamError } from '../../upstreams/upstreamError.js';
import type { ItemPlan } from './diff.js';

export interface ItemFailure {
  code: string;
  message: string;
}

export interface PageWrites {
  /** Plans whose write failed, with why. */
  failed: Map<ItemPlan, ItemFailure>;
  /** SKUs and store ids written (their cached products are dropped). */
  written: Set<string>;
  writtenIds: Set<string>;
}

export function describeFailure(err: unknown): ItemFailure {
  if (err instanceof UpstreamError) {
    const code = err.kind === 'rejected' ? 'UPSTREAM_REJECTED' : err.kind === 'rateLimited' ? 'UPSTREAM_RATE_LIMITED' : 'UPSTREAM_UNAVAILABLE';
    return { code, message: err.message };
  }
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

async function mapLimit<T>(items: T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

type Create = Extract<ItemPlan, { kind: 'create' }>;
type Update = Extract<ItemPlan, { kind: 'update' }>;

export async function writePlans(plans: readonly ItemPlan[], writer: StoreWriter, createConcurrency: number, checkCancel: () => Promise<void>): Promise<PageWrites> {
  const failed = new Map<ItemPlan, ItemFailure>();
  const written = new Set<string>();
  const writtenIds = new Set<string>();
  const done = (plan: ItemPlan, storeId: string) => {
    written.add(plan.sku);
    writtenIds.add(storeId);
  };

  // Creates: one product per POST (upstreams.md), a few at a time.
  const creates = plans.filter((p): p is Create => p.kind === 'create');
  await mapLimit(creates, createConcurrency, async (plan) => {
    await checkCancel();
    const p = plan.product;
    try {
      const created = await writer.createProduct(
        {
          name: p.name,
          sku: p.sku,
          price: Number(p.price),
          weight: p.weight,
          inventoryLevel: p.stock,
          trackInventory: true,
          categories: p.categories,
          customFields: p.customFields,
          images: p.imageUrl ? [{ url: p.imageUrl, isThumbnail: true }] : [],
          brand: p.brand,
          ...(p.isVisible !== undefined ? { isVisible: p.isVisible } : {}),
        },
        'bulk',
      );
      done(plan, created.storeId);
    } catch (err) {
      failed.set(plan, describeFailure(err));
    }
  });

  // Product fields: in the store's batch size (BigCommerce: 10 per PUT, upstreams.md).
  const updates = plans.filter((p): p is Update => p.kind === 'update' && Object.keys(p.write.update).length > 0);
  for (let i = 0; i < updates.length; i += writer.maxUpdateBatch) {
    await checkCancel();
    const batch = updates.slice(i, i + writer.maxUpdateBatch);
    try {
      const outcome = await writer.updateProducts(batch.map((plan) => ({ id: plan.storeId, ...plan.write.update })), 'bulk');
      for (const plan of batch) {
        const reason = outcome.failed.get(plan.storeId);
        if (reason) failed.set(plan, { code: 'UPSTREAM_REJECTED', message: reason });
        else done(plan, plan.storeId);
      }
    } catch (err) {
      for (const plan of batch) failed.set(plan, describeFailure(err));
    }
  }

  // Stock: absolute adjustments, one call per page (at most 2000 items each).
  const stock = plans.filter((p): p is Update => p.kind === 'update' && p.write.stock !== undefined && !failed.has(p));
  if (stock.length) {
    await checkCancel();
    try {
      await writer.setStock(stock.map((p) => ({ sku: p.sku, quantity: p.write.stock as number })), 'bulk');
      for (const plan of stock) done(plan, plan.storeId);
    } catch (err) {
      for (const plan of stock) failed.set(plan, describeFailure(err));
    }
  }

  // Fitments the part no longer has: the vendor deletes custom fields one at a time.
  const removals = plans.filter((p): p is Update => p.kind === 'update' && p.write.removeFields.length > 0 && !failed.has(p));
  for (const plan of removals) {
    await checkCancel();
    try {
      const refused = await writer.deleteCustomFields(plan.write.removeFields.map((fieldId) => ({ productId: plan.storeId, fieldId })), 'bulk');
      if (refused.size) failed.set(plan, { code: 'UPSTREAM_REJECTED', message: `custom fields not deleted: ${[...refused.values()].join('; ')}` });
      else done(plan, plan.storeId);
    } catch (err) {
      failed.set(plan, describeFailure(err));
    }
  }
  return { failed, written, writtenIds };
}
