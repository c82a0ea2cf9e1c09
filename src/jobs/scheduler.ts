/**
 * Runs sync schedules: every `tickMs` it starts the due ones (a schedule
 * whose previous job is still active gets that job back, not a second one)
 * and sets their next run. Bounded: one timer, unref'd, stopped on close.
 */
import type { Logger } from '../observability/logger.js';
import type { JobStore } from './store/jobStore.js';
import { nextRunAt, type SyncService } from './syncService.js';

export interface Scheduler {
  stop(): void;
}

export function startScheduler(store: JobStore, service: SyncService, logger: Logger, tickMs = 1000): Scheduler {
  const tick = () => {
    const now = new Date();
    for (const s of store.schedules()) {
      if (Date.parse(s.nextRunAt) > now.getTime()) continue;
      try {
        const { job, alreadyRunning } = service.start({ kind: s.kind, scope: s.scope }, `schedule:${s.id}`, s.id);
        logger.info({ scheduleId: s.id, jobId: job.id, alreadyRunning }, 'scheduled sync started');
      } catch (err) {
        logger.error({ scheduleId: s.id, err: err instanceof Error ? err.message : String(err) }, 'scheduled sync could not start');
      }
      store.markScheduleRun(s.id, now.toISOString(), nextRunAt(s, now));
    }
  };
  const timer = setInterval(tick, tickMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
