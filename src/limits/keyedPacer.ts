/**
 * Pacing per key, beside an upstream's budget (pacer.ts): some vendors limit
 * how often one thing may be addressed, not only how much is sent in all —
 * WhatsApp's pair rate, "about one message per 6 s to the same user"
 * (upstreams.md, error 131056) — so a call for a key waits until the key's
 * previous call is over and `intervalMs` has passed since its answer came.
 *
 * The interval is counted from the previous answer, not from when it was
 * sent: the vendor sees the calls arrive, and a slow answer to the first
 * must not let the second arrive early. One call per key is in flight at a
 * time in this process. With a shared limiter factory (REDIS_URL) the
 * interval is also recorded there (`block` for the interval, rounded up to
 * whole seconds: rate-limiter-flexible's Redis store keeps whole seconds and
 * never expires a key blocked for 0 s), so another instance addressing the
 * same key waits too; intervals under a second stay in-process.
 *
 * A call that would wait past its deadline is refused at once with
 * PacingDeadlineError (its `waitMs` says when the key is free), so a worker
 * can schedule it for later instead of holding a slot while it waits.
 */
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { PacingDeadlineError, sleep } from './pacer.js';

export interface KeyedPacerOptions {
  /** Upstream name: the limiter key prefix and the error's `upstream`. */
  name: string;
  /** Least time between a key's previous answer and its next call, in ms. */
  intervalMs: number;
  /** A shared limiter factory (REDIS_URL); in-process only without it. @default none */
  createLimiter?: (opts: { keyPrefix: string; points: number; duration: number }) => RateLimiterAbstract;
  /** The clock. @default Date.now */
  now?: () => number;
  /** Keys remembered before expired ones are swept. @default 10000 */
  sweepAbove?: number;
}

export interface KeyedTicket {
  /** The call was made (answered or not): the key's interval starts now. */
  done(): void;
  /** The call was not made after all (no budget slot, nothing sent): the key is free at once. */
  cancel(): void;
}

export interface KeyedPacer {
  /** Waits until `key` may be called (at most until `deadline`, ms since the epoch), then holds it until the ticket ends. */
  acquire(key: string, deadline: number, signal?: AbortSignal): Promise<KeyedTicket>;
  /** ms until `key` may be called again as this process knows it (0: now). */
  waitMs(key: string): number;
}

export function createKeyedPacer(options: KeyedPacerOptions): KeyedPacer {
  const now = options.now ?? Date.now;
  const interval = Math.max(0, options.intervalMs);
  const sweepAbove = options.sweepAbove ?? 10_000;
  const blockSeconds = Math.ceil(interval / 1000);
  const shared = options.createLimiter && interval >= 1000 ? options.createLimiter({ keyPrefix: `pace:${options.name}:key`, points: 1, duration: blockSeconds }) : undefined;
  /** When each key may be called again (this process's view). */
  const nextAt = new Map<string, number>();
  /** Keys with a call in flight, and how to wake those waiting for it. */
  const busy = new Map<string, Promise<void>>();

  function sweep(): void {
    if (nextAt.size <= sweepAbove) return;
    const t = now();
    for (const [key, at] of nextAt) if (at <= t) nextAt.delete(key);
  }

  const localWait = (key: string) => Math.max(0, (nextAt.get(key) ?? 0) - now());

  async function sharedWait(key: string): Promise<number> {
    if (!shared) return 0;
    try {
      const res = await shared.get(key);
      return res && res.consumedPoints > 1 ? Math.max(0, res.msBeforeNext) : 0;
    } catch {
      // The shared store is unreachable: this process's own view paces it.
      return 0;
    }
  }

  return {
    waitMs: localWait,
    async acquire(key, deadline, signal) {
      for (;;) {
        signal?.throwIfAborted();
        const inFlight = busy.get(key);
        if (inFlight) {
          // Its answer starts a new interval: the earliest this call can go is an interval from now.
          if (now() + interval > deadline) throw new PacingDeadlineError(options.name, interval);
          await inFlight;
          continue;
        }
        const wait = Math.max(localWait(key), await sharedWait(key));
        if (wait > 0) {
          if (now() + wait > deadline) throw new PacingDeadlineError(options.name, wait);
          await sleep(wait, signal);
          continue;
        }
        // The shared read awaited: another call may have taken the key meanwhile (one per key in flight here).
        if (busy.has(key)) continue;
        let release!: () => void;
        busy.set(key, new Promise<void>((resolve) => (release = resolve)));
        let finished = false;
        const end = (called: boolean) => {
          if (finished) return;
          finished = true;
          if (called) {
            nextAt.set(key, now() + interval);
            sweep();
            if (shared) void shared.block(key, blockSeconds).catch(() => undefined);
          }
          busy.delete(key);
          release();
        };
        return { done: () => end(true), cancel: () => end(false) };
      }
    },
  };
}
