/**
 * The orders mirror as a service (DESIGN.md, "Mirrors"): a durable local
 * copy of a sales channel's orders — read by the graph, the old orders
 * cache's drop-in and the export with no upstream call — filled three ways:
 *
 * - refreshes, as ORDER_MIRROR sync jobs (runMirrorRefresh.ts), one at a
 *   time per channel, started by `refreshOrderMirror` or by the schedule
 *   this service keeps (ORDER_MIRROR_INTERVAL_SECONDS, an INCREMENTAL one
 *   among the sync schedules, ensured at start);
 * - webhooks: each verified event is recorded before the channel is told it
 *   arrived (dedupe on its id), then applied by the event applier, oldest
 *   order version first — the version rule in the store decides, so an
 *   older event after a newer one changes nothing;
 * - and it reports its freshness: status, count, last refresh, lag,
 *   refreshing, the last error, and a subscription of all that.
 */
import type { MirrorChannel } from '../domain/channelOrders.js';
import { MIRROR_CHANNELS } from '../domain/channelOrders.js';
import type { OrderEvent, OrderSource } from '../domain/orderSourcePorts.js';
import { ErrorCode, crossdockError } from '../errors/crossdockError.js';
import type { JobEvents } from '../jobs/events.js';
import type { JobStore } from '../jobs/store/jobStore.js';
import type { SyncService } from '../jobs/syncService.js';
import type { MirrorRefreshMode, SyncJobRecord } from '../jobs/types.js';
import { ACTIVE_STATUSES, isFinal } from '../jobs/types.js';
import type { Logger } from '../observability/logger.js';
import type { Leases } from '../storage/leases.js';
import type { MirrorStore } from './mirrorStore.js';
import { runMirrorRefresh } from './runMirrorRefresh.js';

export type MirrorStatus = 'EMPTY' | 'FILLING' | 'READY' | 'STALE';

/** A channel's mirror as the graph and the drop-in show it. */
export interface MirrorState {
  channel: MirrorChannel;
  status: MirrorStatus;
  count: number;
  lastRefreshedAt: string | null;
  lagSeconds: number | null;
  refreshing: boolean;
  lastError: string | null;
  /** The refresh running now, or the last one. */
  job: SyncJobRecord | null;
  configured: boolean;
}

export interface OrderMirrorOptions {
  store: MirrorStore;
  jobs: JobStore;
  events: JobEvents;
  logger: Logger;
  /** The channels' connectors (Shopify's `orderSource`), by channel; a channel without one is read, not refreshed. */
  sources: Partial<Record<MirrorChannel, OrderSource>>;
  leases: Leases;
  /** Several instances share the records: the schedule is ensured under a lease. */
  shared: boolean;
  /** ORDER_MIRROR_*: schedule, overlap, batch size, poll interval, event retention. */
  config: { intervalSeconds: number; overlapMs: number; batchSize: number; pollMs: number; eventRetentionMs: number };
  publish(job: SyncJobRecord): void;
  /** @default Date.now */
  now?: () => number;
  /** How often the event applier looks for events it was not told of (another instance recorded them). @default 5000 */
  applierSweepMs?: number;
}

export interface OrderMirror {
  readonly store: MirrorStore;
  configured(channel: MirrorChannel): boolean;
  state(channel: MirrorChannel): Promise<MirrorState>;
  /** Starts a refresh (one at a time per channel: the running one is answered instead). */
  refresh(channel: MirrorChannel, mode: MirrorRefreshMode, startedBy: string, sync: SyncService): Promise<{ job: SyncJobRecord; alreadyRunning: boolean }>;
  /** The state at once, then as a refresh runs, and the state when it ends; then the stream ends. */
  watch(channel: MirrorChannel): AsyncIterableIterator<MirrorState>;
  /** The ORDER_MIRROR pipeline (the domain's pipeline table runs it). */
  run(job: SyncJobRecord, signal: AbortSignal): Promise<SyncJobRecord>;
  /** Takes a channel's verified webhook event durably; resolves once it is recorded. */
  intake(channel: MirrorChannel, event: OrderEvent): Promise<void>;
  /** Ensures the schedule, registers the webhooks, starts the event applier. */
  start(sync: SyncService): Promise<void>;
  stop(): Promise<void>;
}

export function mirrorNotConfigured(channel: MirrorChannel): Error {
  return crossdockError(ErrorCode.UPSTREAM_UNAVAILABLE, `no ${channel} connector is configured (set SHOPIFY_STORE_URL): its mirror is read, but not refreshed`, { upstream: channel.toLowerCase(), reason: 'NOT_CONFIGURED' });
}

export function createOrderMirror(options: OrderMirrorOptions): OrderMirror {
  const { store, jobs, logger, config } = options;
  const now = options.now ?? Date.now;
  const iso = () => new Date(now()).toISOString();
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;

  const jobOf = (job: SyncJobRecord, channel: MirrorChannel) => job.kind === 'ORDER_MIRROR' && job.scope.channel === channel;

  async function latestJob(channel: MirrorChannel): Promise<SyncJobRecord | null> {
    const { items } = await jobs.list({ kind: ['ORDER_MIRROR'] }, 0, 50);
    return items.find((j) => jobOf(j, channel)) ?? null;
  }

  async function state(channel: MirrorChannel, knownJob?: SyncJobRecord): Promise<MirrorState> {
    const [record, count, last] = await Promise.all([store.state(channel), store.count({ channel }), knownJob ? Promise.resolve(knownJob) : latestJob(channel)]);
    const refreshing = last !== null && ACTIVE_STATUSES.includes(last.status);
    const t = now();
    const failedLast = record.lastError !== null && (record.lastRefreshedAt === null || (record.lastErrorAt ?? '') >= record.lastRefreshedAt);
    const overdue = config.intervalSeconds > 0 && record.lastRefreshedAt !== null && t - Date.parse(record.lastRefreshedAt) > 2 * config.intervalSeconds * 1000;
    const status: MirrorStatus = record.asOf === null ? (refreshing ? 'FILLING' : 'EMPTY') : failedLast || overdue ? 'STALE' : 'READY';
    return {
      channel,
      status,
      count,
      lastRefreshedAt: record.lastRefreshedAt,
      lagSeconds: record.asOf ? Math.max(0, Math.round((t - Date.parse(record.asOf)) / 1000)) : null,
      refreshing,
      lastError: failedLast ? record.lastError : null,
      job: last,
      configured: options.sources[channel] !== undefined,
    };
  }

  // ---- webhook events: recorded at intake, applied here ----------------------------------------
  const appliers = new Map<MirrorChannel, { kick(): void; idle(): Promise<void> }>();
  function applierFor(channel: MirrorChannel) {
    let running: Promise<void> | undefined;
    let again = false;
    const drain = async () => {
      do {
        again = false;
        for (;;) {
          const pending = await store.pendingEvents(channel, 200);
          if (pending.length === 0) break;
          for (const event of pending) await store.applyEvent(channel, event, iso());
        }
      } while (again && !stopped);
    };
    const kick = () => {
      if (running) {
        again = true;
        return;
      }
      running = drain()
        .catch((err: unknown) => logger.warn({ channel, err: err instanceof Error ? err.message : String(err) }, 'webhook events could not be applied; the next sweep retries'))
        .finally(() => {
          running = undefined;
        });
    };
    return { kick, idle: async () => void (await running) };
  }
  for (const channel of MIRROR_CHANNELS) appliers.set(channel, applierFor(channel));

  async function intake(channel: MirrorChannel, event: OrderEvent): Promise<void> {
    const fresh = await store.recordEvent(channel, event, iso());
    if (fresh) appliers.get(channel)?.kick();
    if (fresh && event.problem) logger.warn({ channel, topic: event.topic, problem: event.problem }, 'a signed webhook is not an order the mirror can keep; it is recorded');
  }
  // Deliveries go to the sink from now on (the routes serve once the gateway listens).
  for (const [channel, source] of Object.entries(options.sources) as Array<[MirrorChannel, OrderSource]>) {
    source.webhooks.deliverTo((event) => intake(channel, event));
  }

  // ---- the schedule -----------------------------------------------------------------------------
  async function ensureSchedule(channel: MirrorChannel): Promise<void> {
    const lease = options.shared ? await options.leases.acquire(`mirror-schedule:${channel}`, 30_000) : undefined;
    if (options.shared && !lease) return; // another instance is ensuring it now
    try {
      const mine = (await jobs.schedules()).filter((s) => s.kind === 'ORDER_MIRROR' && s.scope.channel === channel);
      const wanted = config.intervalSeconds;
      const keep = mine.find((s) => s.intervalSeconds === wanted && s.cron === null && s.scope.mode === 'INCREMENTAL');
      for (const s of mine) if (s !== keep) await jobs.removeSchedule(s.id);
      if (wanted > 0 && !keep) {
        await jobs.addSchedule({ kind: 'ORDER_MIRROR', scope: { channel, mode: 'INCREMENTAL' }, intervalSeconds: wanted, cron: null, createdBy: 'order-mirror', nextRunAt: new Date(now() + wanted * 1000).toISOString() });
      }
    } finally {
      await lease?.release();
    }
  }

  // ---- the subscription -------------------------------------------------------------------------
  function watch(channel: MirrorChannel): AsyncIterableIterator<MirrorState> {
    let latest: SyncJobRecord | undefined;
    let dirty = true;
    let sawActive = false;
    let done = false;
    let wake: (() => void) | null = null;
    const unsubscribe = options.events.subscribe(null, (job) => {
      if (!jobOf(job, channel)) return;
      latest = job;
      dirty = true;
      wake?.();
    });
    const finish = () => {
      done = true;
      unsubscribe();
      wake?.();
    };
    let lastSent = 0;
    const iterator: AsyncIterableIterator<MirrorState> = {
      async next() {
        for (;;) {
          if (done) return { value: undefined, done: true };
          if (dirty) {
            // At most 10 states a second: progress coalesces (the state is read when it is sent, so none is stale).
            const wait = lastSent + 100 - Date.now();
            if (wait > 0) await new Promise<void>((resolve) => setTimeout(resolve, wait));
            if (done) return { value: undefined, done: true };
            dirty = false;
            lastSent = Date.now();
            const job = latest;
            const current = await state(channel, job);
            if (current.refreshing) sawActive = true;
            // The state after the refresh this stream followed ended: the last one (the old `updated`, then `done`).
            if (current.job && isFinal(current.job.status) && sawActive) {
              done = true;
              unsubscribe();
            }
            return { value: current, done: false };
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = null;
        }
      },
      async return() {
        finish();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  return {
    store,
    configured: (channel) => options.sources[channel] !== undefined,
    state: (channel) => state(channel),
    async refresh(channel, mode, startedBy, sync) {
      if (!options.sources[channel]) throw mirrorNotConfigured(channel);
      return sync.start({ kind: 'ORDER_MIRROR', scope: { channel, mode } }, startedBy);
    },
    watch,
    run(job, signal) {
      const channel = job.scope.channel as MirrorChannel;
      return runMirrorRefresh(job, { source: options.sources[channel], mirror: store, jobs, publish: options.publish, logger, overlapMs: config.overlapMs, batchSize: config.batchSize, pollMs: config.pollMs, now }, signal);
    },
    intake,
    async start(sync) {
      void sync;
      for (const channel of MIRROR_CHANNELS) {
        const source = options.sources[channel];
        if (!source) continue;
        await ensureSchedule(channel).catch((err: unknown) => logger.warn({ channel, err: err instanceof Error ? err.message : String(err) }, 'the mirror schedule could not be ensured'));
        // Bounded: a slow or refusing channel must not hold the start; pulls cover what webhooks would.
        await Promise.race([
          source.webhooks.register().catch((err: unknown) => logger.warn({ channel, err: err instanceof Error ? err.message : String(err) }, 'webhooks could not be registered; the mirror relies on its incremental pulls')),
          new Promise<void>((resolve) => setTimeout(resolve, 5_000).unref()),
        ]);
        appliers.get(channel)?.kick();
      }
      const sweep = setInterval(() => {
        for (const a of appliers.values()) a.kick();
      }, options.applierSweepMs ?? 5_000);
      sweep.unref();
      timers.push(sweep);
      const purge = () =>
        void store.purgeEvents(new Date(now() - config.eventRetentionMs).toISOString()).catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'old webhook events could not be purged'));
      purge();
      const purging = setInterval(purge, 3_600_000);
      purging.unref();
      timers.push(purging);
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      await Promise.all([...appliers.values()].map((a) => a.idle()));
    },
  };
}
