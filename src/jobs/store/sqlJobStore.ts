/**
 * JobStore on the record layer (src/records/): one implementation for
 * SQLite and PostgreSQL. The "one active job per scope" rule is the partial
 * unique index of migration 1, so it holds against concurrent callers on
 * any number of instances: a second insert for an active scope does nothing
 * (ON CONFLICT on that index) and answers the active job. Status changes
 * that depend on the status they replace are compare-and-set
 * (`updateIf`: UPDATE … WHERE id = ? AND status IN (…)). A page commits its
 * failures, planned changes and checkpoint in one transaction.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import { decodeFlag, decodeJson, encodeFlag, encodeJson, nextSeq } from '../../records/engine.js';
import type { RecordDatabase } from '../../records/recordDatabase.js';
import type { JobsTable, RecordTables } from '../../records/tables.js';
import type { PlannedChangeRecord, SyncCheckpoint, SyncCounters, SyncFailureRecord, SyncJobRecord, SyncScheduleRecord } from '../types.js';
import { ACTIVE_STATUSES, ZERO_COUNTERS } from '../types.js';
import type { JobPatch, JobStore } from './jobStore.js';

type JobRow = Selectable<JobsTable>;

function toJob(r: JobRow): SyncJobRecord {
  return {
    id: r.id,
    kind: r.kind as SyncJobRecord['kind'],
    scope: decodeJson(r.scope),
    scopeKey: r.scope_key,
    dryRun: decodeFlag(r.dry_run),
    status: r.status as SyncJobRecord['status'],
    phase: r.phase as SyncJobRecord['phase'],
    counters: { ...ZERO_COUNTERS, ...decodeJson<Partial<SyncCounters>>(r.counters) },
    checkpoint: r.checkpoint ? decodeJson<SyncCheckpoint>(r.checkpoint) : null,
    startedBy: r.started_by,
    retryOf: r.retry_of,
    scheduleId: r.schedule_id,
    error: r.error,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    runStartedAt: r.run_started_at,
    runStartProcessed: Number(r.run_start_processed),
    cancelRequested: decodeFlag(r.cancel_requested),
  };
}

function columnsOf(patch: JobPatch): Updateable<JobsTable> {
  const set: Updateable<JobsTable> = {};
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.phase !== undefined) set.phase = patch.phase;
  if (patch.counters !== undefined) set.counters = encodeJson(patch.counters);
  if (patch.checkpoint !== undefined) set.checkpoint = patch.checkpoint ? encodeJson(patch.checkpoint) : null;
  if (patch.error !== undefined) set.error = patch.error;
  if (patch.startedAt !== undefined) set.started_at = patch.startedAt;
  if (patch.finishedAt !== undefined) set.finished_at = patch.finishedAt;
  if (patch.runStartedAt !== undefined) set.run_started_at = patch.runStartedAt;
  if (patch.runStartProcessed !== undefined) set.run_start_processed = patch.runStartProcessed;
  if (patch.cancelRequested !== undefined) set.cancel_requested = encodeFlag(patch.cancelRequested);
  return set;
}

const count = (n: number | string | bigint | undefined) => Number(n ?? 0);

/** The partial index's predicate, as migration 1 wrote it: an upsert names the index it conflicts on by it. */
const ACTIVE_INDEX_PREDICATE = sql.raw<boolean>(`status IN ('QUEUED', 'RUNNING', 'INTERRUPTED')`);

export function createSqlJobStore(records: RecordDatabase): JobStore {
  const { db, engine } = records;

  const get = async (id: string) => {
    const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toJob(row) : undefined;
  };
  const mustGet = async (id: string) => {
    const job = await get(id);
    if (!job) throw new Error(`no job ${id}`);
    return job;
  };

  // A transaction is a Kysely too: the helpers below run on either.
  type On = Kysely<RecordTables>;

  async function update(id: string, patch: JobPatch, on: On = db): Promise<SyncJobRecord> {
    const set = columnsOf(patch);
    if (Object.keys(set).length === 0) return mustGet(id);
    const row = await on.updateTable('jobs').set(set).where('id', '=', id).returningAll().executeTakeFirst();
    if (!row) throw new Error(`no job ${id}`);
    return toJob(row);
  }

  async function upsertFailures(on: On, jobId: string, failures: Array<Omit<SyncFailureRecord, 'attempts' | 'jobId'> & { attempts?: number }>): Promise<void> {
    // One row per SKU: one statement may not update the same row twice (PostgreSQL refuses it).
    const bySku = new Map<string, Insertable<RecordTables['failures']>>();
    for (const f of failures) {
      const attempts = (bySku.get(f.sku)?.attempts ?? 0) + (f.attempts ?? 1);
      bySku.set(f.sku, { job_id: jobId, sku: f.sku, part_number: f.partNumber, code: f.code, message: f.message, attempts, line: f.line ?? null, col: f.column ?? null });
    }
    if (bySku.size === 0) return;
    await on
      .insertInto('failures')
      .values([...bySku.values()])
      .onConflict((oc) =>
        oc.columns(['job_id', 'sku']).doUpdateSet((eb) => ({
          code: eb.ref('excluded.code'),
          message: eb.ref('excluded.message'),
          attempts: eb('failures.attempts', '+', eb.ref('excluded.attempts')),
          line: eb.ref('excluded.line'),
          col: eb.ref('excluded.col'),
        })),
      )
      .execute();
  }

  async function insertPlanned(on: On, changes: Array<Omit<PlannedChangeRecord, 'seq'>>): Promise<void> {
    const byJob = new Map<string, Array<Omit<PlannedChangeRecord, 'seq'>>>();
    for (const c of changes) byJob.set(c.jobId, [...(byJob.get(c.jobId) ?? []), c]);
    for (const [jobId, list] of byJob) {
      // Only the job's own runner plans its changes, so max + 1 inside the transaction is the next position.
      const top = await on.selectFrom('planned_changes').select((eb) => eb.fn.max('seq').as('s')).where('job_id', '=', jobId).executeTakeFirst();
      const base = count(top?.s ?? 0);
      await on
        .insertInto('planned_changes')
        .values(list.map((c, i) => ({ job_id: jobId, seq: base + i + 1, action: c.action, sku: c.sku, product_id: c.productId, changes: encodeJson(c.changes) })))
        .execute();
    }
  }

  return {
    async createOrGetActive(job) {
      // A scope's active job may end between the conflict and the read: then the slot is free, try again.
      for (let attempt = 0; attempt < 5; attempt++) {
        const inserted = await db
          .insertInto('jobs')
          .values({
            id: randomUUID(),
            seq: nextSeq(engine, 'jobs'),
            kind: job.kind,
            scope: encodeJson(job.scope),
            scope_key: job.scopeKey,
            dry_run: encodeFlag(job.dryRun),
            status: 'QUEUED',
            phase: 'QUEUED',
            counters: encodeJson(ZERO_COUNTERS),
            started_by: job.startedBy,
            retry_of: job.retryOf ?? null,
            schedule_id: job.scheduleId ?? null,
            created_at: new Date().toISOString(),
          })
          .onConflict((oc) => oc.column('scope_key').where(ACTIVE_INDEX_PREDICATE).doNothing())
          .returningAll()
          .executeTakeFirst();
        if (inserted) return { job: toJob(inserted), created: true };
        const active = await db.selectFrom('jobs').selectAll().where('scope_key', '=', job.scopeKey).where('status', 'in', ACTIVE_STATUSES).executeTakeFirst();
        if (active) return { job: toJob(active), created: false };
      }
      throw new Error(`the active job of scope ${job.scopeKey} kept changing`);
    },
    get,
    async list(filter, offset, limit) {
      let where = db.selectFrom('jobs');
      if (filter.status?.length) where = where.where('status', 'in', filter.status);
      if (filter.kind?.length) where = where.where('kind', 'in', filter.kind);
      const [rows, total] = await Promise.all([
        where.selectAll().orderBy('seq', 'desc').limit(limit).offset(offset).execute(),
        where.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(),
      ]);
      return { items: rows.map(toJob), total: count(total?.n as number | undefined) };
    },
    update: (id, patch) => update(id, patch),
    async updateIf(id, from, patch) {
      const set = columnsOf(patch);
      const row = Object.keys(set).length
        ? await db.updateTable('jobs').set(set).where('id', '=', id).where('status', 'in', from).returningAll().executeTakeFirst()
        : await db.selectFrom('jobs').selectAll().where('id', '=', id).where('status', 'in', from).executeTakeFirst();
      if (row) return { applied: true, job: toJob(row) };
      return { applied: false, job: await mustGet(id) };
    },
    async interruptRunning() {
      const rows = await db.updateTable('jobs').set({ status: 'INTERRUPTED' }).where('status', '=', 'RUNNING').returning('id').execute();
      return rows.map((r) => r.id);
    },
    async pending() {
      const rows = await db.selectFrom('jobs').selectAll().where('status', 'in', ['QUEUED', 'INTERRUPTED']).orderBy('seq').execute();
      return rows.map(toJob);
    },
    async addFailure(f) {
      await upsertFailures(db, f.jobId, [f]);
    },
    async clearFailure(jobId, sku) {
      await db.deleteFrom('failures').where('job_id', '=', jobId).where('sku', '=', sku).execute();
    },
    async failures(jobId, offset, limit) {
      const [rows, total] = await Promise.all([
        // An import's failures in file order; a sync's (no line) by SKU.
        db.selectFrom('failures').selectAll().where('job_id', '=', jobId).orderBy(sql`coalesce(line, 0)`).orderBy('sku').limit(limit).offset(offset).execute(),
        db.selectFrom('failures').select((eb) => eb.fn.countAll().as('n')).where('job_id', '=', jobId).executeTakeFirst(),
      ]);
      const items: SyncFailureRecord[] = rows.map((r) => ({
        jobId: r.job_id,
        sku: r.sku,
        partNumber: r.part_number,
        code: r.code,
        message: r.message,
        attempts: Number(r.attempts),
        // Only import rows have them: other failures keep their shape.
        ...(r.line !== null && r.line !== undefined ? { line: Number(r.line) } : {}),
        ...(r.col !== null && r.col !== undefined ? { column: r.col } : {}),
      }));
      return { items, total: count(total?.n as number | undefined) };
    },
    async addPlannedChanges(changes) {
      if (changes.length) await db.transaction().execute((trx) => insertPlanned(trx, changes));
    },
    async commitPage(jobId, page) {
      return db.transaction().execute(async (trx) => {
        await upsertFailures(trx, jobId, page.failures);
        if (page.succeeded.length) await trx.deleteFrom('failures').where('job_id', '=', jobId).where('sku', 'in', page.succeeded).execute();
        if (page.planned.length) await insertPlanned(trx, page.planned);
        return update(jobId, { counters: page.checkpoint.counters, checkpoint: page.checkpoint }, trx);
      });
    },
    async plannedChanges(jobId, offset, limit) {
      const [rows, total] = await Promise.all([
        db.selectFrom('planned_changes').selectAll().where('job_id', '=', jobId).orderBy('seq').limit(limit).offset(offset).execute(),
        db.selectFrom('planned_changes').select((eb) => eb.fn.countAll().as('n')).where('job_id', '=', jobId).executeTakeFirst(),
      ]);
      const items: PlannedChangeRecord[] = rows.map((r) => ({
        jobId: r.job_id,
        seq: Number(r.seq),
        action: r.action as PlannedChangeRecord['action'],
        sku: r.sku,
        productId: r.product_id,
        changes: decodeJson(r.changes),
      }));
      return { items, total: count(total?.n as number | undefined) };
    },
    async addSchedule(s) {
      const record: SyncScheduleRecord = { ...s, id: randomUUID(), createdAt: new Date().toISOString(), lastRunAt: null };
      await db
        .insertInto('schedules')
        .values({
          id: record.id,
          kind: record.kind,
          scope: encodeJson(record.scope),
          interval_seconds: record.intervalSeconds,
          cron: record.cron,
          created_by: record.createdBy,
          created_at: record.createdAt,
          next_run_at: record.nextRunAt,
        })
        .execute();
      return record;
    },
    async removeSchedule(id) {
      const { numDeletedRows } = await db.deleteFrom('schedules').where('id', '=', id).executeTakeFirstOrThrow();
      return numDeletedRows > 0n;
    },
    async schedules() {
      const rows = await db.selectFrom('schedules').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map((r) => ({
        id: r.id,
        kind: r.kind as SyncScheduleRecord['kind'],
        scope: decodeJson(r.scope),
        intervalSeconds: r.interval_seconds === null ? null : Number(r.interval_seconds),
        cron: r.cron,
        createdBy: r.created_by,
        createdAt: r.created_at,
        lastRunAt: r.last_run_at,
        nextRunAt: r.next_run_at,
      }));
    },
    async markScheduleRun(id, lastRunAt, nextRunAt) {
      await db.updateTable('schedules').set({ last_run_at: lastRunAt, next_run_at: nextRunAt }).where('id', '=', id).execute();
    },
    // The database handle belongs to the strategies (src/strategies/records.ts), which close it.
    async close() {},
  };
}
