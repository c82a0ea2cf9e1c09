/**
 * Sync jobs: kinds, lifecycle and progress. A job's status is a
 * discriminated union handled by exhaustive switches (Apollo Server's
 * ServerState pattern): adding a status breaks the build where it matters.
 */
export type SyncKind = 'CATALOG' | 'PRICE' | 'INVENTORY' | 'ORDER_ROUTING' | 'ORDER_MIRROR';
export const SYNC_KINDS: readonly SyncKind[] = ['CATALOG', 'PRICE', 'INVENTORY', 'ORDER_ROUTING', 'ORDER_MIRROR'];

export type SyncStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'INTERRUPTED';
/** Statuses that hold the "one active job per kind and scope" slot. */
export const ACTIVE_STATUSES: readonly SyncStatus[] = ['QUEUED', 'RUNNING', 'INTERRUPTED'];
export const FINAL_STATUSES: readonly SyncStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/** EXPORTING: an order mirror's backfill waits for the channel's bulk export (src/mirror/). */
export type SyncPhase = 'QUEUED' | 'READING_SUPPLIER' | 'READING_STORE' | 'EXPORTING' | 'WRITING' | 'DONE';

/** How an order mirror is refreshed: every order by a bulk export, or what changed since its cursor. */
export type MirrorRefreshMode = 'FULL' | 'INCREMENTAL';

export interface SyncScope {
  /** Exact manufacturer name. */
  manufacturer?: string;
  /** Exact supplier part numbers (at most 1000). */
  partNumbers?: string[];
  /** Supplier search text. */
  query?: string;
  /** At most this many parts. */
  limit?: number;
  /** Store SKUs to retry (set by retrySyncFailures). */
  skus?: string[];
  /** ORDER_MIRROR: the channel whose mirror is refreshed (src/domain/channelOrders.ts MirrorChannel). */
  channel?: string;
  /** ORDER_MIRROR: FULL or INCREMENTAL. */
  mode?: MirrorRefreshMode;
}

export interface SyncCounters {
  total: number;
  processed: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}

export interface SyncCheckpoint {
  /** The next supplier page to read (1-based). */
  nextPage: number;
  counters: SyncCounters;
}

export interface SyncJobRecord {
  id: string;
  kind: SyncKind;
  scope: SyncScope;
  /** Canonical kind+scope+dryRun: the uniqueness key for active jobs. */
  scopeKey: string;
  dryRun: boolean;
  status: SyncStatus;
  phase: SyncPhase;
  counters: SyncCounters;
  checkpoint: SyncCheckpoint | null;
  startedBy: string;
  /** The job this one retries, for retrySyncFailures. */
  retryOf: string | null;
  /** Schedule that started it, if any. */
  scheduleId: string | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** When the current run began (for the rate), and processed count then. */
  runStartedAt: string | null;
  runStartProcessed: number;
  cancelRequested: boolean;
}

export interface SyncFailureRecord {
  jobId: string;
  sku: string;
  partNumber: string | null;
  code: string;
  message: string;
  attempts: number;
}

export type ChangeAction = 'CREATE' | 'UPDATE';

export interface FieldChange {
  field: string;
  before: string | null;
  after: string;
}

export interface PlannedChangeRecord {
  jobId: string;
  seq: number;
  action: ChangeAction;
  sku: string;
  productId: string | null;
  changes: FieldChange[];
}

export interface SyncScheduleRecord {
  id: string;
  kind: SyncKind;
  scope: SyncScope;
  /** Either an interval in seconds or a cron expression. */
  intervalSeconds: number | null;
  cron: string | null;
  createdBy: string;
  createdAt: string;
  lastRunAt: string | null;
  nextRunAt: string;
}

export const ZERO_COUNTERS: SyncCounters = { total: 0, processed: 0, created: 0, updated: 0, unchanged: 0, failed: 0 };

export function isFinal(status: SyncStatus): boolean {
  switch (status) {
    case 'SUCCEEDED':
    case 'FAILED':
    case 'CANCELLED':
      return true;
    case 'QUEUED':
    case 'RUNNING':
    case 'INTERRUPTED':
      return false;
    default: {
      const never: never = status;
      throw new Error(`unknown status ${String(never)}`);
    }
  }
}

/** Canonical key: same kind, scope and dry-run flag means the same work. */
export function scopeKeyOf(kind: SyncKind, scope: SyncScope, dryRun: boolean): string {
  // One refresh of a channel's mirror at a time, whatever its mode (the old orders cache's "already in progress").
  if (kind === 'ORDER_MIRROR') return `${kind}:live:${JSON.stringify({ channel: scope.channel ?? null })}`;
  const canonical = {
    manufacturer: scope.manufacturer ?? null,
    partNumbers: scope.partNumbers ? [...scope.partNumbers].sort() : null,
    query: scope.query ?? null,
    limit: scope.limit ?? null,
    skus: scope.skus ? [...scope.skus].sort() : null,
  };
  return `${kind}:${dryRun ? 'dry' : 'live'}:${JSON.stringify(canonical)}`;
}
