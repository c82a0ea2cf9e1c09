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
  /** An import row's line and bad column (migration 8); null for a sync's failures. */
  line: number | null;
  col: Maybe;
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
  /** The presented key's id (migration 5); null in older rows. */
  key_id: Maybe;
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

/** ERP order exports (migration 3): one per store order, written before any ERP call. */
export interface ErpOrderExportsTable {
  id: Text;
  /** Listing order; SQLite: max + 1 in the insert, PostgreSQL: an identity column. */
  seq: Defaulted<number>;
  store_order_id: Text;
  customer_reference: Text;
  status: Text;
  /** HEAD | LINES | CONFIRM: the call in flight, or whose outcome is unknown; null when neither. */
  step: Maybe;
  batch_order_number: Maybe;
  order_number: Maybe;
  /** JSON of string[]: batch heads given up after an unknown outcome (never confirmed). */
  abandoned: Text;
  /** JSON of ErpExportLine[]. */
  lines: Text;
  attempts: number;
  sending_since: Maybe;
  /** JSON of ErpExportError, or null. */
  last_error: Maybe;
  job_id: Maybe;
  created_at: Text;
  updated_at: Text;
}

export interface ErpOrderExportEventsTable {
  export_id: Text;
  seq: number;
  at: Text;
  from_status: Maybe;
  to_status: Text;
  reason: Text;
}

/** Product drafts from social video links (migration 6). JSON as text: tags, images, matches, analysis. */
export interface SocialDraftsTable {
  id: Text;
  seq: Defaulted<number>;
  platform: Text;
  video_id: Text;
  source_url: Text;
  author: Maybe;
  author_url: Maybe;
  caption: Maybe;
  title: Maybe;
  description: Maybe;
  price_amount: Maybe;
  price_currency: Maybe;
  tags: Text;
  category: Maybe;
  images: Text;
  matches: Text;
  analysis: Maybe;
  status: Text;
  ingest_job_id: Maybe;
  ingested_at: Maybe;
  store_product_id: Maybe;
  linked: Defaulted<number>;
  published_at: Maybe;
  publish_token: Maybe;
  publish_until: Maybe;
  publish_attempts: Defaulted<number>;
  last_error: Maybe;
  version: Defaulted<number>;
  created_at: Text;
  updated_at: Text;
}

/** A publish idempotency key, bound to one draft per client (migration 6). */
export interface SocialPublishKeysTable {
  client: Text;
  key: Text;
  draft_id: Text;
  created_at: Text;
}

/** WhatsApp product messages (migration 7; src/messaging/sqlMessageStore.ts). */
export interface WhatsAppMessagesTable {
  id: Text;
  /** Listing order; SQLite: max + 1 in the insert, PostgreSQL: an identity column. */
  seq: Defaulted<number>;
  client: Text;
  idempotency_key: Text;
  request_hash: Text;
  /** E.164. */
  recipient: Text;
  /** JSON of MessageProductRef[] (store id, retailer id, name). */
  products: Text;
  body: Text;
  /** PRODUCT, PRODUCT_LIST or TEMPLATE, once chosen for a send. */
  kind: Maybe;
  /** 1: only the template may be sent (the vendor refused an interactive one as outside the window). */
  template_only: Defaulted<number>;
  status: Text;
  /** The vendor's time of the status (a status event's timestamp). */
  status_at: Maybe;
  vendor_message_id: Maybe;
  attempts: number;
  next_attempt_at: Maybe;
  sending_since: Maybe;
  /** JSON of the vendor's errors (MessageErrorRecord[]). */
  errors: Text;
  last_error: Maybe;
  created_at: Text;
  updated_at: Text;
}

export interface WhatsAppMessageEventsTable {
  message_id: Text;
  seq: number;
  at: Text;
  from_status: Maybe;
  to_status: Text;
  reason: Text;
  /** The vendor's time, for a change a status event made. */
  vendor_at: Maybe;
}

export interface WhatsAppContactsTable {
  /** E.164. */
  recipient: Text;
  last_inbound_at: Maybe;
  window_refused_at: Maybe;
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
  erp_order_exports: ErpOrderExportsTable;
  erp_order_export_events: ErpOrderExportEventsTable;
  social_drafts: SocialDraftsTable;
  social_publish_keys: SocialPublishKeysTable;
  whatsapp_messages: WhatsAppMessagesTable;
  whatsapp_message_events: WhatsAppMessageEventsTable;
  whatsapp_contacts: WhatsAppContactsTable;
}
