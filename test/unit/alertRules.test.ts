/**
 * The gateway's alert rules at each threshold (alertRules.ts, alertBoard.ts),
 * fed through the real chain: prom-client metrics → sliding windows
 * (windowedFigures.ts) → the board. Each rule is OK at its threshold and
 * fires just above it, warning first, then critical; it resolves when the
 * window slides past what made it fire. deploy/prometheus/alerts.yml's
 * own tests (test/repo/prometheusRules.test.ts) use the same figures.
 */
import { describe, expect, it } from 'vitest';
import { createAlertBoard, type AlertStatus } from '../../src/observability/alertBoard.js';
import { ALERT_RULES } from '../../src/observability/alertRules.js';
import { histogramQuantile } from '../../src/observability/histogramQuantile.js';
import { createMetrics, type Metrics } from '../../src/observability/metrics.js';
import { createSlidingWindow } from '../../src/observability/slidingWindow.js';
import { createWindowedFigures } from '../../src/observability/windowedFigures.js';

const T0 = 1_700_000_000_000;
const WINDOW = 300_000;

function setup(minAttempts = 10) {
  const metrics = createMetrics();
  const figures = createWindowedFigures({ metrics, windowMs: WINDOW, orderWindowMs: 3_600_000, slotMs: 1_000, minAttempts, startedAt: T0 });
  const board = createAlertBoard({ startedAt: T0, gauge: metrics.alertFiring });
  let now = T0;
  return {
    metrics,
    async at(ms: number): Promise<Map<string, AlertStatus>> {
      now = T0 + ms;
      await figures.sample(now);
      const statuses = board.evaluate(figures.alertInputs(['finditparts', 'bigcommerce']), now);
      return new Map(statuses.map((s) => [`${s.name}/${s.severity}`, s]));
    },
  };
}

/** `n` attempts of `upstream` answered `status`, each taking `seconds`. */
function attempts(metrics: Metrics, upstream: string, status: string, n: number, seconds = 0.05): void {
  for (let i = 0; i < n; i++) {
    metrics.upstreamRequests.inc({ upstream, endpoint: 'products.multi', status });
    metrics.upstreamLatency.observe({ upstream, endpoint: 'products.multi' }, seconds);
  }
}

const states = (m: Map<string, AlertStatus>, name: string) => [m.get(`${name}/warning`)?.state, m.get(`${name}/critical`)?.state];

describe('UpstreamErrorRate: warning above 5 %, critical above 10 %', () => {
  it.each([
    [5, 95, ['ok', 'ok']],
    [6, 94, ['firing', 'ok']],
    [10, 90, ['firing', 'ok']],
    [11, 89, ['firing', 'firing']],
  ] as const)('%i errors in 100 attempts: %j', async (errors, ok, expected) => {
    const s = setup();
    attempts(s.metrics, 'finditparts', '200', ok);
    attempts(s.metrics, 'finditparts', '500', errors);
    const m = await s.at(10_000);
    expect(states(m, 'UpstreamErrorRate')).toEqual(expected);
    expect(m.get('UpstreamErrorRate/warning')).toMatchObject({ value: errors / 100, upstream: 'finditparts' });
  });

  it('counts unanswered attempts (timeouts, resets) as errors, and 429s and 404s not', async () => {
    const s = setup();
    attempts(s.metrics, 'bigcommerce', '200', 80);
    attempts(s.metrics, 'bigcommerce', '404', 5);
    attempts(s.metrics, 'bigcommerce', '429', 4);
    attempts(s.metrics, 'bigcommerce', 'error', 11);
    const m = await s.at(1_000);
    expect(m.get('UpstreamErrorRate/critical')).toMatchObject({ state: 'firing', value: 0.11, upstream: 'bigcommerce' });
  });

  it('judges the worst upstream, not the average', async () => {
    const s = setup();
    attempts(s.metrics, 'bigcommerce', '200', 1000);
    attempts(s.metrics, 'finditparts', '200', 90);
    attempts(s.metrics, 'finditparts', '503', 10);
    expect(states(await s.at(1_000), 'UpstreamErrorRate')).toEqual(['firing', 'ok']);
  });

  it('says nothing about an upstream with fewer than ALERT_MIN_ATTEMPTS attempts in the window', async () => {
    const s = setup(10);
    attempts(s.metrics, 'finditparts', '500', 9);
    const m = await s.at(1_000);
    expect(states(m, 'UpstreamErrorRate')).toEqual(['ok', 'ok']);
    expect(m.get('UpstreamErrorRate/warning')?.value).toBeNull();
  });

  it('fires, keeps its since, and resolves once the window has slid past the errors', async () => {
    const s = setup();
    attempts(s.metrics, 'finditparts', '200', 80);
    attempts(s.metrics, 'finditparts', '500', 20);
    const firing = await s.at(5_000);
    expect(firing.get('UpstreamErrorRate/critical')).toMatchObject({ state: 'firing', since: T0 + 5_000, value: 0.2 });
    // 20 errors in 160: still critical, since unchanged.
    attempts(s.metrics, 'finditparts', '200', 60);
    const still = await s.at(60_000);
    expect(still.get('UpstreamErrorRate/critical')).toMatchObject({ state: 'firing', since: T0 + 5_000, value: 0.125 });
    // 20 errors in 200: 10 %, no longer above the critical threshold, still above the warning one.
    attempts(s.metrics, 'finditparts', '200', 40);
    const lower = await s.at(120_000);
    expect(states(lower, 'UpstreamErrorRate')).toEqual(['firing', 'ok']);
    expect(lower.get('UpstreamErrorRate/critical')?.since).toBe(T0 + 120_000);
    expect(lower.get('UpstreamErrorRate/warning')?.since).toBe(T0 + 5_000);
    // Once the window has slid past the first batch: 0 errors in the 100 attempts left.
    const resolved = await s.at(5_000 + WINDOW + 1_000);
    expect(states(resolved, 'UpstreamErrorRate')).toEqual(['ok', 'ok']);
    expect(resolved.get('UpstreamErrorRate/warning')).toMatchObject({ since: T0 + 5_000 + WINDOW + 1_000, value: 0 });
  });

  it('mirrors its state on the crossdock_alert_firing gauge', async () => {
    const s = setup();
    attempts(s.metrics, 'finditparts', '200', 94);
    attempts(s.metrics, 'finditparts', '500', 6);
    await s.at(1_000);
    const text = await s.metrics.registry.metrics();
    expect(text).toContain('crossdock_alert_firing{alertname="UpstreamErrorRate",severity="warning"} 1');
    expect(text).toContain('crossdock_alert_firing{alertname="UpstreamErrorRate",severity="critical"} 0');
  });
});

describe('UpstreamLatency (p95): warning above 2 s, critical above 5 s', () => {
  it.each([
    // 94 fast attempts and 6 slow ones: the 95th falls among the slow ones, interpolated in their bucket
    // (at 2 s: inside (1, 2], so below the threshold).
    [2, ['ok', 'ok']],
    [2.2, ['firing', 'ok']],
    [5, ['firing', 'ok']],
    [6, ['firing', 'firing']],
  ] as const)('the slowest 6 %% of attempts at %f s: %j', async (slow, expected) => {
    const s = setup();
    attempts(s.metrics, 'bigcommerce', '200', 94, 0.04);
    attempts(s.metrics, 'bigcommerce', '200', 6, slow);
    const m = await s.at(1_000);
    expect(states(m, 'UpstreamLatency')).toEqual(expected);
  });

  it('is exactly at the threshold when 95 % of attempts are at most 2 s', async () => {
    const s = setup();
    attempts(s.metrics, 'bigcommerce', '200', 90, 0.04);
    attempts(s.metrics, 'bigcommerce', '200', 5, 1.5);
    attempts(s.metrics, 'bigcommerce', '200', 5, 9);
    const m = await s.at(1_000);
    expect(m.get('UpstreamLatency/warning')).toMatchObject({ state: 'ok', value: 2 });
  });
});

describe('UpstreamRateLimited: warning above 10, critical above 50 429s per minute', () => {
  it.each([
    [50, ['ok', 'ok']],
    [55, ['firing', 'ok']],
    [250, ['firing', 'ok']],
    [255, ['firing', 'firing']],
  ] as const)('%i 429s over the 5-minute window: %j', async (n, expected) => {
    const s = setup();
    attempts(s.metrics, 'bigcommerce', '429', n);
    // A full window covered, so the rate is over 5 minutes.
    const m = await s.at(WINDOW);
    expect(states(m, 'UpstreamRateLimited')).toEqual(expected);
    expect(m.get('UpstreamRateLimited/warning')?.value).toBeCloseTo(n / 5, 9);
  });
});

describe('UpstreamRateLimited in a young gateway', () => {
  it('one 429 in the first second is not 60 a minute: the rate is over the whole window, as alerts.yml divides the 5 minutes’ increase by 5', async () => {
    const s = setup();
    attempts(s.metrics, 'bigcommerce', '429', 1);
    const m = await s.at(1_000);
    expect(states(m, 'UpstreamRateLimited')).toEqual(['ok', 'ok']);
    expect(m.get('UpstreamRateLimited/warning')?.value).toBeCloseTo(0.2, 9);
  });
});

describe('SupplierOrdersFailed: warning above 1, critical above 5 in the order window', () => {
  it.each([
    [1, ['ok', 'ok']],
    [2, ['firing', 'ok']],
    [5, ['firing', 'ok']],
    [6, ['firing', 'firing']],
  ] as const)('%i failed orders: %j', async (n, expected) => {
    const s = setup();
    s.metrics.supplierOrders.inc({ outcome: 'placed' }, 20);
    s.metrics.supplierOrders.inc({ outcome: 'failed' }, n);
    expect(states(await s.at(1_000), 'SupplierOrdersFailed')).toEqual(expected);
  });

  it('forgets failures older than the order window', async () => {
    const s = setup();
    s.metrics.supplierOrders.inc({ outcome: 'failed' }, 6);
    expect(states(await s.at(1_000), 'SupplierOrdersFailed')).toEqual(['firing', 'firing']);
    expect(states(await s.at(3_600_000 + 10_000), 'SupplierOrdersFailed')).toEqual(['ok', 'ok']);
  });
});

describe('the pieces', () => {
  it('every rule has a warning threshold below its critical one', () => {
    for (const rule of ALERT_RULES) expect(rule.thresholds.warning, rule.name).toBeLessThan(rule.thresholds.critical);
  });

  it('histogramQuantile interpolates as Prometheus does', () => {
    const bounds = [1, 2, 4];
    expect(histogramQuantile(0.5, bounds, [10, 20, 20], 20)).toBe(1);
    expect(histogramQuantile(0.75, bounds, [10, 20, 20], 20)).toBe(1.5);
    expect(histogramQuantile(0.25, bounds, [10, 20, 20], 20)).toBe(0.5);
    // In the +Inf bucket: the largest finite bound.
    expect(histogramQuantile(0.99, bounds, [0, 0, 0], 5)).toBe(4);
    expect(histogramQuantile(0.5, bounds, [0, 0, 0], 0)).toBeNull();
  });

  it('a sliding window drops what is older than it, slot by slot', () => {
    const w = createSlidingWindow({ windowMs: 3_000, slotMs: 1_000, width: 1, startedAt: 0 });
    w.add(0, 1, 0);
    w.add(0, 2, 1_500);
    w.add(0, 4, 2_900);
    expect(w.sum(0)).toBe(7);
    w.advance(3_000);
    expect(w.sum(0)).toBe(6);
    w.advance(4_999);
    expect(w.sum(0)).toBe(4);
    w.advance(60_000);
    expect(w.sum(0)).toBe(0);
    expect(w.coveredMs(60_000)).toBe(3_000);
  });
});
