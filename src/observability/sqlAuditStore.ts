/**
 * The audit log on the record layer (src/records/): the append-only
 * `audit_log` table, in the data dir's SQLite file or in PostgreSQL with
 * DATABASE_URL, where every instance appends to the one history. Ids come
 * from the engine (SQLite AUTOINCREMENT, a PostgreSQL identity), so they
 * increase: newest first is id descending, and `beforeId` pages.
 */
import type { Insertable, Kysely } from 'kysely';
import { columnsOf, recordOf } from '../records/engine.js';
import { prepared } from '../records/prepared.js';
import type { RecordDatabase } from '../records/recordDatabase.js';
import type { AuditLogTable, RecordTables } from '../records/tables.js';
import type { AuditFilter, AuditOutcome, AuditStore } from './auditStore.js';

function filtered(db: Kysely<RecordTables>, filter: AuditFilter, beforeId?: number) {
  let q = db.selectFrom('audit_log');
  if (filter.client !== undefined) q = q.where('client', '=', filter.client);
  const operation = filter.operation;
  if (operation !== undefined) q = q.where((eb) => eb.or([eb('operation_name', '=', operation), eb('field', '=', operation)]));
  if (beforeId !== undefined) q = q.where('id', '<', beforeId);
  return q;
}

export function createSqlAuditStore(records: RecordDatabase): AuditStore {
  const { db } = records;
  // Every mutation appends one (src/records/prepared.ts: compiled once).
  const append = prepared(db, (row: Insertable<AuditLogTable>) => db.insertInto('audit_log').values(row).returning('id'));
  return {
    async append(entry) {
      const [row] = (await append(columnsOf(entry))).rows;
      return { ...entry, keyId: entry.keyId ?? null, id: String(row?.id) };
    },
    async list(filter, page) {
      const [rows, total] = await Promise.all([
        filtered(db, filter, page.beforeId).selectAll().orderBy('id', 'desc').limit(page.limit).execute(),
        filtered(db, filter).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map((r) => recordOf(r, { id: String(r.id), outcome: r.outcome as AuditOutcome })), total: total.n };
    },
    async purgeOlderThan(at) {
      const { numDeletedRows } = await db.deleteFrom('audit_log').where('at', '<', at).executeTakeFirstOrThrow();
      return Number(numDeletedRows);
    },
  };
}
