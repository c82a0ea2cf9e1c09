/**
 * The business counters (observability/businessRecorder.ts): sync items
 * counted from the growth of a job's published counters (a resumed job's
 * earlier items not again, dry runs and routing not at all), supplier
 * orders counted once as they reach the supplier or fail, whatever the
 * status poll publishes after.
 */
import { describe, expect, it } from 'vitest';
import type { SyncJobRecord } from '../../src/jobs/types.js';
import { createBusinessRecorder } from '../../src/observability/businessRecorder.js';
import { createMetrics } from '../../src/observability/metrics.js';
import type { SupplierOrderRecord } from '../../src/orders/types.js';

function job(patch: Partial<SyncJobRecord> & { processed?: number; created?: number; updated?: number; failed?: number }): SyncJobRecord {
  const { processed = 0, created = 0, updated = 0, failed = 0, ...rest } = patch;
  return {
    id: 'job-1',
    kind: 'CATALOG',
    scope: {},
    scopeKey: 'k',
    dryRun: false,
    status: 'RUNNING',
    phase: 'WRITING',
    counters: { total: 100, processed, created, updated, unchanged: 0, failed },
    checkpoint: null,
    startedBy: 't',
    retryOf: null,
    scheduleId: null,
    error: null,
    createdAt: '2026-01-01T00:00:00Z',
    startedAt: null,
    finishedAt: null,
    runStartedAt: null,
    runStartProcessed: 0,
    cancelRequested: false,
    ...rest,
  };
}

const order = (status: SupplierOrderRecord['status']) => ({ id: 'o-1', status }) as SupplierOrderRecord;

async function counts(metrics: ReturnType<typeof createMetrics>) {
  const items = Object.fromEntries((await metrics.syncItems.get()).values.map((v) => [v.labels.kind, v.value]));
  const orders = Object.fromEntries((await metrics.supplierOrders.get()).values.map((v) => [v.labels.outcome, v.value]));
  return { items, orders };
}

describe('sync items', () => {
  it('counts what each publish added, written = created + updated', async () => {
    const metrics = createMetrics();
    const r = createBusinessRecorder(metrics);
    r.job(job({ processed: 0 }));
    r.job(job({ processed: 50, created: 10, updated: 5, failed: 2 }));
    r.job(job({ processed: 100, created: 20, updated: 10, failed: 3, status: 'SUCCEEDED' }));
    expect((await counts(metrics)).items).toEqual({ processed: 100, written: 30, failed: 3 });
  });

  it('a job resumed from its checkpoint counts only what it does from there', async () => {
    const metrics = createMetrics();
    const r = createBusinessRecorder(metrics);
    r.job(job({ processed: 60, created: 40 }));
    r.job(job({ processed: 80, created: 45, status: 'SUCCEEDED' }));
    expect((await counts(metrics)).items).toEqual({ processed: 20, written: 5 });
  });

  it('dry runs and routing jobs are not counted', async () => {
    const metrics = createMetrics();
    const r = createBusinessRecorder(metrics);
    r.job(job({ id: 'dry', dryRun: true }));
    r.job(job({ id: 'dry', dryRun: true, processed: 100, created: 100 }));
    r.job(job({ id: 'route', kind: 'ORDER_ROUTING' }));
    r.job(job({ id: 'route', kind: 'ORDER_ROUTING', processed: 50 }));
    expect((await counts(metrics)).items).toEqual({});
  });
});

describe('supplier orders', () => {
  it('placed once when the supplier has it, not again as the poll follows it', async () => {
    const metrics = createMetrics();
    const r = createBusinessRecorder(metrics);
    r.order(order('RETRY_WAIT'), 'PENDING');
    r.order(order('SUBMITTED'), 'RETRY_WAIT');
    r.order(order('PROCESSING'), 'SUBMITTED');
    r.order(order('SHIPPED'), 'PROCESSING');
    // Found at the supplier by po_number after an unknown outcome: placed too.
    r.order({ ...order('PROCESSING'), id: 'o-2' }, 'UNKNOWN');
    expect((await counts(metrics)).orders).toEqual({ placed: 2 });
  });

  it('failed once as it enters manual review or is rejected; a retry that lands is placed', async () => {
    const metrics = createMetrics();
    const r = createBusinessRecorder(metrics);
    r.order(order('MANUAL_REVIEW'), 'RETRY_WAIT');
    r.order({ ...order('REJECTED'), id: 'o-2' }, 'PENDING');
    r.order(order('SUBMITTED'), 'RETRY_WAIT');
    expect((await counts(metrics)).orders).toEqual({ failed: 2, placed: 1 });
  });
});
