/**
 * The record tables as Kysely sees them, in the shape both engines store
 * (migrations/0001_initial.ts creates them). A table of a record is the
 * record's fields by the one naming rule (engine.ts: `nextAttemptAt` is
 * `next_attempt_at`), but for what the engines would store differently,
 * which is stored one way: JSON as text, booleans as integers 0/1, times as
 * ISO-8601 UTC text (fixed width, so text order is time order on both),
 * bytes as BLOB / bytea (a Buffer either way).
 */
import type { ColumnType, Generated } from 'kysely';
import type { SealedToken, StoreTokenRecord } from '../auth/tokenVault.js';
import type { AuditEntryRecord } from '../observability/auditStore.js';
import type { ContactWindow } from '../messaging/messageStore.js';
import type { MessageEventRecord, ProductMessageRecord } from '../messaging/types.js';
import type { ErpExportEventRecord, ErpExportRecord } from '../orders/erpExportTypes.js';
import type { OrderEventRecord, SupplierOrderRecord } from '../orders/types.js';
import type { ProductDraftRecord } from '../social/types.js';
import type { PlannedChangeRecord, SyncFailureRecord, SyncJobRecord, SyncScheduleRecord } from '../jobs/types.js';
import type { Columns } from './engine.js';

/** A column the database fills when the insert gives none. */
type Defaulted<T> = ColumnType<T, T | undefined, T>;
type Maybe = string | null;
/** A record's fields as columns: by the naming rule, its string unions as the text they are stored as. */
type Stored<T> = { [K in keyof Columns<T>]: Text<Columns<T>[K]> };
type Text<V = string> = V extends string ? string : V;

export interface JobsTable extends Stored<Omit<SyncJobRecord, 'scope' | 'dryRun' | 'counters' | 'checkpoint' | 'runStartProcessed' | 'cancelRequested'>> {
  /** Listing order; SQLite: max + 1 in the insert, PostgreSQL: an identity column. */
  seq: Defaulted<number>;
  /** JSON of SyncScope, of SyncCounters, and of SyncCheckpoint or null. */
  scope: Text;
  counters: Text;
  checkpoint: Maybe;
  dry_run: number;
  run_start_processed: Defaulted<number>;
  cancel_requested: Defaulted<number>;
}

/** A sync's failures; an import row's also where it is (migration 8: `line`, and `col` for the record's `column`), null for a sync's. */
export interface FailuresTable extends Stored<Omit<SyncFailureRecord, 'line' | 'column'>> {
  line: number | null;
  col: Maybe;
}

export interface PlannedChangesTable extends Stored<Omit<PlannedChangeRecord, 'changes'>> {
  /** JSON of FieldChange[]. */
  changes: Text;
}

export interface SchedulesTable extends Stored<Omit<SyncScheduleRecord, 'scope'>> {
  scope: Text;
}

export interface AuditLogTable extends Stored<Omit<AuditEntryRecord, 'id' | 'keyId'>> {
  id: Generated<number>;
  /** The presented key's id (migration 5); null in older rows, and when an entry names none (NewAuditEntry). */
  key_id: Defaulted<Maybe>;
}

/** A sealed token (tokenVault.ts) and its install. */
export interface StoreTokensTable extends Stored<SealedToken & Pick<StoreTokenRecord, 'storeHash' | 'scope' | 'installedAt'>> {
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
export interface SupplierOrdersTable extends Stored<Omit<SupplierOrderRecord, 'lines' | 'address' | 'requestHash' | 'sendingSince' | 'reportedStatus'>> {
  /** Listing order; SQLite: max + 1 in the insert, PostgreSQL: an identity column (migration 2). */
  seq: Defaulted<number>;
  /** JSON of OrderLineIntent[] and of ShippingAddress. */
  lines: Text;
  address: Text;
  request_hash: Defaulted<Maybe>;
  sending_since: Defaulted<Maybe>;
  reported_status: Defaulted<Maybe>;
}

export interface OrderEventsTable extends Stored<Omit<OrderEventRecord, 'from' | 'to'>> {
  seq: number;
  from_status: Maybe;
  to_status: Text;
}

/** ERP order exports (migration 3): one per store order, written before any ERP call. */
export interface ErpOrderExportsTable extends Stored<Omit<ErpExportRecord, 'abandoned' | 'lines' | 'lastError'>> {
  /** Listing order; SQLite: max + 1 in the insert, PostgreSQL: an identity column. */
  seq: Defaulted<number>;
  /** JSON of string[] (batch heads given up after an unknown outcome), of ErpExportLine[], and of ErpExportError or null. */
  abandoned: Text;
  lines: Text;
  last_error: Maybe;
}

export interface ErpOrderExportEventsTable extends Stored<Omit<ErpExportEventRecord, 'from' | 'to'>> {
  seq: number;
  from_status: Maybe;
  to_status: Text;
}

/** Product drafts from social video links (migration 6). */
export interface SocialDraftsTable extends Stored<Omit<ProductDraftRecord, 'price' | 'tags' | 'images' | 'matches' | 'analysis' | 'linked' | 'publishAttempts' | 'version'>> {
  seq: Defaulted<number>;
  /** The price's Money, as its two fields. */
  price_amount: Maybe;
  price_currency: Maybe;
  /** JSON of string[], DraftImage[], DraftMatch[], and of CaptionAnalysis or null. */
  tags: Text;
  images: Text;
  matches: Text;
  analysis: Maybe;
  linked: Defaulted<number>;
  publish_attempts: Defaulted<number>;
  version: Defaulted<number>;
}

/** A publish idempotency key, bound to one draft per client (migration 6). */
export interface SocialPublishKeysTable {
  client: Text;
  key: Text;
  draft_id: Text;
  created_at: Text;
}

/** WhatsApp product messages (migration 7; src/messaging/sqlMessageStore.ts). */
export interface WhatsAppMessagesTable extends Stored<Omit<ProductMessageRecord, 'products' | 'templateOnly' | 'errors'>> {
  /** Listing order; SQLite: max + 1 in the insert, PostgreSQL: an identity column. */
  seq: Defaulted<number>;
  /** JSON of MessageProductRef[] (store id, retailer id, name), and of the vendor's errors (MessageErrorRecord[]). */
  products: Text;
  errors: Text;
  /** 1: only the template may be sent (the vendor refused an interactive one as outside the window). */
  template_only: Defaulted<number>;
}

export interface WhatsAppMessageEventsTable extends Stored<Omit<MessageEventRecord, 'from' | 'to'>> {
  seq: number;
  from_status: Maybe;
  to_status: Text;
}

/** A customer's window (ContactWindow), by their E.164 number. */
export interface WhatsAppContactsTable extends Stored<ContactWindow> {
  recipient: Text;
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

/**
 * A mirrored order's bulk record as JSON text (src/mirror/mirrorRecords.ts), of the version in mirror_orders with
 * its lines, as the NDJSON export hands it out (migration 10); none for an order written before it.
 */
export interface MirrorOrderRecordsTable {
  channel: Text;
  id: Text;
  record_json: Text;
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
  erp_order_exports: ErpOrderExportsTable;
  erp_order_export_events: ErpOrderExportEventsTable;
  social_drafts: SocialDraftsTable;
  social_publish_keys: SocialPublishKeysTable;
  whatsapp_messages: WhatsAppMessagesTable;
  whatsapp_message_events: WhatsAppMessageEventsTable;
  whatsapp_contacts: WhatsAppContactsTable;
  mirror_orders: MirrorOrdersTable;
  mirror_order_records: MirrorOrderRecordsTable;
  mirror_order_lines: MirrorOrderLinesTable;
  mirror_state: MirrorStateTable;
  mirror_webhook_events: MirrorWebhookEventsTable;
  mirror_backfills: MirrorBackfillsTable;
}
