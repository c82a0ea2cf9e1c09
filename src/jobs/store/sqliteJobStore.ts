/**
 * JobStore on SQLite (better-sqlite3). WAL journal with synchronous=NORMAL
 * survives a killed process (kill -9) without losing a committed write; the
 * "one active job per scope" rule is a partial unique index, so it holds
 * even against concurrent callers.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { SyncCheckpoint, SyncCounters, SyncFailureRecord, SyncJobRecord, SyncScheduleRecord } from '../types.js';
import { ACTIVE_STATUSES, ZERO_COUNTERS } from '../types.js';
import { asyncFacade, type Synchronous } from '../../storage/asyncFacade.js';
import type { JobFilter, JobPatch, JobStore, NewJob } from './jobStore.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  scope TEXT NOT NULL,
  scope_key TEXT NOT NULL,
  dry_run INTEGER NOT NULL,
  status TEXT NOT NULL,
  phase TEXT NOT NULL,
  counters TEXT NOT NULL,
  checkpoint TEXT,
  started_by TEXT NOT NULL,
  retry_of TEXT,
  schedule_id TEXT,
  error TEXT,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  run_started_at TEXT,
  run_start_processed INTEGER NOT NULL DEFAULT 0,
  cancel_requested INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS jobs_one_active_per_scope ON jobs(scope_key)
  WHERE status IN ('QUEUED', 'RUNNING', 'INTERRUPTED');
CREATE INDEX IF NOT EXISTS jobs_by_seq ON jobs(seq);
CREATE TABLE IF NOT EXISTS failures (
  job_id TEXT NOT NULL,
  sku TEXT NOT NULL,
  part_number TEXT,
  code TEXT NOT NULL,
  message TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  PRIMARY KEY (job_id, sku)
);
CREATE TABLE IF NOT EXISTS planned_changes (
  job_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  action TEXT NOT NULL,
  sku TEXT NOT NULL,
  product_id TEXT,
  changes TEXT NOT NULL,
  PRIMARY KEY (job_id, seq)
);
CREATE TABLE IF NOT EXISTS schedules (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  scope TEXT NOT NULL,
  interval_seconds INTEGER,
  cron TEXT,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_run_at TEXT,
  next_run_at TEXT NOT NULL
);
`;

interface JobRow {
  id: string;
  seq: number;
  kind: string;
  scope: string;
  scope_key: string;
  dry_run: number;
  status: string;
  phase: string;
  counters: string;
  checkpoint: string | null;
  started_by: string;
  retry_of: string | null;
  schedule_id: string | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  run_started_at: string | null;
  run_start_processed: number;
  cancel_requested: number;
}

function toJob(r: JobRow): SyncJobRecord {
  return {
    id: r.id,
    kind: r.kind as SyncJobRecord['kind'],
    scope: JSON.parse(r.scope) as SyncJobRecord['scope'],
    scopeKey: r.scope_key,
    dryRun: r.dry_run === 1,
    status: r.status as SyncJobRecord['status'],
    phase: r.phase as SyncJobRecord['phase'],
    counters: { ...ZERO_COUNTERS, ...(JSON.parse(r.counters) as Partial<SyncCounters>) },
    checkpoint: r.checkpoint ? (JSON.parse(r.checkpoint) as SyncCheckpoint) : null,
    startedBy: r.started_by,
    retryOf: r.retry_of,
    scheduleId: r.schedule_id,
    error: r.error,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    runStartedAt: r.run_started_at,
    runStartProcessed: r.run_start_processed,
    cancelRequested: r.cancel_requested === 1,
  };
}

export interface SqliteJobStoreOptions {
  /** File path, or ":memory:". */
  path: string;
}

export function createSqliteJobStore(options: SqliteJobStoreOptions): JobStore {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  // Import rows' failures name their line and column (added with bulk CSV imports; older files lack them).
  const failureColumns = new Set((db.prepare('PRAGMA table_info(failures)').all() as Array<{ name: string }>).map((c) => c.name));
  if (!failureColumns.has('line')) db.exec('ALTER TABLE failures ADD COLUMN line INTEGER');
  if (!failureColumns.has('col')) db.exec('ALTER TABLE failures ADD COLUMN col TEXT');

  const activeList = ACTIVE_STATUSES.map((s) => `'${s}'`).join(',');
  const q = {
    get: db.prepare<[string], JobRow>('SELECT * FROM jobs WHERE id = ?'),
    active: db.prepare<[string], JobRow>(`SELECT * FROM jobs WHERE scope_key = ? AND status IN (${activeList})`),
    nextSeq: db.prepare<[], { s: number }>('SELECT COALESCE(MAX(seq), 0) + 1 AS s FROM jobs'),
    insert: db.prepare(`INSERT INTO jobs (id, seq, kind, scope, scope_key, dry_run, status, phase, counters, started_by, retry_of, schedule_id, created_at)
      VALUES (@id, @seq, @kind, @scope, @scope_key, @dry_run, 'QUEUED', 'QUEUED', @counters, @started_by, @retry_of, @schedule_id, @created_at)`),
    interrupt: db.prepare<[], { id: string }>(`UPDATE jobs SET status = 'INTERRUPTED' WHERE status = 'RUNNING' RETURNING id`),
    pending: db.prepare<[], JobRow>(`SELECT * FROM jobs WHERE status IN ('QUEUED', 'INTERRUPTED') ORDER BY seq`),
    addFailure: db.prepare(`INSERT INTO failures (job_id, sku, part_number, code, message, attempts, line, col) VALUES (@job_id, @sku, @part_number, @code, @message, @attempts, @line, @col)
      ON CONFLICT (job_id, sku) DO UPDATE SET code = excluded.code, message = excluded.message, attempts = failures.attempts + excluded.attempts, line = excluded.line, col = excluded.col`),
    clearFailure: db.prepare('DELETE FROM failures WHERE job_id = ? AND sku = ?'),
    failures: db.prepare<[string, number, number], { job_id: string; sku: string; part_number: string | null; code: string; message: string; attempts: number; line: number | null; col: string | null }>(
      // An import's failures in file order; a sync's (no line) by SKU.
      'SELECT * FROM failures WHERE job_id = ? ORDER BY COALESCE(line, 0), sku LIMIT ? OFFSET ?',
    ),
    failureCount: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM failures WHERE job_id = ?'),
    nextChangeSeq: db.prepare<[string], { s: number }>('SELECT COALESCE(MAX(seq), 0) + 1 AS s FROM planned_changes WHERE job_id = ?'),
    addChange: db.prepare('INSERT INTO planned_changes (job_id, seq, action, sku, product_id, changes) VALUES (?, ?, ?, ?, ?, ?)'),
    changes: db.prepare<[string, number, number], { job_id: string; seq: number; action: string; sku: string; product_id: string | null; changes: string }>(
      'SELECT * FROM planned_changes WHERE job_id = ? ORDER BY seq LIMIT ? OFFSET ?',
    ),
    changeCount: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM planned_changes WHERE job_id = ?'),
    addSchedule: db.prepare(`INSERT INTO schedules (id, kind, scope, interval_seconds, cron, created_by, created_at, next_run_at)
      VALUES (@id, @kind, @scope, @interval_seconds, @cron, @created_by, @created_at, @next_run_at)`),
    removeSchedule: db.prepare('DELETE FROM schedules WHERE id = ?'),
    schedules: db.prepare<[], { id: string; kind: string; scope: string; interval_seconds: number | null; cron: string | null; created_by: string; created_at: string; last_run_at: string | null; next_run_at: string }>(
      'SELECT * FROM schedules ORDER BY created_at',
    ),
    markSchedule: db.prepare('UPDATE schedules SET last_run_at = ?, next_run_at = ? WHERE id = ?'),
  };

  const createOrGetActive = db.transaction((job: NewJob): { job: SyncJobRecord; created: boolean } => {
    const existing = q.active.get(job.scopeKey);
    if (existing) return { job: toJob(existing), created: false };
    const id = randomUUID();
    q.insert.run({
      id,
      seq: q.nextSeq.get()?.s ?? 1,
      kind: job.kind,
      scope: JSON.stringify(job.scope),
      scope_key: job.scopeKey,
      dry_run: job.dryRun ? 1 : 0,
      counters: JSON.stringify(ZERO_COUNTERS),
      started_by: job.startedBy,
      retry_of: job.retryOf ?? null,
      schedule_id: job.scheduleId ?? null,
      created_at: new Date().toISOString(),
    });
    const row = q.get.get(id);
    if (!row) throw new Error('job vanished after insert');
    return { job: toJob(row), created: true };
  });

  const COLUMNS: Record<keyof JobPatch, [string, (v: never) => unknown]> = {
    status: ['status', (v: string) => v],
    phase: ['phase', (v: string) => v],
    counters: ['counters', (v: SyncCounters) => JSON.stringify(v)],
    checkpoint: ['checkpoint', (v: SyncCheckpoint | null) => (v ? JSON.stringify(v) : null)],
    error: ['error', (v: string | null) => v],
    startedAt: ['started_at', (v: string | null) => v],
    finishedAt: ['finished_at', (v: string | null) => v],
    runStartedAt: ['run_started_at', (v: string | null) => v],
    runStartProcessed: ['run_start_processed', (v: number) => v],
    cancelRequested: ['cancel_requested', (v: boolean) => (v ? 1 : 0)],
  };

  const store: Synchronous<JobStore> = {
    createOrGetActive: (job) => createOrGetActive.immediate(job),
    get: (id) => {
      const row = q.get.get(id);
      return row ? toJob(row) : undefined;
    },
    list(filter: JobFilter, offset, limit) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.status?.length) {
        where.push(`status IN (${filter.status.map(() => '?').join(',')})`);
        params.push(...filter.status);
      }
      if (filter.kind?.length) {
        where.push(`kind IN (${filter.kind.map(() => '?').join(',')})`);
        params.push(...filter.kind);
      }
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const rows = db.prepare(`SELECT * FROM jobs ${clause} ORDER BY seq DESC LIMIT ? OFFSET ?`).all(...params, limit, offset) as JobRow[];
      const total = (db.prepare(`SELECT COUNT(*) AS n FROM jobs ${clause}`).get(...params) as { n: number }).n;
      return { items: rows.map(toJob), total };
    },
    update(id, patch) {
      const sets: string[] = [];
      const values: unknown[] = [];
      for (const [key, value] of Object.entries(patch) as Array<[keyof JobPatch, unknown]>) {
        if (value === undefined) continue;
        const [column, encode] = COLUMNS[key];
        sets.push(`${column} = ?`);
        values.push(encode(value as never));
      }
      if (sets.length) db.prepare(`UPDATE jobs SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
      const row = q.get.get(id);
      if (!row) throw new Error(`no job ${id}`);
      return toJob(row);
    },
    interruptRunning: () => q.interrupt.all().map((r) => r.id),
    pending: () => q.pending.all().map(toJob),
    addFailure(f) {
      q.addFailure.run({ job_id: f.jobId, sku: f.sku, part_number: f.partNumber, code: f.code, message: f.message, attempts: f.attempts ?? 1, line: f.line ?? null, col: f.column ?? null });
    },
    clearFailure(jobId, sku) {
      q.clearFailure.run(jobId, sku);
    },
    failures(jobId, offset, limit) {
      const items: SyncFailureRecord[] = q.failures.all(jobId, limit, offset).map((r) => ({
        jobId: r.job_id,
        sku: r.sku,
        partNumber: r.part_number,
        code: r.code,
        message: r.message,
        attempts: r.attempts,
        // Only import rows have them: other failures keep their shape.
        ...(r.line !== null ? { line: r.line } : {}),
        ...(r.col !== null ? { column: r.col } : {}),
      }));
      return { items, total: q.failureCount.get(jobId)?.n ?? 0 };
    },
    addPlannedChanges: db.transaction((changes: Parameters<JobStore['addPlannedChanges']>[0]): void => {
      for (const c of changes) {
        const seq = q.nextChangeSeq.get(c.jobId)?.s ?? 1;
        q.addChange.run(c.jobId, seq, c.action, c.sku, c.productId, JSON.stringify(c.changes));
      }
    }),
    plannedChanges(jobId, offset, limit) {
      const items = q.changes.all(jobId, limit, offset).map((r) => ({
        jobId: r.job_id,
        seq: r.seq,
        action: r.action as 'CREATE' | 'UPDATE',
        sku: r.sku,
        productId: r.product_id,
        changes: JSON.parse(r.changes) as Array<{ field: string; before: string | null; after: string }>,
      }));
      return { items, total: q.changeCount.get(jobId)?.n ?? 0 };
    },
    addSchedule(s) {
      const record: SyncScheduleRecord = { ...s, id: randomUUID(), createdAt: new Date().toISOString(), lastRunAt: null };
      q.addSchedule.run({
        id: record.id,
        kind: record.kind,
        scope: JSON.stringify(record.scope),
        interval_seconds: record.intervalSeconds,
        cron: record.cron,
        created_by: record.createdBy,
        created_at: record.createdAt,
        next_run_at: record.nextRunAt,
      });
      return record;
    },
    removeSchedule: (id) => q.removeSchedule.run(id).changes > 0,
    schedules: () =>
      q.schedules.all().map((r) => ({
        id: r.id,
        kind: r.kind as SyncScheduleRecord['kind'],
        scope: JSON.parse(r.scope) as SyncScheduleRecord['scope'],
        intervalSeconds: r.interval_seconds,
        cron: r.cron,
        createdBy: r.created_by,
        createdAt: r.created_at,
        lastRunAt: r.last_run_at,
        nextRunAt: r.next_run_at,
      })),
    markScheduleRun(id, lastRunAt, nextRunAt) {
      q.markSchedule.run(lastRunAt, nextRunAt, id);
    },
    commitPage(jobId, page) {
      return commit.immediate(jobId, page);
    },
    close: () => db.close(),
  };
  const commit = db.transaction((jobId: string, page: Parameters<JobStore['commitPage']>[1]) => {
    for (const f of page.failures) store.addFailure({ ...f, jobId });
    for (const sku of page.succeeded) q.clearFailure.run(jobId, sku);
    store.addPlannedChanges(page.planned);
    return store.update(jobId, { counters: page.checkpoint.counters, checkpoint: page.checkpoint });
  });
  return asyncFacade<JobStore>(store);
}
