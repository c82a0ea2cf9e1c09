/**
 * Durable order records: idempotency keys, the supplier-order outbox and its
 * state history. SQLite in the embedded default (WAL: a committed write
 * survives kill -9). The idempotency check-and-claim is one immediate
 * transaction, so concurrent requests with one key see exactly one winner.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { asyncFacade, type Synchronous } from '../storage/asyncFacade.js';
import type { OrderEventRecord, SupplierOrderRecord, SupplierOrderStatus } from './types.js';

export type IdempotencyClaim =
  | { kind: 'claimed' }
  | { kind: 'replay'; response: unknown }
  | { kind: 'inFlight' }
  | { kind: 'mismatch' };

export interface OrderFilter {
  status?: SupplierOrderStatus[];
  storeOrderId?: string;
  createdAfter?: string;
  createdBefore?: string;
}

/**
 * Every method answers with a Promise: the Redis implementation is remote.
 * `claimKey` must be atomic across every instance sharing the store.
 */
export interface OrderStore {
  claimKey(client: string, key: string, requestHash: string, ttlMs: number, at?: { now: number }): Promise<IdempotencyClaim>;
  completeKey(client: string, key: string, response: unknown): Promise<void>;
  /** Frees a key whose request failed before anything durable happened, so a retry can run. */
  releaseKey(client: string, key: string): Promise<void>;
  purgeExpiredKeys(): Promise<number>;
  create(order: Omit<SupplierOrderRecord, 'id' | 'createdAt' | 'updatedAt'>, reason: string): Promise<SupplierOrderRecord>;
  transition(id: string, to: SupplierOrderStatus, reason: string, patch?: Partial<Pick<SupplierOrderRecord, 'supplierOrderId' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'trackingNumber'>>): Promise<SupplierOrderRecord>;
  /** Records attempt bookkeeping without a state change. */
  patch(id: string, patch: Partial<Pick<SupplierOrderRecord, 'attempts' | 'nextAttemptAt' | 'lastError'>>): Promise<SupplierOrderRecord>;
  get(id: string): Promise<SupplierOrderRecord | undefined>;
  byKey(client: string, key: string): Promise<SupplierOrderRecord | undefined>;
  list(filter: OrderFilter, offset: number, limit: number): Promise<{ items: SupplierOrderRecord[]; total: number }>;
  due(now: string, statuses: readonly SupplierOrderStatus[]): Promise<SupplierOrderRecord[]>;
  inStatus(statuses: readonly SupplierOrderStatus[]): Promise<SupplierOrderRecord[]>;
  events(orderId: string): Promise<OrderEventRecord[]>;
  close(): Promise<void>;
}

interface Row {
  id: string;
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

const toOrder = (r: Row): SupplierOrderRecord => ({
  id: r.id,
  client: r.client,
  idempotencyKey: r.idempotency_key,
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
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

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
      PRIMARY KEY (client, key)
    );
    CREATE TABLE IF NOT EXISTS supplier_orders (
      id TEXT PRIMARY KEY, seq INTEGER NOT NULL, client TEXT NOT NULL, idempotency_key TEXT NOT NULL,
      store_order_id TEXT, po_number TEXT NOT NULL UNIQUE, status TEXT NOT NULL, supplier_order_id TEXT,
      lines TEXT NOT NULL, shipping_method TEXT NOT NULL, address TEXT NOT NULL, attempts INTEGER NOT NULL,
      next_attempt_at TEXT, last_error TEXT, tracking_number TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
      UNIQUE (client, idempotency_key)
    );
    CREATE INDEX IF NOT EXISTS supplier_orders_status ON supplier_orders(status, next_attempt_at);
    CREATE TABLE IF NOT EXISTS order_events (
      order_id TEXT NOT NULL, seq INTEGER NOT NULL, at TEXT NOT NULL, from_status TEXT, to_status TEXT NOT NULL, reason TEXT NOT NULL,
      PRIMARY KEY (order_id, seq)
    );
  `);
  const q = {
    key: db.prepare<[string, string], { request_hash: string; state: string; response: string | null; expires_at: string }>(
      'SELECT request_hash, state, response, expires_at FROM idempotency_keys WHERE client = ? AND key = ?',
    ),
    insertKey: db.prepare('INSERT OR REPLACE INTO idempotency_keys (client, key, request_hash, state, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)'),
    completeKey: db.prepare(`UPDATE idempotency_keys SET state = 'DONE', response = ? WHERE client = ? AND key = ?`),
    releaseKey: db.prepare(`DELETE FROM idempotency_keys WHERE client = ? AND key = ? AND state = 'IN_FLIGHT'`),
    purge: db.prepare(`DELETE FROM idempotency_keys WHERE expires_at < ? AND state = 'DONE'`),
    get: db.prepare<[string], Row>('SELECT * FROM supplier_orders WHERE id = ?'),
    byKey: db.prepare<[string, string], Row>('SELECT * FROM supplier_orders WHERE client = ? AND idempotency_key = ?'),
    seq: db.prepare<[], { s: number }>('SELECT COALESCE(MAX(seq), 0) + 1 AS s FROM supplier_orders'),
    insert: db.prepare(`INSERT INTO supplier_orders (id, seq, client, idempotency_key, store_order_id, po_number, status, supplier_order_id, lines, shipping_method, address, attempts, next_attempt_at, last_error, tracking_number, created_at, updated_at)
      VALUES (@id, @seq, @client, @idempotency_key, @store_order_id, @po_number, @status, @supplier_order_id, @lines, @shipping_method, @address, @attempts, @next_attempt_at, @last_error, @tracking_number, @created_at, @updated_at)`),
    eventSeq: db.prepare<[string], { s: number }>('SELECT COALESCE(MAX(seq), 0) + 1 AS s FROM order_events WHERE order_id = ?'),
    addEvent: db.prepare('INSERT INTO order_events (order_id, seq, at, from_status, to_status, reason) VALUES (?, ?, ?, ?, ?, ?)'),
    events: db.prepare<[string], { order_id: string; at: string; from_status: string | null; to_status: string; reason: string }>(
      'SELECT * FROM order_events WHERE order_id = ? ORDER BY seq',
    ),
  };

  const addEvent = (orderId: string, from: SupplierOrderStatus | null, to: SupplierOrderStatus, reason: string, at: string) =>
    q.addEvent.run(orderId, q.eventSeq.get(orderId)?.s ?? 1, at, from, to, reason);

  const claim = db.transaction((client: string, key: string, hash: string, ttlMs: number, nowMs: number): IdempotencyClaim => {
    const now = new Date(nowMs);
    const row = q.key.get(client, key);
    if (row && Date.parse(row.expires_at) > now.getTime()) {
      if (row.request_hash !== hash) return { kind: 'mismatch' };
      if (row.state === 'IN_FLIGHT') return { kind: 'inFlight' };
      return { kind: 'replay', response: JSON.parse(row.response ?? 'null') as unknown };
    }
    q.insertKey.run(client, key, hash, 'IN_FLIGHT', now.toISOString(), new Date(now.getTime() + ttlMs).toISOString());
    return { kind: 'claimed' };
  });

  const create = db.transaction((order: Omit<SupplierOrderRecord, 'id' | 'createdAt' | 'updatedAt'>, reason: string): SupplierOrderRecord => {
    const now = new Date().toISOString();
    const id = randomUUID();
    q.insert.run({
      id,
      seq: q.seq.get()?.s ?? 1,
      client: order.client,
      idempotency_key: order.idempotencyKey,
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
      created_at: now,
      updated_at: now,
    });
    addEvent(id, null, order.status, reason, now);
    return toOrder(q.get.get(id) as Row);
  });

  const COLS: Record<string, string> = {
    supplierOrderId: 'supplier_order_id',
    attempts: 'attempts',
    nextAttemptAt: 'next_attempt_at',
    lastError: 'last_error',
    trackingNumber: 'tracking_number',
  };
  function applyPatch(id: string, patch: Record<string, unknown>, extra: Record<string, unknown> = {}): void {
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [k, v] of Object.entries({ ...patch })) {
      if (v === undefined || !COLS[k]) continue;
      sets.push(`${COLS[k]} = ?`);
      values.push(v);
    }
    for (const [col, v] of Object.entries(extra)) {
      sets.push(`${col} = ?`);
      values.push(v);
    }
    sets.push('updated_at = ?');
    values.push(new Date().toISOString());
    db.prepare(`UPDATE supplier_orders SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
  }

  const transition = db.transaction((id: string, to: SupplierOrderStatus, reason: string, patch: Record<string, unknown> = {}) => {
    const before = q.get.get(id);
    if (!before) throw new Error(`no supplier order ${id}`);
    applyPatch(id, patch, { status: to });
    if (before.status !== to) addEvent(id, before.status as SupplierOrderStatus, to, reason, new Date().toISOString());
    return toOrder(q.get.get(id) as Row);
  });

  const store: Synchronous<OrderStore> = {
    claimKey: (client, key, hash, ttlMs, at) => claim.immediate(client, key, hash, ttlMs, at?.now ?? Date.now()),
    completeKey: (client, key, response) => void q.completeKey.run(JSON.stringify(response), client, key),
    releaseKey: (client, key) => void q.releaseKey.run(client, key),
    purgeExpiredKeys: () => q.purge.run(new Date().toISOString()).changes,
    create: (order, reason) => create.immediate(order, reason),
    transition: (id, to, reason, patch) => transition.immediate(id, to, reason, patch ?? {}),
    patch(id, patch) {
      applyPatch(id, patch);
      return toOrder(q.get.get(id) as Row);
    },
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
        where.push(`status IN (${filter.status.map(() => '?').join(',')})`);
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
        .prepare(`SELECT * FROM supplier_orders WHERE status IN (${statuses.map(() => '?').join(',')}) AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY seq LIMIT 100`)
        .all(...statuses, now) as Row[];
      return rows.map(toOrder);
    },
    inStatus(statuses) {
      const rows = db.prepare(`SELECT * FROM supplier_orders WHERE status IN (${statuses.map(() => '?').join(',')}) ORDER BY seq LIMIT 500`).all(...statuses) as Row[];
      return rows.map(toOrder);
    },
    events: (orderId) =>
      q.events.all(orderId).map((e) => ({ orderId: e.order_id, at: e.at, from: e.from_status as SupplierOrderStatus | null, to: e.to_status as SupplierOrderStatus, reason: e.reason })),
    close: () => db.close(),
  };
  return asyncFacade<OrderStore>(store);
}
