/**
 * Durable records for sync jobs: jobs, checkpoints, failures, planned
 * changes and schedules. One implementation on the SQL record layer
 * (sqlJobStore.ts): SQLite in the embedded default, PostgreSQL with
 * DATABASE_URL (DESIGN.md, strategy table).
 */
import type { PlannedChangeRecord, SyncCheckpoint, SyncFailureRecord, SyncJobRecord, SyncKind, SyncScheduleRecord, SyncStatus } from '../types.js';

/** What a new job is made of (the store assigns id, times, QUEUED and zero counters). */
export type NewJob = Pick<SyncJobRecord, 'kind' | 'scope' | 'scopeKey' | 'dryRun' | 'startedBy'> & Partial<Pick<SyncJobRecord, 'retryOf' | 'scheduleId'>>;

/** The fields a write may change. */
export type JobPatch = Partial<Pick<SyncJobRecord, 'status' | 'phase' | 'counters' | 'checkpoint' | 'error' | 'startedAt' | 'finishedAt' | 'runStartedAt' | 'runStartProcessed' | 'cancelRequested'>>;

export interface JobFilter {
  status?: SyncStatus[];
  kind?: SyncKind[];
}

/**
 * Every method answers with a Promise: PostgreSQL is remote. A
 * StoreUnavailableError rejection means the record could not be read or
 * written (the database is unreachable); callers surface it as
 * STORE_UNAVAILABLE rather than guess.
 */
export interface JobStore {
  /**
   * Creates a QUEUED job unless an active one (QUEUED, RUNNING, INTERRUPTED)
   * has the same scope key; then returns that one with `created: false`.
   * Atomic: two concurrent calls yield one job.
   */
  createOrGetActive(job: NewJob): Promise<{ job: SyncJobRecord; created: boolean }>;
  get(id: string): Promise<SyncJobRecord | undefined>;
  list(filter: JobFilter, offset: number, limit: number): Promise<{ items: SyncJobRecord[]; total: number }>;
  /** Writes the patch's fields whatever the job's status: progress, checkpoints, a cancel request. */
  update(id: string, patch: JobPatch): Promise<SyncJobRecord>;
  /**
   * Compare-and-set: writes the patch only while the job's status is one of
   * `from`, in one statement (UPDATE … WHERE id = ? AND status IN (…)). For
   * every status change that depends on the status it replaces — start,
   * finish, cancel, fail, interrupt — so of two writers racing, the second
   * sees `applied: false` and the job as the first left it.
   */
  updateIf(id: string, from: readonly SyncStatus[], patch: JobPatch): Promise<{ applied: boolean; job: SyncJobRecord }>;
  /** At start: RUNNING jobs of a dead process become INTERRUPTED. Returns those ids. */
  interruptRunning(): Promise<string[]>;
  /** Jobs to (re)start: QUEUED and INTERRUPTED, oldest first. */
  pending(): Promise<SyncJobRecord[]>;

  /** Records (or bumps the attempts of) one item's failure. */
  addFailure(failure: Omit<SyncFailureRecord, 'attempts'> & { attempts?: number }): Promise<void>;
  /** Clears one item's failure outside a page (an ERP export that is confirmed after a failed attempt: runErpExport.ts). */
  clearFailure(jobId: string, sku: string): Promise<void>;
  failures(jobId: string, offset: number, limit: number): Promise<{ items: SyncFailureRecord[]; total: number }>;
  /**
   * Ends a page in one transaction: its failures, the items that now
   * succeeded (a failure from an earlier run of the page is cleared), its
   * planned changes, and the checkpoint. A crash leaves all or none of it.
   */
  commitPage(jobId: string, page: {
    failures: Array<Omit<SyncFailureRecord, 'attempts' | 'jobId'>>;
    succeeded: string[];
    planned: Array<Omit<PlannedChangeRecord, 'seq'>>;
    checkpoint: SyncCheckpoint;
  }): Promise<SyncJobRecord>;
  plannedChanges(jobId: string, offset: number, limit: number): Promise<{ items: PlannedChangeRecord[]; total: number }>;

  addSchedule(s: Omit<SyncScheduleRecord, 'id' | 'createdAt' | 'lastRunAt'>): Promise<SyncScheduleRecord>;
  removeSchedule(id: string): Promise<boolean>;
  schedules(): Promise<SyncScheduleRecord[]>;
  markScheduleRun(id: string, lastRunAt: string, nextRunAt: string): Promise<void>;
}
