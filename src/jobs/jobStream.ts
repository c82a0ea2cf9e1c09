/**
 * A job's changes as an async iterator for subscriptions: the current
 * snapshot first, then each published change, ending after the final one.
 * Only the latest pending snapshot is kept per subscriber (a newer snapshot
 * supersedes an older one), so a slow subscriber costs O(1) memory.
 */
import type { JobEvents } from './events.js';
import type { SyncJobRecord } from './types.js';
import { isFinal } from './types.js';

export function jobStream(events: JobEvents, current: SyncJobRecord | null, jobId: string | null): AsyncIterableIterator<SyncJobRecord> {
  let pending: SyncJobRecord[] = current ? [current] : [];
  let done = current !== null && jobId !== null && isFinal(current.status);
  let wake: (() => void) | null = null;
  const unsubscribe = done
    ? () => undefined
    : events.subscribe(jobId, (job) => {
        if (jobId === null) {
          // All jobs: keep the latest per job.
          pending = pending.filter((p) => p.id !== job.id).concat(job);
        } else if (pending.length && !isFinal(pending[pending.length - 1]!.status)) {
          pending[pending.length - 1] = job;
        } else {
          pending.push(job);
        }
        wake?.();
      });

  const iterator: AsyncIterableIterator<SyncJobRecord> = {
    async next() {
      for (;;) {
        const job = pending.shift();
        if (job) {
          if (jobId !== null && isFinal(job.status)) {
            done = true;
            unsubscribe();
          }
          return { value: job, done: false };
        }
        if (done) return { value: undefined, done: true };
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      }
    },
    async return() {
      done = true;
      unsubscribe();
      wake?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
