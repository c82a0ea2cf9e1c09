/**
 * The figures the alert rules and the dashboard read, over sliding windows,
 * taken from the gateway's own Prometheus metrics (metrics.ts) — the same
 * counters and histogram deploy/prometheus/alerts.yml evaluates, so the
 * gateway and Prometheus agree on what they alert on.
 *
 * Each `sample()` reads the metrics' totals, and adds what changed since the
 * last sample to the windows:
 *
 * - per upstream (the `upstream` label: every connector's upstreams, those
 *   added later included): attempts, errors (5xx, or no answer: status
 *   `error`), 429s, and the latency histogram's buckets;
 * - sync items (processed, written, failed) and supplier orders (placed,
 *   failed) this instance handled.
 *
 * Rates are per the time the window covers (less than the window while the
 * gateway is younger than it), except the 429s the rate-limit rule judges,
 * which are per the whole window as in alerts.yml; percentiles are
 * histogram_quantile over the window's buckets.
 */
import type { AlertInputs, UpstreamWindow } from './alertRules.js';
import { histogramQuantile } from './histogramQuantile.js';
import { UPSTREAM_LATENCY_BUCKETS, type Metrics } from './metrics.js';
import { createSlidingWindow, type SlidingWindow } from './slidingWindow.js';

export interface WindowedFiguresOptions {
  metrics: Metrics;
  /** The sliding window of rates, ratios and percentiles (ALERT_WINDOW_SECONDS). */
  windowMs: number;
  /** The window failed supplier orders are counted over (ALERT_ORDER_WINDOW_SECONDS). */
  orderWindowMs: number;
  /** One slot of the windows: the sampling interval. */
  slotMs: number;
  /** Fewer attempts than this in the window: the ratio and latency rules skip that upstream (ALERT_MIN_ATTEMPTS). */
  minAttempts: number;
  /** @default Date.now() */
  startedAt?: number;
}

/** One upstream over the window. */
export interface UpstreamRates extends UpstreamWindow {
  /** 429 answers in the window. */
  throttled: number;
  requestsPerMinute: number;
  /** Share of attempts neither 5xx nor unanswered; null without attempts. */
  successRate: number | null;
  latencyP50Seconds: number | null;
  latencyP99Seconds: number | null;
}

export interface BusinessRates {
  partsSyncedPerHour: number;
  productsWrittenPerHour: number;
  syncFailuresPerHour: number;
  supplierOrdersPlacedPerHour: number;
  supplierOrdersFailedPerHour: number;
  /** Supplier orders that failed within the order window (the SupplierOrdersFailed rule). */
  failedOrdersInOrderWindow: number;
  /** Upstream attempts that failed, share of all upstreams' attempts over the window; null without attempts. */
  errorRate: number | null;
}

export interface WindowedFigures {
  /** Reads the metrics and moves the windows to `now`. */
  sample(now?: number): Promise<void>;
  /** Every upstream seen in the metrics or named in `known`, in that order. */
  upstreams(known?: readonly string[]): UpstreamRates[];
  business(): BusinessRates;
  /** What the alert rules measure (alertRules.ts). */
  alertInputs(known?: readonly string[]): AlertInputs;
}

const BOUNDS = UPSTREAM_LATENCY_BUCKETS;
// One window vector per upstream: attempts, errors, 429s, then the cumulative count at each bucket bound.
const ATTEMPTS = 0;
const ERRORS = 1;
const THROTTLED = 2;
const BUCKET0 = 3;
const UPSTREAM_WIDTH = BUCKET0 + BOUNDS.length;
// The business window: processed, written, sync failures, orders placed, orders failed.
const BUSINESS_KINDS = ['processed', 'written', 'failed'] as const;
const ORDER_OUTCOMES = ['placed', 'failed'] as const;

/** 5xx, or no answer at all (the shared client's `error` status): the upstream failed. */
const isError = (status: string) => status === 'error' || /^5\d\d$/.test(status);

export function createWindowedFigures(options: WindowedFiguresOptions): WindowedFigures {
  const { metrics, windowMs, slotMs } = options;
  const startedAt = options.startedAt ?? Date.now();
  const windows = new Map<string, SlidingWindow>();
  const previous = new Map<string, Float64Array>();
  const business = createSlidingWindow({ windowMs, slotMs, width: BUSINESS_KINDS.length + ORDER_OUTCOMES.length, startedAt });
  const failedOrders = createSlidingWindow({ windowMs: options.orderWindowMs, slotMs: Math.max(slotMs, Math.ceil(options.orderWindowMs / 720)), width: 1, startedAt });
  const previousBusiness = new Float64Array(BUSINESS_KINDS.length + ORDER_OUTCOMES.length);
  let sampledAt = startedAt;

  const windowOf = (name: string): SlidingWindow => {
    let w = windows.get(name);
    if (!w) {
      w = createSlidingWindow({ windowMs, slotMs, width: UPSTREAM_WIDTH, startedAt });
      windows.set(name, w);
    }
    return w;
  };

  /** A counter's growth since the last sample; a total that went down was reset, so all of it is new. */
  const growth = (now: number, before: number) => (now >= before ? now - before : now);

  async function readUpstreamTotals(): Promise<Map<string, Float64Array>> {
    const totals = new Map<string, Float64Array>();
    const of = (name: string) => {
      let t = totals.get(name);
      if (!t) {
        t = new Float64Array(UPSTREAM_WIDTH);
        totals.set(name, t);
      }
      return t;
    };
    const [requests, latency] = await Promise.all([metrics.upstreamRequests.get(), metrics.upstreamLatency.get()]);
    for (const v of requests.values) {
      const name = String(v.labels.upstream ?? '');
      if (!name) continue;
      const status = String(v.labels.status ?? '');
      const t = of(name);
      t[ATTEMPTS] = (t[ATTEMPTS] as number) + v.value;
      if (isError(status)) t[ERRORS] = (t[ERRORS] as number) + v.value;
      if (status === '429') t[THROTTLED] = (t[THROTTLED] as number) + v.value;
    }
    for (const v of latency.values) {
      if (!v.metricName?.endsWith('_bucket')) continue;
      const name = String(v.labels.upstream ?? '');
      const index = BOUNDS.indexOf(Number((v.labels as Record<string, string | number | undefined>).le));
      if (!name || index < 0) continue;
      const t = of(name);
      t[BUCKET0 + index] = (t[BUCKET0 + index] as number) + v.value;
    }
    return totals;
  }

  async function readBusinessTotals(): Promise<Float64Array> {
    const out = new Float64Array(BUSINESS_KINDS.length + ORDER_OUTCOMES.length);
    const [items, orders] = await Promise.all([metrics.syncItems.get(), metrics.supplierOrders.get()]);
    for (const v of items.values) {
      const i = BUSINESS_KINDS.indexOf(String(v.labels.kind) as (typeof BUSINESS_KINDS)[number]);
      if (i >= 0) out[i] = (out[i] as number) + v.value;
    }
    for (const v of orders.values) {
      const i = ORDER_OUTCOMES.indexOf(String(v.labels.outcome) as (typeof ORDER_OUTCOMES)[number]);
      if (i >= 0) out[BUSINESS_KINDS.length + i] = (out[BUSINESS_KINDS.length + i] as number) + v.value;
    }
    return out;
  }

  function ratesOf(name: string): UpstreamRates {
    const w = windowOf(name);
    const coveredMinutes = w.coveredMs(sampledAt) / 60_000;
    const windowMinutes = windowMs / 60_000;
    const attempts = w.sum(ATTEMPTS);
    const errors = Math.min(attempts, w.sum(ERRORS));
    const throttled = w.sum(THROTTLED);
    const cumulative = BOUNDS.map((_, i) => w.sum(BUCKET0 + i));
    const q = (p: number) => histogramQuantile(p, BOUNDS, cumulative, attempts);
    return {
      name,
      attempts,
      errors,
      throttled,
      // Over the whole window, young gateway or not (alerts.yml: the 5 minutes' increase / 5): one 429 in
      // the first second of a process is not "60 a minute", and must not page anyone.
      throttledPerMinute: throttled / windowMinutes,
      requestsPerMinute: attempts / coveredMinutes,
      successRate: attempts > 0 ? (attempts - errors) / attempts : null,
      p95Seconds: q(0.95),
      latencyP50Seconds: q(0.5),
      latencyP99Seconds: q(0.99),
    };
  }

  function upstreamNames(known: readonly string[]): string[] {
    return [...new Set([...known, ...windows.keys()])];
  }

  return {
    async sample(now = Date.now()) {
      const [totals, businessTotals] = await Promise.all([readUpstreamTotals(), readBusinessTotals()]);
      for (const [name, t] of totals) {
        const before = previous.get(name) ?? new Float64Array(UPSTREAM_WIDTH);
        const w = windowOf(name);
        for (let i = 0; i < UPSTREAM_WIDTH; i++) w.add(i, growth(t[i] as number, before[i] as number), now);
        previous.set(name, t);
      }
      for (const w of windows.values()) w.advance(now);
      for (let i = 0; i < businessTotals.length; i++) {
        const delta = growth(businessTotals[i] as number, previousBusiness[i] as number);
        business.add(i, delta, now);
        if (i === BUSINESS_KINDS.length + 1) failedOrders.add(0, delta, now);
      }
      previousBusiness.set(businessTotals);
      business.advance(now);
      failedOrders.advance(now);
      sampledAt = now;
    },
    upstreams: (known = []) => upstreamNames(known).map(ratesOf),
    business() {
      const hours = business.coveredMs(sampledAt) / 3_600_000;
      const perHour = (i: number) => business.sum(i) / hours;
      let attempts = 0;
      let errors = 0;
      for (const w of windows.values()) {
        attempts += w.sum(ATTEMPTS);
        errors += Math.min(w.sum(ATTEMPTS), w.sum(ERRORS));
      }
      return {
        partsSyncedPerHour: perHour(0),
        productsWrittenPerHour: perHour(1),
        syncFailuresPerHour: perHour(2),
        supplierOrdersPlacedPerHour: perHour(3),
        supplierOrdersFailedPerHour: perHour(4),
        failedOrdersInOrderWindow: failedOrders.sum(0),
        errorRate: attempts > 0 ? errors / attempts : null,
      };
    },
    alertInputs(known = []) {
      return { upstreams: upstreamNames(known).map(ratesOf), failedOrders: failedOrders.sum(0), minAttempts: options.minAttempts };
    },
  };
}
