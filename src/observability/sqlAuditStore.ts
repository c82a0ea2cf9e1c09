/**
 * The audit log on the record layer (src/records/): the append-only
 * `audit_log` table, in the data dir's SQLite file or in PostgreSQL with
 * DATABASE_URL, where every instance appends to the one history. Ids come
 * from the engine (SQLite AUTOINCREMENT, a PostgreSQL identity), so they
 * increase: newest first is id descending, and `beforeId` pages.
 */
import type { Kysely } from 'kysely';
import type { RecordDatabase } from '../records/recordDatabase.js';
import type { RecordTables } from '../records/tables.js';
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
  return {
    async append(entry) {
      const { id } = await db
        .insertInto('audit_log')
        .values({
          at: entry.at,
          client: entry.client,
          key_id: entry.keyId ?? null,
          role: entry.role,
          operation_name: entry.operationName,
          field: entry.field,
          arguments: entry.arguments,
          variables: entry.variables,
          outcome: entry.outcome,
          error_code: entry.errorCode,
          duration_ms: entry.durationMs,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { ...entry, keyId: entry.keyId ?? null, id: String(id) };
    },
    async list(filter, page) {
      const [rows, total] = await Promise.all([
        filtered(db, filter, page.beforeId).selectAll().orderBy('id', 'desc').limit(page.limit).execute(),
        filtered(db, filter).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(),
      ]);
      const items = rows.map((r) => ({
        id: String(r.id),
        at: r.at,
        client: r.client,
        keyId: r.key_id ?? null,
        role: r.role,
        operationName: r.operation_name,
        field: r.field,
        arguments: r.arguments,
        variables: r.variables,
        outcome: r.outcome as AuditOutcome,
        errorCode: r.error_code,
        durationMs: Number(r.duration_ms),
      }));
      return { items, total: Number(total?.n ?? 0) };
    },
    async purgeOlderThan(at) {
      const { numDeletedRows } = await db.deleteFrom('audit_log').where('at', '<', at).executeTakeFirstOrThrow();
      return Number(numDeletedRows);
    },
    // The database handle belongs to the strategies, which close it.
    async close() {},
  };
}
