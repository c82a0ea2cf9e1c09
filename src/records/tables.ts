/**
 * The record tables as Kysely sees them: one row type per table, in the
 * shape both engines store (migrations/0001_initial.ts creates them). What
 * the engines would store differently is stored one way: JSON as text,
 * booleans as integers 0/1, times as ISO-8601 UTC text (fixed width, so text
 * order is time order on both), bytes as BLOB / bytea (a Buffer either way).
 */
import type { ColumnType, Generated } from 'kysely';

/** A column the database fills when the insert gives none. */
type Defaulted<T> = ColumnType<T, T | undefined, T>;

export interface JobsTable {
  id: string;
  /** Listing order; SQLite: max + 1 in the insert, PostgreSQL: an identity column. */
  seq: Defaulted<number>;
  kind: string;
  /** JSON of SyncScope. */
  scope: string;
  scope_key: string;
  dry_run: number;
  status: string;
  phase: string;
  /** JSON of SyncCounters. */
  counters: string;
  /** JSON of SyncCheckpoint, or null. */
  checkpoint: string | null;
  started_by: string;
  retry_of: string | null;
  schedule_id: string | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  run_started_at: string | null;
  run_start_processed: Defaulted<number>;
  cancel_requested: Defaulted<number>;
}

export interface FailuresTable {
  job_id: string;
  sku: string;
  part_number: string | null;
  code: string;
  message: string;
  attempts: number;
}

export interface PlannedChangesTable {
  job_id: string;
  seq: number;
  action: string;
  sku: string;
  product_id: string | null;
  /** JSON of FieldChange[]. */
  changes: string;
}

export interface SchedulesTable {
  id: string;
  kind: string;
  scope: string;
  interval_seconds: number | null;
  cron: string | null;
  created_by: string;
  created_at: string;
  last_run_at: string | null;
  next_run_at: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  client: string;
  role: string;
  operation_name: string | null;
  field: string;
  arguments: string | null;
  variables: string;
  outcome: string;
  error_code: string | null;
  duration_ms: number;
}

export interface StoreTokensTable {
  store_hash: string;
  ciphertext: Buffer;
  iv: Buffer;
  tag: Buffer;
  key_id: string;
  scope: string;
  installed_at: string;
  /** JSON `{ id }` of the installing user, or null. */
  user: string | null;
}

/** The supplier-order tables (migration 1 keeps today's shape; the order store moves onto this layer later). */
export interface IdempotencyKeysTable {
  client: string;
  key: string;
  request_hash: string;
  state: string;
  response: string | null;
  created_at: string;
  expires_at: string;
}

export interface SupplierOrdersTable {
  id: string;
  seq: number;
  client: string;
  idempotency_key: string;
  store_order_id: string | null;
  po_number: string;
  status: string;
  supplier_order_id: string | null;
  lines: string;
  shipping_method: string;
  address: string;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  tracking_number: string | null;
  created_at: string;
  updated_at: string;
}

export interface OrderEventsTable {
  order_id: string;
  seq: number;
  at: string;
  from_status: string | null;
  to_status: string;
  reason: string;
}

export interface RecordTables {
  jobs: JobsTable;
  failures: FailuresTable;
  planned_changes: PlannedChangesTable;
  schedules: SchedulesTable;
  audit_log: AuditLogTable;
  store_tokens: StoreTokensTable;
  idempotency_keys: IdempotencyKeysTable;
  supplier_orders: SupplierOrdersTable;
  order_events: OrderEventsTable;
}
