/**
 * Sync jobs: kinds, lifecycle and progress. A job's status is a
 * discriminated union handled by exhaustive switches (Apollo Server's
 * ServerState pattern): adding a status breaks the build where it matters.
 */
export type SyncKind = 'CATALOG' | 'PRICE' | 'INVENTORY' | 'ORDER_ROUTING' | 'SOCIAL_INGEST';
export const SYNC_KINDS: readonly SyncKind[] = ['CATALOG', 'PRICE', 'INVENTORY', 'ORDER_ROUTING', 'SOCIAL_INGEST'];
/** Kinds startSync and scheduleSync take; SOCIAL_INGEST jobs are started by ingestSocialLink (its scope is a vetted link). */
export const STARTABLE_SYNC_KINDS: readonly SyncKind[] = ['CATALOG', 'PRICE', 'INVENTORY', 'ORDER_ROUTING'];

export type SyncStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'INTERRUPTED';
/** Statuses that hold the "one active job per kind and scope" slot. */
export const ACTIVE_STATUSES: readonly SyncStatus[] = ['QUEUED', 'RUNNING', 'INTERRUPTED'];
export const FINAL_STATUSES: readonly SyncStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

export type SyncPhase =
  | 'QUEUED'
  | 'READING_SUPPLIER'
  | 'READING_STORE'
  | 'WRITING'
  // A social link's ingestion, step by step (src/social/ingestPipeline.ts).
  | 'FETCHING_METADATA'
  | 'COPYING_THUMBNAIL'
  | 'DERIVING_IMAGES'
  | 'ANALYSING_CAPTION'
  | 'MATCHING_CATALOG'
  | 'DONE';

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
  /** SOCIAL_INGEST: the video (its platform's id and canonical URL) and the draft it fills. */
  videoId?: string;
  url?: string;
  draftId?: string;
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
  const canonical = {
    manufacturer: scope.manufacturer ?? null,
    partNumbers: scope.partNumbers ? [...scope.partNumbers].sort() : null,
    query: scope.query ?? null,
    limit: scope.limit ?? null,
    skus: scope.skus ? [...scope.skus].sort() : null,
    // Only when present, so the keys of the other kinds' active jobs stay what they were.
    ...(scope.videoId !== undefined ? { videoId: scope.videoId } : {}),
  };
  return `${kind}:${dryRun ? 'dry' : 'live'}:${JSON.stringify(canonical)}`;
}
