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
type Text = string;
type Maybe = string | null;

export interface JobsTable {
  id: Text;
  /** Listing order; SQLite: max + 1 in the insert, PostgreSQL: an identity column. */
  seq: Defaulted<number>;
  kind: Text;
  /** JSON of SyncScope; scope_key is the canonical kind+scope+dry-run of the one-active-job index. */
  scope: Text;
  scope_key: Text;
  dry_run: number;
  status: Text;
  phase: Text;
  /** JSON of SyncCounters, and of SyncCheckpoint or null. */
  counters: Text;
  checkpoint: Maybe;
  started_by: Text;
  retry_of: Maybe;
  schedule_id: Maybe;
  error: Maybe;
  created_at: Text;
  started_at: Maybe;
  finished_at: Maybe;
  run_started_at: Maybe;
  run_start_processed: Defaulted<number>;
  cancel_requested: Defaulted<number>;
}

export interface FailuresTable {
  job_id: Text;
  sku: Text;
  part_number: Maybe;
  code: Text;
  message: Text;
  attempts: number;
}

export interface PlannedChangesTable {
  job_id: Text;
  seq: number;
  action: Text;
  sku: Text;
  product_id: Maybe;
  /** JSON of FieldChange[]. */
  changes: Text;
}

export interface SchedulesTable {
  id: Text;
  kind: Text;
  scope: Text;
  interval_seconds: number | null;
  cron: Maybe;
  created_by: Text;
  created_at: Text;
  last_run_at: Maybe;
  next_run_at: Text;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Text;
  client: Text;
  role: Text;
  operation_name: Maybe;
  field: Text;
  arguments: Maybe;
  variables: Text;
  outcome: Text;
  error_code: Maybe;
  duration_ms: number;
}

export interface StoreTokensTable {
  store_hash: Text;
  ciphertext: Buffer;
  iv: Buffer;
  tag: Buffer;
  key_id: Text;
  scope: Text;
  installed_at: Text;
  /** JSON `{ id }` of the installing user, or null. */
  user: Maybe;
}

/** Idempotency keys (migration 1; the claim lease's token and end: migration 2). */
export interface IdempotencyKeysTable {
  client: Text;
  key: Text;
  request_hash: Text;
  /** IN_FLIGHT (claimed, lease until lease_until) or DONE (response holds the answer, JSON). */
  state: Text;
  response: Maybe;
  created_at: Text;
  expires_at: Text;
  /** The claimant's token; only it completes or releases the claim. Null in rows of the release before leases. */
  token: Defaulted<Maybe>;
  /** Null: no lease (a claim of the release before leases, whose process is gone). */
  lease_until: Defaulted<Maybe>;
}

/** Supplier orders (migration 1; request_hash, sending_since, reported_status: migration 2). */
export interface SupplierOrdersTable {
  id: Text;
  /** Listing order; SQLite: max + 1 in the insert, PostgreSQL: an identity column (migration 2). */
  seq: Defaulted<number>;
  client: Text;
  idempotency_key: Text;
  store_order_id: Maybe;
  po_number: Text;
  status: Text;
  supplier_order_id: Maybe;
  /** JSON of OrderLineIntent[] and of ShippingAddress. */
  lines: Text;
  shipping_method: Text;
  address: Text;
  attempts: number;
  next_attempt_at: Maybe;
  last_error: Maybe;
  tracking_number: Maybe;
  created_at: Text;
  updated_at: Text;
  request_hash: Defaulted<Maybe>;
  sending_since: Defaulted<Maybe>;
  reported_status: Defaulted<Maybe>;
}

export interface OrderEventsTable {
  order_id: Text;
  seq: number;
  at: Text;
  from_status: Maybe;
  to_status: Text;
  reason: Text;
}

/** Mirrored orders (migration 4; src/mirror/). Money is exact decimal text, addresses JSON. */
export interface MirrorOrdersTable {
  channel: Text;
  id: Text;
  number: Text;
  name: Text;
  created_at: Text;
  /** The version kept: an older copy never replaces a newer one. */
  updated_at: Text;
  closed_at: Maybe;
  cancelled_at: Maybe;
  status: Text;
  financial_status: Maybe;
  fulfillment_status: Maybe;
  currency: Text;
  subtotal: Maybe;
  total: Maybe;
  customer_id: Maybe;
  /** Lower-cased. */
  customer_email: Maybe;
  customer_first_name: Maybe;
  customer_last_name: Maybe;
  /** JSON of ChannelAddress, or null. */
  shipping_address: Maybe;
  billing_address: Maybe;
  line_count: number;
  /** Units over every line. */
  item_count: number;
  /** When this version was written. */
  mirrored_at: Text;
}

export interface MirrorOrderLinesTable {
  channel: Text;
  order_id: Text;
  line_id: Text;
  /** Order of the line in its order, from 1. */
  position: number;
  sku: Maybe;
  name: Text;
  quantity: number;
  unit_price: Maybe;
}

export interface MirrorStateTable {
  channel: Text;
  /** The durable incremental cursor: the latest `updated_at` a pull committed. */
  cursor_updated_at: Maybe;
  /** Every order updated before this was in the mirror when the last refresh ended. */
  as_of: Maybe;
  last_refreshed_at: Maybe;
  last_full_at: Maybe;
  last_error: Maybe;
  last_error_at: Maybe;
  /** Orders of the channel in mirror_orders, counted as they are inserted (orders are never deleted). */
  order_count: Defaulted<number>;
}

export interface MirrorWebhookEventsTable {
  channel: Text;
  event_id: Text;
  topic: Text;
  order_id: Maybe;
  order_updated_at: Maybe;
  /** JSON of the ChannelOrder the event carries; null when the body was not one (`problem` says why). */
  payload: Maybe;
  problem: Maybe;
  received_at: Text;
  /** Null until applied (the applier's queue). */
  applied_at: Maybe;
  /** APPLIED, OLDER (a newer version was there), or FAILED. */
  outcome: Maybe;
}

export interface MirrorBackfillsTable {
  job_id: Text;
  channel: Text;
  bulk_id: Maybe;
  bulk_created_at: Maybe;
  url: Maybe;
  /** The last line of the export file whose orders are committed; a resume reads after it. */
  lines_committed: number;
  /** JSON of SyncCounters, committed with the lines. */
  counters: Text;
  updated_at: Text;
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
  mirror_orders: MirrorOrdersTable;
  mirror_order_lines: MirrorOrderLinesTable;
  mirror_state: MirrorStateTable;
  mirror_webhook_events: MirrorWebhookEventsTable;
  mirror_backfills: MirrorBackfillsTable;
}
