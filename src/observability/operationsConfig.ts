/**
 * The operations part of the configuration: how often the dashboard's
 * snapshot is taken and pushed (and the alert rules evaluated), and the
 * sliding windows the rules measure over. config.ts merges
 * `OPERATIONS_ENV` into its environment schema and calls
 * `operationsConfig()`; every variable is in the README's configuration table.
 */
import { z } from 'zod';

export interface OperationsConfig {
  /** How often the figures are sampled, the alert rules evaluated and a snapshot pushed to open dashboards (DASHBOARD_INTERVAL_MS). */
  intervalMs: number;
  /** The sliding window of error rates, latency percentiles and per-minute and per-hour rates (ALERT_WINDOW_SECONDS). */
  alertWindowMs: number;
  /** The window failed supplier orders are counted over (ALERT_ORDER_WINDOW_SECONDS). */
  orderWindowMs: number;
  /** An upstream with fewer attempts than this in the window is not judged on error rate or latency (ALERT_MIN_ATTEMPTS). */
  minAttempts: number;
  /** One point of the dashboard's hour of history per this long (DASHBOARD_HISTORY_STEP_SECONDS). */
  historyStepMs: number;
}

const secondsAsMs = (def: number, min: number) =>
  z.coerce
    .number()
    .int()
    .min(min)
    .max(86_400)
    .default(def)
    .transform((s) => s * 1000);

export const OPERATIONS_ENV = {
  // The issue asks for a snapshot every 1–2 s; tests shorten it.
  DASHBOARD_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(1_000),
  // Five minutes, as Prometheus rules usually rate over (deploy/prometheus/alerts.yml uses [5m]).
  ALERT_WINDOW_SECONDS: secondsAsMs(300, 2),
  // "Failed orders > 1 / > 5": per hour (alerts.yml uses [1h]).
  ALERT_ORDER_WINDOW_SECONDS: secondsAsMs(3_600, 2),
  ALERT_MIN_ATTEMPTS: z.coerce.number().int().min(1).max(1_000_000).default(10),
  DASHBOARD_HISTORY_STEP_SECONDS: secondsAsMs(10, 1),
};

type OperationsEnv = z.output<z.ZodObject<typeof OPERATIONS_ENV>>;

export function operationsConfig(e: OperationsEnv, problems: string[]): OperationsConfig {
  // A window must hold more than one sample, or every rate is one sample's noise.
  if (e.ALERT_WINDOW_SECONDS < 2 * e.DASHBOARD_INTERVAL_MS) problems.push('ALERT_WINDOW_SECONDS must be at least two DASHBOARD_INTERVAL_MS');
  return {
    intervalMs: e.DASHBOARD_INTERVAL_MS,
    alertWindowMs: e.ALERT_WINDOW_SECONDS,
    orderWindowMs: e.ALERT_ORDER_WINDOW_SECONDS,
    minAttempts: e.ALERT_MIN_ATTEMPTS,
    historyStepMs: e.DASHBOARD_HISTORY_STEP_SECONDS,
  };
}
