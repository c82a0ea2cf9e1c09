/**
 * The sync API behind the GraphQL mutations and queries: validates input,
 * enforces one active job per kind and scope, and hands jobs to the runner.
 * Every refusal is a gateway error with a stable code.
 */
import { Cron } from 'croner';
import { ErrorCode, crossdockError } from '../errors/crossdockError.js';
import type { JobEvents } from './events.js';
import type { JobRunner } from './runner.js';
import type { JobStore } from './store/jobStore.js';
import type { ImportFile, ImportKind, MirrorRefreshMode, SyncJobRecord, SyncKind, SyncScheduleRecord, SyncScope } from './types.js';
import { isFinal, isImportKind, scopeKeyOf, STARTABLE_SYNC_KINDS } from './types.js';
import { isCode, isRecordId } from '../domain/codes.js';

export const MAX_SCOPE_PART_NUMBERS = 1000;
export const MAX_SCOPE_LIMIT = 10_000_000;
export const MIN_SCHEDULE_INTERVAL_SECONDS = 10;

export interface ScopeInput {
  manufacturer?: string | null;
  partNumbers?: string[] | null;
  query?: string | null;
  limit?: number | null;
  /** ORDER_MIRROR only (not in the GraphQL scope input: refreshOrderMirror and the mirror's schedule set them). */
  channel?: string | null;
  mode?: MirrorRefreshMode | null;
}

/** The channels with an orders mirror (domain/channelOrders.ts MIRROR_CHANNELS), as job scopes name them. */
const MIRROR_SCOPE_CHANNELS = ['SHOPIFY'];
const MIRROR_MODES: readonly MirrorRefreshMode[] = ['FULL', 'INCREMENTAL'];

const bad = (argument: string, message: string) => crossdockError(ErrorCode.BAD_USER_INPUT, message, { argument });

export function validateScope(input: ScopeInput | null | undefined): SyncScope {
  const scope: SyncScope = {};
  if (!input) return scope;
  if (input.manufacturer !== undefined && input.manufacturer !== null) {
    const m = input.manufacturer.trim();
    if (m.length === 0 || m.length > 100) throw bad('scope.manufacturer', 'scope.manufacturer must be 1 to 100 characters');
    scope.manufacturer = m;
  }
  if (input.partNumbers !== undefined && input.partNumbers !== null) {
    if (input.partNumbers.length === 0) throw bad('scope.partNumbers', 'scope.partNumbers must not be empty (leave it out for the whole catalog)');
    if (input.partNumbers.length > MAX_SCOPE_PART_NUMBERS) throw bad('scope.partNumbers', `scope.partNumbers: at most ${MAX_SCOPE_PART_NUMBERS}`);
    for (const pn of input.partNumbers) if (!isCode(pn.trim())) throw bad('scope.partNumbers', `scope.partNumbers: "${pn.slice(0, 70)}" is not a part number`);
    scope.partNumbers = [...new Set(input.partNumbers.map((p) => p.trim()))];
  }
  if (input.query !== undefined && input.query !== null) {
    const q = input.query.trim();
    if (q.length === 0 || q.length > 200) throw bad('scope.query', 'scope.query must be 1 to 200 characters');
    scope.query = q;
  }
  if (input.limit !== undefined && input.limit !== null) {
    if (!Number.isInteger(input.limit) || input.limit < 1 || input.limit > MAX_SCOPE_LIMIT) {
      throw bad('scope.limit', `scope.limit must be a whole number from 1 to ${MAX_SCOPE_LIMIT}`);
    }
    scope.limit = input.limit;
  }
  if (scope.partNumbers && (scope.query || scope.manufacturer)) {
    throw bad('scope', 'scope.partNumbers cannot be combined with query or manufacturer');
  }
  if (scope.query && scope.manufacturer) throw bad('scope', 'scope.query and scope.manufacturer cannot be combined');
  if (input.channel !== undefined && input.channel !== null) {
    if (!MIRROR_SCOPE_CHANNELS.includes(input.channel)) throw bad('scope.channel', `scope.channel: "${String(input.channel).slice(0, 40)}" has no orders mirror (${MIRROR_SCOPE_CHANNELS.join(', ')})`);
    scope.channel = input.channel;
    const mode = input.mode ?? 'INCREMENTAL';
    if (!MIRROR_MODES.includes(mode)) throw bad('scope.mode', 'scope.mode must be FULL or INCREMENTAL');
    scope.mode = mode;
  } else if (input.mode !== undefined && input.mode !== null) {
    throw bad('scope.mode', 'scope.mode is for an order mirror refresh (with scope.channel)');
  }
  return scope;
}

/** Which scopes a kind takes: an order mirror refresh exactly a channel (and mode), the others no channel. */
function checkKindScope(kind: SyncKind, scope: SyncScope, dryRun: boolean): void {
  if (kind === 'ORDER_MIRROR') {
    if (!scope.channel) throw bad('kind', 'an ORDER_MIRROR job refreshes one channel: use refreshOrderMirror(input: { channel, mode })');
    if (scope.manufacturer || scope.partNumbers || scope.query || scope.limit || scope.skus) throw bad('scope', 'an ORDER_MIRROR job takes a channel and a mode only');
    if (dryRun) throw bad('dryRun', 'an order mirror refresh writes only the mirror; it has no dry run');
  } else if (scope.channel || scope.mode) {
    throw bad('scope.channel', `scope.channel is for an order mirror refresh, not ${kind}`);
  }
}

/**
 * What a job kind takes beyond the common scope rules. A dry run promises
 * that nothing is written: the order kinds have no plan to show (routing
 * places supplier orders, the export enters ERP orders), so they refuse
 * one rather than ignore it. The export reads store orders, not the
 * supplier catalog: `limit` is its only scope.
 */
export function checkKindInput(kind: SyncKind, scope: SyncScope, dryRun: boolean): void {
  switch (kind) {
    case 'CATALOG':
    case 'PRICE':
    case 'INVENTORY':
      return;
    // An import's scope is its uploaded file (checked by src/bulk/importService.ts); its dry run plans rows.
    case 'PART_LIST':
    case 'PRICE_OVERRIDES':
    case 'STOCK_OVERRIDES':
      return;
    // Started by ingestSocialLink alone, its scope built there from a vetted link (src/social/ingestService.ts).
    case 'SOCIAL_INGEST':
      return;
    // Its channel and mode: checkKindScope.
    case 'ORDER_MIRROR':
      return;
    case 'ORDER_ROUTING':
    case 'ERP_ORDER_EXPORT':
      if (dryRun) throw bad('dryRun', `${kind} has no dry run: it ${kind === 'ORDER_ROUTING' ? 'places supplier orders' : 'enters orders in the ERP'} (leave dryRun out)`);
      if (kind === 'ERP_ORDER_EXPORT') {
        for (const field of ['manufacturer', 'partNumbers', 'query'] as const) {
          if (scope[field] !== undefined) throw bad(`scope.${field}`, `ERP_ORDER_EXPORT reads store orders: scope.limit is its only scope`);
        }
      }
      return;
    default: {
      const never: never = kind;
      throw bad('kind', `unknown sync kind "${String(never)}"`);
    }
  }
}

export interface SyncServiceOptions {
  /** Why a kind cannot run here (e.g. no ERP is configured), as the error to refuse it with; undefined: it can. @default every kind can */
  unavailable?(kind: SyncKind): Error | undefined;
}
export interface SyncService {
  /** An import job over the rows of an uploaded file (src/bulk/importService.ts checked it); the active one with the same file is returned. */
  startImport(input: { kind: ImportKind; file: ImportFile; dryRun: boolean }, startedBy: string): Promise<{ job: SyncJobRecord; alreadyRunning: boolean }>;
  start(input: { kind: SyncKind; scope?: ScopeInput | null; dryRun?: boolean | null }, startedBy: string, scheduleId?: string): Promise<{ job: SyncJobRecord; alreadyRunning: boolean }>;
  cancel(id: string): Promise<SyncJobRecord>;
  retryFailures(id: string, startedBy: string): Promise<{ job: SyncJobRecord; alreadyRunning: boolean }>;
  schedule(input: { kind: SyncKind; scope?: ScopeInput | null; intervalSeconds?: number | null; cron?: string | null }, createdBy: string): Promise<SyncScheduleRecord>;
  removeSchedule(id: string): Promise<boolean>;
  get(id: string): Promise<SyncJobRecord>;
  /** Starts a job whose scope another service vetted (a social ingest), with the same one-active-job rule. */
  submit(kind: SyncKind, scope: SyncScope, startedBy: string): Promise<{ job: SyncJobRecord; alreadyRunning: boolean }>;
}

export function nextRunAt(s: { intervalSeconds: number | null; cron: string | null }, from: Date): string {
  if (s.cron) {
    const next = new Cron(s.cron, { paused: true }).nextRun(from);
    if (!next) throw new Error('cron expression has no next run');
    return next.toISOString();
  }
  return new Date(from.getTime() + (s.intervalSeconds ?? 3600) * 1000).toISOString();
}

export function createSyncService(store: JobStore, runner: JobRunner, events: JobEvents, options: SyncServiceOptions = {}): SyncService {
  const refuseUnavailable = (kind: SyncKind) => {
    const why = options.unavailable?.(kind);
    if (why) throw why;
  };

  const mustGet = async (id: string): Promise<SyncJobRecord> => {
    const job = isRecordId(id) ? await store.get(id) : undefined;
    if (!job) throw crossdockError(ErrorCode.NOT_FOUND, `no sync job with id "${id.slice(0, 64)}"`, { argument: 'id' });
    return job;
  };

  const refuseImportKind = (kind: SyncKind) => {
    if (isImportKind(kind)) throw bad('kind', `${kind} jobs import a file: POST it to /bulk/imports?kind=${kind} (content-type text/csv), or run crossdock import FILE --kind ${kind.toLowerCase().replace(/_/g, '-')}`);
  };

  async function start(input: { kind: SyncKind; scope?: ScopeInput | null; dryRun?: boolean | null }, startedBy: string, scheduleId?: string, retryOf?: string, explicit?: SyncScope) {
    if (!explicit) refuseImportKind(input.kind);
    if (!explicit && !STARTABLE_SYNC_KINDS.includes(input.kind)) {
      throw bad('kind', input.kind === 'SOCIAL_INGEST' ? 'SOCIAL_INGEST jobs are started by ingestSocialLink' : `unknown sync kind "${String(input.kind)}"`);
    }
    const scope = explicit ?? validateScope(input.scope);
    const dryRun = input.dryRun ?? false;
    checkKindScope(input.kind, scope, dryRun);
    checkKindInput(input.kind, scope, dryRun);
    refuseUnavailable(input.kind);
    const { job, created } = await store.createOrGetActive({ kind: input.kind, scope, scopeKey: scopeKeyOf(input.kind, scope, dryRun), dryRun, startedBy, scheduleId, retryOf });
    if (created) {
      events.publish(job);
      runner.submit(job.id);
    }
    return { job, alreadyRunning: !created };
  }

  return {
    startImport: (input, startedBy) => start({ kind: input.kind, dryRun: input.dryRun }, startedBy, undefined, undefined, { import: input.file }),
    start: (input, startedBy, scheduleId) => start(input, startedBy, scheduleId),
    async cancel(id) {
      // Each step is a compare-and-set on the status it read, so a runner starting or ending the
      // job meanwhile is noticed (the write does not apply) and the next step follows the new status.
      let job = await mustGet(id);
      for (let attempt = 0; attempt < 5; attempt++) {
        if (isFinal(job.status)) {
          throw crossdockError(ErrorCode.BAD_USER_INPUT, `sync job ${id} already ended ${job.status}; nothing to cancel`, { argument: 'id', status: job.status });
        }
        if (job.status === 'RUNNING') {
          // The runner (on whichever instance) stops it between steps and records CANCELLED itself.
          const asked = await store.updateIf(id, ['RUNNING'], { cancelRequested: true });
          if (asked.applied) {
            runner.abort(id);
            return asked.job;
          }
          job = asked.job;
          continue;
        }
        const cancelled = await store.updateIf(id, ['QUEUED', 'INTERRUPTED'], { status: 'CANCELLED', phase: 'DONE', cancelRequested: true, finishedAt: new Date().toISOString() });
        if (cancelled.applied) {
          events.publish(cancelled.job);
          return cancelled.job;
        }
        job = cancelled.job;
      }
      throw crossdockError(ErrorCode.BAD_USER_INPUT, `sync job ${id} keeps changing status (now ${job.status}); try the cancel again`, { argument: 'id', status: job.status });
    },
    async retryFailures(id, startedBy) {
      const job = await mustGet(id);
      if (!isFinal(job.status)) throw crossdockError(ErrorCode.BAD_USER_INPUT, `sync job ${id} is still ${job.status}; retry its failures once it ends`, { argument: 'id' });
      if (job.kind === 'ORDER_MIRROR') {
        throw crossdockError(ErrorCode.BAD_USER_INPUT, `sync job ${id} refreshed an orders mirror: its failed orders are read again by a FULL refresh (refreshOrderMirror), or by an INCREMENTAL one once they change`, { argument: 'id' });
      }
      const { items, total } = await store.failures(id, 0, MAX_SCOPE_PART_NUMBERS);
      if (total === 0) throw crossdockError(ErrorCode.BAD_USER_INPUT, `sync job ${id} has no failed items to retry`, { argument: 'id' });
      if (total > MAX_SCOPE_PART_NUMBERS) throw crossdockError(ErrorCode.BAD_USER_INPUT, `sync job ${id} has ${total} failures; retry at most ${MAX_SCOPE_PART_NUMBERS} at once by re-running the sync`, { argument: 'id' });
      if (job.scope.import) {
        // An import's failures are rows of its file: the retry reads the same file, only those lines.
        const lines = [...new Set(items.map((f) => f.line).filter((l): l is number => typeof l === 'number'))];
        return start({ kind: job.kind, dryRun: job.dryRun }, startedBy, undefined, job.id, { import: job.scope.import, lines });
      }
      return start({ kind: job.kind, dryRun: job.dryRun }, startedBy, undefined, job.id, { skus: items.map((f) => f.sku) });
    },
    async schedule(input, createdBy) {
      refuseImportKind(input.kind);
      // The mirror's own schedule is ORDER_MIRROR_INTERVAL_SECONDS (it keeps exactly one, src/mirror/orderMirror.ts).
      if (input.kind === 'ORDER_MIRROR') throw bad('kind', 'an orders mirror is refreshed on ORDER_MIRROR_INTERVAL_SECONDS; set that instead of a schedule');
      if (!STARTABLE_SYNC_KINDS.includes(input.kind)) throw bad('kind', `sync kind "${String(input.kind)}" cannot be scheduled`);
      const scope = validateScope(input.scope);
      checkKindInput(input.kind, scope, false);
      refuseUnavailable(input.kind);
      const hasInterval = input.intervalSeconds !== undefined && input.intervalSeconds !== null;
      const hasCron = input.cron !== undefined && input.cron !== null;
      if (hasInterval === hasCron) throw bad('intervalSeconds', 'give exactly one of intervalSeconds and cron');
      if (hasInterval && (!Number.isInteger(input.intervalSeconds) || (input.intervalSeconds as number) < MIN_SCHEDULE_INTERVAL_SECONDS || (input.intervalSeconds as number) > 31 * 86_400)) {
        throw bad('intervalSeconds', `intervalSeconds must be a whole number from ${MIN_SCHEDULE_INTERVAL_SECONDS} to ${31 * 86_400}`);
      }
      if (hasCron) {
        try {
          new Cron(input.cron as string, { paused: true });
        } catch (err) {
          throw bad('cron', `cron: ${err instanceof Error ? err.message : 'invalid expression'}`);
        }
      }
      const s = { intervalSeconds: hasInterval ? (input.intervalSeconds as number) : null, cron: hasCron ? (input.cron as string) : null };
      return store.addSchedule({ kind: input.kind, scope, ...s, createdBy, nextRunAt: nextRunAt(s, new Date()) });
    },
    async removeSchedule(id) {
      if (!(await store.removeSchedule(id))) throw crossdockError(ErrorCode.NOT_FOUND, `no sync schedule with id "${id.slice(0, 64)}"`, { argument: 'id' });
      return true;
    },
    get: mustGet,
    submit: (kind, scope, startedBy) => start({ kind }, startedBy, undefined, undefined, scope),
  };
}
