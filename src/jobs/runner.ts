/**
 * The job runner (JobQueueStrategy): a FIFO of job ids, `concurrency` jobs
 * at a time, each run under a lease (src/storage/leases.ts) so exactly one
 * instance works on a job.
 *
 * Embedded (one process): at start, jobs a dead process left RUNNING become
 * INTERRUPTED and are resumed from their checkpoints; on stop, running jobs
 * are aborted and left INTERRUPTED for the next start.
 *
 * Shared (several instances on one PostgreSQL and one Redis, `shared: true`): an instance
 * cannot tell a dead peer's RUNNING job from a live peer's by its status, so
 * the lease decides. Every `sweepMs` the runner queues every active job
 * (QUEUED, RUNNING, INTERRUPTED); a job whose lease is held elsewhere is
 * skipped, one whose lease ran out (its holder died) is taken over and
 * resumed from its checkpoint. The store's records and checkpoints stay the
 * source of truth; the lease only says who works.
 */
import type { Logger } from '../observability/logger.js';
import { createLocalLeases, holdLease, type Leases } from '../storage/leases.js';
import { isStoreUnavailable } from '../storage/storeUnavailable.js';
import { JobCancelled } from './pipeline/runSync.js';
import type { JobStore } from './store/jobStore.js';
import type { SyncJobRecord } from './types.js';
import { ACTIVE_STATUSES, isFinal } from './types.js';

export interface JobRunner {
  /** Embedded: marks a dead process's RUNNING jobs INTERRUPTED and queues every pending job. Shared: starts sweeping. */
  start(): Promise<void>;
  submit(jobId: string): void;
  /** Aborts a running job (it ends CANCELLED). */
  abort(jobId: string): void;
  /** Stops taking work; running jobs are aborted and left INTERRUPTED. */
  stop(): Promise<void>;
  running(): string[];
}

export interface JobRunnerOptions {
  store: JobStore;
  /** Runs one job from its checkpoint to the end (by kind: a sync or order routing). */
  execute(job: SyncJobRecord, signal: AbortSignal): Promise<SyncJobRecord>;
  publish(job: SyncJobRecord): void;
  logger: Logger;
  /** Jobs run at once. @default 2 */
  concurrency?: number;
  /** Where job leases live. @default in-process leases */
  leases?: Leases;
  /** Lease length; renewed every third of it. @default 15000 */
  leaseMs?: number;
  /** Several instances share the store: take over by lease instead of marking RUNNING jobs interrupted at start. @default false */
  shared?: boolean;
  /** Shared only: how often active jobs are looked for. @default leaseMs / 3 */
  sweepMs?: number;
}

type StopReason = 'cancel' | 'shutdown' | 'lost';

export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { store, logger } = options;
  const concurrency = options.concurrency ?? 2;
  const leases = options.leases ?? createLocalLeases();
  const leaseMs = options.leaseMs ?? 15_000;
  const shared = options.shared ?? false;
  const queue: string[] = [];
  const active = new Map<string, { controller: AbortController; done: Promise<void>; reason?: StopReason }>();
  let stopped = false;
  let sweepTimer: NodeJS.Timeout | undefined;

  function pump(): void {
    while (!stopped && active.size < concurrency && queue.length > 0) {
      const id = queue.shift() as string;
      if (active.has(id)) continue;
      const controller = new AbortController();
      const entry: { controller: AbortController; done: Promise<void>; reason?: StopReason } = { controller, done: Promise.resolve() };
      // The slot is taken before the (asynchronous) lease and read, so concurrency holds.
      active.set(id, entry);
      entry.done = claimAndRun(id, entry)
        .catch((err: unknown) => logger.error({ jobId: id, err: err instanceof Error ? err.message : String(err) }, 'sync job could not be run'))
        .finally(() => {
          active.delete(id);
          pump();
        });
    }
  }

  async function claimAndRun(id: string, entry: { controller: AbortController; reason?: StopReason }): Promise<void> {
    const lease = await leases.acquire(`job:${id}`, leaseMs);
    if (!lease) return; // another instance works on it
    const held = holdLease(lease, leaseMs, (why) => logger.warn({ jobId: id, why }, 'sync job lease lost; stopping here, the new holder resumes it'));
    held.signal.addEventListener('abort', () => {
      entry.reason ??= 'lost';
      entry.controller.abort();
    });
    try {
      const job = await store.get(id);
      if (!job || isFinal(job.status) || stopped) return;
      if (shared && (job.status === 'RUNNING' || job.status === 'INTERRUPTED') && job.runStartedAt) {
        logger.warn({ jobId: id, from: job.status, checkpoint: job.checkpoint?.nextPage ?? 1 }, 'resuming a sync job whose previous run stopped (lease expired)');
      }
      await run(job, entry.controller.signal, () => entry.reason);
    } finally {
      await held.end();
    }
  }

  async function run(job: SyncJobRecord, signal: AbortSignal, reason: () => StopReason | undefined): Promise<void> {
    try {
      await options.execute(job, signal);
    } catch (err) {
      const why = reason();
      if (why === 'lost') return; // another instance holds the job now: it writes, not us
      if (isStoreUnavailable(err)) {
        // Nothing can be recorded: the job stays as the store has it and resumes from its checkpoint later.
        logger.warn({ jobId: job.id }, 'sync job paused: the store is unreachable; it resumes from its checkpoint');
        return;
      }
      const now = new Date().toISOString();
      // Each outcome is a compare-and-set on the status it ends: a job another writer ended
      // first (a cancel of a job not yet running, say) keeps that end.
      let final: { applied: boolean; job: SyncJobRecord };
      try {
        if (why === 'shutdown') {
          final = await store.updateIf(job.id, ['RUNNING'], { status: 'INTERRUPTED' });
        } else if (err instanceof JobCancelled) {
          final = await store.updateIf(job.id, ACTIVE_STATUSES, { status: 'CANCELLED', phase: 'DONE', finishedAt: now });
        } else {
          logger.error({ jobId: job.id, err: err instanceof Error ? err.message : String(err) }, 'sync job failed');
          final = await store.updateIf(job.id, ACTIVE_STATUSES, { status: 'FAILED', phase: 'DONE', finishedAt: now, error: err instanceof Error ? err.message : String(err) });
        }
      } catch (writeErr) {
        logger.warn({ jobId: job.id, err: writeErr instanceof Error ? writeErr.message : String(writeErr) }, 'sync job outcome could not be recorded; it resumes later');
        return;
      }
      if (final.applied) options.publish(final.job);
    }
  }

  async function sweep(): Promise<void> {
    const { items } = await store.list({ status: [...ACTIVE_STATUSES] }, 0, 500);
    for (const job of items.reverse()) {
      if (!active.has(job.id) && !queue.includes(job.id)) queue.push(job.id);
    }
    pump();
  }

  return {
    async start() {
      if (shared) {
        const tick = () => {
          if (stopped) return;
          sweep().catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'job sweep failed; next sweep retries'));
        };
        await sweep().catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'first job sweep failed'));
        sweepTimer = setInterval(tick, options.sweepMs ?? Math.max(250, Math.floor(leaseMs / 3)));
        sweepTimer.unref();
        return;
      }
      const interrupted = await store.interruptRunning();
      if (interrupted.length) logger.warn({ jobs: interrupted }, 'resuming sync jobs interrupted by a stop');
      for (const job of await store.pending()) {
        options.publish(job);
        queue.push(job.id);
      }
      pump();
    },
    submit(jobId) {
      queue.push(jobId);
      pump();
    },
    abort(jobId) {
      const entry = active.get(jobId);
      if (entry) {
        entry.reason = 'cancel';
        entry.controller.abort();
      }
    },
    async stop() {
      stopped = true;
      if (sweepTimer) clearInterval(sweepTimer);
      for (const entry of active.values()) {
        entry.reason = 'shutdown';
        entry.controller.abort();
      }
      await Promise.allSettled([...active.values()].map((e) => e.done));
    },
    running: () => [...active.keys()],
  };
}
