/**
 * Sync jobs: kinds, lifecycle and progress. A job's status is a
 * discriminated union handled by exhaustive switches (Apollo Server's
 * ServerState pattern): adding a status breaks the build where it matters.
 */
export type SyncKind = 'CATALOG' | 'PRICE' | 'INVENTORY' | 'ORDER_ROUTING' | 'ERP_ORDER_EXPORT' | 'SOCIAL_INGEST' | 'ORDER_MIRROR' | ImportKind;
/** The job kinds that are not imports (those start from an uploaded file: POST /bulk/imports). */
export const SYNC_KINDS: readonly SyncKind[] = ['CATALOG', 'PRICE', 'INVENTORY', 'ORDER_ROUTING', 'ERP_ORDER_EXPORT', 'SOCIAL_INGEST', 'ORDER_MIRROR'];
/**
 * Kinds the sync service starts from a scope (startSync, schedules, and for
 * ORDER_MIRROR refreshOrderMirror and the mirror's own schedule, which give it
 * its channel: src/mirror/orderMirror.ts). SOCIAL_INGEST jobs are started by
 * ingestSocialLink alone (its scope is a vetted link).
 */
export const STARTABLE_SYNC_KINDS: readonly SyncKind[] = ['CATALOG', 'PRICE', 'INVENTORY', 'ORDER_ROUTING', 'ERP_ORDER_EXPORT', 'ORDER_MIRROR'];

/**
 * Bulk CSV imports (README, "Bulk CSV"): a sync job over exactly the rows of
 * one uploaded file. PART_LIST brings supplier parts into the store (with
 * per-row overrides); the override kinds set the price or stock of products
 * already there.
 */
export type ImportKind = 'PART_LIST' | 'PRICE_OVERRIDES' | 'STOCK_OVERRIDES';
export const IMPORT_KINDS: readonly ImportKind[] = ['PART_LIST', 'PRICE_OVERRIDES', 'STOCK_OVERRIDES'];

export function isImportKind(kind: string): kind is ImportKind {
  return (IMPORT_KINDS as readonly string[]).includes(kind);
}

/** The uploaded file an import job reads: content-addressed under the imports directory. */
export interface ImportFile {
  /** SHA-256 of the file's bytes (hex): its name in the imports directory. */
  sha256: string;
  bytes: number;
  /** Data rows (records after the header). */
  rows: number;
}

export type SyncStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'INTERRUPTED';
/** Statuses that hold the "one active job per kind and scope" slot. */
export const ACTIVE_STATUSES: readonly SyncStatus[] = ['QUEUED', 'RUNNING', 'INTERRUPTED'];
export const FINAL_STATUSES: readonly SyncStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/** EXPORTING: an order mirror's backfill waits for the channel's bulk export (src/mirror/). */
export type SyncPhase =
  | 'QUEUED'
  | 'READING_SUPPLIER'
  | 'READING_STORE'
  | 'EXPORTING'
  | 'WRITING'
  // A social link's ingestion, step by step (src/social/ingestPipeline.ts).
  | 'FETCHING_METADATA'
  | 'COPYING_THUMBNAIL'
  | 'DERIVING_IMAGES'
  | 'ANALYSING_CAPTION'
  | 'MATCHING_CATALOG'
  | 'DONE';

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
  /** An import's file. */
  import?: ImportFile;
  /** An import retry: only the rows on these lines of the file. */
  lines?: number[];
  /** SOCIAL_INGEST: the video (its platform's id and canonical URL) and the draft it fills. */
  videoId?: string;
  url?: string;
  draftId?: string;
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
  /** An import: the next data row of its file to read (1-based; rows before it are done). */
  nextRow?: number;
  counters: SyncCounters;
  /**
   * ERP_ORDER_EXPORT: where the run reads the store's orders, fixed when it
   * starts so a resumed run reads the same set — those modified since
   * `since` (null: all), after store order `afterId` (keyset paging).
   */
  storeOrders?: { since: string | null; afterId: number | null };
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
  /** An import row's line in its file (where the row starts), and the column of a bad cell. */
  line?: number | null;
  column?: string | null;
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
    // Only set for imports, so every other kind's key is what it always was.
    ...(scope.import ? { import: scope.import.sha256 } : {}),
    ...(scope.lines ? { lines: [...scope.lines].sort((a, b) => a - b) } : {}),
    // Only when present, so the keys of the other kinds' active jobs stay what they were.
    ...(scope.videoId !== undefined ? { videoId: scope.videoId } : {}),
  };
  return `${kind}:${dryRun ? 'dry' : 'live'}:${JSON.stringify(canonical)}`;
}
