/**
 * Job status changes that race: a cancel and the runner picking the same
 * job up. The runner reads the job (QUEUED), the cancel lands, then the
 * runner starts it from what it read. A status change that depends on the
 * status it replaces must be a compare-and-set in the store, or the late
 * writer wins: the cancelled job runs again, or — when a new job took the
 * freed scope — ends FAILED on the one-active-job index.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createSkuRule } from '../../src/domain/skuRule.js';
import type { JobEvents } from '../../src/jobs/events.js';
import { runSync, type SyncDeps } from '../../src/jobs/pipeline/runSync.js';
import { createJobRunner, type JobRunner } from '../../src/jobs/runner.js';
import type { JobStore } from '../../src/jobs/store/jobStore.js';
import { createSqlJobStore } from '../../src/jobs/store/sqlJobStore.js';
import { createSyncService, type SyncService } from '../../src/jobs/syncService.js';
import type { SyncJobRecord } from '../../src/jobs/types.js';
import { createLogger } from '../../src/observability/logger.js';
import type { RecordEngine } from '../../src/records/engine.js';
import { pollUntil } from '../support/processes.js';
import { engineAvailable, RECORD_ENGINES, recordEngines } from '../support/recordEngines.js';

const engines = recordEngines();
afterAll(() => engines.close());

async function openStore(engine: RecordEngine): Promise<JobStore> {
  return createSqlJobStore(await engines.fresh(engine));
}

interface Harness {
  store: JobStore;
  service: SyncService;
  runner: JobRunner;
  published: SyncJobRecord[];
}

/**
 * The real runner, sync service and runSync over a real store. `beforeRun`
 * runs once, when the runner has read the first job it picks up and before
 * it starts it: the window the race needs, made deterministic. Other jobs
 * run `others`.
 */
async function harness(engine: RecordEngine, beforeRun: (h: Harness, jobId: string) => Promise<void>, others: (job: SyncJobRecord, signal: AbortSignal) => Promise<SyncJobRecord>): Promise<Harness> {
  const store = await openStore(engine);
  const published: SyncJobRecord[] = [];
  const events: JobEvents = { publish: (job) => void published.push(job), subscribe: () => () => undefined, close: () => undefined };
  // The supplier is never reached: the first step of a cancelled job stops it.
  const unreachable = new Proxy({}, { get: () => () => Promise.reject(new Error('the supplier must not be called')) });
  const deps: SyncDeps = {
    supplier: unreachable as SyncDeps['supplier'],
    storeCatalog: unreachable as SyncDeps['storeCatalog'],
    writer: unreachable as SyncDeps['writer'],
    store,
    rules: { skuRule: createSkuRule(''), markupPercent: 0, rounding: 'cent', categoryMap: {} },
    pageSize: 10,
    createConcurrency: 1,
    publish: events.publish,
    invalidate: async () => undefined,
  };
  let first: string | null = null;
  const h = {} as Harness;
  // The runner reads jobs through this view; its first read triggers the race.
  const racing: JobStore = {
    ...store,
    async get(id) {
      const job = await store.get(id);
      if (first === null) {
        first = id;
        await beforeRun(h, id);
      }
      return job;
    },
  };
  const runner = createJobRunner({
    store: racing,
    logger: createLogger({ level: 'silent' }),
    publish: events.publish,
    execute: (job, signal) => (job.id === first ? runSync(job, deps, signal) : others(job, signal)),
  });
  Object.assign(h, { store, service: createSyncService(store, runner, events), runner, published });
  return h;
}

const START = { kind: 'CATALOG' as const, scope: { manufacturer: 'Bendix' } };

for (const engine of RECORD_ENGINES) describe.skipIf(!engineAvailable(engine))(`cancel racing the runner (${engine})`, () => {
  it('a job cancelled after the runner read it is not started from the stale read: it stays CANCELLED and is never seen RUNNING again', async () => {
    let cancelled: SyncJobRecord | undefined;
    const h = await harness(
      engine,
      async (x, id) => {
        cancelled = await x.service.cancel(id);
      },
      () => Promise.reject(new Error('no other job')),
    );
    const { job } = await h.service.start(START, 't');
    await pollUntil(async () => h.runner.running().length, (r) => r === 0 && cancelled !== undefined, { timeoutMs: 5_000, what: 'the runner to settle' });
    await h.runner.stop();

    expect(cancelled?.status).toBe('CANCELLED');
    const after = h.published.slice(h.published.findIndex((j) => j.status === 'CANCELLED'));
    expect(after.map((j) => j.status)).not.toContain('RUNNING');
    const final = await h.store.get(job.id);
    expect(final).toMatchObject({ status: 'CANCELLED', phase: 'DONE', finishedAt: cancelled?.finishedAt, startedAt: null });
  });

  it('nor does it take the scope back from the job started after the cancel (it does not end FAILED on the one-active-job rule)', async () => {
    let second: SyncJobRecord | undefined;
    const h = await harness(
      engine,
      async (x, id) => {
        await x.service.cancel(id);
        second = (await x.service.start(START, 't')).job;
      },
      // The second job runs until the runner stops.
      (job, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error(`stopped ${job.id}`)))),
    );
    const { job } = await h.service.start(START, 't');
    await pollUntil(async () => (await h.store.get(job.id))?.status, (s) => s !== 'QUEUED' && second !== undefined, { timeoutMs: 5_000, what: 'the first job to change' });
    await pollUntil(async () => h.runner.running(), (r) => !r.includes(job.id), { timeoutMs: 5_000, what: 'the runner to let the first job go' });

    const first = await h.store.get(job.id);
    expect(first?.error).toBeNull();
    expect(first?.status).toBe('CANCELLED');
    expect(second?.id).not.toBe(job.id);
    expect((await h.store.get(second!.id))?.status).toMatch(/QUEUED|RUNNING/);
    await h.runner.stop();
  });
});
