/**
 * The cost-based throttle (upstreams.md: a bucket per app and store that
 * restores at 100 points/s on Standard — 200 Advanced, 1000 Plus; recent
 * stores report `maximumAvailable: 2000`, *unverified*; a single query costs
 * at most 1000 points, *unverified*).
 *
 * A query is admitted when its requested cost fits in what is available
 * now; the requested cost is taken, and once it has run the difference to
 * the actual cost is given back, so the throttle status an answer reports
 * is the bucket after the query's actual cost. A query the bucket cannot
 * afford is THROTTLED and takes nothing.
 */
import { z } from 'zod';

export interface CostLimits {
  /** Bucket size in points. */
  maximumAvailable: number;
  /** Points restored per second. */
  restoreRate: number;
  /** The single-query cap: a requested cost above it is refused before the bucket is asked. */
  maxQueryCost: number;
}

export const costLimitsPatchSchema = z
  .object({
    maximumAvailable: z.number().int().min(1).max(100_000_000).optional(),
    restoreRate: z.number().positive().max(100_000_000).optional(),
    maxQueryCost: z.number().int().min(1).max(100_000_000).optional(),
    /** Sets what is available now (e.g. 0, to see the next query throttled). */
    currentlyAvailable: z.number().min(0).max(100_000_000).optional(),
  })
  .strict();

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface CostBucket {
  limits(): CostLimits;
  setLimits(patch: z.infer<typeof costLimitsPatchSchema>, now?: number): CostLimits & { currentlyAvailable: number };
  /** Takes `cost` points when available; false (nothing taken) otherwise. */
  take(cost: number, now?: number): boolean;
  /** Gives back points taken for a query that cost less than requested. */
  refund(points: number, now?: number): void;
  status(now?: number): ThrottleStatus;
  reset(): void;
}

export function createCostBucket(initial: CostLimits): CostBucket {
  let limits = { ...initial };
  let available = limits.maximumAvailable;
  let at = Date.now();

  function restore(now: number): void {
    if (now > at) available = Math.min(limits.maximumAvailable, available + ((now - at) / 1000) * limits.restoreRate);
    at = Math.max(at, now);
  }

  return {
    limits: () => ({ ...limits }),
    setLimits(patch, now = Date.now()) {
      restore(now);
      const { currentlyAvailable, ...rest } = patch;
      limits = { ...limits, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) };
      available = Math.min(limits.maximumAvailable, currentlyAvailable ?? available);
      return { ...limits, currentlyAvailable: Math.floor(available) };
    },
    take(cost, now = Date.now()) {
      restore(now);
      if (cost > available) return false;
      available -= cost;
      return true;
    },
    refund(points, now = Date.now()) {
      restore(now);
      if (points > 0) available = Math.min(limits.maximumAvailable, available + points);
    },
    status(now = Date.now()) {
      restore(now);
      return { maximumAvailable: limits.maximumAvailable, currentlyAvailable: Math.floor(available), restoreRate: limits.restoreRate };
    },
    reset() {
      limits = { ...initial };
      available = limits.maximumAvailable;
      at = Date.now();
    },
  };
}
