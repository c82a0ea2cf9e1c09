/**
 * Runs sync schedules: every `tickMs` it starts the due ones (a schedule
 * whose previous job is still active gets that job back, not a second one)
 * and sets their next run. Bounded: one timer, unref'd, stopped on close.
 */
import type { Logger } from '../observability/logger.js';
import type { Leases } from '../storage/leases.js';
import type { JobStore } from './store/jobStore.js';
import { nextRunAt, type SyncService } from './syncService.js';

export interface Scheduler {
  stop(): void;
}

/** `leases` (scale-out): one instance starts each due run; the others skip it. */
export function startScheduler(store: JobStore, service: SyncService, logger: Logger, tickMs = 1000, leases?: Leases): Scheduler {
  let ticking = false;
  const tick = async () => {
    const now = new Date();
    for (const s of await store.schedules()) {
      if (Date.parse(s.nextRunAt) > now.getTime()) continue;
      // Named after the run's time and left to expire: no other instance starts this run.
      if (leases && !(await leases.acquire(`schedule:${s.id}:${s.nextRunAt}`, 60_000))) continue;
      try {
        const { job, alreadyRunning } = await service.start({ kind: s.kind, scope: s.scope }, `schedule:${s.id}`, s.id);
        logger.info({ scheduleId: s.id, jobId: job.id, alreadyRunning }, 'scheduled sync started');
      } catch (err) {
        logger.error({ scheduleId: s.id, err: err instanceof Error ? err.message : String(err) }, 'scheduled sync could not start');
      }
      await store.markScheduleRun(s.id, now.toISOString(), nextRunAt(s, now));
    }
  };
  // One tick at a time; a store outage is logged and the next tick tries again.
  const timer = setInterval(() => {
    if (ticking) return;
    ticking = true;
    tick()
      .catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'schedules could not be read'))
      .finally(() => {
        ticking = false;
      });
  }, tickMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
