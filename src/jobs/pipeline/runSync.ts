/**
 * One sync job from its checkpoint to the end: page the supplier (bulk
 * lane), read the store's state for the page (`sku:in`), diff, write only
 * what changed in the vendor's batch sizes, checkpoint after each page.
 * Item failures are recorded and the job goes on; only losing an upstream
 * altogether fails the job.
 */
import type { StoreCatalog, StoreWriter, SupplierCatalog } from '../../domain/ports.js';
import type { MappingRules } from '../productMapper.js';
import type { JobStore } from '../store/jobStore.js';
import type { SyncCounters, SyncJobRecord, SyncPhase } from '../types.js';
import { ACTIVE_STATUSES, ZERO_COUNTERS } from '../types.js';
import { planItem, type ItemPlan } from './diff.js';
import { createPartPager } from './partPages.js';
import { writePlans, type ItemFailure } from './writePlans.js';

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

/** A dry run's planned creates and updates, field by field. */
export function plannedChangesOf(jobId: string, plans: readonly ItemPlan[]) {
  return plans.flatMap((p) =>
    p.kind === 'create' || p.kind === 'update'
      ? [{ jobId, action: p.kind === 'create' ? ('CREATE' as const) : ('UPDATE' as const), sku: p.sku, productId: p.kind === 'update' ? p.storeId : null, changes: p.changes }]
      : [],
  );
}

export class JobCancelled extends Error {
  override name = 'JobCancelled';
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
    const planned = job.dryRun ? plannedChangesOf(job.id, plans) : [];
    let failed = new Map<ItemPlan, ItemFailure>();
    let written = new Set<string>();
    let writtenIds = new Set<string>();
    if (!job.dryRun) {
      await progress('WRITING');
      ({ failed, written, writtenIds } = await writePlans(plans, deps.writer, deps.createConcurrency, checkCancel));
    }
    for (const plan of plans) if (plan.kind === 'invalid') failed.set(plan, { code: plan.code, message: plan.message });

    const failures: Array<{ sku: string; partNumber: string | null; code: string; message: string }> = [];
    const succeeded: string[] = [];
    for (const plan of plans) {
      counters.processed++;
      const failure = failed.get(plan);
      if (failure) {
        counters.failed++;
        failures.push({ sku: plan.sku, partNumber: plan.partNumber, code: failure.code, message: failure.message });
      } else {
        succeeded.push(plan.sku);
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
