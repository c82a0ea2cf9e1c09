/**
 * ErpExportStore on the record layer (src/records/): one implementation for
 * SQLite and PostgreSQL, in the order store's discipline (sqlOrderStore.ts):
 *
 * - the creation: once per store order, for good (the unique store_order_id
 *   of migration 3, ON CONFLICT DO NOTHING: of concurrent creators on any
 *   number of instances one row wins), with its first history entry;
 * - every transition: an UPDATE that applies only to the row in the state
 *   the change expects (status, attempt count, no call in flight), with its
 *   history entry, or nothing; when several states are expected the row is
 *   read locked first, to learn which one it leaves.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Selectable, type Updateable } from 'kysely';
import { decodeJson, encodeJson, lockedRead, nextSeq } from '../records/engine.js';
import type { RecordDatabase } from '../records/recordDatabase.js';
import type { ErpOrderExportsTable } from '../records/tables.js';
import type { ErpExportPatch, ErpExportStore } from './erpExportStore.js';
import type { ErpExportError, ErpExportRecord, ErpExportStatus, ErpExportStep } from './erpExportTypes.js';

function toRecord(r: Selectable<ErpOrderExportsTable>): ErpExportRecord {
  return {
    id: r.id,
    storeOrderId: r.store_order_id,
    customerReference: r.customer_reference,
    status: r.status as ErpExportStatus,
    step: r.step as ErpExportStep | null,
    batchOrderNumber: r.batch_order_number,
    orderNumber: r.order_number,
    abandoned: decodeJson(r.abandoned),
    lines: decodeJson(r.lines),
    attempts: Number(r.attempts),
    sendingSince: r.sending_since,
    lastError: r.last_error === null ? null : decodeJson<ErpExportError>(r.last_error),
    jobId: r.job_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function columnsOf(patch: ErpExportPatch): Updateable<ErpOrderExportsTable> {
  const set: Updateable<ErpOrderExportsTable> = {};
  if (patch.step !== undefined) set.step = patch.step;
  if (patch.batchOrderNumber !== undefined) set.batch_order_number = patch.batchOrderNumber;
  if (patch.orderNumber !== undefined) set.order_number = patch.orderNumber;
  if (patch.abandoned !== undefined) set.abandoned = encodeJson(patch.abandoned);
  if (patch.lines !== undefined) set.lines = encodeJson(patch.lines);
  if (patch.attempts !== undefined) set.attempts = patch.attempts;
  if (patch.sendingSince !== undefined) set.sending_since = patch.sendingSince;
  if (patch.lastError !== undefined) set.last_error = patch.lastError === null ? null : encodeJson(patch.lastError);
  return set;
}

export function createSqlErpExportStore(records: RecordDatabase): ErpExportStore {
  const { db, engine } = records;
  const exports = () => db.selectFrom('erp_order_exports').selectAll();

  return {
    create(record, reason) {
      return db.transaction().execute(async (trx) => {
        const now = new Date().toISOString();
        const inserted = await trx
          .insertInto('erp_order_exports')
          .values({
            id: randomUUID(),
            seq: nextSeq(engine, 'erp_order_exports'),
            store_order_id: record.storeOrderId,
            customer_reference: record.customerReference,
            status: record.status,
            step: null,
            batch_order_number: null,
            order_number: null,
            abandoned: encodeJson([]),
            lines: encodeJson(record.lines),
            attempts: 0,
            sending_since: null,
            last_error: record.lastError === null ? null : encodeJson(record.lastError),
            job_id: record.jobId,
            created_at: now,
            updated_at: now,
          })
          // Once per store order, for good: a second run or a second instance finds this one.
          .onConflict((oc) => oc.column('store_order_id').doNothing())
          .returningAll()
          .executeTakeFirst();
        if (!inserted) {
          const existing = await trx.selectFrom('erp_order_exports').selectAll().where('store_order_id', '=', record.storeOrderId).executeTakeFirstOrThrow();
          return { created: false, record: toRecord(existing) };
        }
        await trx.insertInto('erp_order_export_events').values({ export_id: inserted.id, seq: 1, at: now, from_status: null, to_status: record.status, reason }).execute();
        return { created: true, record: toRecord(inserted) };
      });
    },

    transition(id, to, reason, change) {
      return db.transaction().execute(async (trx) => {
        const read = () => lockedRead(engine, trx.selectFrom('erp_order_exports').selectAll().where('id', '=', id)).executeTakeFirst();
        let before = change.from.length === 1 ? undefined : await read();
        const from = before ? (before.status as ErpExportStatus) : change.from[0];
        const update = (state: ErpExportStatus) => {
          let q = trx
            .updateTable('erp_order_exports')
            .set({ ...columnsOf(change.set ?? {}), status: to, updated_at: new Date().toISOString() })
            .where('id', '=', id)
            .where('status', '=', state);
          if (change.attempts !== undefined) q = q.where('attempts', '=', change.attempts);
          if (change.idle) q = q.where('sending_since', 'is', null);
          return q.returningAll().executeTakeFirst();
        };
        const after = from !== undefined && change.from.includes(from) ? await update(from) : undefined;
        if (!after) {
          before ??= await read();
          if (!before) throw new Error(`no ERP order export ${id}`);
          return { applied: false, record: toRecord(before) };
        }
        if (from !== to) {
          await trx
            .insertInto('erp_order_export_events')
            .values({ export_id: id, seq: sql<number>`(select coalesce(max(seq), 0) + 1 from erp_order_export_events where export_id = ${id})`, at: after.updated_at, from_status: from, to_status: to, reason })
            .execute();
        }
        return { applied: true, record: toRecord(after) };
      });
    },

    async get(id) {
      const row = await exports().where('id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },
    async byStoreOrder(storeOrderId) {
      const row = await exports().where('store_order_id', '=', storeOrderId).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },
    async list(filter, offset, limit) {
      let where = db.selectFrom('erp_order_exports');
      if (filter.status?.length) where = where.where('status', 'in', filter.status);
      if (filter.storeOrderId) where = where.where('store_order_id', '=', filter.storeOrderId);
      const [rows, total] = await Promise.all([
        where.selectAll().orderBy('seq', 'desc').limit(limit).offset(offset).execute(),
        where.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(),
      ]);
      return { items: rows.map(toRecord), total: Number(total?.n ?? 0) };
    },
    async inStatus(statuses, limit) {
      if (statuses.length === 0) return [];
      return (await exports().where('status', 'in', statuses).orderBy('seq').limit(limit).execute()).map(toRecord);
    },
    async events(id) {
      const rows = await db.selectFrom('erp_order_export_events').selectAll().where('export_id', '=', id).orderBy('seq').execute();
      return rows.map((e) => ({ exportId: e.export_id, at: e.at, from: e.from_status as ErpExportStatus | null, to: e.to_status as ErpExportStatus, reason: e.reason }));
    },
  };
}
