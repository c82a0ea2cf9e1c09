/**
 * Job change events. Publishing is throttled per job to at most
 * `maxPerSecond` updates (trailing: the latest snapshot always goes out);
 * a job's final snapshot is sent at once. In-process here; a Redis pub/sub
 * implementation carries the same interface across instances.
 */
import { createEmitterBus, type Bus } from '../events/emitterBus.js';
import type { SyncJobRecord } from './types.js';
import { isFinal } from './types.js';

export type JobListener = (job: SyncJobRecord) => void;

export interface JobEvents {
  /** Announces a job's new state (throttled unless final). */
  publish(job: SyncJobRecord): void;
  /** Every change of one job, or of every job when `jobId` is null. Returns unsubscribe. */
  subscribe(jobId: string | null, listener: JobListener): () => void;
  close(): void;
}

export interface JobEventsOptions {
  /** Most updates per second per job, at the publisher. @default 10 */
  maxPerSecond?: number;
  /** Carries the (throttled) updates; a Redis bus reaches every instance. @default in-process */
  bus?: Bus<SyncJobRecord>;
}

export function createJobEvents(options: JobEventsOptions = {}): JobEvents {
  const minGapMs = 1000 / (options.maxPerSecond ?? 10);
  // Throttled here, before the bus: N instances' subscribers see at most maxPerSecond updates per job.
  const bus = options.bus ?? createEmitterBus<SyncJobRecord>();
  const lastSent = new Map<string, number>();
  const pending = new Map<string, { job: SyncJobRecord; timer: NodeJS.Timeout }>();

  function send(job: SyncJobRecord): void {
    lastSent.set(job.id, Date.now());
    bus.emit(job);
    if (isFinal(job.status)) lastSent.delete(job.id);
  }

  return {
    publish(job) {
      const waiting = pending.get(job.id);
      if (isFinal(job.status)) {
        if (waiting) clearTimeout(waiting.timer);
        pending.delete(job.id);
        send(job);
        return;
      }
      if (waiting) {
        waiting.job = job;
        return;
      }
      const since = Date.now() - (lastSent.get(job.id) ?? 0);
      if (since >= minGapMs) {
        send(job);
        return;
      }
      const timer = setTimeout(() => {
        const latest = pending.get(job.id);
        pending.delete(job.id);
        if (latest) send(latest.job);
      }, minGapMs - since);
      timer.unref();
      pending.set(job.id, { job, timer });
    },
    subscribe: (jobId, listener) => bus.subscribe(jobId, listener),
    close() {
      for (const p of pending.values()) clearTimeout(p.timer);
      pending.clear();
      bus.close();
    },
  };
}
