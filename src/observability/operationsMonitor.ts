/**
 * The operations monitor: once per DASHBOARD_INTERVAL_MS it samples the
 * gateway's metrics into sliding windows (windowedFigures.ts), evaluates the
 * alert rules (alertBoard.ts), and keeps an hour of history for the
 * dashboard's charts. While dashboards are open it also builds the full
 * snapshot — per upstream figures, business figures, the process, running
 * jobs, work-queue counts, health — once per tick, and pushes that one
 * object to every subscriber (each then selects from it).
 *
 * The upstream rows come from the connector list (every connector's
 * upstream handles: breaker, pacer, budgets) and the metrics' `upstream`
 * label, so a connector added later appears with no edit here.
 */
import type { RunningConnector } from '../connectors/connector.js';
import type { SyncJobRecord } from '../jobs/types.js';
import type { JobStore } from '../jobs/store/jobStore.js';
import type { OrderStore } from '../orders/orderStore.js';
import type { BreakerKind } from '../upstreams/breaker.js';
import { createAlertBoard, type AlertStatus } from './alertBoard.js';
import type { HealthReport, HealthStatus } from './healthReport.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { OperationsConfig } from './operationsConfig.js';
import { createSystemSampler, type SystemFigures } from './systemSampler.js';
import { createWindowedFigures, type BusinessRates } from './windowedFigures.js';

export interface UpstreamFigures {
  name: string;
  /** The connector it belongs to, and how people call it. */
  connector: string;
  title: string;
  sandbox: boolean;
  health: HealthStatus;
  healthReason: string | null;
  breaker: BreakerKind;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyP99Ms: number | null;
  /** Attempts neither 5xx nor unanswered, share of all over the window; null without attempts. */
  successRate: number | null;
  requestsPerMinute: number;
  /** 429 answers per minute. */
  throttledPerMinute: number;
  quotaRemaining: number | null;
  quotaLimit: number | null;
  /** Requests waiting for a pacing slot, per lane. */
  queue: { interactive: number; bulk: number };
  inFlight: number;
}

export interface ProcessFigures extends SystemFigures {
  /** SSE event streams and WebSocket connections open. */
  openStreams: number;
}

/** One moment: what the charts plot. */
export interface DashboardPoint {
  /** ms since the epoch. */
  at: number;
  upstreams: UpstreamFigures[];
  business: BusinessRates;
  system: ProcessFigures;
}

export interface DashboardSnapshot extends DashboardPoint {
  intervalMs: number;
  windowMs: number;
  health: HealthReport;
  alerts: readonly AlertStatus[];
  /** Queued, running and interrupted jobs, and those that ended in the last 10 minutes, newest first (at most 20). */
  jobs: SyncJobRecord[];
  queues: { manualReviewOrders: number };
}

export interface OperationsMonitorOptions {
  config: OperationsConfig;
  metrics: Metrics;
  logger: Logger;
  connectors: () => readonly RunningConnector[];
  jobs: Pick<JobStore, 'list'>;
  orders: Pick<OrderStore, 'list'>;
  /** The last health report while at most `maxAgeMs` old (composition/readiness.ts). */
  health(maxAgeMs: number): Promise<HealthReport>;
  /** How long the history reaches back. @default 1 hour */
  historyMs?: number;
}

export interface OperationsMonitor {
  /** Every rule at every severity, as of the last tick. */
  alerts(): readonly AlertStatus[];
  /** The latest snapshot if taken this tick, else a new one. */
  snapshot(): Promise<DashboardSnapshot>;
  /** The last hour, one point per history step, oldest first. */
  history(): readonly DashboardPoint[];
  /** The current snapshot, then one per tick; a slow reader gets the latest, never a backlog. */
  stream(): AsyncIterableIterator<DashboardSnapshot>;
  /** Where the open-stream count comes from (the transports, built after the monitor). */
  countStreams(count: () => number): void;
  /** Starts ticking (bounded: no tick overlaps the last). */
  start(): void;
  stop(): void;
}

const BREAKER_HEALTH: Record<BreakerKind, HealthStatus> = { closed: 'healthy', halfOpen: 'degraded', open: 'unhealthy' };
const ms = (seconds: number | null) => (seconds === null ? null : Math.round(seconds * 100_000) / 100);
const ACTIVE: SyncJobRecord['status'][] = ['QUEUED', 'RUNNING', 'INTERRUPTED'];
const ENDED: SyncJobRecord['status'][] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
const MAX_JOBS = 20;
/** How long an ended job stays on the dashboard. */
const RECENT_MS = 10 * 60_000;

export function createOperationsMonitor(options: OperationsMonitorOptions): OperationsMonitor {
  const { config, metrics, logger } = options;
  const startedAt = Date.now();
  const figures = createWindowedFigures({ metrics, windowMs: config.alertWindowMs, orderWindowMs: config.orderWindowMs, slotMs: config.intervalMs, minAttempts: config.minAttempts, startedAt });
  const board = createAlertBoard({
    gauge: metrics.alertFiring,
    startedAt,
    onChange: (a) =>
      (a.state === 'firing' ? logger.warn.bind(logger) : logger.info.bind(logger))(
        { alert: a.name, severity: a.severity, value: a.value, threshold: a.threshold, upstream: a.upstream ?? undefined },
        a.state === 'firing' ? 'alert firing' : 'alert resolved',
      ),
  });
  const system = createSystemSampler();
  const historyMs = options.historyMs ?? 3_600_000;
  const history: DashboardPoint[] = [];
  /** Each open stream: how to hand it a snapshot, and how to end it (on stop). */
  const listeners = new Map<(s: DashboardSnapshot) => void, () => void>();
  let openStreams: () => number = () => 0;
  let latest: DashboardSnapshot | undefined;
  let lastHealth: HealthReport | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;

  function upstreamRows(health: HealthReport | undefined): UpstreamFigures[] {
    const handles = options.connectors().flatMap((c) => c.upstreams.map((u) => ({ c, u })));
    const rates = new Map(figures.upstreams(handles.map(({ u }) => u.http.name)).map((r) => [r.name, r]));
    return handles.map(({ c, u }) => {
      const r = rates.get(u.http.name);
      const pacing = u.pacer.snapshot();
      const breaker = u.breaker.kind();
      const check = health?.checks.connectors[c.name];
      return {
        name: u.http.name,
        connector: c.name,
        title: c.title,
        sandbox: c.sandbox,
        // The connector's own check when known, else what its breaker says.
        health: check?.status ?? BREAKER_HEALTH[breaker],
        healthReason: check?.reason ?? null,
        breaker,
        latencyP50Ms: ms(r?.latencyP50Seconds ?? null),
        latencyP95Ms: ms(r?.p95Seconds ?? null),
        latencyP99Ms: ms(r?.latencyP99Seconds ?? null),
        successRate: r?.successRate ?? null,
        requestsPerMinute: r?.requestsPerMinute ?? 0,
        throttledPerMinute: r?.throttledPerMinute ?? 0,
        // A cost-paced upstream (Shopify) shows its bucket's points.
        quotaRemaining: pacing.bucket ? pacing.bucket.available : pacing.vendorLeft,
        quotaLimit: pacing.bucket ? pacing.bucket.maximum : pacing.vendorQuota,
        queue: { interactive: pacing.waiting.interactive, bulk: pacing.waiting.bulk },
        inFlight: pacing.inFlight,
      };
    });
  }

  async function build(point: DashboardPoint, health: HealthReport): Promise<DashboardSnapshot> {
    // The records may be unreachable (Redis down): the snapshot still goes out, with what is known.
    const [active, ended, review] = await Promise.all([
      options.jobs.list({ status: ACTIVE }, 0, MAX_JOBS).then((r) => r.items, () => latest?.jobs.filter((j) => ACTIVE.includes(j.status)) ?? []),
      options.jobs.list({ status: ENDED }, 0, 5).then((r) => r.items, () => []),
      options.orders.list({ status: ['MANUAL_REVIEW'] }, 0, 1).then((r) => r.total, () => latest?.queues.manualReviewOrders ?? 0),
    ]);
    // A job that just ended stays a while, so its bar is seen at its end (100 %, or where it stopped).
    const recent = ended.filter((j) => j.finishedAt !== null && point.at - Date.parse(j.finishedAt) <= RECENT_MS);
    const jobs = [...active, ...recent].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, MAX_JOBS);
    return { ...point, intervalMs: config.intervalMs, windowMs: config.alertWindowMs, health, alerts: board.current(), jobs, queues: { manualReviewOrders: review } };
  }

  async function tick(): Promise<void> {
    const now = Date.now();
    await figures.sample(now);
    board.evaluate(figures.alertInputs(options.connectors().flatMap((c) => c.upstreams.map((u) => u.http.name))), now);
    const sys = system.sample();
    const watched = listeners.size > 0;
    // Health costs a Redis PING with REDIS_URL: read it each tick only while someone looks, else with the history.
    const lastPoint = history[history.length - 1];
    const historyDue = !lastPoint || now - lastPoint.at >= config.historyStepMs;
    if (watched || historyDue) lastHealth = await options.health(config.intervalMs / 2).catch(() => lastHealth);
    const point: DashboardPoint = { at: now, upstreams: upstreamRows(lastHealth), business: figures.business(), system: { ...sys, openStreams: openStreams() } };
    if (historyDue) {
      history.push(point);
      while (history.length > 0 && now - (history[0] as DashboardPoint).at > historyMs) history.shift();
    }
    if (watched && lastHealth) {
      latest = await build(point, lastHealth);
      for (const l of listeners.keys()) l(latest);
    } else {
      latest = undefined;
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      tick()
        .catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'operations tick failed; the next one retries'))
        .finally(schedule);
    }, config.intervalMs);
    timer.unref();
  }

  async function snapshot(): Promise<DashboardSnapshot> {
    if (latest && Date.now() - latest.at < config.intervalMs) return latest;
    const health = await options.health(config.intervalMs / 2);
    const point: DashboardPoint = { at: Date.now(), upstreams: upstreamRows(health), business: figures.business(), system: { ...system.sample(), openStreams: openStreams() } };
    return build(point, health);
  }

  return {
    alerts: () => board.current(),
    snapshot,
    history: () => history,
    stream() {
      let pending: DashboardSnapshot | undefined;
      let done = false;
      let wake: (() => void) | null = null;
      const listener = (s: DashboardSnapshot) => {
        pending = s;
        wake?.();
      };
      const end = () => {
        done = true;
        listeners.delete(listener);
        wake?.();
      };
      listeners.set(listener, end);
      let first: Promise<DashboardSnapshot> | undefined = snapshot();
      const iterator: AsyncIterableIterator<DashboardSnapshot> = {
        async next() {
          if (first) {
            const taking = first;
            first = undefined;
            const value = await taking;
            if (!done) return { value, done: false };
          }
          while (!done && !pending) {
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
            wake = null;
          }
          if (done) return { value: undefined, done: true };
          const value = pending as DashboardSnapshot;
          pending = undefined;
          return { value, done: false };
        },
        async return() {
          end();
          return { value: undefined, done: true };
        },
        [Symbol.asyncIterator]() {
          return iterator;
        },
      };
      return iterator;
    },
    countStreams(count) {
      openStreams = count;
    },
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      system.close();
      for (const end of [...listeners.values()]) end();
    },
  };
}
