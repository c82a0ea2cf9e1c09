/** Sync jobs: mutations (operator and above), queries, subscriptions. */
import { requireRole } from '../../auth/roles.js';
import { changeStream } from '../../events/changeStream.js';
import { isFinal } from '../../jobs/types.js';
import type { SyncJobRecord } from '../../jobs/types.js';
import { redactText } from '../../observability/redact.js';
import type { GraphQLContext } from '../context.js';
import type { MutationResolvers, QueryResolvers, SubscriptionResolvers, SyncJobResolvers, SyncScopeResolvers } from '../generated/resolvers.js';
import { connection, offsetCursor, parseWindow } from '../pagination.js';
import { isRecordId } from '../../domain/codes.js';

const MAX_PAGE = 200;

function page<T>(items: T[], total: number, offset: number) {
  return {
    nodes: items,
    totalCount: total,
    pageInfo: {
      hasNextPage: offset + items.length < total,
      hasPreviousPage: offset > 0,
      startCursor: items.length ? offsetCursor(offset) : null,
      endCursor: items.length ? offsetCursor(offset + items.length - 1) : null,
    },
  };
}

function jobs(ctx: GraphQLContext) {
  ctx.hints.uncacheable = true;
  return ctx.services.jobs;
}

export const syncQueries: Pick<QueryResolvers, 'syncJob' | 'syncJobs' | 'syncSchedules'> = {
  async syncJob(_root, { id }, ctx) {
    const j = jobs(ctx);
    return isRecordId(id) ? ((await j.store.get(id)) ?? null) : null;
  },
  async syncJobs(_root, { filter, first, after }, ctx) {
    const window = parseWindow(first, after, MAX_PAGE);
    const { items, total } = await jobs(ctx).store.list({ status: filter?.status ?? undefined, kind: filter?.kind ?? undefined }, window.offset, window.first);
    return connection(items, window.offset, total, window.offset + items.length < total);
  },
  syncSchedules(_root, _args, ctx) {
    return jobs(ctx).store.schedules();
  },
};

export const syncMutations: MutationResolvers = {
  startSync(_root, { input }, ctx) {
    requireRole(ctx.client, 'operator', 'startSync');
    return jobs(ctx).service.start(input, ctx.client.name);
  },
  cancelSync(_root, { id }, ctx) {
    requireRole(ctx.client, 'operator', 'cancelSync');
    return jobs(ctx).service.cancel(id);
  },
  retrySyncFailures(_root, { id }, ctx) {
    requireRole(ctx.client, 'operator', 'retrySyncFailures');
    return jobs(ctx).service.retryFailures(id, ctx.client.name);
  },
  scheduleSync(_root, { input }, ctx) {
    requireRole(ctx.client, 'operator', 'scheduleSync');
    return jobs(ctx).service.schedule(input, ctx.client.name);
  },
  removeSyncSchedule(_root, { id }, ctx) {
    requireRole(ctx.client, 'operator', 'removeSyncSchedule');
    return jobs(ctx).service.removeSchedule(id);
  },
};

export const syncSubscriptions: SubscriptionResolvers = {
  syncJob: {
    async subscribe(_root, { id }, ctx) {
      const j = ctx.services.jobs;
      const current = await j.service.get(id);
      return changeStream(j.events.subscribe, (job) => isFinal(job.status), current, id);
    },
    resolve: (job: SyncJobRecord) => job,
  },
  syncJobs: {
    subscribe(_root, _args, ctx) {
      return changeStream(ctx.services.jobs.events.subscribe, (job) => isFinal(job.status), null, null);
    },
    resolve: (job: SyncJobRecord) => job,
  },
};

/**
 * A job's error and its failures' messages quote vendor and internal error
 * text (a vendor may echo the credentials and addresses it was sent): a
 * viewer gets them through the same redaction as log lines (redact.ts).
 */
export const syncScopeResolvers: SyncScopeResolvers = {
  importFile: (scope) => scope.import ?? null,
  lines: (scope) => scope.lines ?? null,
};

export const syncJobResolvers: SyncJobResolvers = {
  error: (job) => (job.error == null ? null : redactText(job.error)),
  progress(job) {
    const c = job.counters;
    const elapsed = job.runStartedAt ? (Date.now() - Date.parse(job.runStartedAt)) / 1000 : 0;
    const doneThisRun = c.processed - job.runStartProcessed;
    const rate = job.status === 'RUNNING' && elapsed > 0 ? doneThisRun / elapsed : job.finishedAt && job.runStartedAt ? doneThisRun / Math.max(0.001, (Date.parse(job.finishedAt) - Date.parse(job.runStartedAt)) / 1000) : 0;
    const remaining = Math.max(0, c.total - c.processed);
    return {
      ...c,
      percent: c.total > 0 ? Math.min(100, Math.round((c.processed / c.total) * 10_000) / 100) : job.phase === 'DONE' ? 100 : 0,
      ratePerSecond: Math.round(rate * 100) / 100,
      etaSeconds: job.status === 'RUNNING' && rate > 0 ? Math.ceil(remaining / rate) : null,
      phase: job.phase,
    };
  },
  async failures(job, { first, after }, ctx) {
    const window = parseWindow(first, after, MAX_PAGE);
    const { items, total } = await ctx.services.jobs.store.failures(job.id, window.offset, window.first);
    return page(
      items.map((f) => ({ ...f, message: redactText(f.message) })),
      total,
      window.offset,
    );
  },
  async plannedChanges(job, { first, after }, ctx) {
    const window = parseWindow(first, after, MAX_PAGE);
    const { items, total } = await ctx.services.jobs.store.plannedChanges(job.id, window.offset, window.first);
    return page(items, total, window.offset);
  },
};
