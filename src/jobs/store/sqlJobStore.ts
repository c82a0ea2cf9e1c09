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
import { columnsOf, nextSeq, recordOf } from '../../records/engine.js';
import { prepared } from '../../records/prepared.js';
import type { RecordDatabase } from '../../records/recordDatabase.js';
import type { FailuresTable, JobsTable, PlannedChangesTable, RecordTables } from '../../records/tables.js';
import type { PlannedChangeRecord, SyncCounters, SyncFailureRecord, SyncJobRecord, SyncScheduleRecord } from '../types.js';
import { ACTIVE_STATUSES, ZERO_COUNTERS } from '../types.js';
import type { JobPatch, JobStore } from './jobStore.js';

function toJob(row: Selectable<JobsTable>): SyncJobRecord {
  const decoded = {
    kind: row.kind as SyncJobRecord['kind'],
    scope: JSON.parse(row.scope),
    dryRun: row.dry_run === 1,
    status: row.status as SyncJobRecord['status'],
    phase: row.phase as SyncJobRecord['phase'],
    counters: { ...ZERO_COUNTERS, ...(JSON.parse(row.counters) as Partial<SyncCounters>) },
    checkpoint: row.checkpoint ? JSON.parse(row.checkpoint) : null,
    cancelRequested: row.cancel_requested === 1,
  };
  return recordOf(row, decoded, 'seq');
}

/** JSON as text, booleans as 0/1 (tables.ts); the rest as it is. */
function changesOf(patch: JobPatch): Updateable<JobsTable> {
  const { counters, checkpoint, cancelRequested, ...rest } = patch;
  const set: Updateable<JobsTable> = columnsOf(rest);
  if (counters !== undefined) set.counters = JSON.stringify(counters);
  if (checkpoint !== undefined) set.checkpoint = checkpoint && JSON.stringify(checkpoint);
  if (cancelRequested !== undefined) set.cancel_requested = cancelRequested ? 1 : 0;
  return set;
}

/** The partial index's predicate, as migration 1 wrote it: an upsert names the index it conflicts on by it. */
const ACTIVE_INDEX_PREDICATE = sql.raw<boolean>(`status IN ('QUEUED', 'RUNNING', 'INTERRUPTED')`);

export function createSqlJobStore(records: RecordDatabase): JobStore {
  const { db, engine } = records;
  // What a running job writes per page, compiled once (src/records/prepared.ts).
  const byId = prepared(db, (v: { id: string }) => db.selectFrom('jobs').selectAll().where('id', '=', v.id));
  const update = prepared(db, (v: { id: string; set: Updateable<JobsTable>; from?: readonly string[] }) => {
    const q = db.updateTable('jobs').set(v.set).where('id', '=', v.id);
    return (v.from ? q.where('status', 'in', v.from) : q).returningAll();
  });
  // One row per SKU: one statement may not update the same row twice (PostgreSQL refuses it).
  const upsertFailures = prepared(db, (rows: Array<Insertable<FailuresTable>>) =>
    db
      .insertInto('failures')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['job_id', 'sku']).doUpdateSet((eb) => ({
          code: eb.ref('excluded.code'),
          message: eb.ref('excluded.message'),
          attempts: eb('failures.attempts', '+', eb.ref('excluded.attempts')),
          line: eb.ref('excluded.line'),
          col: eb.ref('excluded.col'),
        })),
      ),
  );
  const clearFailures = prepared(db, (v: { jobId: string; skus: string[] }) => db.deleteFrom('failures').where('job_id', '=', v.jobId).where('sku', 'in', v.skus));
  const lastPlanned = prepared(db, (v: { jobId: string }) => db.selectFrom('planned_changes').select((eb) => eb.fn.max('seq').as('s')).where('job_id', '=', v.jobId));
  const insertPlanned = prepared(db, (rows: Array<Insertable<PlannedChangesTable>>) => db.insertInto('planned_changes').values(rows));

  const find = async (id: string, on?: Kysely<RecordTables>) => (await byId({ id }, on)).rows.map(toJob)[0];
  const mustGet = async (id: string, on?: Kysely<RecordTables>) => (await find(id, on)) ?? Promise.reject(new Error(`no job ${id}`));
  async function updated(id: string, patch: JobPatch, on?: Kysely<RecordTables>): Promise<SyncJobRecord> {
    const set = changesOf(patch);
    if (Object.keys(set).length === 0) return mustGet(id, on);
    const [row] = (await update({ id, set }, on)).rows;
    if (!row) throw new Error(`no job ${id}`);
    return toJob(row);
  }
  async function addFailures(jobId: string, failures: Array<Omit<SyncFailureRecord, 'attempts' | 'jobId'> & { attempts?: number }>, on?: Kysely<RecordTables>): Promise<void> {
    const bySku = new Map<string, Insertable<FailuresTable>>();
    for (const f of failures) {
      const attempts = (bySku.get(f.sku)?.attempts ?? 0) + (f.attempts ?? 1);
      bySku.set(f.sku, { job_id: jobId, sku: f.sku, part_number: f.partNumber, code: f.code, message: f.message, attempts, line: f.line ?? null, col: f.column ?? null });
    }
    if (bySku.size) await upsertFailures([...bySku.values()], on);
  }

  return {
    async createOrGetActive(job) {
      const row = {
        ...columnsOf(job),
        scope: JSON.stringify(job.scope),
        dry_run: job.dryRun ? 1 : 0,
        status: 'QUEUED',
        phase: 'QUEUED',
        counters: JSON.stringify(ZERO_COUNTERS),
        created_at: new Date().toISOString(),
      };
      // A scope's active job may end between the conflict and the read: then the slot is free, try again.
      for (let attempt = 0; attempt < 5; attempt++) {
        const inserted = await db
          .insertInto('jobs')
          .values({ ...row, id: randomUUID(), seq: nextSeq(engine, 'jobs') })
          .onConflict((oc) => oc.column('scope_key').where(ACTIVE_INDEX_PREDICATE).doNothing())
          .returningAll()
          .executeTakeFirst();
        if (inserted) return { job: toJob(inserted), created: true };
        const active = await db.selectFrom('jobs').selectAll().where('scope_key', '=', job.scopeKey).where('status', 'in', ACTIVE_STATUSES).executeTakeFirst();
        if (active) return { job: toJob(active), created: false };
      }
      throw new Error(`the active job of scope ${job.scopeKey} kept changing`);
    },
    get: (id) => find(id),
    async list(filter, offset, limit) {
      let where = db.selectFrom('jobs');
      if (filter.status?.length) where = where.where('status', 'in', filter.status);
      if (filter.kind?.length) where = where.where('kind', 'in', filter.kind);
      const [rows, total] = await Promise.all([
        where.selectAll().orderBy('seq', 'desc').limit(limit).offset(offset).execute(),
        where.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(),
      ]);
      return { items: rows.map(toJob), total: Number(total?.n ?? 0) };
    },
    update: (id, patch) => updated(id, patch),
    async updateIf(id, from, patch) {
      const set = changesOf(patch);
      const [row] = Object.keys(set).length ? (await update({ id, set, from }, db)).rows : (await byId({ id })).rows.filter((r) => from.includes(r.status as SyncJobRecord['status']));
      return row ? { applied: true, job: toJob(row) } : { applied: false, job: await mustGet(id) };
    },
    async interruptRunning() {
      const rows = await db.updateTable('jobs').set({ status: 'INTERRUPTED' }).where('status', '=', 'RUNNING').returning('id').execute();
      return rows.map((r) => r.id);
    },
    async pending() {
      const rows = await db.selectFrom('jobs').selectAll().where('status', 'in', ['QUEUED', 'INTERRUPTED']).orderBy('seq').execute();
      return rows.map(toJob);
    },
    addFailure: (f) => addFailures(f.jobId, [f]),
    async clearFailure(jobId, sku) {
      await clearFailures({ jobId, skus: [sku] });
    },
    async failures(jobId, offset, limit) {
      const [rows, total] = await Promise.all([
        // An import's failures in file order; a sync's (no line) by SKU.
        db.selectFrom('failures').selectAll().where('job_id', '=', jobId).orderBy(sql`coalesce(line, 0)`).orderBy('sku').limit(limit).offset(offset).execute(),
        db.selectFrom('failures').select((eb) => eb.fn.countAll<number>().as('n')).where('job_id', '=', jobId).executeTakeFirstOrThrow(),
      ]);
      // Only import rows have a line and column: other failures keep their shape.
      const placed = (r: Selectable<FailuresTable>) => ({ ...(r.line !== null ? { line: Number(r.line) } : {}), ...(r.col !== null ? { column: r.col } : {}) });
      return { items: rows.map((r) => recordOf(r, placed(r), 'line', 'col')), total: total.n };
    },
    async commitPage(jobId, page) {
      return db.transaction().execute(async (trx) => {
        await addFailures(jobId, page.failures, trx);
        if (page.succeeded.length) await clearFailures({ jobId, skus: page.succeeded }, trx);
        if (page.planned.length) {
          // Only the job's own runner plans its changes, so max + 1 inside the transaction is the next position.
          const [top] = (await lastPlanned({ jobId }, trx)).rows;
          const base = Number(top?.s ?? 0);
          await insertPlanned(page.planned.map((c, i) => ({ ...columnsOf(c), job_id: jobId, seq: base + i + 1, changes: JSON.stringify(c.changes) })), trx);
        }
        return updated(jobId, { counters: page.checkpoint.counters, checkpoint: page.checkpoint }, trx);
      });
    },
    async plannedChanges(jobId, offset, limit) {
      const [rows, total] = await Promise.all([
        db.selectFrom('planned_changes').selectAll().where('job_id', '=', jobId).orderBy('seq').limit(limit).offset(offset).execute(),
        db.selectFrom('planned_changes').select((eb) => eb.fn.countAll<number>().as('n')).where('job_id', '=', jobId).executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map((r) => recordOf(r, { action: r.action as PlannedChangeRecord['action'], changes: JSON.parse(r.changes) })), total: total.n };
    },
    async addSchedule(s) {
      const record: SyncScheduleRecord = { ...s, id: randomUUID(), createdAt: new Date().toISOString(), lastRunAt: null };
      await db.insertInto('schedules').values({ ...columnsOf(record), scope: JSON.stringify(record.scope) }).execute();
      return record;
    },
    async removeSchedule(id) {
      const { numDeletedRows } = await db.deleteFrom('schedules').where('id', '=', id).executeTakeFirstOrThrow();
      return numDeletedRows > 0n;
    },
    async schedules() {
      const rows = await db.selectFrom('schedules').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map((r) => recordOf(r, { kind: r.kind as SyncScheduleRecord['kind'], scope: JSON.parse(r.scope) }));
    },
    async markScheduleRun(id, lastRunAt, nextRunAt) {
      await db.updateTable('schedules').set({ last_run_at: lastRunAt, next_run_at: nextRunAt }).where('id', '=', id).execute();
    },
  };
}
