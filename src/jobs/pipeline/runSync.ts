/**
 * One sync job from its checkpoint to the end: page the supplier (bulk
 * lane), read the store's state for the page (`sku:in`), diff, write only
 * what changed in the vendor's batch sizes, checkpoint after each page.
 * Item failures are recorded and the job goes on; only losing an upstream
 * altogether fails the job.
 */
import { UpstreamError } from '../../upstreams/upstreamError.js';
import type { StoreCatalog, StoreWriter, SupplierCatalog } from '../../domain/ports.js';
import type { MappingRules } from '../productMapper.js';
import type { JobStore } from '../store/jobStore.js';
import type { SyncCounters, SyncJobRecord, SyncPhase } from '../types.js';
import { ACTIVE_STATUSES, ZERO_COUNTERS } from '../types.js';
import { planItem, type ItemPlan } from './diff.js';
import { createPartPager } from './partPages.js';

export interface SyncDeps {
  /** The supplier's catalog: what to sync. */
  supplier: SupplierCatalog;
  /** The store's catalog: what is there. */
  storeCatalog: StoreCatalog;
  writer: StoreWriter;
  store: JobStore;
  rules: MappingRules;
  /** Supplier page size (the supplier's maximum is 100). */
  pageSize: number;
  /** Concurrent product creates (each is one call). */
  createConcurrency: number;
  publish(job: SyncJobRecord): void;
  /** Drops cached store products the job wrote. */
  invalidate(skus: string[], storeIds: string[]): Promise<void>;
}

export class JobCancelled extends Error {
  override name = 'JobCancelled';
}

function describe(err: unknown): { code: string; message: string } {
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

export async function runSync(initial: SyncJobRecord, deps: SyncDeps, signal: AbortSignal): Promise<SyncJobRecord> {
  const { store, rules } = deps;
  const now = () => new Date().toISOString();
  const checkpoint = initial.checkpoint ?? { nextPage: 1, counters: { ...ZERO_COUNTERS } };
  // Resume from the checkpoint's counters: work after it is redone, and matched by SKU.
  const counters: SyncCounters = { ...checkpoint.counters };
  // Compare-and-set: `initial` is what the runner read; a job cancelled (or ended) since is not
  // started again from that read, and does not take its scope back from a newer job.
  const started = await store.updateIf(initial.id, ACTIVE_STATUSES, {
    status: 'RUNNING',
    phase: 'READING_SUPPLIER',
    counters,
    startedAt: initial.startedAt ?? now(),
    runStartedAt: now(),
    runStartProcessed: counters.processed,
    error: null,
  });
  if (!started.applied) return started.job;
  let job = started.job;
  deps.publish(job);

  const progress = async (phase: SyncPhase) => {
    job = await store.update(job.id, { phase, counters: { ...counters } });
    deps.publish(job);
  };
  const checkCancel = async () => {
    if (signal.aborted || (await store.get(job.id))?.cancelRequested) throw new JobCancelled();
  };

  const pager = createPartPager(deps.supplier, job.scope, rules.skuRule, deps.pageSize);
  for (let pageNo = checkpoint.nextPage; ; pageNo++) {
    await checkCancel();
    const page = await pager.page(pageNo);
    counters.total = page.total;
    await progress('READING_STORE');
    const skus = page.parts.map((p) => rules.skuRule.skuFor(p.partNumber));
    const existing = skus.length ? await deps.storeCatalog.productsBySkus(skus, 'bulk') : new Map();
    const plans: ItemPlan[] = page.parts.map((part) => planItem(job.kind, part, existing.get(rules.skuRule.skuFor(part.partNumber)), rules));

    await checkCancel();
    const failed = new Map<string, { code: string; message: string; partNumber: string }>();
    const written = new Set<string>();
    const writtenIds = new Set<string>();
    for (const plan of plans) {
      if (plan.kind === 'invalid') failed.set(plan.sku, { code: 'VALIDATION', message: plan.message, partNumber: plan.part.partNumber });
    }

    const planned = job.dryRun
      ? plans.flatMap((p) =>
          p.kind === 'create' || p.kind === 'update'
            ? [{ jobId: job.id, action: p.kind === 'create' ? ('CREATE' as const) : ('UPDATE' as const), sku: p.product.sku, productId: p.kind === 'update' ? p.storeId : null, changes: p.changes }]
            : [],
        )
      : [];
    if (!job.dryRun) {
      await progress('WRITING');
      await writePage(plans, deps, failed, written, writtenIds, checkCancel);
    }

    const failures: Array<{ sku: string; partNumber: string; code: string; message: string }> = [];
    const succeeded: string[] = [];
    for (const plan of plans) {
      const sku = plan.kind === 'create' || plan.kind === 'update' ? plan.product.sku : plan.sku;
      counters.processed++;
      const failure = failed.get(sku);
      if (failure) {
        counters.failed++;
        failures.push({ sku, partNumber: failure.partNumber, code: failure.code, message: failure.message });
      } else {
        succeeded.push(sku);
        if (plan.kind === 'create') counters.created++;
        else if (plan.kind === 'update') counters.updated++;
        else counters.unchanged++;
      }
    }
    // Failures, planned changes and the checkpoint land together or not at all.
    job = await store.commitPage(job.id, { failures, succeeded, planned, checkpoint: { nextPage: pageNo + 1, counters: { ...counters } } });
    if (written.size) await deps.invalidate([...written], [...writtenIds]);
    deps.publish(job);
    if (page.last) break;
  }

  // Exact at the end (with a manufacturer filter the page totals were an upper bound).
  counters.total = counters.processed;
  // Only a job still RUNNING ends SUCCEEDED; one ended meanwhile keeps its end (whoever ended it announced it).
  const finished = await store.updateIf(job.id, ['RUNNING'], { status: 'SUCCEEDED', phase: 'DONE', counters, finishedAt: now() });
  if (finished.applied) deps.publish(finished.job);
  return finished.job;
}

async function writePage(
  plans: ItemPlan[],
  deps: SyncDeps,
  failed: Map<string, { code: string; message: string; partNumber: string }>,
  written: Set<string>,
  writtenIds: Set<string>,
  checkCancel: () => Promise<void>,
): Promise<void> {
  const fail = (plan: ItemPlan & { product: { sku: string } }, err: unknown) => {
    failed.set(plan.product.sku, { ...describe(err), partNumber: plan.part.partNumber });
  };

  // Creates: one product per POST (upstreams.md), a few at a time.
  const creates = plans.filter((p): p is Extract<ItemPlan, { kind: 'create' }> => p.kind === 'create');
  await mapLimit(creates, deps.createConcurrency, async (plan) => {
    await checkCancel();
    const p = plan.product;
    try {
      const created = await deps.writer.createProduct(
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
        },
        'bulk',
      );
      written.add(p.sku);
      writtenIds.add(created.storeId);
    } catch (err) {
      fail(plan, err);
    }
  });

  // Name and price: in the store's batch size (BigCommerce: 10 per PUT, upstreams.md).
  const updates = plans.filter(
    (p): p is Extract<ItemPlan, { kind: 'update' }> => p.kind === 'update' && p.changes.some((c) => c.field === 'name' || c.field === 'price'),
  );
  for (let i = 0; i < updates.length; i += deps.writer.maxUpdateBatch) {
    await checkCancel();
    const batch = updates.slice(i, i + deps.writer.maxUpdateBatch);
    try {
      const outcome = await deps.writer.updateProducts(
        batch.map((plan) => {
          const u: { id: string; name?: string; price?: number } = { id: plan.storeId };
          for (const c of plan.changes) {
            if (c.field === 'name') u.name = c.after;
            if (c.field === 'price') u.price = Number(c.after);
          }
          return u;
        }),
        'bulk',
      );
      for (const plan of batch) {
        const reason = outcome.failed.get(plan.storeId);
        if (reason) failed.set(plan.product.sku, { code: 'UPSTREAM_REJECTED', message: reason, partNumber: plan.part.partNumber });
        else {
          written.add(plan.product.sku);
          writtenIds.add(plan.storeId);
        }
      }
    } catch (err) {
      for (const plan of batch) fail(plan, err);
    }
  }

  // Stock: absolute adjustments, one call per page (at most 2000 items each).
  const stock = plans.filter((p): p is Extract<ItemPlan, { kind: 'update' }> => p.kind === 'update' && p.changes.some((c) => c.field === 'inventory'));
  const pending = stock.filter((p) => !failed.has(p.product.sku));
  if (pending.length) {
    await checkCancel();
    try {
      await deps.writer.setStock(pending.map((p) => ({ sku: p.product.sku, quantity: p.product.stock })), 'bulk');
      for (const plan of pending) {
        written.add(plan.product.sku);
        writtenIds.add(plan.storeId);
      }
    } catch (err) {
      for (const plan of pending) fail(plan, err);
    }
  }
}
