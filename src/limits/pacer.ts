/**
 * Outbound pacing for one upstream (DESIGN.md, "Pacing and priority").
 *
 * The vendor's quota is the only speed limit, so the gateway spends it
 * deliberately: every request first takes a token from the configured budgets
 * (rate-limiter-flexible counters, swappable for Redis ones when instances
 * share a quota), then passes a gate fed by the vendor's own headers
 * (BigCommerce `X-Rate-Limit-Requests-Left` / `-Time-Reset-Ms`,
 * `Retry-After`). Two lanes share the budget: `interactive` (GraphQL reads)
 * may use all of it; `bulk` (jobs) never takes the share reserved for
 * interactive reads, and waits rather than fails.
 */
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { createCostBucket, type CostBucketOptions, type CostBucketSnapshot, type CostBucketStatus } from './costBucket.js';
import type { SharedGate } from './sharedGate.js';

/** The two pacing lanes (DESIGN.md, "Pacing and priority"): defined with the domain's ports. */
export type { Lane } from '../domain/ports.js';
import type { Lane } from '../domain/ports.js';

export interface Budget {
  /** Requests allowed per window. */
  points: number;
  /** Window length in ms. */
  durationMs: number;
  /**
   * Also space the budget's requests evenly, allowing at most this long's
   * share of it at once: a vendor that measures a rate (a bucket refilled
   * every instant, such as WhatsApp's messages per second) then never sees
   * a whole window's worth arrive at a window's edge. The spacing is GCRA
   * (createSpacing), in process, since the shared (Redis) limiters keep
   * whole seconds; the window itself is still counted, and shared. The
   * spacing is one queue for both lanes (slots are reserved in arrival
   * order): meant for a bulk-only upstream such as WhatsApp's sends, where
   * no interactive read waits behind it. @default none
   */
  smoothMs?: number;
}

export interface PacerOptions {
  /** Upstream name, the limiter key prefix. */
  name: string;
  /** Budgets that must all admit a request (e.g. per second and per minute). */
  budgets: Budget[];
  /** Share of each budget bulk work may never take, 0..0.9. @default 0.3 */
  interactiveReserve?: number;
  /**
   * After this long without an interactive request, bulk work may borrow the
   * reserve (work-conserving: an idle reserve is wasted quota). The first
   * interactive read after that waits at most one smoothing sub-window.
   * @default 5000
   */
  borrowAfterIdleMs?: number;
  /** Builds a limiter; the default is in-process memory. */
  createLimiter?: (opts: { keyPrefix: string; points: number; duration: number }) => RateLimiterAbstract;
  /**
   * The vendor-header gate shared with other instances (scale-out): what any
   * instance learns from the vendor's headers gates them all. @default none (this instance's view)
   */
  sharedGate?: SharedGate;
  /**
   * A points bucket for a vendor that charges by query cost (costBucket.ts): every request
   * also waits until the bucket affords its `cost`, and each answer's `bucket` report corrects it.
   * Its reserve is `interactiveReserve`. @default none (requests are counted, not costed)
   */
  costBucket?: Omit<CostBucketOptions, 'reserve'>;
}

/** What a vendor's answer said about its quota. */
export interface QuotaReport {
  /** Requests left in the vendor's current window. */
  left?: number;
  /** The vendor's quota per window. */
  quota?: number;
  /** ms until the vendor's window resets. */
  resetMs?: number;
  /** The vendor said stop for this long (Retry-After, or a 429's reset). */
  retryAfterMs?: number;
  /** A cost quota's bucket as the answer reported it (Shopify's `extensions.cost.throttleStatus`). */
  bucket?: CostBucketStatus;
  /**
   * The vendor refused this request for its quota in a successful HTTP answer (Shopify's
   * `THROTTLED` error, HTTP 200): the retry table's rate-limited row applies, as to a 429.
   */
  throttled?: boolean;
}

export interface PacerTicket {
  /** Call once the answer (or failure) arrived, with what its headers said. */
  done(report?: QuotaReport): void;
}

export interface PacerSnapshot {
  vendorLeft: number | null;
  vendorQuota: number | null;
  vendorResetAt: number | null;
  blockedUntil: number | null;
  inFlight: number;
  waiting: Record<Lane, number>;
  /** The cost bucket's estimate, when the upstream is paced on cost. */
  bucket: CostBucketSnapshot | null;
}

export class PacingDeadlineError extends Error {
  override name = 'PacingDeadlineError';
  constructor(
    readonly upstream: string,
    readonly waitMs: number,
  ) {
    super(`${upstream}: no quota before the deadline (next slot in ${waitMs} ms)`);
  }
}

export interface Pacer {
  /** `cost`: the points the request is expected to take from a cost bucket (ignored without one). @default 1 */
  acquire(lane: Lane, deadline: number, signal?: AbortSignal, cost?: number): Promise<PacerTicket>;
  snapshot(): PacerSnapshot;
}

/**
 * Smoothing: a budget of N per long window also gets a short sub-window of
 * the same rate, so a burst at the end of one window and the start of the
 * next never looks like 2N to a vendor whose window is not aligned with ours.
 */
function withSmoothing(budgets: Budget[]): Budget[] {
  const out: Budget[] = [...budgets];
  for (const b of budgets) {
    if (b.durationMs > 2_000) {
      const points = Math.max(1, Math.floor((b.points * 2_000) / b.durationMs));
      out.push({ points, durationMs: 2_000 });
    }
  }
  return out;
}

export function createPacer(options: PacerOptions): Pacer {
  const reserve = options.interactiveReserve ?? 0.3;
  const make =
    options.createLimiter ??
    ((o: { keyPrefix: string; points: number; duration: number }) => new RateLimiterMemory(o));
  const budgets = withSmoothing(options.budgets);
  const total = budgets.map((b, i) => make({ keyPrefix: `pace:${options.name}:all:${i}`, points: b.points, duration: b.durationMs / 1000 }));
  const bulkOnly = budgets.map((b, i) =>
    make({
      keyPrefix: `pace:${options.name}:bulk:${i}`,
      points: Math.max(1, Math.floor(b.points * (1 - reserve))),
      duration: b.durationMs / 1000,
    }),
  );
  const spacings = options.budgets.filter((b) => b.smoothMs !== undefined && b.smoothMs > 0 && b.smoothMs < b.durationMs).map((b) => createSpacing(b));

  let vendorLeft: number | null = null;
  let vendorQuota: number | null = null;
  let vendorResetAt: number | null = null;
  let blockedUntil: number | null = null;
  let inFlight = 0;
  /** Requests other instances have in flight (sharedGate only). */
  let othersInFlight = 0;
  const waiting: Record<Lane, number> = { interactive: 0, bulk: 0 };
  const borrowAfterIdleMs = options.borrowAfterIdleMs ?? 5_000;
  let lastInteractiveAt = Number.NEGATIVE_INFINITY;
  const borrowing = (now: number) => waiting.interactive === 0 && now - lastInteractiveAt >= borrowAfterIdleMs;
  const shared = options.sharedGate;
  const bucket = options.costBucket ? createCostBucket({ ...options.costBucket, reserve }) : undefined;

  /** Folds the other instances' view of the vendor's quota into ours. */
  async function mergeShared(now: number): Promise<void> {
    const view = await shared?.read();
    if (!view) {
      othersInFlight = 0;
      return;
    }
    othersInFlight = view.othersInFlight;
    if (view.quota !== null) vendorQuota ??= view.quota;
    if (view.blockedUntil !== null && view.blockedUntil > now) blockedUntil = Math.max(blockedUntil ?? 0, view.blockedUntil);
    if (view.left !== null && view.resetAt !== null && view.resetAt > now) {
      if (vendorResetAt === null || vendorLeft === null || view.resetAt > vendorResetAt + 1_000) {
        vendorLeft = view.left;
        vendorResetAt = view.resetAt;
      } else if (Math.abs(view.resetAt - vendorResetAt) <= 1_000) {
        vendorLeft = Math.min(vendorLeft, view.left);
      }
    }
  }

  /** ms until the vendor-header gate admits this lane (0 = now). */
  function gateWait(lane: Lane, now: number): number {
    if (blockedUntil !== null && now < blockedUntil) return blockedUntil - now;
    if (vendorLeft === null || vendorResetAt === null) return 0;
    if (now >= vendorResetAt) {
      vendorLeft = null;
      vendorResetAt = null;
      return 0;
    }
    const floor = lane === 'bulk' && vendorQuota !== null && !borrowing(now) ? Math.ceil(vendorQuota * reserve) : 0;
    return vendorLeft - inFlight - othersInFlight > floor ? 0 : vendorResetAt - now;
  }

  /** Gives one slot back to each limiter (a slot taken for a request that is not sent). */
  async function giveBack(limiters: RateLimiterAbstract[], key: string): Promise<void> {
    await Promise.all(limiters.map((l) => l.reward(key, 1).catch(() => undefined)));
  }

  async function take(limiters: RateLimiterAbstract[], key: string): Promise<number> {
    const taken: RateLimiterAbstract[] = [];
    for (const limiter of limiters) {
      try {
        await limiter.consume(key, 1);
        taken.push(limiter);
      } catch (err) {
        // Give back what this attempt took from the other budgets.
        await giveBack(taken, key);
        if (err instanceof RateLimiterRes) return Math.max(1, err.msBeforeNext);
        throw err;
      }
    }
    return 0;
  }

  async function acquire(lane: Lane, deadline: number, signal?: AbortSignal, cost = 1): Promise<PacerTicket> {
    if (lane === 'interactive') lastInteractiveAt = Date.now();
    waiting[lane]++;
    // A smoothed budget's slot first (each request reserves its own: no herd wakes at each boundary).
    const slots: SpacingSlot[] = [];
    try {
      for (const spacing of spacings) {
        const slot = spacing.reserve(Date.now(), deadline);
        if (!slot) throw new PacingDeadlineError(options.name, spacing.nextInMs(Date.now()));
        slots.push(slot);
      }
      const slotWait = Math.max(0, ...slots.map((sl) => sl.at - Date.now()));
      if (slotWait > 0) await sleep(slotWait, signal);
    } catch (err) {
      for (const sl of slots) sl.cancel();
      waiting[lane]--;
      throw err;
    }
    let charged = 0;
    let admitted = false;
    try {
      for (;;) {
        signal?.throwIfAborted();
        if (shared) await mergeShared(Date.now());
        const now = Date.now();
        let wait = gateWait(lane, now);
        if (wait === 0 && bucket) {
          // The points first (in process, no await): a request the bucket cannot afford takes no request slot.
          const taken = bucket.take(cost, lane, now, lane === 'bulk' && borrowing(now));
          wait = taken.waitMs;
          charged = taken.charged;
        }
        if (wait === 0) {
          const borrow = lane === 'bulk' && borrowing(now);
          const limiters = lane === 'bulk' && !borrow ? [...bulkOnly, ...total] : total;
          wait = await take(limiters, 'q');
          if (wait === 0) {
            // Borrowed slots still count against bulk's own share, so bulk is back within it when reads return.
            if (borrow) await Promise.all(bulkOnly.map((l) => l.penalty('q', 1).catch(() => undefined)));
            // Taking the slot awaited (Redis, or just a microtask): meanwhile other requests may have
            // been admitted (in flight now), or a 429's Retry-After or an interactive read arrived.
            // No await between this check and inFlight++ below, so nothing is admitted past the gate.
            const closed = gateWait(lane, Date.now());
            if (closed === 0) {
              admitted = true;
              break;
            }
            // The gate closed: this request is not sent now, so its slot goes back (else every such
            // race spends quota, shared quota with REDIS_URL, on nothing) and it waits for the gate.
            await giveBack(borrow ? [...limiters, ...bulkOnly] : limiters, 'q');
            wait = closed;
          }
          if (charged > 0) {
            bucket?.giveBack(charged, Date.now());
            charged = 0;
          }
        }
        // Bulk yields to waiting interactive reads by waking a little later.
        const delay = wait + (lane === 'bulk' && waiting.interactive > 0 ? 25 : 0);
        if (Date.now() + delay > deadline) throw new PacingDeadlineError(options.name, delay);
        await sleep(delay, signal);
      }
    } finally {
      waiting[lane]--;
      // Points held by a request that is not sent after all (a limiter failed, the caller gave up) go back.
      if (!admitted && charged > 0) bucket?.giveBack(charged, Date.now());
    }
    inFlight++;
    shared?.inFlight(inFlight);
    let finished = false;
    const held = charged;
    return {
      done(report) {
        if (finished) return;
        finished = true;
        inFlight--;
        shared?.inFlight(inFlight);
        bucket?.settle(held, report?.bucket, Date.now());
        if (report) observe(report);
      },
    };
  }

  function observe(report: QuotaReport): void {
    const now = Date.now();
    if (report.quota !== undefined) vendorQuota = report.quota;
    if (report.left !== undefined && report.resetMs !== undefined) {
      // The vendor counted this request; requests still in flight are not in its figure yet.
      vendorLeft = report.left;
      vendorResetAt = now + report.resetMs;
    }
    if (report.retryAfterMs !== undefined && report.retryAfterMs > 0) {
      blockedUntil = Math.max(blockedUntil ?? 0, now + report.retryAfterMs);
    }
    if (shared) {
      const known = report.left !== undefined && report.resetMs !== undefined;
      shared.write({
        left: known ? report.left : undefined,
        resetAt: known ? now + (report.resetMs as number) : undefined,
        quota: report.quota,
        blockedUntil: report.retryAfterMs !== undefined && report.retryAfterMs > 0 ? now + report.retryAfterMs : undefined,
      });
    }
  }

  return {
    acquire,
    snapshot: () => ({ vendorLeft, vendorQuota, vendorResetAt, blockedUntil, inFlight, waiting: { ...waiting }, bucket: bucket?.snapshot(Date.now()) ?? null }),
  };
}

/** A request's reserved slot of a smoothed budget: when it may go, and how to give it back unused. */
export interface SpacingSlot {
  at: number;
  cancel(): void;
}

export interface Spacing {
  /** Reserves the next slot at or after `now`; undefined (nothing reserved) when it would start after `latest`. */
  reserve(now: number, latest: number): SpacingSlot | undefined;
  /** ms until the next slot (0: now). */
  nextInMs(now: number): number;
}

/**
 * Even spacing for a budget with `smoothMs`: the generic cell rate
 * algorithm (GCRA, the virtual-scheduling form of ITU-T I.371), one request
 * every `durationMs / points`, at most `points × smoothMs / durationMs` at
 * once. So any interval of t ms holds at most burst + t / interval requests,
 * and the rate is the budget's exactly however late a sleeper wakes: each
 * request reserves its own slot when it asks (nothing is lost at a
 * sub-window's edge, no crowd of waiters wakes at each one).
 */
export function createSpacing(budget: Budget): Spacing {
  const interval = budget.durationMs / budget.points;
  const burst = Math.max(1, Math.floor((budget.points * (budget.smoothMs ?? 0)) / budget.durationMs));
  const tolerance = (burst - 1) * interval;
  /** The theoretical arrival time of the next request. */
  let tat = Number.NEGATIVE_INFINITY;
  const startAt = (now: number) => Math.max(now, tat - tolerance);
  return {
    reserve(now, latest) {
      const at = startAt(now);
      if (at > latest) return undefined;
      const before = tat;
      tat = Math.max(tat, at) + interval;
      const mine = tat;
      return {
        at,
        cancel() {
          // Only the latest reservation can be handed back without moving anyone else's.
          if (tat === mine) tat = before;
        },
      };
    },
    nextInMs: (now) => Math.max(0, startAt(now) - now),
  };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
