/**
 * ORDER_MIRROR: one refresh of a channel's orders mirror, as a sync job
 * (DESIGN.md, "Mirrors": backfilled in bulk, kept fresh by incremental
 * pulls; a refresh is a job like a sync).
 *
 * - FULL (and INCREMENTAL on a mirror never filled): the channel's bulk
 *   export. Its id is recorded as soon as it exists, and every batch of
 *   orders commits with the file line it completes (mirror_backfills), so a
 *   job killed at any point resumes: it finds its export again (or adopts
 *   the one running, the shop runs one at a time), waits for it, and reads
 *   the file after the last line committed. Upserts follow the version rule,
 *   so nothing is inserted twice. Afterwards the cursor is the export's start.
 * - INCREMENTAL: pages of the orders updated since the cursor, less the
 *   overlap window (an order updated while a pull ran, or indexed late by the
 *   channel's search, is read again by the next); each page commits with the
 *   cursor moved to its newest update, so a killed pull resumes from there.
 *   A query is restarted from the cursor before the channel's pagination
 *   limit (upstreams.md: 25,000 objects).
 *
 * An order that cannot be read fails alone (a job failure naming it); the
 * refresh goes on. Losing the channel altogether fails the job, and the
 * mirror's state keeps the error.
 */
import type { ChannelOrder, ChannelOrderLine, MirrorChannel } from '../domain/channelOrders.js';
import type { BulkExport, OrderSource } from '../domain/orderSourcePorts.js';
import { JobCancelled } from '../jobs/pipeline/runSync.js';
import type { JobStore } from '../jobs/store/jobStore.js';
import type { SyncCounters, SyncJobRecord, SyncPhase } from '../jobs/types.js';
import { ACTIVE_STATUSES, ZERO_COUNTERS } from '../jobs/types.js';
import type { Logger } from '../observability/logger.js';
import { sleep } from '../limits/pacer.js';
import { UpstreamError } from '../upstreams/upstreamError.js';
import type { MirrorBatch, MirrorStore } from './mirrorStore.js';

export interface MirrorRefreshDeps {
  /** The channel's connector; undefined when it is not configured (the refresh fails saying so). */
  source: OrderSource | undefined;
  mirror: MirrorStore;
  jobs: JobStore;
  publish(job: SyncJobRecord): void;
  logger: Logger;
  overlapMs: number;
  batchSize: number;
  pollMs: number;
  /** A query is restarted from the cursor after this many orders (the channel's pagination limit, less a margin). @default 20000 */
  restartAfter?: number;
  /** Retries of a download cut short, each after a longer wait (the retry table's 5xx row). @default 5 */
  downloadRetries?: number;
  /** ms of the download retry's linear step. @default 5000 */
  downloadRetryStepMs?: number;
  now?: () => number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const ACTIVE_EXPORT = new Set(['CREATED', 'RUNNING', 'CANCELING']);

export async function runMirrorRefresh(initial: SyncJobRecord, deps: MirrorRefreshDeps, signal: AbortSignal): Promise<SyncJobRecord> {
  const { jobs, mirror } = deps;
  const clock = deps.now ?? Date.now;
  const channel = initial.scope.channel as MirrorChannel;
  const started = await jobs.updateIf(initial.id, ACTIVE_STATUSES, {
    status: 'RUNNING',
    phase: 'READING_STORE',
    startedAt: initial.startedAt ?? iso(clock()),
    runStartedAt: iso(clock()),
    runStartProcessed: initial.counters.processed,
    error: null,
  });
  if (!started.applied) return started.job;
  let job = started.job;
  deps.publish(job);
  const runStart = clock();

  const progress = async (phase: SyncPhase, counters: SyncCounters) => {
    job = await jobs.update(job.id, { phase, counters: { ...counters } });
    deps.publish(job);
  };
  let batches = 0;
  const checkCancel = async () => {
    if (signal.aborted) throw new JobCancelled();
    // The cancel flag is a record (another instance may have set it): read every few batches.
    if (batches++ % 5 === 0 && (await jobs.get(job.id))?.cancelRequested) throw new JobCancelled();
  };

  try {
    const source = deps.source;
    if (!source) throw new Error(`no ${channel} connector is configured: the mirror is read, but cannot be refreshed`);
    const state = await mirror.state(channel);
    const resuming = await mirror.backfill(job.id);
    const full = job.scope.mode === 'FULL' || state.cursorUpdatedAt === null || resuming !== undefined;
    const asOf = full ? await backfill(source) : await incremental(source, state.cursorUpdatedAt as string);
    // The state first, then the job's end: a subscriber that sees the job end reads the new state.
    await mirror.patchState(channel, { asOf, lastRefreshedAt: iso(clock()), lastError: null, lastErrorAt: null, ...(full ? { lastFullAt: iso(clock()) } : {}) });
    const counters = { ...job.counters, total: job.counters.processed };
    const finished = await jobs.updateIf(job.id, ['RUNNING'], { status: 'SUCCEEDED', phase: 'DONE', counters, finishedAt: iso(clock()) });
    if (finished.applied) deps.publish(finished.job);
    return finished.job;
  } catch (err) {
    if (!(err instanceof JobCancelled) && !signal.aborted) {
      const message = err instanceof Error ? err.message : String(err);
      await mirror.patchState(channel, { lastError: message.slice(0, 1_000), lastErrorAt: iso(clock()) }).catch(() => undefined);
    }
    throw err;
  }

  async function commit(batch: MirrorBatch): Promise<SyncCounters> {
    const outcome = await mirror.applyBatch(channel, { ...batch, counters: job.counters });
    job = await jobs.update(job.id, { counters: outcome.counters });
    deps.publish(job);
    return outcome.counters;
  }

  /** Pages since the cursor; returns when the mirror is whole as of. */
  async function incremental(source: OrderSource, cursor: string): Promise<string> {
    const restartAfter = deps.restartAfter ?? 20_000;
    let since = iso(Date.parse(cursor) - deps.overlapMs);
    let after: string | null = null;
    let inQuery = 0;
    await progress('WRITING', job.counters);
    for (;;) {
      await checkCancel();
      const page = await source.updatedSince(since, after, signal);
      const newest = page.orders.reduce<string | null>((m, o) => (m === null || o.updatedAt > m ? o.updatedAt : m), null);
      await commit({
        orders: page.orders,
        failures: { jobId: job.id, items: page.failures.map((f) => ({ key: f.orderId ? `order:${f.orderId}` : `page:${after ?? 'first'}`, message: f.message })) },
        ...(newest ? { cursor: newest } : {}),
      });
      if (!page.hasNextPage || !page.endCursor) break;
      inQuery += page.orders.length + page.failures.length;
      if (inQuery >= restartAfter && newest) {
        // A new query from the newest update read: the channel stops paging a query at its limit.
        since = newest;
        after = null;
        inQuery = 0;
      } else after = page.endCursor;
    }
    return iso(runStart);
  }

  /** A bulk export, read after the last line committed; returns the export's start (the mirror is whole as of it). */
  async function backfill(source: OrderSource): Promise<string> {
    let op = await findExport(source);
    for (let attempt = 0; ; attempt++) {
      op = await waitFor(source, op);
      if (op.status !== 'COMPLETED' || !op.url) {
        // An export that ended otherwise (expired, cancelled, failed) is started again once; then the job fails.
        if (attempt === 0) {
          deps.logger.warn({ jobId: job.id, status: op.status, errorCode: op.errorCode }, 'the bulk export did not complete; starting another');
          op = await startExport(source);
          continue;
        }
        throw new Error(`the ${channel} bulk export ended ${op.status}${op.errorCode ? ` (${op.errorCode})` : ''}`);
      }
      break;
    }
    const url = op.url as string;
    await mirror.saveBackfill({ jobId: job.id, channel, bulkId: op.id, bulkCreatedAt: op.createdAt, url });
    const counters = { ...job.counters, total: op.rootObjectCount ?? job.counters.total };
    await progress('WRITING', counters);
    const retries = deps.downloadRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      const row = await mirror.backfill(job.id);
      // The counters committed with the checkpoint are the job's (a kill may have come before the job's own update).
      if (row?.counters) job = await jobs.update(job.id, { counters: { ...row.counters, total: counters.total } });
      try {
        await readFile(source, url, (row?.linesCommitted ?? 0) + 1);
        break;
      } catch (err) {
        // Cut short: read again from the last line committed (the file does not change).
        if (!(err instanceof UpstreamError) || err.kind !== 'unavailable' || attempt >= retries || signal.aborted) throw err;
        deps.logger.warn({ jobId: job.id, err: err.message, attempt: attempt + 1 }, 'the bulk export download was cut short; reading again from the last line committed');
        await sleep((deps.downloadRetryStepMs ?? 5_000) * (attempt + 1), signal);
      }
    }
    const start = op.createdAt ?? iso(runStart);
    // Everything updated before the export started is in the file; incremental pulls start there.
    await mirror.applyBatch(channel, { orders: [], cursor: start });
    return start;
  }

  async function readFile(source: OrderSource, url: string, fromLine: number): Promise<void> {
    let batch: { orders: ChannelOrder[]; lateLines: Array<{ orderId: string; lines: ChannelOrderLine[] }>; failures: Array<{ key: string; message: string }> } = { orders: [], lateLines: [], failures: [] };
    let safeLine = fromLine - 1;
    const flush = async () => {
      if (batch.orders.length === 0 && batch.lateLines.length === 0 && batch.failures.length === 0) return;
      await commit({ orders: batch.orders, lateLines: batch.lateLines, failures: { jobId: job.id, items: batch.failures }, backfill: { jobId: job.id, linesCommitted: safeLine } });
      batch = { orders: [], lateLines: [], failures: [] };
      await checkCancel();
    };
    for await (const item of source.bulk.read(url, fromLine, signal)) {
      switch (item.kind) {
        case 'order':
          batch.orders.push(item.order);
          break;
        case 'lines':
          batch.lateLines.push({ orderId: item.orderId, lines: item.lines });
          break;
        case 'failure':
          batch.failures.push({ key: item.orderId ? `order:${item.orderId}` : `line:${item.line}`, message: item.message });
          break;
        default: {
          const never: never = item;
          throw new Error(`unknown bulk item ${JSON.stringify(never)}`);
        }
      }
      safeLine = Math.max(safeLine, item.line);
      if (batch.orders.length + batch.lateLines.length >= deps.batchSize) await flush();
    }
    await flush();
  }

  async function startExport(source: OrderSource): Promise<BulkExport> {
    const op = await source.bulk.start(signal);
    // Recorded at once: a job killed from here on finds its export again instead of starting another.
    await mirror.saveBackfill({ jobId: job.id, channel, bulkId: op.id, bulkCreatedAt: op.createdAt, url: op.url });
    return op;
  }

  /** This job's export (a resume), or the shop's running one (one at a time per shop), or a new one. */
  async function findExport(source: OrderSource): Promise<BulkExport> {
    const row = await mirror.backfill(job.id);
    if (row?.bulkId) {
      const known = await source.bulk.get(row.bulkId, signal);
      if (known) return known;
    } else if (!row) {
      // Fresh: a backfill row (saved before any export is started) says this job is a backfill, whatever happens next.
      await mirror.saveBackfill({ jobId: job.id, channel, bulkId: null, bulkCreatedAt: null, url: null });
    }
    const current = await source.bulk.current(signal);
    const startedAt = job.startedAt ? Date.parse(job.startedAt) : runStart;
    // Another export of the shop's is running: the shop runs one at a time, so this job waits for it and reads
    // its file (it is every order too). A completed one is this job's own only when the job resumes (its row was
    // there before this run: killed between starting the export and recording it); a fresh job never adopts
    // one, or it would read the export of the refresh before it (seen: a FULL refresh right after another).
    const mine = row !== undefined && current?.status === 'COMPLETED' && current.createdAt !== null && Date.parse(current.createdAt) >= startedAt - 1_000;
    if (current && (ACTIVE_EXPORT.has(current.status) || mine)) {
      await mirror.saveBackfill({ jobId: job.id, channel, bulkId: current.id, bulkCreatedAt: current.createdAt, url: current.url });
      return current;
    }
    return startExport(source);
  }

  async function waitFor(source: OrderSource, op: BulkExport): Promise<BulkExport> {
    let current = op;
    let counters = { ...job.counters };
    while (ACTIVE_EXPORT.has(current.status)) {
      await checkCancel();
      if (current.rootObjectCount !== null) counters = { ...counters, total: current.rootObjectCount };
      await progress('EXPORTING', counters);
      await sleep(deps.pollMs, signal);
      const next = await source.bulk.get(current.id, signal);
      if (!next) throw new Error(`the ${channel} bulk export ${current.id} is gone`);
      current = next;
    }
    return current;
  }
}
