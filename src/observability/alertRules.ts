/**
 * The alert rules: the thresholds the tool Crossdock replaces specified for
 * its monitoring ("error rate warning > 5 % / critical > 10 %, response time
 * > 2 s / > 5 s, rate-limit hits > 10 / > 50 per minute, failed orders > 1 /
 * > 5"), each a value measured over a sliding window and compared with a
 * warning and a critical threshold. A rule fires strictly above its
 * threshold, as the specification's ">" says.
 *
 * The same rules, in PromQL over the same metrics, are
 * deploy/prometheus/alerts.yml (for people who run Prometheus and
 * Alertmanager); test/repo/prometheusRules.test.ts checks that both name
 * the same rules with the same thresholds, and runs `promtool test rules`.
 */

export type AlertSeverity = 'warning' | 'critical';
export const ALERT_SEVERITIES: readonly AlertSeverity[] = ['warning', 'critical'];

/** What the upstream rules see of one upstream over the window. */
export interface UpstreamWindow {
  name: string;
  /** Attempts (one HTTP exchange each, retries included) in the window. */
  attempts: number;
  /** Attempts answered 5xx, or not answered at all (timeout, reset, refused). */
  errors: number;
  /** 429 answers per minute over the whole window (also while the gateway is younger than it). */
  throttledPerMinute: number;
  /** 95th percentile of attempt latency over the window, seconds (histogram_quantile); null without attempts. */
  p95Seconds: number | null;
}

/** Everything the rules measure, as of one evaluation. */
export interface AlertInputs {
  upstreams: readonly UpstreamWindow[];
  /** Supplier orders that ended MANUAL_REVIEW or REJECTED within the order window. */
  failedOrders: number;
  /** Fewer attempts than this in the window: the ratio and latency rules say nothing about that upstream. */
  minAttempts: number;
}

export interface Measurement {
  value: number;
  /** The upstream the value is from (the worst one), for upstream rules. */
  upstream?: string;
}

export interface AlertRule {
  /** Also the Prometheus `alertname` in deploy/prometheus/alerts.yml. */
  name: string;
  /** What it means for a person, shown on the dashboard. */
  summary: string;
  unit: 'ratio' | 'seconds' | 'per minute' | 'orders';
  /** Fires when the value is strictly above. */
  thresholds: Readonly<Record<AlertSeverity, number>>;
  /** The value now; null when there is too little to say (no traffic, too few attempts). */
  measure(inputs: AlertInputs): Measurement | null;
}

/** The worst upstream by `value`, among those `eligible`. */
function worst(inputs: AlertInputs, eligible: (u: UpstreamWindow) => boolean, value: (u: UpstreamWindow) => number | null): Measurement | null {
  let best: Measurement | null = null;
  for (const u of inputs.upstreams) {
    if (!eligible(u)) continue;
    const v = value(u);
    if (v === null || !Number.isFinite(v)) continue;
    if (!best || v > best.value) best = { value: v, upstream: u.name };
  }
  return best;
}

const enough = (inputs: AlertInputs) => (u: UpstreamWindow) => u.attempts > 0 && u.attempts >= inputs.minAttempts;

export const ALERT_RULES: readonly AlertRule[] = [
  {
    name: 'UpstreamErrorRate',
    summary: 'Share of upstream attempts answered 5xx or not at all',
    unit: 'ratio',
    thresholds: { warning: 0.05, critical: 0.1 },
    measure: (inputs) => worst(inputs, enough(inputs), (u) => u.errors / u.attempts),
  },
  {
    name: 'UpstreamLatency',
    summary: 'Upstream response time, 95th percentile',
    unit: 'seconds',
    thresholds: { warning: 2, critical: 5 },
    measure: (inputs) => worst(inputs, enough(inputs), (u) => u.p95Seconds),
  },
  {
    name: 'UpstreamRateLimited',
    summary: 'Rate-limit hits: 429 answers from an upstream per minute',
    unit: 'per minute',
    thresholds: { warning: 10, critical: 50 },
    // Any 429 counts, however little traffic: the vendor said stop.
    measure: (inputs) => worst(inputs, () => true, (u) => u.throttledPerMinute),
  },
  {
    name: 'SupplierOrdersFailed',
    summary: 'Supplier orders that failed (manual review or rejected)',
    unit: 'orders',
    thresholds: { warning: 1, critical: 5 },
    measure: (inputs) => ({ value: inputs.failedOrders }),
  },
];
