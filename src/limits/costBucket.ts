/**
 * A points bucket: the quota model of GraphQL upstreams that charge by query
 * cost rather than by request (upstreams.md, Shopify "Cost-based throttle":
 * a leaky bucket per app and store that restores `restoreRate` points a
 * second up to `maximumAvailable`; every answer reports
 * `extensions.cost.throttleStatus`, and a query the bucket cannot afford is
 * refused `THROTTLED`).
 *
 * The bucket keeps the gateway's own estimate between answers: it drains by
 * the cost each request is expected to take when it is admitted, refills at
 * the restore rate, and is corrected to the vendor's figure on every answer
 * (the points still held by requests in flight are taken off it: the vendor
 * may not have counted them yet, and counting them twice only errs slow).
 * A request waits until the estimate affords it, so the vendor never has to
 * refuse one in steady state.
 *
 * Lanes as for request budgets (DESIGN.md, "Pacing and priority"): bulk work
 * never takes the reserve share, unless it may borrow it (no interactive read
 * for a while); interactive reads may use the whole bucket.
 */
import type { Lane } from '../domain/ports.js';

export interface CostBucketOptions {
  /** Points the bucket holds when full (the vendor's `maximumAvailable`, until it reports one). */
  maximum: number;
  /** Points restored per second (the vendor's `restoreRate`, until it reports one). */
  restoreRate: number;
  /** Share of the bucket bulk work leaves to interactive reads, 0..0.9. @default 0.3 */
  reserve?: number;
}

/** What the vendor said about the bucket in an answer. */
export interface CostBucketStatus {
  available: number;
  maximum: number;
  restoreRate: number;
}

export interface CostBucketSnapshot extends CostBucketStatus {
  /** Points taken for requests still in flight. */
  inFlight: number;
}

export interface CostBucket {
  /**
   * Takes `cost` points for a request on `lane` now, or says how many ms to
   * wait before it may (nothing is taken then). A cost above the bucket's
   * size is charged as a full bucket (it could never be afforded otherwise;
   * the vendor caps a single query below it). `borrowing`: bulk may use the reserve.
   */
  take(cost: number, lane: Lane, now: number, borrowing: boolean): { waitMs: number; charged: number };
  /** Gives back points taken for a request that was not sent. */
  giveBack(charged: number, now: number): void;
  /** A request that took `charged` points finished; `status` is what its answer said of the bucket. */
  settle(charged: number, status: CostBucketStatus | undefined, now: number): void;
  snapshot(now: number): CostBucketSnapshot;
}

export function createCostBucket(options: CostBucketOptions): CostBucket {
  const reserve = Math.min(0.9, Math.max(0, options.reserve ?? 0.3));
  let maximum = Math.max(1, options.maximum);
  let rate = Math.max(0.001, options.restoreRate);
  let available = maximum;
  let at = Number.NEGATIVE_INFINITY;
  let inFlight = 0;

  /** The estimate at `now`: what was left, plus what has been restored since, at most full. */
  function level(now: number): number {
    if (at !== Number.NEGATIVE_INFINITY && now > at) available = Math.min(maximum, available + ((now - at) / 1000) * rate);
    at = Math.max(at, now);
    return available;
  }

  return {
    take(cost, lane, now, borrowing) {
      const charged = Math.min(maximum, Math.max(0, cost));
      const floor = lane === 'bulk' && !borrowing ? maximum * reserve : 0;
      const have = level(now);
      // Bulk never waits for more than the bucket minus the reserve can ever hold.
      const need = Math.min(charged + floor, maximum) - have;
      if (need > 0) return { waitMs: Math.max(1, Math.ceil((need / rate) * 1000)), charged: 0 };
      available = have - charged;
      inFlight += charged;
      return { waitMs: 0, charged };
    },
    giveBack(charged, now) {
      level(now);
      available = Math.min(maximum, available + charged);
      inFlight = Math.max(0, inFlight - charged);
    },
    settle(charged, status, now) {
      inFlight = Math.max(0, inFlight - charged);
      if (!status) return;
      if (status.maximum > 0) maximum = status.maximum;
      if (status.restoreRate > 0) rate = status.restoreRate;
      // The vendor's figure is the truth as of its answer; what other requests in flight hold may not be in it yet.
      available = Math.min(maximum, Math.max(-maximum, status.available - inFlight));
      at = now;
    },
    snapshot(now) {
      return { available: Math.floor(level(now)), maximum, restoreRate: rate, inFlight };
    },
  };
}
