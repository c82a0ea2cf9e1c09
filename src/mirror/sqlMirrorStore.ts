/**
 * MirrorStore on the record layer (src/records/): the same Kysely code on
 * SQLite and PostgreSQL (migration 4 made the tables).
 *
 * The version rule is the upsert's own condition — `ON CONFLICT (channel,
 * id) DO UPDATE … WHERE mirror_orders.updated_at < excluded.updated_at` —
 * so it holds between instances writing at once (a webhook applier and a
 * pull on another instance), not only in this process; only the orders it
 * wrote (RETURNING) get their lines replaced, in the same transaction.
 * A batch commits its orders, its lines, its failures, the backfill's
 * checkpoint and the channel's cursor together, or none of it.
 */
import { type Insertable, sql, type Selectable } from 'kysely';
import type { ChannelOrder, ChannelOrderLine, MirrorChannel } from '../domain/channelOrders.js';
import { decodeJson, encodeJson } from '../records/engine.js';
import type { RecordDatabase } from '../records/recordDatabase.js';
import type { RecordTables } from '../records/tables.js';
import type { SyncCounters } from '../jobs/types.js';
import { ZERO_COUNTERS } from '../jobs/types.js';
import type { BatchOutcome, EventOutcome, MirrorBatch, MirroredOrderHead, MirrorStateRecord, MirrorStore } from './mirrorStore.js';
import { sqlMirrorExportPages } from './sqlMirrorExportPages.js';
import { storedRecordJson } from './storedRecordJson.js';

import { chunks, count, countStatement, headOf, IDS_PER_STATEMENT, LINES_PER_STATEMENT, listedOrders, newestById, type On, orderRow, type OrderRow, ORDERS_PER_STATEMENT, recordRow } from './mirrorRows.js';

export function createSqlMirrorStore(records: RecordDatabase, clock: () => number = Date.now): MirrorStore {
  const { db } = records;
  const now = () => new Date(clock()).toISOString();

  /**
   * One writer of a channel's orders at a time, for the rest of the transaction: which orders existed
   * is read before they are written (created or updated; the channel's count), and on PostgreSQL another
   * instance could insert between the two. SQLite runs one write transaction at a time already.
   */
  async function lockChannel(on: On, channel: MirrorChannel): Promise<void> {
    if (records.engine === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${`crossdock:mirror:${channel}`}))`.execute(on);
  }

  /** Writes the newer of the given orders with their lines; answers what it did. */
  async function applyOrders(on: On, channel: MirrorChannel, given: readonly ChannelOrder[], at: string): Promise<Omit<BatchOutcome, 'counters'> & { written: Set<string> }> {
    const orders = newestById(given);
    const outcome = { created: 0, updated: 0, unchanged: 0, written: new Set<string>() };
    if (orders.length === 0) return outcome;
    await lockChannel(on, channel);
    const existed = new Set<string>();
    for (const ids of chunks(orders.map((o) => o.id), IDS_PER_STATEMENT)) {
      const rows = await on.selectFrom('mirror_orders').select('id').where('channel', '=', channel).where('id', 'in', ids).execute();
      for (const r of rows) existed.add(r.id);
    }
    const records: Array<Insertable<RecordTables['mirror_order_records']>> = [];
    for (const part of chunks(orders, ORDERS_PER_STATEMENT)) {
      const values = part.map((o) => orderRow(channel, o, at));
      const rows = await on
        .insertInto('mirror_orders')
        .values(values)
        .onConflict((oc) =>
          oc
            .columns(['channel', 'id'])
            .doUpdateSet((eb) => ({
              number: eb.ref('excluded.number'),
              name: eb.ref('excluded.name'),
              created_at: eb.ref('excluded.created_at'),
              updated_at: eb.ref('excluded.updated_at'),
              closed_at: eb.ref('excluded.closed_at'),
              cancelled_at: eb.ref('excluded.cancelled_at'),
              status: eb.ref('excluded.status'),
              financial_status: eb.ref('excluded.financial_status'),
              fulfillment_status: eb.ref('excluded.fulfillment_status'),
              currency: eb.ref('excluded.currency'),
              subtotal: eb.ref('excluded.subtotal'),
              total: eb.ref('excluded.total'),
              customer_id: eb.ref('excluded.customer_id'),
              customer_email: eb.ref('excluded.customer_email'),
              customer_first_name: eb.ref('excluded.customer_first_name'),
              customer_last_name: eb.ref('excluded.customer_last_name'),
              shipping_address: eb.ref('excluded.shipping_address'),
              billing_address: eb.ref('excluded.billing_address'),
              line_count: eb.ref('excluded.line_count'),
              item_count: eb.ref('excluded.item_count'),
              mirrored_at: eb.ref('excluded.mirrored_at'),
            }))
            // The version rule, in the statement: an older or equal copy writes nothing.
            .where('mirror_orders.updated_at', '<', (eb) => eb.ref('excluded.updated_at')),
        )
        .returning('id')
        .execute();
      for (const r of rows) outcome.written.add(r.id);
      part.forEach((o, i) => {
        if (outcome.written.has(o.id)) records.push(recordRow(o, values[i] as OrderRow));
      });
    }
    // Each written version's record text (migration 10), in the same transaction as the version.
    await writeRecordTexts(on, records);
    const written = orders.filter((o) => outcome.written.has(o.id));
    for (const ids of chunks(written.map((o) => o.id), IDS_PER_STATEMENT)) {
      await on.deleteFrom('mirror_order_lines').where('channel', '=', channel).where('order_id', 'in', ids).execute();
    }
    const lineRows = written.flatMap((o) =>
      o.lines.map((l, i) => ({ channel, order_id: o.id, line_id: l.lineId, position: i + 1, sku: l.sku, name: l.name, quantity: l.quantity, unit_price: l.unitPrice })),
    );
    for (const part of chunks(lineRows, LINES_PER_STATEMENT)) {
      // A line id given twice in one order (a malformed answer) keeps its first position.
      await on.insertInto('mirror_order_lines').values(part).onConflict((oc) => oc.columns(['channel', 'order_id', 'line_id']).doNothing()).execute();
    }
    for (const o of orders) {
      if (!outcome.written.has(o.id)) outcome.unchanged++;
      else if (existed.has(o.id)) outcome.updated++;
      else outcome.created++;
    }
    // The channel's count, in the same transaction as the inserts (read by an unfiltered count).
    // An insert racing this one on another connection is refused by the primary key, so none counts twice.
    if (outcome.created > 0) {
      await on
        .insertInto('mirror_state')
        .values({ channel, order_count: outcome.created })
        .onConflict((oc) => oc.column('channel').doUpdateSet((eb) => ({ order_count: eb('mirror_state.order_count', '+', outcome.created) })))
        .execute();
    }
    return outcome;
  }

  async function appendLines(on: On, channel: MirrorChannel, late: NonNullable<MirrorBatch['lateLines']>): Promise<void> {
    const grown: string[] = [];
    for (const { orderId, lines } of late) {
      const order = await on.selectFrom('mirror_orders').select(['line_count']).where('channel', '=', channel).where('id', '=', orderId).executeTakeFirst();
      if (!order || lines.length === 0) continue;
      const base = Number(order.line_count);
      const inserted = await on
        .insertInto('mirror_order_lines')
        .values(lines.map((l, i) => ({ channel, order_id: orderId, line_id: l.lineId, position: base + i + 1, sku: l.sku, name: l.name, quantity: l.quantity, unit_price: l.unitPrice })))
        .onConflict((oc) => oc.columns(['channel', 'order_id', 'line_id']).doNothing())
        .returning(['quantity'])
        .execute();
      if (inserted.length === 0) continue;
      await on
        .updateTable('mirror_orders')
        .set((eb) => ({ line_count: eb('line_count', '+', inserted.length), item_count: eb('item_count', '+', inserted.reduce((n, r) => n + Number(r.quantity), 0)) }))
        .where('channel', '=', channel)
        .where('id', '=', orderId)
        .execute();
      grown.push(orderId);
    }
    // The stored record text of an order that gained lines, rewritten from its rows in this transaction.
    const texts = await storedRecordJson(on, channel, grown);
    await writeRecordTexts(on, [...texts].map(([id, recordJson]) => ({ channel, id, record_json: recordJson })));
  }

  /** Stores (or replaces) orders' record texts. */
  async function writeRecordTexts(on: On, rows: ReadonlyArray<Insertable<RecordTables['mirror_order_records']>>): Promise<void> {
    for (const part of chunks(rows, ORDERS_PER_STATEMENT)) {
      await on
        .insertInto('mirror_order_records')
        .values(part)
        .onConflict((oc) => oc.columns(['channel', 'id']).doUpdateSet((eb) => ({ record_json: eb.ref('excluded.record_json') })))
        .execute();
    }
  }

  async function recordFailures(on: On, failures: NonNullable<MirrorBatch['failures']>): Promise<void> {
    // The job's failures table (jobs/store/sqlJobStore.ts keeps it), written here so they commit with the batch.
    const byKey = new Map<string, { key: string; message: string }>();
    for (const f of failures.items) byKey.set(f.key, f);
    for (const part of chunks([...byKey.values()], 500)) {
      await on
        .insertInto('failures')
        .values(part.map((f) => ({ job_id: failures.jobId, sku: f.key.slice(0, 200), part_number: null, code: 'VALIDATION', message: f.message.slice(0, 1_000), attempts: 1 })))
        .onConflict((oc) => oc.columns(['job_id', 'sku']).doUpdateSet((eb) => ({ message: eb.ref('excluded.message'), attempts: eb('failures.attempts', '+', 1) })))
        .execute();
    }
  }

  async function advanceCursor(on: On, channel: MirrorChannel, cursor: string): Promise<void> {
    await on
      .insertInto('mirror_state')
      .values({ channel, cursor_updated_at: cursor })
      .onConflict((oc) =>
        oc.column('channel').doUpdateSet({
          // Forward only: a pull that read less far never moves it back.
          cursor_updated_at: sql<string>`case when mirror_state.cursor_updated_at is null or mirror_state.cursor_updated_at < excluded.cursor_updated_at then excluded.cursor_updated_at else mirror_state.cursor_updated_at end`,
        }),
      )
      .execute();
  }

  async function lines(channel: MirrorChannel, orderIds: readonly string[]): Promise<Map<string, ChannelOrderLine[]>> {
    const out = new Map<string, ChannelOrderLine[]>(orderIds.map((id) => [id, []]));
    for (const ids of chunks([...new Set(orderIds)], IDS_PER_STATEMENT)) {
      const rows = await db.selectFrom('mirror_order_lines').selectAll().where('channel', '=', channel).where('order_id', 'in', ids).orderBy('order_id').orderBy('position').execute();
      for (const r of rows) out.get(r.order_id)?.push({ lineId: r.line_id, sku: r.sku, name: r.name, quantity: Number(r.quantity), unitPrice: r.unit_price });
    }
    return out;
  }

  function stateOf(channel: MirrorChannel, r: Selectable<RecordTables['mirror_state']> | undefined): MirrorStateRecord {
    return {
      channel,
      cursorUpdatedAt: r?.cursor_updated_at ?? null,
      asOf: r?.as_of ?? null,
      lastRefreshedAt: r?.last_refreshed_at ?? null,
      lastFullAt: r?.last_full_at ?? null,
      lastError: r?.last_error ?? null,
      lastErrorAt: r?.last_error_at ?? null,
    };
  }

  return {
    async applyBatch(channel, batch) {
      return db.transaction().execute(async (trx) => {
        const at = now();
        const { created, updated, unchanged } = await applyOrders(trx, channel, batch.orders, at);
        if (batch.lateLines?.length) await appendLines(trx, channel, batch.lateLines);
        const failed = batch.failures?.items.length ?? 0;
        if (batch.failures && failed) await recordFailures(trx, batch.failures);
        const base = batch.counters ?? ZERO_COUNTERS;
        const counters: SyncCounters = {
          ...base,
          processed: base.processed + batch.orders.length + failed,
          created: base.created + created,
          updated: base.updated + updated,
          unchanged: base.unchanged + unchanged,
          failed: base.failed + failed,
        };
        if (batch.backfill) {
          const b = batch.backfill;
          // Forward only: a runner that lost its lease and wrote late never moves the checkpoint back.
          await trx
            .updateTable('mirror_backfills')
            .set({ lines_committed: b.linesCommitted, counters: encodeJson(counters), updated_at: at })
            .where('job_id', '=', b.jobId)
            .where('lines_committed', '<=', b.linesCommitted)
            .execute();
        }
        if (batch.cursor) await advanceCursor(trx, channel, batch.cursor);
        return { created, updated, unchanged, counters };
      });
    },
    async get(channel, ids) {
      const out = new Map<string, ChannelOrder>();
      const heads: MirroredOrderHead[] = [];
      for (const part of chunks([...new Set(ids)], IDS_PER_STATEMENT)) {
        const rows = await db.selectFrom('mirror_orders').selectAll().where('channel', '=', channel).where('id', 'in', part).execute();
        heads.push(...rows.map(headOf));
      }
      const byOrder = await lines(channel, heads.map((h) => h.id));
      for (const h of heads) {
        const { lineCount: _l, itemCount: _i, ...order } = h;
        out.set(h.id, { ...order, lines: byOrder.get(h.id) ?? [] });
      }
      return out;
    },
    lines,
    async list(filter, after, first) {
      const rows = await listedOrders(db, filter, after).selectAll().orderBy('created_at').orderBy('id').limit(first + 1).execute();
      return { orders: rows.slice(0, first).map(headOf), hasNext: rows.length > first };
    },
    ...sqlMirrorExportPages(records),
    async count(filter) {
      const { channel, ...narrowing } = filter;
      if (Object.values(narrowing).every((v) => v === undefined)) {
        const state = await db.selectFrom('mirror_state').select('order_count').where('channel', '=', channel).executeTakeFirst();
        return count(state?.order_count);
      }
      const row = await countStatement(db, filter).executeTakeFirst();
      return count(row?.n);
    },
    async state(channel) {
      return stateOf(channel, await db.selectFrom('mirror_state').selectAll().where('channel', '=', channel).executeTakeFirst());
    },
    async patchState(channel, patch) {
      const set: Partial<Selectable<RecordTables['mirror_state']>> = {};
      if (patch.cursorUpdatedAt !== undefined) set.cursor_updated_at = patch.cursorUpdatedAt;
      if (patch.asOf !== undefined) set.as_of = patch.asOf;
      if (patch.lastRefreshedAt !== undefined) set.last_refreshed_at = patch.lastRefreshedAt;
      if (patch.lastFullAt !== undefined) set.last_full_at = patch.lastFullAt;
      if (patch.lastError !== undefined) set.last_error = patch.lastError;
      if (patch.lastErrorAt !== undefined) set.last_error_at = patch.lastErrorAt;
      const row = await db
        .insertInto('mirror_state')
        .values({ channel, ...set })
        .onConflict((oc) => (Object.keys(set).length ? oc.column('channel').doUpdateSet(set) : oc.column('channel').doNothing()))
        .returningAll()
        .executeTakeFirst();
      return row ? stateOf(channel, row) : this.state(channel);
    },
    async backfill(jobId) {
      const r = await db.selectFrom('mirror_backfills').selectAll().where('job_id', '=', jobId).executeTakeFirst();
      if (!r) return undefined;
      return {
        jobId: r.job_id,
        channel: r.channel as MirrorChannel,
        bulkId: r.bulk_id,
        bulkCreatedAt: r.bulk_created_at,
        url: r.url,
        linesCommitted: Number(r.lines_committed),
        counters: r.counters ? decodeJson<SyncCounters | null>(r.counters) : null,
      };
    },
    async saveBackfill(b) {
      const at = now();
      const values = {
        job_id: b.jobId,
        channel: b.channel,
        bulk_id: b.bulkId,
        bulk_created_at: b.bulkCreatedAt,
        url: b.url,
        lines_committed: b.linesCommitted ?? 0,
        counters: encodeJson(b.counters ?? null),
        updated_at: at,
      };
      await db
        .insertInto('mirror_backfills')
        .values(values)
        .onConflict((oc) =>
          oc.column('job_id').doUpdateSet({
            bulk_id: values.bulk_id,
            bulk_created_at: values.bulk_created_at,
            url: values.url,
            updated_at: at,
            ...(b.linesCommitted !== undefined ? { lines_committed: b.linesCommitted, counters: values.counters } : {}),
          }),
        )
        .execute();
    },
    async recordEvent(channel, event, receivedAt) {
      const row = await db
        .insertInto('mirror_webhook_events')
        .values({
          channel,
          event_id: event.eventId,
          topic: event.topic,
          order_id: event.order?.id ?? null,
          order_updated_at: event.order?.updatedAt ?? null,
          payload: event.order ? encodeJson(event.order) : null,
          problem: event.problem,
          received_at: receivedAt,
          // A body that is no order has nothing to apply: it is listed, not queued.
          applied_at: event.order ? null : receivedAt,
          outcome: event.order ? null : 'FAILED',
        })
        .onConflict((oc) => oc.columns(['channel', 'event_id']).doNothing())
        .returning('event_id')
        .executeTakeFirst();
      return row !== undefined;
    },
    async pendingEvents(channel, limit) {
      const rows = await db
        .selectFrom('mirror_webhook_events')
        .select(['event_id', 'topic', 'payload', 'problem'])
        .where('channel', '=', channel)
        .where('applied_at', 'is', null)
        .orderBy('order_updated_at')
        .orderBy('received_at')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ eventId: r.event_id, topic: r.topic, order: r.payload ? decodeJson<ChannelOrder>(r.payload) : null, problem: r.problem }));
    },
    async applyEvent(channel, event, at) {
      return db.transaction().execute(async (trx) => {
        let outcome: EventOutcome = 'FAILED';
        if (event.order) {
          const done = await applyOrders(trx, channel, [event.order], at);
          outcome = done.written.size > 0 ? 'APPLIED' : 'OLDER';
        }
        await trx.updateTable('mirror_webhook_events').set({ applied_at: at, outcome }).where('channel', '=', channel).where('event_id', '=', event.eventId).where('applied_at', 'is', null).execute();
        return outcome;
      });
    },
    async purgeEvents(before) {
      const { numDeletedRows } = await db.deleteFrom('mirror_webhook_events').where('received_at', '<', before).where('applied_at', 'is not', null).executeTakeFirstOrThrow();
      return Number(numDeletedRows);
    },
    async eventProblems(channel, limit) {
      const rows = await db
        .selectFrom('mirror_webhook_events')
        .select(['event_id', 'topic', 'problem', 'received_at'])
        .where('channel', '=', channel)
        .where('problem', 'is not', null)
        .orderBy('received_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ eventId: r.event_id, topic: r.topic, problem: r.problem ?? '', receivedAt: r.received_at }));
    },
  };
}
