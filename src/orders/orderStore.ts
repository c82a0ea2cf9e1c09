/**
 * Durable order records: idempotency keys, the supplier-order outbox and its
 * state history. Implemented once on the record layer (sqlOrderStore.ts:
 * the data dir's SQLite file, or PostgreSQL with DATABASE_URL). Every write
 * that decides something is compare-and-set: the idempotency claim, the
 * order's creation (once per client and key), and every state transition,
 * which names the states it is valid from.
 */
import type { OrderEventRecord, SupplierOrderRecord, SupplierOrderStatus } from './types.js';

export type IdempotencyClaim =
  /** This request owns the key until its lease ends; `token` completes or releases it. `takenOver`: from a claimant whose lease ran out. */
  | { kind: 'claimed'; token: string; takenOver: boolean }
  | { kind: 'replay'; response: unknown }
  /** Another request holds the key; its lease ends in `retryInMs`. */
  | { kind: 'inFlight'; retryInMs: number }
  | { kind: 'mismatch' };

export interface ClaimLease {
  /**
   * How long the claim holds. A claimant that dies (kill -9) between the
   * claim and its completion leaves the key IN_FLIGHT only this long; then
   * the next request with the key takes the claim over.
   */
  leaseMs: number;
  /** The caller's clock, ms since the epoch: keys expire and leases end by it. */
  now: number;
}

/** Fields a change may write with the status. */
export type OrderPatch = Partial<Pick<SupplierOrderRecord, 'supplierOrderId' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'trackingNumber' | 'sendingSince'>>;

/** A compare-and-set change: when the record is not in the expected state, nothing is written. */
export interface OrderChange {
  /** The states the change is valid from. */
  from: readonly SupplierOrderStatus[];
  /** Also require this attempt count: an attempt started since the caller read the record fails the change. */
  attempts?: number;
  /** Also require that no send is in flight (`sendingSince` null). */
  idle?: boolean;
  /** Written with the status. */
  set?: OrderPatch;
}

/** `applied: false`: the record was not as expected; `order` is what it is now. */
export type TransitionResult = { applied: boolean; order: SupplierOrderRecord };

export interface OrderFilter {
  status?: SupplierOrderStatus[];
  storeOrderId?: string;
  createdAfter?: string;
  createdBefore?: string;
}

/** What a new order record is made of (the store assigns id and times). */
export type NewOrder = Omit<SupplierOrderRecord, 'id' | 'createdAt' | 'updatedAt'>;

/**
 * `claimKey`, `create` and `transition` must be atomic across every instance
 * sharing the store.
 */
export interface OrderStore {
  claimKey(client: string, key: string, requestHash: string, ttlMs: number, lease: ClaimLease): Promise<IdempotencyClaim>;
  /** Stores the key's answer; false (nothing written) when `token` no longer holds the claim. */
  completeKey(client: string, key: string, response: unknown, token: string): Promise<boolean>;
  /** Frees a key whose request failed before anything durable happened, so a retry can run; only its own claim. */
  releaseKey(client: string, key: string, token: string): Promise<void>;
  /** Deletes every key whose TTL ended by `now` (answered, or abandoned in flight); answers how many. */
  purgeExpiredKeys(now: number): Promise<number>;
  /** Creates the order, or answers the one that already exists for its client and key (`created: false`). */
  create(order: NewOrder, reason: string): Promise<{ created: boolean; order: SupplierOrderRecord }>;
  /** Moves the order to `to` (the same status: bookkeeping, no history entry) if `change` holds. Throws for an unknown id. */
  transition(id: string, to: SupplierOrderStatus, reason: string, change: OrderChange): Promise<TransitionResult>;
  get(id: string): Promise<SupplierOrderRecord | undefined>;
  byKey(client: string, key: string): Promise<SupplierOrderRecord | undefined>;
  list(filter: OrderFilter, offset: number, limit: number): Promise<{ items: SupplierOrderRecord[]; total: number }>;
  due(now: string, statuses: readonly SupplierOrderStatus[]): Promise<SupplierOrderRecord[]>;
  inStatus(statuses: readonly SupplierOrderStatus[]): Promise<SupplierOrderRecord[]>;
  /** Orders for a store order whose status (one of `statuses`) differs from the one last written back to the store. */
  unreported(statuses: readonly SupplierOrderStatus[], limit: number): Promise<SupplierOrderRecord[]>;
  /** Records that `status` was written back to the store; false when the order has moved on since. */
  markReported(id: string, status: SupplierOrderStatus): Promise<boolean>;
  events(orderId: string): Promise<OrderEventRecord[]>;
}
