/**
 * What the composition root starts, it stops: each piece registers how it
 * stops as it is built, and close() runs those in reverse order (the
 * transports before the jobs, the jobs before the records they write), each
 * failure logged and the rest still run.
 */
import type { Logger } from '../observability/logger.js';

export interface Lifecycle {
  /** Registers how something just built stops. */
  defer(stop: () => Promise<void> | void): void;
  /** Stops everything registered, newest first; later calls return the same promise. */
  close(): Promise<void>;
}

export function createLifecycle(logger: Logger): Lifecycle {
  const stops: Array<() => Promise<void> | void> = [];
  let closing: Promise<void> | undefined;
  return {
    defer(stop) {
      stops.push(stop);
    },
    close() {
      closing ??= (async () => {
        for (const stop of stops.reverse()) {
          try {
            await stop();
          } catch (err) {
            logger.warn({ err }, 'close failed');
          }
        }
      })();
      return closing;
    },
  };
}
