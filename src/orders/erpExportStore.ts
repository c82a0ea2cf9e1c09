/**
 * Durable ERP order exports: one intent per store order and its history.
 * Implemented once on the record layer (sqlErpExportStore.ts: SQLite, or
 * PostgreSQL with DATABASE_URL). Every write that decides something is
 * compare-and-set: the creation (once per store order, for good) and every
 * transition, which names the states it is valid from, as the order store
 * does (orderStore.ts).
 */
import type { ErpExportEventRecord, ErpExportRecord, ErpExportStatus } from './erpExportTypes.js';

/** Fields a change may write with the status. */
export type ErpExportPatch = Partial<Pick<ErpExportRecord, 'step' | 'batchOrderNumber' | 'orderNumber' | 'abandoned' | 'lines' | 'attempts' | 'sendingSince' | 'lastError'>>;

/** A compare-and-set change: when the record is not in the expected state, nothing is written. */
export interface ErpExportChange {
  /** The states the change is valid from. */
  from: readonly ErpExportStatus[];
  /** Also require this attempt count: a call started since the caller read the record fails the change. */
  attempts?: number;
  /** Also require that no call is in flight (`sendingSince` null). */
  idle?: boolean;
  set?: ErpExportPatch;
}

export type ErpExportTransition = { applied: boolean; record: ErpExportRecord };

export type NewErpExport = Pick<ErpExportRecord, 'storeOrderId' | 'customerReference' | 'status' | 'lines' | 'lastError' | 'jobId'>;

export interface ErpExportFilter {
  status?: ErpExportStatus[];
  storeOrderId?: string;
}

export interface ErpExportStore {
  /** Creates the export of a store order, or answers the one it already has (`created: false`). */
  create(record: NewErpExport, reason: string): Promise<{ created: boolean; record: ErpExportRecord }>;
  /** Moves the export to `to` (the same status: bookkeeping, no history entry) if `change` holds. Throws for an unknown id. */
  transition(id: string, to: ErpExportStatus, reason: string, change: ErpExportChange): Promise<ErpExportTransition>;
  get(id: string): Promise<ErpExportRecord | undefined>;
  byStoreOrder(storeOrderId: string): Promise<ErpExportRecord | undefined>;
  /** Newest first. */
  list(filter: ErpExportFilter, offset: number, limit: number): Promise<{ items: ErpExportRecord[]; total: number }>;
  /** Oldest first, at most `limit`. */
  inStatus(statuses: readonly ErpExportStatus[], limit: number): Promise<ErpExportRecord[]>;
  events(id: string): Promise<ErpExportEventRecord[]>;
}
