/**
 * The orders mirror's records (DESIGN.md, "Mirrors"): mirrored orders and
 * their lines, each channel's cursor and state, webhook events, backfill
 * checkpoints. One implementation on the SQL record layer
 * (sqlMirrorStore.ts): SQLite embedded, PostgreSQL shared by every instance.
 *
 * The version rule holds in the database: an order is written only when the
 * copy given is newer (`updated_at`) than the one kept, so an older event, a
 * replayed one, or a backfill that read before a webhook arrived changes
 * nothing. Each decision is one transaction: a batch's orders with its
 * checkpoint, its failures and the cursor; an event's order with the mark
 * that it was applied.
 */
import type { ChannelOrder, ChannelOrderLine, ChannelOrderStatus, MirrorChannel } from '../domain/channelOrders.js';
import type { OrderEvent } from '../domain/orderSourcePorts.js';
import type { SyncCounters } from '../jobs/types.js';
import type { MirrorCsvRow } from './mirrorCsvRows.js';
import type { MirrorNdjsonPage } from './mirrorNdjsonLines.js';

export interface MirrorOrderFilter {
  channel: MirrorChannel;
  status?: readonly ChannelOrderStatus[];
  financialStatus?: readonly string[];
  fulfillmentStatus?: readonly string[];
  /** Inclusive lower and exclusive upper bounds, ISO-8601 UTC. */
  createdFrom?: string;
  createdTo?: string;
  updatedFrom?: string;
  updatedTo?: string;
  /** Lower-cased, exact. */
  customerEmail?: string;
  sku?: string;
}

/** Where a listing continues: after the order with this creation time and id (the listing order). */
export interface MirrorPosition {
  createdAt: string;
  id: string;
}

/** An order as listed: without its lines (they are read only when asked for). */
export type MirroredOrderHead = Omit<ChannelOrder, 'lines'> & { lineCount: number; itemCount: number };

export interface MirrorBatch {
  orders: readonly ChannelOrder[];
  /** Lines of orders given earlier in a bulk file (kept when their order is in the mirror). */
  lateLines?: ReadonlyArray<{ orderId: string; lines: readonly ChannelOrderLine[] }>;
  /** The job's failures of this batch (an order that could not be read), listed with the job's. */
  failures?: { jobId: string; items: ReadonlyArray<{ key: string; message: string }> };
  /** The job's counters before this batch: the outcome adds the batch to them (and a backfill keeps them with its checkpoint). */
  counters?: SyncCounters;
  /** A backfill's checkpoint: the file line whose orders this batch completes. */
  backfill?: { jobId: string; linesCommitted: number };
  /** Moves the channel's incremental cursor to at least this (ISO-8601 UTC). */
  cursor?: string;
}

export interface BatchOutcome {
  created: number;
  updated: number;
  /** Not written: the mirror had this version or a newer one. */
  unchanged: number;
  /** `batch.counters` with this batch added (orders and failures processed); zero counters when none were given. */
  counters: SyncCounters;
}

export interface MirrorStateRecord {
  channel: MirrorChannel;
  cursorUpdatedAt: string | null;
  asOf: string | null;
  lastRefreshedAt: string | null;
  lastFullAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

export interface BackfillRecord {
  jobId: string;
  channel: MirrorChannel;
  bulkId: string | null;
  bulkCreatedAt: string | null;
  url: string | null;
  linesCommitted: number;
  counters: SyncCounters | null;
}

export interface PendingEvent {
  eventId: string;
  topic: string;
  order: ChannelOrder | null;
  problem: string | null;
}

export type EventOutcome = 'APPLIED' | 'OLDER' | 'FAILED';

export interface MirrorStore {
  applyBatch(channel: MirrorChannel, batch: MirrorBatch): Promise<BatchOutcome>;
  get(channel: MirrorChannel, ids: readonly string[]): Promise<Map<string, ChannelOrder>>;
  /** Lines of listed orders, by order id (each in its order's position). */
  lines(channel: MirrorChannel, orderIds: readonly string[]): Promise<Map<string, ChannelOrderLine[]>>;
  /** Oldest first (created_at, then id); `first + 1` are read to know whether there are more. */
  list(filter: MirrorOrderFilter, after: MirrorPosition | null, first: number): Promise<{ orders: MirroredOrderHead[]; hasNext: boolean }>;
  /** The same listing as the CSV export's rows, read as value arrays (mirrorCsvRows.ts). */
  csvPage(filter: MirrorOrderFilter, after: MirrorPosition | null, first: number): Promise<{ rows: MirrorCsvRow[]; hasNext: boolean }>;
  /** The same listing as the NDJSON export's lines (the drop-in's records), each JSON.stringify of the order's record as stored with it (mirrorNdjsonLines.ts). */
  ndjsonPage(filter: MirrorOrderFilter, after: MirrorPosition | null, first: number): Promise<MirrorNdjsonPage>;
  count(filter: MirrorOrderFilter): Promise<number>;
  state(channel: MirrorChannel): Promise<MirrorStateRecord>;
  patchState(channel: MirrorChannel, patch: Partial<Omit<MirrorStateRecord, 'channel'>>): Promise<MirrorStateRecord>;

  backfill(jobId: string): Promise<BackfillRecord | undefined>;
  /** Records the export a backfill reads (kept, lines_committed never goes back). */
  saveBackfill(record: Omit<BackfillRecord, 'linesCommitted' | 'counters'> & { linesCommitted?: number; counters?: SyncCounters | null }): Promise<void>;

  /** Records an event unless its id was recorded before; false for a duplicate. */
  recordEvent(channel: MirrorChannel, event: OrderEvent, receivedAt: string): Promise<boolean>;
  /** Events not applied yet, the oldest order version first. */
  pendingEvents(channel: MirrorChannel, limit: number): Promise<PendingEvent[]>;
  /** Applies an event's order (the version rule decides) and marks it applied, in one transaction. */
  applyEvent(channel: MirrorChannel, event: PendingEvent, at: string): Promise<EventOutcome>;
  /** Forgets applied events received before `before` (the dedupe window is the retention). */
  purgeEvents(before: string): Promise<number>;
  /** Events recorded whose body was not an order, newest first (for operators). */
  eventProblems(channel: MirrorChannel, limit: number): Promise<Array<{ eventId: string; topic: string; problem: string; receivedAt: string }>>;
}
