/**
 * Waits for a durable intent's first outcome (a supplier order's first send,
 * a product message's), so a mutation can answer with it instead of the
 * queued record. Woken by the record's own change events — subscribed before
 * the first read, so an outcome that lands in between is not missed — with a
 * timer as the fallback (no change feed, or a change on another instance the
 * feed does not carry). Ends at the deadline, or early when the next attempt
 * is due after it (nothing will change before then).
 *
 * An event carries the record as its writer committed it (the outbox
 * publishes the row its compare-and-set returned), so when that record is
 * the outcome it is the answer as it stands: reading it back would only
 * repeat it, one store round trip more on every waiting mutation. An event
 * whose record is not an outcome yet only wakes the waiter to read.
 */
import type { Subscribe } from './changeStream.js';

export interface WaitUntilSettledOptions<T> {
  id: string;
  read(): Promise<T>;
  /** The record has its outcome (or will not change on its own). */
  settled(record: T): boolean;
  /** How long to wait at most, ms. */
  waitMs: number;
  /** Longest sleep between reads when no change event wakes it, ms. */
  pollMs: number;
  changes?: { subscribe: Subscribe<T> };
}

export async function waitUntilSettled<T extends { nextAttemptAt: string | null }>(o: WaitUntilSettledOptions<T>): Promise<T> {
  const deadline = Date.now() + o.waitMs;
  let wake: (() => void) | null = null;
  let changed = false;
  /** The latest record an event carried since the last look. */
  let carried: T | undefined;
  const unsubscribe =
    o.changes?.subscribe(o.id, (record) => {
      changed = true;
      carried = record;
      wake?.();
    }) ?? (() => undefined);
  try {
    for (;;) {
      changed = false;
      const seen = carried;
      carried = undefined;
      if (seen !== undefined && o.settled(seen)) return seen;
      const record = await o.read();
      if (o.settled(record) || Date.now() >= deadline) return record;
      if (record.nextAttemptAt && Date.parse(record.nextAttemptAt) > deadline) return record;
      if (!changed) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(1, Math.min(o.pollMs, deadline - Date.now())));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      wake = null;
    }
  } finally {
    unsubscribe();
  }
}
