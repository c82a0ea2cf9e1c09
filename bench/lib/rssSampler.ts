/**
 * Resident memory of a child under load: VmRSS from /proc/<pid>/status,
 * sampled on a timer, so a figure says what the process held while it served
 * (VmHWM alone is the peak of the whole life, start-up and warm-up included).
 */
import { memoryOf } from './proc.js';

export interface RssSamples {
  /** Largest VmRSS seen, bytes (0 when no sample could be read). */
  maxBytes: number;
  /** VmRSS at the last sample, bytes. */
  lastBytes: number;
  samples: number;
}

export interface RssSampler {
  /** Stops sampling (one last sample first) and returns what was seen. */
  stop(): Promise<RssSamples>;
}

/** Samples `pid`'s VmRSS every `intervalMs` until stop(). */
export function sampleRss(pid: number, intervalMs = 250): RssSampler {
  const seen: RssSamples = { maxBytes: 0, lastBytes: 0, samples: 0 };
  let pending: Promise<void> = Promise.resolve();
  const take = () => {
    pending = pending.then(async () => {
      try {
        const { rss } = await memoryOf(pid);
        seen.maxBytes = Math.max(seen.maxBytes, rss);
        seen.lastBytes = rss;
        seen.samples++;
      } catch {
        // the process is gone: keep what was seen
      }
    });
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      take();
      await pending;
      return { ...seen };
    },
  };
}
