/**
 * The in-process job runner (JobQueueStrategy's embedded implementation):
 * a FIFO of job ids, `concurrency` jobs at a time. At start, jobs a dead
 * process left RUNNING become INTERRUPTED and are resumed from their
 * checkpoints; on stop, running jobs are aborted and left INTERRUPTED for
 * the next start.
 */
import type { Logger } from '../observability/logger.js';
import { JobCancelled } from './pipeline/runSync.js';
import type { JobStore } from './store/jobStore.js';
import type { SyncJobRecord } from './types.js';
import { isFinal } from './types.js';

export interface JobRunner {
  /** Marks a dead process's RUNNING jobs INTERRUPTED and queues every pending job. */
  start(): void;
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
}

export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { store, logger } = options;
  const concurrency = options.concurrency ?? 2;
  const queue: string[] = [];
  const active = new Map<string, { controller: AbortController; done: Promise<void>; reason?: 'cancel' | 'shutdown' }>();
  let stopped = false;

  function pump(): void {
    while (!stopped && active.size < concurrency && queue.length > 0) {
      const id = queue.shift() as string;
      if (active.has(id)) continue;
      const job = store.get(id);
      if (!job || isFinal(job.status) || job.status === 'RUNNING') continue;
      const controller = new AbortController();
      const entry: { controller: AbortController; done: Promise<void>; reason?: 'cancel' | 'shutdown' } = { controller, done: Promise.resolve() };
      entry.done = run(job, controller.signal, () => entry.reason).finally(() => {
        active.delete(id);
        pump();
      });
      active.set(id, entry);
    }
  }

  async function run(job: SyncJobRecord, signal: AbortSignal, reason: () => 'cancel' | 'shutdown' | undefined): Promise<void> {
    try {
      await options.execute(job, signal);
    } catch (err) {
      const now = new Date().toISOString();
      let final: SyncJobRecord;
      if (reason() === 'shutdown') {
        final = store.update(job.id, { status: 'INTERRUPTED' });
      } else if (err instanceof JobCancelled) {
        final = store.update(job.id, { status: 'CANCELLED', phase: 'DONE', finishedAt: now });
      } else {
        logger.error({ jobId: job.id, err: err instanceof Error ? err.message : String(err) }, 'sync job failed');
        final = store.update(job.id, { status: 'FAILED', phase: 'DONE', finishedAt: now, error: err instanceof Error ? err.message : String(err) });
      }
      options.publish(final);
    }
  }

  return {
    start() {
      const interrupted = store.interruptRunning();
      if (interrupted.length) logger.warn({ jobs: interrupted }, 'resuming sync jobs interrupted by a stop');
      for (const job of store.pending()) {
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
      for (const entry of active.values()) {
        entry.reason = 'shutdown';
        entry.controller.abort();
      }
      await Promise.allSettled([...active.values()].map((e) => e.done));
    },
    running: () => [...active.keys()],
  };
}
