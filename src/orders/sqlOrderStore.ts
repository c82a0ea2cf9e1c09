/**
 * OrderStore on the record layer (src/records/): one implementation for
 * SQLite and PostgreSQL. Every write that decides something is one
 * transaction that reads and writes together (compare-and-set):
 *
 * - the idempotency claim: a fresh key is inserted (ON CONFLICT DO NOTHING:
 *   of concurrent claimants on any number of instances one row wins, and on
 *   PostgreSQL the others wait for it to commit), otherwise, in a
 *   transaction, the key's row is read locked and replayed, refused,
 *   reported in flight, or taken over once its lease ended — the IETF Idempotency-Key draft
 *   (draft-ietf-httpapi-idempotency-key-header) answers, per client;
 * - the order's creation, once per (client, key) for good (the unique key
 *   of migration 1), with its first history entry;
 * - every status transition: an UPDATE that applies only to the row in the
 *   state the change expects (status, attempt count, no send in flight),
 *   with its history entry, or nothing; when several states are expected the
 *   row is read locked first, to learn which one it leaves.
 *
 * Keys expire by the caller's clock (ClaimLease.now), as orderService asks.
 * Times are ISO-8601 UTC text (src/records/tables.ts), so comparing them as
 * text compares the times, on both engines.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import { decodeJson, encodeJson, lockedRead, nextSeq } from '../records/engine.js';
import type { RecordDatabase } from '../records/recordDatabase.js';
import type { RecordTables, SupplierOrdersTable } from '../records/tables.js';
import type { IdempotencyClaim, OrderPatch, OrderStore } from './orderStore.js';
import type { SupplierOrderRecord, SupplierOrderStatus } from './types.js';

function toOrder(r: Selectable<SupplierOrdersTable>): SupplierOrderRecord {
  return {
    id: r.id,
    client: r.client,
    idempotencyKey: r.idempotency_key,
    requestHash: r.request_hash,
    storeOrderId: r.store_order_id,
    poNumber: r.po_number,
    status: r.status as SupplierOrderStatus,
    supplierOrderId: r.supplier_order_id,
    lines: decodeJson(r.lines),
    shippingMethod: r.shipping_method,
    address: decodeJson(r.address),
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    trackingNumber: r.tracking_number,
    sendingSince: r.sending_since,
    reportedStatus: r.reported_status as SupplierOrderStatus | null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function columnsOf(patch: OrderPatch): Updateable<SupplierOrdersTable> {
  const set: Updateable<SupplierOrdersTable> = {};
  if (patch.supplierOrderId !== undefined) set.supplier_order_id = patch.supplierOrderId;
  if (patch.attempts !== undefined) set.attempts = patch.attempts;
  if (patch.nextAttemptAt !== undefined) set.next_attempt_at = patch.nextAttemptAt;
  if (patch.lastError !== undefined) set.last_error = patch.lastError;
  if (patch.trackingNumber !== undefined) set.tracking_number = patch.trackingNumber;
  if (patch.sendingSince !== undefined) set.sending_since = patch.sendingSince;
  return set;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function createSqlOrderStore(records: RecordDatabase): OrderStore {
  const { db, engine } = records;
  const orders = () => db.selectFrom('supplier_orders').selectAll();

  return {
    async claimKey(client, key, requestHash, ttlMs, lease) {
      const { now } = lease;
      const token = randomUUID();
      const leaseUntil = iso(now + lease.leaseMs);
      const fresh = { client, key, request_hash: requestHash, state: 'IN_FLIGHT', response: null, created_at: iso(now), expires_at: iso(now + ttlMs), token, lease_until: leaseUntil };
      // A key never used: one statement, atomic on its own (of concurrent inserts one row wins; on
      // PostgreSQL the others wait for it to commit, then insert nothing).
      const insert = (on: Kysely<RecordTables>) => on.insertInto('idempotency_keys').values(fresh).onConflict((oc) => oc.columns(['client', 'key']).doNothing()).returning('key').executeTakeFirst();
      if (await insert(db)) return { kind: 'claimed', token, takenOver: false };
      return db.transaction().execute(async (trx): Promise<IdempotencyClaim> => {
        // PostgreSQL only: the row may be released or purged between two statements (each sees what
        // committed before it); then the insert is tried again.
        for (let attempt = 0; attempt < 3; attempt++) {
          const row = await lockedRead(engine, trx.selectFrom('idempotency_keys').selectAll().where('client', '=', client).where('key', '=', key)).executeTakeFirst();
          if (!row) {
            if (await insert(trx)) return { kind: 'claimed', token, takenOver: false };
            continue;
          }
          const same = trx.updateTable('idempotency_keys').where('client', '=', client).where('key', '=', key);
          if (Date.parse(row.expires_at) <= now) {
            // The key's TTL ended (not purged yet): it starts afresh, as if it had never been used.
            await same.set(fresh).execute();
            return { kind: 'claimed', token, takenOver: false };
          }
          if (row.request_hash !== requestHash) return { kind: 'mismatch' };
          if (row.state !== 'IN_FLIGHT') return { kind: 'replay', response: decodeJson<unknown>(row.response ?? 'null') };
          // A claim written before leases existed has none: its process is gone, so it counts as run out.
          const heldUntil = row.lease_until ? Date.parse(row.lease_until) : 0;
          if (heldUntil > now) return { kind: 'inFlight', retryInMs: heldUntil - now };
          await same.set({ token, lease_until: leaseUntil }).execute();
          return { kind: 'claimed', token, takenOver: true };
        }
        throw new Error(`the idempotency key ${key} of ${client} kept changing`);
      });
    },
    async completeKey(client, key, response, token) {
      const { numUpdatedRows } = await db
        .updateTable('idempotency_keys')
        .set({ state: 'DONE', response: encodeJson(response), lease_until: null })
        .where('client', '=', client)
        .where('key', '=', key)
        .where('token', '=', token)
        .where('state', '=', 'IN_FLIGHT')
        .executeTakeFirstOrThrow();
      return numUpdatedRows === 1n;
    },
    async releaseKey(client, key, token) {
      await db.deleteFrom('idempotency_keys').where('client', '=', client).where('key', '=', key).where('token', '=', token).where('state', '=', 'IN_FLIGHT').execute();
    },
    async purgeExpiredKeys(now) {
      const { numDeletedRows } = await db.deleteFrom('idempotency_keys').where('expires_at', '<=', iso(now)).executeTakeFirstOrThrow();
      return Number(numDeletedRows);
    },
    create(order, reason) {
      return db.transaction().execute(async (trx) => {
        const now = new Date().toISOString();
        const inserted = await trx
          .insertInto('supplier_orders')
          .values({
            id: randomUUID(),
            seq: nextSeq(engine, 'supplier_orders'),
            client: order.client,
            idempotency_key: order.idempotencyKey,
            request_hash: order.requestHash,
            store_order_id: order.storeOrderId,
            po_number: order.poNumber,
            status: order.status,
            supplier_order_id: order.supplierOrderId,
            lines: encodeJson(order.lines),
            shipping_method: order.shippingMethod,
            address: encodeJson(order.address),
            attempts: order.attempts,
            next_attempt_at: order.nextAttemptAt,
            last_error: order.lastError,
            tracking_number: order.trackingNumber,
            sending_since: order.sendingSince,
            reported_status: order.reportedStatus,
            created_at: now,
            updated_at: now,
          })
          // Once per client and key, for good (the key's own record expires; the order's does not).
          .onConflict((oc) => oc.columns(['client', 'idempotency_key']).doNothing())
          .returningAll()
          .executeTakeFirst();
        if (!inserted) {
          const existing = await trx.selectFrom('supplier_orders').selectAll().where('client', '=', order.client).where('idempotency_key', '=', order.idempotencyKey).executeTakeFirstOrThrow();
          return { created: false, order: toOrder(existing) };
        }
        await trx.insertInto('order_events').values({ order_id: inserted.id, seq: 1, at: now, from_status: null, to_status: order.status, reason }).execute();
        return { created: true, order: toOrder(inserted) };
      });
    },
    transition(id, to, reason, change) {
      return db.transaction().execute(async (trx) => {
        const read = () => lockedRead(engine, trx.selectFrom('supplier_orders').selectAll().where('id', '=', id)).executeTakeFirst();
        // The state it moves from: the one expected, or, when several are, the one it is in (read
        // locked, so it stays so). The update is then the compare-and-set: it applies only to a row
        // in that state, with the attempt count and no send in flight when the change asks so.
        let before = change.from.length === 1 ? undefined : await read();
        const from = before ? (before.status as SupplierOrderStatus) : change.from[0];
        const update = (state: SupplierOrderStatus) => {
          let q = trx
            .updateTable('supplier_orders')
            .set({ ...columnsOf(change.set ?? {}), status: to, updated_at: new Date().toISOString() })
            .where('id', '=', id)
            .where('status', '=', state);
          if (change.attempts !== undefined) q = q.where('attempts', '=', change.attempts);
          if (change.idle) q = q.where('sending_since', 'is', null);
          return q.returningAll().executeTakeFirst();
        };
        const after = from !== undefined && change.from.includes(from) ? await update(from) : undefined;
        if (!after) {
          before ??= await read();
          if (!before) throw new Error(`no supplier order ${id}`);
          return { applied: false, order: toOrder(before) };
        }
        // The same status is bookkeeping (an attempt counted, a lookup failed): no history entry.
        if (from !== to) {
          await trx
            .insertInto('order_events')
            .values({ order_id: id, seq: sql<number>`(select coalesce(max(seq), 0) + 1 from order_events where order_id = ${id})`, at: after.updated_at, from_status: from, to_status: to, reason })
            .execute();
        }
        return { applied: true, order: toOrder(after) };
      });
    },
    async get(id) {
      const row = await orders().where('id', '=', id).executeTakeFirst();
      return row ? toOrder(row) : undefined;
    },
    async byKey(client, key) {
      const row = await orders().where('client', '=', client).where('idempotency_key', '=', key).executeTakeFirst();
      return row ? toOrder(row) : undefined;
    },
    async list(filter, offset, limit) {
      let where = db.selectFrom('supplier_orders');
      if (filter.status?.length) where = where.where('status', 'in', filter.status);
      if (filter.storeOrderId) where = where.where('store_order_id', '=', filter.storeOrderId);
      if (filter.createdAfter) where = where.where('created_at', '>=', filter.createdAfter);
      if (filter.createdBefore) where = where.where('created_at', '<', filter.createdBefore);
      const [rows, total] = await Promise.all([
        where.selectAll().orderBy('seq', 'desc').limit(limit).offset(offset).execute(),
        where.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(),
      ]);
      return { items: rows.map(toOrder), total: Number(total?.n ?? 0) };
    },
    async due(now, statuses) {
      if (statuses.length === 0) return [];
      const rows = await orders()
        .where('status', 'in', statuses)
        .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)]))
        .orderBy('seq')
        .limit(100)
        .execute();
      return rows.map(toOrder);
    },
    async inStatus(statuses) {
      if (statuses.length === 0) return [];
      return (await orders().where('status', 'in', statuses).orderBy('seq').limit(500).execute()).map(toOrder);
    },
    async unreported(statuses, limit) {
      if (statuses.length === 0) return [];
      // The predicate of migration 2's partial index supplier_orders_unreported.
      const rows = await orders()
        .where('store_order_id', 'is not', null)
        .where((eb) => eb.or([eb('reported_status', 'is', null), eb('reported_status', '<>', eb.ref('status'))]))
        .where('status', 'in', statuses)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map(toOrder);
    },
    async markReported(id, status) {
      const { numUpdatedRows } = await db
        .updateTable('supplier_orders')
        .set((eb) => ({ reported_status: eb.ref('status') }))
        .where('id', '=', id)
        .where('status', '=', status)
        .executeTakeFirstOrThrow();
      return numUpdatedRows === 1n;
    },
    async events(orderId) {
      const rows = await db.selectFrom('order_events').selectAll().where('order_id', '=', orderId).orderBy('seq').execute();
      return rows.map((e) => ({ orderId: e.order_id, at: e.at, from: e.from_status as SupplierOrderStatus | null, to: e.to_status as SupplierOrderStatus, reason: e.reason }));
    },
    // The database handle belongs to the strategies (src/strategies/recordStores.ts), which close it.
    async close() {},
  };
}
