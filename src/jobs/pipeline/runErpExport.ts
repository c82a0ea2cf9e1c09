/**
 * ERP_ORDER_EXPORT: every new store order entered in the ERP as a customer
 * order, once (src/orders/erpExporter.ts does the entering; README "Orders
 * into the ERP").
 *
 * "New" is every store order the store lists that has no export yet — the
 * store's listing already leaves out checkouts never completed — read in
 * id order, keyset-paged, from those modified since the last complete run
 * started (less a margin for the two clocks; the first run reads them
 * all). An order the store will not fulfil (cancelled, declined, refunded)
 * or without lines is recorded SKIPPED, so it is decided once too. Orders
 * are not picked by fulfilment status: dropship routing moves an order on
 * from Awaiting Fulfillment once the supplier has it, and the ERP must get
 * it either way.
 *
 * A run first drives the exports a previous run left unfinished (a call
 * in flight when it died, an unknown outcome, a batch half entered), then
 * the new orders. A second run finds every order already exported and
 * sends nothing. Exports the ERP refused (PARTIAL, FAILED) are the job's
 * failures (`order:<id>`); `retrySyncFailures` on the job takes exactly
 * those up again, as `retryErpOrderExport` does one.
 */
import type { Lane, StoreOrders } from '../../domain/ports.js';
import type { ErpExporter } from '../../orders/erpExporter.js';
import type { ErpExportStore } from '../../orders/erpExportStore.js';
import type { ErpExportRecord } from '../../orders/erpExportTypes.js';
import { DRIVEN_EXPORTS } from '../../orders/erpExportTypes.js';
import type { JobStore } from '../store/jobStore.js';
import type { SyncCheckpoint, SyncCounters, SyncJobRecord } from '../types.js';
import { ACTIVE_STATUSES, ZERO_COUNTERS } from '../types.js';
import { JobCancelled } from './runSync.js';

/** The failure key of an export in a job's failures. */
export const exportFailureKey = (storeOrderId: string) => `order:${storeOrderId}`;

/** How far back of the last complete run's start the next one reads, for the store's clock against ours. */
export const STORE_CLOCK_MARGIN_MS = 15 * 60_000;

export interface ErpExportDeps {
  exporter: ErpExporter;
  exports: ErpExportStore;
  storeOrders: StoreOrders;
  store: JobStore;
  publish(job: SyncJobRecord): void;
  /** Store orders per page. */
  pageSize: number;
}

/** When the last complete run (no limit, not a retry) started; its orders modified before then are decided. */
export async function lastCompleteRun(store: JobStore): Promise<string | null> {
  const { items } = await store.list({ kind: ['ERP_ORDER_EXPORT'], status: ['SUCCEEDED'] }, 0, 50);
  const full = items.find((j) => !j.scope.limit && !j.scope.skus && j.startedAt);
  return full?.startedAt ? new Date(Date.parse(full.startedAt) - STORE_CLOCK_MARGIN_MS).toISOString() : null;
}

export async function runErpExport(initial: SyncJobRecord, deps: ErpExportDeps, signal: AbortSignal): Promise<SyncJobRecord> {
  const { store, exports, exporter } = deps;
  const lane: Lane = 'bulk';
  const checkpoint: SyncCheckpoint = initial.checkpoint ?? { nextPage: 1, counters: { ...ZERO_COUNTERS } };
  const counters: SyncCounters = { ...checkpoint.counters };
  const started = await store.updateIf(initial.id, ACTIVE_STATUSES, {
    status: 'RUNNING',
    phase: 'WRITING',
    counters,
    startedAt: initial.startedAt ?? new Date().toISOString(),
    runStartedAt: new Date().toISOString(),
    runStartProcessed: counters.processed,
  });
  if (!started.applied) return started.job;
  let job = started.job;
  deps.publish(job);

  const stopIfAsked = async () => {
    if (signal.aborted || (await store.get(job.id))?.cancelRequested) throw new JobCancelled();
  };
  const progress = async (patch: { checkpoint?: SyncCheckpoint } = {}) => {
    job = await store.update(job.id, { counters: { ...counters }, ...patch });
    deps.publish(job);
  };
  /** Counts where an export ended this run; a refused one is a failure of the job. */
  const tally = async (record: ErpExportRecord | undefined, before: ErpExportRecord['status'] | null) => {
    counters.processed++;
    if (!record) {
      // Another holder (a retry, another instance) is on it: it is theirs to finish.
      counters.unchanged++;
      return;
    }
    switch (record.status) {
      case 'CONFIRMED':
        if (before === 'CONFIRMED') counters.unchanged++;
        else counters.created++;
        await store.clearFailure(job.id, exportFailureKey(record.storeOrderId));
        return;
      case 'SKIPPED':
        counters.unchanged++;
        return;
      case 'PARTIAL':
      case 'FAILED':
      case 'PENDING':
      case 'OPEN':
      case 'UNKNOWN':
        counters.failed++;
        await store.addFailure({
          jobId: job.id,
          sku: exportFailureKey(record.storeOrderId),
          partNumber: null,
          code: record.lastError?.code ?? record.status,
          message: `${record.status}: ${record.lastError?.message ?? 'not finished; the next run goes on with it'}`,
        });
        return;
      default: {
        const never: never = record.status;
        throw new Error(`unknown ERP export status ${String(never)}`);
      }
    }
  };

  // retrySyncFailures: exactly the exports that failed, nothing new.
  if (job.scope.skus) {
    counters.total = job.scope.skus.length;
    for (const key of job.scope.skus) {
      await stopIfAsked();
      const existing = await exports.byStoreOrder(key.replace(/^order:/, ''));
      if (!existing) {
        counters.processed++;
        counters.unchanged++;
        continue;
      }
      await tally(await exporter.retry(existing.id, lane, signal), existing.status);
      await progress();
    }
    return finish();
  }

  // First what a run (a previous one, or this one before it was interrupted) left unfinished, oldest first.
  const handled = new Set<string>();
  // `limit`: at most this many exports worked on by this run (resumed or new; already decided ones not counted).
  let worked = 0;
  for (const pending of await exports.inStatus(DRIVEN_EXPORTS, 1_000)) {
    if (job.scope.limit && worked >= job.scope.limit) break;
    await stopIfAsked();
    handled.add(pending.id);
    worked++;
    await tally(await exporter.advance(pending.id, lane, signal), pending.status);
    await progress();
  }

  // Then the store's orders, from a window fixed at the first start (kept in the checkpoint for a resume).
  const window = checkpoint.storeOrders ?? { since: await lastCompleteRun(store), afterId: null };
  let page = checkpoint.nextPage;
  let afterId = window.afterId;
  await progress({ checkpoint: { nextPage: page, counters: { ...counters }, storeOrders: { since: window.since, afterId } } });
  for (;;) {
    await stopIfAsked();
    // Keyset paging by id when ids are numbers (an order modified meanwhile cannot shift a page), else by page.
    const orders = await deps.storeOrders.list({ minDateModified: window.since ?? undefined, ...(afterId !== null ? { minId: afterId + 1, page: 1 } : { page }), limit: deps.pageSize }, lane);
    counters.total = Math.max(counters.total, counters.processed + orders.length);
    let limited = false;
    for (const order of orders) {
      if (job.scope.limit && worked >= job.scope.limit) {
        limited = true;
        break;
      }
      await stopIfAsked();
      const existing = await exports.byStoreOrder(order.orderId);
      if (existing && DRIVEN_EXPORTS.includes(existing.status) && !handled.has(existing.id)) {
        // Stored, not finished (another instance's run, or one that began after the pass above).
        worked++;
        await tally(await exporter.advance(existing.id, lane, signal), existing.status);
      } else if (existing) {
        // Decided before: nothing is read or sent for it.
        counters.processed++;
        counters.unchanged++;
      } else {
        worked++;
        const lines = order.cancelled ? [] : await deps.storeOrders.lines(order.orderId, order.currency, lane);
        const { created, record } = await exporter.intend(order, lines, job.id);
        await tally(created && record.status !== 'SKIPPED' ? await exporter.advance(record.id, lane, signal) : record, created ? null : record.status);
      }
      const id = Number(order.orderId);
      if (Number.isSafeInteger(id)) afterId = Math.max(afterId ?? 0, id);
      await progress({ checkpoint: { nextPage: page, counters: { ...counters }, storeOrders: { since: window.since, afterId } } });
    }
    page++;
    if (limited || orders.length < deps.pageSize) break;
    if (afterId === null) await progress({ checkpoint: { nextPage: page, counters: { ...counters }, storeOrders: { since: window.since, afterId } } });
  }
  return finish();

  async function finish(): Promise<SyncJobRecord> {
    counters.total = counters.processed;
    const finished = await store.updateIf(job.id, ['RUNNING'], { status: 'SUCCEEDED', phase: 'DONE', counters, finishedAt: new Date().toISOString() });
    if (finished.applied) deps.publish(finished.job);
    return finished.job;
  }
}
