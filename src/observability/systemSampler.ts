/**
 * The process's own figures for the dashboard: CPU (share of one core since
 * the last sample, user and system time), resident memory, heap in use, and
 * event-loop lag (the 99th percentile of Node's own event-loop delay
 * histogram since the last sample, perf_hooks.monitorEventLoopDelay).
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface SystemFigures {
  /** Share of one core used since the last sample, in percent (may pass 100 with worker threads). */
  cpuPercent: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** 99th percentile event-loop delay since the last sample, ms (0 before the first). */
  eventLoopLagMs: number;
  uptimeSeconds: number;
}

export interface SystemSampler {
  sample(): SystemFigures;
  close(): void;
}

export function createSystemSampler(): SystemSampler {
  // 20 ms resolution: lag that matters to an operator is tens of ms; a finer timer only costs wake-ups.
  const loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });
  loop.enable();
  let lastCpu = process.cpuUsage();
  let lastAt = performance.now();
  return {
    sample() {
      const cpu = process.cpuUsage(lastCpu);
      const at = performance.now();
      const wallUs = Math.max(1, (at - lastAt) * 1000);
      lastCpu = process.cpuUsage();
      lastAt = at;
      // The histogram's delays include its own resolution (the timer's interval): subtract it.
      const lagNs = loop.count > 0 ? Math.max(0, loop.percentile(99) - 20e6) : 0;
      loop.reset();
      const memory = process.memoryUsage();
      return {
        cpuPercent: ((cpu.user + cpu.system) / wallUs) * 100,
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        eventLoopLagMs: lagNs / 1e6,
        uptimeSeconds: Math.round(process.uptime()),
      };
    },
    close() {
      loop.disable();
    },
  };
}
