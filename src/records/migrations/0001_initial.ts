/**
 * Migration 1: every record table, in the shape the stores of the release
 * before migrations created with `CREATE TABLE IF NOT EXISTS` (the job
 * store, the order store, the audit store and the token vault, each on the
 * data dir's crossdock.db). On SQLite it therefore adopts a file that
 * release wrote: every statement is IF NOT EXISTS, and a fresh file gets
 * the same columns, keys and indexes (test/integration/recordMigrations
 * compares both). The order tables keep that shape too; the order store
 * evolves them in migration 2.
 *
 * PostgreSQL gets the same tables with its own types: text in the "C"
 * collation (byte order, as SQLite's BINARY, so listings sort alike and ISO
 * times compare as text), double precision for REAL, bytea for BLOB, and
 * identity columns where SQLite counts (jobs.seq) or autoincrements
 * (audit_log.id).
 *
 * Frozen once released: a later change is a new migration, never an edit here.
 */
import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import type { RecordEngine } from '../engine.js';
import type { RecordMigration } from './recordMigration.js';

export const initial: RecordMigration = {
  async up(db: Kysely<unknown>, engine: RecordEngine) {
    const pg = engine === 'postgres';
    const text = pg ? sql`text collate "C"` : sql`text`;
    const real = pg ? sql`double precision` : sql`real`;
    const blob = pg ? sql`bytea` : sql`blob`;
    const notNull = (c: ColumnDefinitionBuilder) => c.notNull();

    await db.schema
      .createTable('jobs')
      .ifNotExists()
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('seq', 'integer', (c) => (pg ? c.notNull().generatedByDefaultAsIdentity() : c.notNull()))
      .addColumn('kind', text, notNull)
      .addColumn('scope', text, notNull)
      .addColumn('scope_key', text, notNull)
      .addColumn('dry_run', 'integer', notNull)
      .addColumn('status', text, notNull)
      .addColumn('phase', text, notNull)
      .addColumn('counters', text, notNull)
      .addColumn('checkpoint', text)
      .addColumn('started_by', text, notNull)
      .addColumn('retry_of', text)
      .addColumn('schedule_id', text)
      .addColumn('error', text)
      .addColumn('created_at', text, notNull)
      .addColumn('started_at', text)
      .addColumn('finished_at', text)
      .addColumn('run_started_at', text)
      .addColumn('run_start_processed', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    // One active job per kind and scope (README, "Sync jobs"): the index, not a read-then-write, holds it under concurrency.
    await db.schema
      .createIndex('jobs_one_active_per_scope')
      .ifNotExists()
      .on('jobs')
      .column('scope_key')
      .unique()
      .where(sql.raw<boolean>(`status IN ('QUEUED', 'RUNNING', 'INTERRUPTED')`))
      .execute();
    await db.schema.createIndex('jobs_by_seq').ifNotExists().on('jobs').column('seq').execute();

    await db.schema
      .createTable('failures')
      .ifNotExists()
      .addColumn('job_id', text, notNull)
      .addColumn('sku', text, notNull)
      .addColumn('part_number', text)
      .addColumn('code', text, notNull)
      .addColumn('message', text, notNull)
      .addColumn('attempts', 'integer', notNull)
      .addPrimaryKeyConstraint('failures_pkey', ['job_id', 'sku'])
      .execute();

    await db.schema
      .createTable('planned_changes')
      .ifNotExists()
      .addColumn('job_id', text, notNull)
      .addColumn('seq', 'integer', notNull)
      .addColumn('action', text, notNull)
      .addColumn('sku', text, notNull)
      .addColumn('product_id', text)
      .addColumn('changes', text, notNull)
      .addPrimaryKeyConstraint('planned_changes_pkey', ['job_id', 'seq'])
      .execute();

    await db.schema
      .createTable('schedules')
      .ifNotExists()
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('kind', text, notNull)
      .addColumn('scope', text, notNull)
      .addColumn('interval_seconds', 'integer')
      .addColumn('cron', text)
      .addColumn('created_by', text, notNull)
      .addColumn('created_at', text, notNull)
      .addColumn('last_run_at', text)
      .addColumn('next_run_at', text, notNull)
      .execute();

    await db.schema
      .createTable('idempotency_keys')
      .ifNotExists()
      .addColumn('client', text, notNull)
      .addColumn('key', text, notNull)
      .addColumn('request_hash', text, notNull)
      .addColumn('state', text, notNull)
      .addColumn('response', text)
      .addColumn('created_at', text, notNull)
      .addColumn('expires_at', text, notNull)
      .addPrimaryKeyConstraint('idempotency_keys_pkey', ['client', 'key'])
      .execute();

    await db.schema
      .createTable('supplier_orders')
      .ifNotExists()
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('seq', 'integer', notNull)
      .addColumn('client', text, notNull)
      .addColumn('idempotency_key', text, notNull)
      .addColumn('store_order_id', text)
      .addColumn('po_number', text, (c) => c.notNull().unique())
      .addColumn('status', text, notNull)
      .addColumn('supplier_order_id', text)
      .addColumn('lines', text, notNull)
      .addColumn('shipping_method', text, notNull)
      .addColumn('address', text, notNull)
      .addColumn('attempts', 'integer', notNull)
      .addColumn('next_attempt_at', text)
      .addColumn('last_error', text)
      .addColumn('tracking_number', text)
      .addColumn('created_at', text, notNull)
      .addColumn('updated_at', text, notNull)
      .addUniqueConstraint('supplier_orders_client_key', ['client', 'idempotency_key'])
      .execute();
    await db.schema.createIndex('supplier_orders_status').ifNotExists().on('supplier_orders').columns(['status', 'next_attempt_at']).execute();

    await db.schema
      .createTable('order_events')
      .ifNotExists()
      .addColumn('order_id', text, notNull)
      .addColumn('seq', 'integer', notNull)
      .addColumn('at', text, notNull)
      .addColumn('from_status', text)
      .addColumn('to_status', text, notNull)
      .addColumn('reason', text, notNull)
      .addPrimaryKeyConstraint('order_events_pkey', ['order_id', 'seq'])
      .execute();

    await db.schema
      .createTable('audit_log')
      .ifNotExists()
      .addColumn('id', pg ? 'bigint' : 'integer', (c) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()))
      .addColumn('at', text, notNull)
      .addColumn('client', text, notNull)
      .addColumn('role', text, notNull)
      .addColumn('operation_name', text)
      .addColumn('field', text, notNull)
      .addColumn('arguments', text)
      .addColumn('variables', text, notNull)
      .addColumn('outcome', text, notNull)
      .addColumn('error_code', text)
      .addColumn('duration_ms', real, notNull)
      .execute();
    await db.schema.createIndex('audit_log_client').ifNotExists().on('audit_log').columns(['client', 'id']).execute();
    await db.schema.createIndex('audit_log_at').ifNotExists().on('audit_log').column('at').execute();

    await db.schema
      .createTable('store_tokens')
      .ifNotExists()
      .addColumn('store_hash', text, (c) => c.primaryKey())
      .addColumn('ciphertext', blob, notNull)
      .addColumn('iv', blob, notNull)
      .addColumn('tag', blob, notNull)
      .addColumn('key_id', text, notNull)
      .addColumn('scope', text, notNull)
      .addColumn('installed_at', text, notNull)
      .addColumn('user', text)
      .execute();
  },
};
