/**
 * The alert board: every rule of alertRules.ts at each severity, evaluated
 * on demand (the operations monitor calls it once per tick), each with its
 * state (OK or FIRING) and since when. A rule fires at a severity while its
 * value is strictly above that severity's threshold, and is OK otherwise,
 * including when there is nothing to measure. Each change is reported
 * once (for the log) and mirrored on the `crossdock_alert_firing` gauge.
 */
import type { Gauge } from 'prom-client';
import { ALERT_RULES, ALERT_SEVERITIES, type AlertInputs, type AlertRule, type AlertSeverity } from './alertRules.js';

export type AlertState = 'ok' | 'firing';

export interface AlertStatus {
  name: string;
  severity: AlertSeverity;
  state: AlertState;
  /** When it entered this state, ms since the epoch (the board's start for a state it never left). */
  since: number;
  /** The measured value; null when there was nothing to measure. */
  value: number | null;
  threshold: number;
  unit: AlertRule['unit'];
  upstream: string | null;
  summary: string;
}

export interface AlertBoardOptions {
  /** @default ALERT_RULES */
  rules?: readonly AlertRule[];
  /** `since` of states that never changed. @default Date.now() */
  startedAt?: number;
  /** Set to 1 while firing, 0 otherwise, labelled alertname and severity. @default none */
  gauge?: Gauge<'alertname' | 'severity'>;
  /** Called once per change of state. */
  onChange?: (alert: AlertStatus) => void;
}

export interface AlertBoard {
  /** Evaluates every rule on `inputs`; returns every rule at every severity, rule order then severity order. */
  evaluate(inputs: AlertInputs, now?: number): readonly AlertStatus[];
  /** The statuses of the last evaluation (all OK before the first). */
  current(): readonly AlertStatus[];
}

export function createAlertBoard(options: AlertBoardOptions = {}): AlertBoard {
  const rules = options.rules ?? ALERT_RULES;
  const startedAt = options.startedAt ?? Date.now();
  let statuses: AlertStatus[] = rules.flatMap((rule) =>
    ALERT_SEVERITIES.map((severity) => ({
      name: rule.name,
      severity,
      state: 'ok' as const,
      since: startedAt,
      value: null,
      threshold: rule.thresholds[severity],
      unit: rule.unit,
      upstream: null,
      summary: rule.summary,
    })),
  );
  for (const s of statuses) options.gauge?.set({ alertname: s.name, severity: s.severity }, 0);

  return {
    evaluate(inputs, now = Date.now()) {
      const measured = new Map(rules.map((rule) => [rule.name, rule.measure(inputs)]));
      statuses = statuses.map((previous) => {
        const m = measured.get(previous.name) ?? null;
        const state: AlertState = m !== null && m.value > previous.threshold ? 'firing' : 'ok';
        const next: AlertStatus = {
          ...previous,
          state,
          since: state === previous.state ? previous.since : now,
          value: m?.value ?? null,
          upstream: m?.upstream ?? null,
        };
        if (state !== previous.state) {
          options.gauge?.set({ alertname: next.name, severity: next.severity }, state === 'firing' ? 1 : 0);
          options.onChange?.(next);
        }
        return next;
      });
      return statuses;
    },
    current: () => statuses,
  };
}
