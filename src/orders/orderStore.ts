/**
 * Durable order records: idempotency keys, the supplier-order outbox and its
 * state history. SQLite in the embedded default (WAL: a committed write
 * survives kill -9). Every write that decides something is one immediate
 * transaction that reads and writes together (compare-and-set): the
 * idempotency claim, the order's creation (once per client and key), and
 * every state transition, which names the states it is valid from.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { asyncFacade, type Synchronous } from '../storage/asyncFacade.js';
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
 * Every method answers with a Promise: the Redis implementation is remote.
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
  close(): Promise<void>;
}

/** Whether `order` is in the state `change` expects (shared by both stores' tests of the rule). */
export function expectedState(order: Pick<SupplierOrderRecord, 'status' | 'attempts' | 'sendingSince'>, change: OrderChange): boolean {
  if (!change.from.includes(order.status)) return false;
  if (change.attempts !== undefined && order.attempts !== change.attempts) return false;
  if (change.idle && order.sendingSince !== null) return false;
  return true;
}

interface Row {
  id: string;
  client: string;
  idempotency_key: string;
  request_hash: string | null;
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
  sending_since: string | null;
  reported_status: string | null;
  created_at: string;
  updated_at: string;
}

const toOrder = (r: Row): SupplierOrderRecord => ({
  id: r.id,
  client: r.client,
  idempotencyKey: r.idempotency_key,
  requestHash: r.request_hash,
  storeOrderId: r.store_order_id,
  poNumber: r.po_number,
  status: r.status as SupplierOrderStatus,
  supplierOrderId: r.supplier_order_id,
  lines: JSON.parse(r.lines) as SupplierOrderRecord['lines'],
  shippingMethod: r.shipping_method,
  address: JSON.parse(r.address) as SupplierOrderRecord['address'],
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  trackingNumber: r.tracking_number,
  sendingSince: r.sending_since,
  reportedStatus: r.reported_status as SupplierOrderStatus | null,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Columns added after the first release: added to an existing file on open. */
const ADDED_COLUMNS: ReadonlyArray<[table: string, column: string, type: string]> = [
  ['idempotency_keys', 'token', 'TEXT'],
  ['idempotency_keys', 'lease_until', 'TEXT'],
  ['supplier_orders', 'request_hash', 'TEXT'],
  ['supplier_orders', 'sending_since', 'TEXT'],
  ['supplier_orders', 'reported_status', 'TEXT'],
];

const iso = (ms: number) => new Date(ms).toISOString();

export function createSqliteOrderStore(options: { path: string }): OrderStore {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`
    CREATE TABLE IF NOT EXISTS idempotency_keys (
      client TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL,
      state TEXT NOT NULL, response TEXT, created_at TEXT NOT NULL, expires_at TEXT NOT NULL,
      token TEXT, lease_until TEXT,
      PRIMARY KEY (client, key)
    );
    CREATE TABLE IF NOT EXISTS supplier_orders (
      id TEXT PRIMARY KEY, seq INTEGER NOT NULL, client TEXT NOT NULL, idempotency_key TEXT NOT NULL,
      store_order_id TEXT, po_number TEXT NOT NULL UNIQUE, status TEXT NOT NULL, supplier_order_id TEXT,
      lines TEXT NOT NULL, shipping_method TEXT NOT NULL, address TEXT NOT NULL, attempts INTEGER NOT NULL,
      next_attempt_at TEXT, last_error TEXT, tracking_number TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
      request_hash TEXT, sending_since TEXT, reported_status TEXT,
      UNIQUE (client, idempotency_key)
    );
    CREATE INDEX IF NOT EXISTS supplier_orders_status ON supplier_orders(status, next_attempt_at);
    CREATE TABLE IF NOT EXISTS order_events (
      order_id TEXT NOT NULL, seq INTEGER NOT NULL, at TEXT NOT NULL, from_status TEXT, to_status TEXT NOT NULL, reason TEXT NOT NULL,
      PRIMARY KEY (order_id, seq)
    );
  `);
  for (const [table, column, type] of ADDED_COLUMNS) {
    const present = (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).some((c) => c.name === column);
    if (!present) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
  }
  // The write-back worker's list: orders of a store order whose status is not yet written back.
  db.exec(`CREATE INDEX IF NOT EXISTS supplier_orders_unreported ON supplier_orders(status) WHERE store_order_id IS NOT NULL AND (reported_status IS NULL OR reported_status <> status)`);
  const q = {
    key: db.prepare<[string, string], { request_hash: string; state: string; response: string | null; expires_at: string; lease_until: string | null }>(
      'SELECT request_hash, state, response, expires_at, lease_until FROM idempotency_keys WHERE client = ? AND key = ?',
    ),
    insertKey: db.prepare(
      `INSERT OR REPLACE INTO idempotency_keys (client, key, request_hash, state, created_at, expires_at, token, lease_until) VALUES (?, ?, ?, 'IN_FLIGHT', ?, ?, ?, ?)`,
    ),
    takeOverKey: db.prepare(`UPDATE idempotency_keys SET token = ?, lease_until = ? WHERE client = ? AND key = ? AND state = 'IN_FLIGHT'`),
    completeKey: db.prepare(`UPDATE idempotency_keys SET state = 'DONE', response = ?, lease_until = NULL WHERE client = ? AND key = ? AND token = ? AND state = 'IN_FLIGHT'`),
    releaseKey: db.prepare(`DELETE FROM idempotency_keys WHERE client = ? AND key = ? AND token = ? AND state = 'IN_FLIGHT'`),
    purge: db.prepare(`DELETE FROM idempotency_keys WHERE expires_at <= ?`),
    get: db.prepare<[string], Row>('SELECT * FROM supplier_orders WHERE id = ?'),
    byKey: db.prepare<[string, string], Row>('SELECT * FROM supplier_orders WHERE client = ? AND idempotency_key = ?'),
    seq: db.prepare<[], { s: number }>('SELECT COALESCE(MAX(seq), 0) + 1 AS s FROM supplier_orders'),
    insert: db.prepare(`INSERT INTO supplier_orders (id, seq, client, idempotency_key, request_hash, store_order_id, po_number, status, supplier_order_id, lines, shipping_method, address, attempts, next_attempt_at, last_error, tracking_number, sending_since, reported_status, created_at, updated_at)
      VALUES (@id, @seq, @client, @idempotency_key, @request_hash, @store_order_id, @po_number, @status, @supplier_order_id, @lines, @shipping_method, @address, @attempts, @next_attempt_at, @last_error, @tracking_number, @sending_since, @reported_status, @created_at, @updated_at)`),
    markReported: db.prepare(`UPDATE supplier_orders SET reported_status = status WHERE id = ? AND status = ?`),
    eventSeq: db.prepare<[string], { s: number }>('SELECT COALESCE(MAX(seq), 0) + 1 AS s FROM order_events WHERE order_id = ?'),
    addEvent: db.prepare('INSERT INTO order_events (order_id, seq, at, from_status, to_status, reason) VALUES (?, ?, ?, ?, ?, ?)'),
    events: db.prepare<[string], { order_id: string; at: string; from_status: string | null; to_status: string; reason: string }>(
      'SELECT * FROM order_events WHERE order_id = ? ORDER BY seq',
    ),
  };

  const addEvent = (orderId: string, from: SupplierOrderStatus | null, to: SupplierOrderStatus, reason: string, at: string) =>
    q.addEvent.run(orderId, q.eventSeq.get(orderId)?.s ?? 1, at, from, to, reason);

  // IETF Idempotency-Key draft: a key answers with its first request's result for its TTL. The
  // claim is a lease, so a claimant that died mid-request does not hold the key for the whole TTL.
  const claim = db.transaction((client: string, key: string, hash: string, ttlMs: number, lease: ClaimLease): IdempotencyClaim => {
    const { now } = lease;
    const row = q.key.get(client, key);
    const token = randomUUID();
    if (row && Date.parse(row.expires_at) > now) {
      if (row.request_hash !== hash) return { kind: 'mismatch' };
      if (row.state !== 'IN_FLIGHT') return { kind: 'replay', response: JSON.parse(row.response ?? 'null') as unknown };
      // A claim written before leases existed has none: its process is gone, so it counts as run out.
      const leaseUntil = row.lease_until ? Date.parse(row.lease_until) : 0;
      if (leaseUntil > now) return { kind: 'inFlight', retryInMs: leaseUntil - now };
      q.takeOverKey.run(token, iso(now + lease.leaseMs), client, key);
      return { kind: 'claimed', token, takenOver: true };
    }
    q.insertKey.run(client, key, hash, iso(now), iso(now + ttlMs), token, iso(now + lease.leaseMs));
    return { kind: 'claimed', token, takenOver: false };
  });

  const create = db.transaction((order: NewOrder, reason: string): { created: boolean; order: SupplierOrderRecord } => {
    // Once per client and key, for good (the key's own record expires; the order's does not).
    const existing = q.byKey.get(order.client, order.idempotencyKey);
    if (existing) return { created: false, order: toOrder(existing) };
    const now = new Date().toISOString();
    const id = randomUUID();
    q.insert.run({
      id,
      seq: q.seq.get()?.s ?? 1,
      client: order.client,
      idempotency_key: order.idempotencyKey,
      request_hash: order.requestHash,
      store_order_id: order.storeOrderId,
      po_number: order.poNumber,
      status: order.status,
      supplier_order_id: order.supplierOrderId,
      lines: JSON.stringify(order.lines),
      shipping_method: order.shippingMethod,
      address: JSON.stringify(order.address),
      attempts: order.attempts,
      next_attempt_at: order.nextAttemptAt,
      last_error: order.lastError,
      tracking_number: order.trackingNumber,
      sending_since: order.sendingSince,
      reported_status: order.reportedStatus,
      created_at: now,
      updated_at: now,
    });
    addEvent(id, null, order.status, reason, now);
    return { created: true, order: toOrder(q.get.get(id) as Row) };
  });

  const COLS: Record<keyof OrderPatch, string> = {
    supplierOrderId: 'supplier_order_id',
    attempts: 'attempts',
    nextAttemptAt: 'next_attempt_at',
    lastError: 'last_error',
    trackingNumber: 'tracking_number',
    sendingSince: 'sending_since',
  };
  function applyPatch(id: string, patch: OrderPatch, status: SupplierOrderStatus): void {
    const sets = ['status = ?'];
    const values: unknown[] = [status];
    for (const [k, v] of Object.entries(patch)) {
      const col = COLS[k as keyof OrderPatch];
      if (v === undefined || !col) continue;
      sets.push(`${col} = ?`);
      values.push(v);
    }
    sets.push('updated_at = ?');
    values.push(new Date().toISOString());
    db.prepare(`UPDATE supplier_orders SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
  }

  // Read, compare and write in one immediate transaction: no other writer (in this process or
  // another on the same file) runs between the check and the write.
  const transition = db.transaction((id: string, to: SupplierOrderStatus, reason: string, change: OrderChange): TransitionResult => {
    const before = q.get.get(id);
    if (!before) throw new Error(`no supplier order ${id}`);
    const current = toOrder(before);
    if (!expectedState(current, change)) return { applied: false, order: current };
    applyPatch(id, change.set ?? {}, to);
    if (current.status !== to) addEvent(id, current.status, to, reason, new Date().toISOString());
    return { applied: true, order: toOrder(q.get.get(id) as Row) };
  });

  const inList = (statuses: readonly SupplierOrderStatus[]) => statuses.map(() => '?').join(',');

  const store: Synchronous<OrderStore> = {
    claimKey: (client, key, hash, ttlMs, lease) => claim.immediate(client, key, hash, ttlMs, lease),
    completeKey: (client, key, response, token) => q.completeKey.run(JSON.stringify(response), client, key, token).changes === 1,
    releaseKey: (client, key, token) => void q.releaseKey.run(client, key, token),
    purgeExpiredKeys: (now) => q.purge.run(iso(now)).changes,
    create: (order, reason) => create.immediate(order, reason),
    transition: (id, to, reason, change) => transition.immediate(id, to, reason, change),
    get: (id) => {
      const r = q.get.get(id);
      return r ? toOrder(r) : undefined;
    },
    byKey: (client, key) => {
      const r = q.byKey.get(client, key);
      return r ? toOrder(r) : undefined;
    },
    list(filter, offset, limit) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.status?.length) {
        where.push(`status IN (${inList(filter.status)})`);
        params.push(...filter.status);
      }
      if (filter.storeOrderId) {
        where.push('store_order_id = ?');
        params.push(filter.storeOrderId);
      }
      if (filter.createdAfter) {
        where.push('created_at >= ?');
        params.push(filter.createdAfter);
      }
      if (filter.createdBefore) {
        where.push('created_at < ?');
        params.push(filter.createdBefore);
      }
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const rows = db.prepare(`SELECT * FROM supplier_orders ${clause} ORDER BY seq DESC LIMIT ? OFFSET ?`).all(...params, limit, offset) as Row[];
      const total = (db.prepare(`SELECT COUNT(*) AS n FROM supplier_orders ${clause}`).get(...params) as { n: number }).n;
      return { items: rows.map(toOrder), total };
    },
    due(now, statuses) {
      const rows = db
        .prepare(`SELECT * FROM supplier_orders WHERE status IN (${inList(statuses)}) AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY seq LIMIT 100`)
        .all(...statuses, now) as Row[];
      return rows.map(toOrder);
    },
    inStatus(statuses) {
      const rows = db.prepare(`SELECT * FROM supplier_orders WHERE status IN (${inList(statuses)}) ORDER BY seq LIMIT 500`).all(...statuses) as Row[];
      return rows.map(toOrder);
    },
    unreported(statuses, limit) {
      if (statuses.length === 0) return [];
      const rows = db
        .prepare(
          `SELECT * FROM supplier_orders WHERE store_order_id IS NOT NULL AND (reported_status IS NULL OR reported_status <> status) AND status IN (${inList(statuses)}) ORDER BY seq LIMIT ?`,
        )
        .all(...statuses, limit) as Row[];
      return rows.map(toOrder);
    },
    markReported: (id, status) => q.markReported.run(id, status).changes === 1,
    events: (orderId) =>
      q.events.all(orderId).map((e) => ({ orderId: e.order_id, at: e.at, from: e.from_status as SupplierOrderStatus | null, to: e.to_status as SupplierOrderStatus, reason: e.reason })),
    close: () => db.close(),
  };
  return asyncFacade<OrderStore>(store);
}
