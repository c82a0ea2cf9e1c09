/**
 * MessageStore on the record layer (src/records/): one implementation for
 * SQLite and PostgreSQL.
 *
 * - creation is one INSERT … ON CONFLICT (client, idempotency_key) DO
 *   NOTHING: of any number of concurrent sends with one key, on any number
 *   of instances, one row wins; the others read it (on PostgreSQL after it
 *   committed) — exactly once per key;
 * - every change reads the row locked (PostgreSQL FOR UPDATE; SQLite's
 *   transactions hold the write lock from BEGIN, records/guardedDialect.ts),
 *   lets the caller's pure decision say what to write, and writes it with
 *   its history entry in the same transaction, conditional on the status and
 *   attempt count it read;
 * - a customer's window only moves forward (the later of what is recorded
 *   and what arrived), in one upsert.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Selectable, type Updateable } from 'kysely';
import { decodeJson, decodeFlag, encodeFlag, encodeJson, lockedRead, nextSeq } from '../records/engine.js';
import type { RecordDatabase } from '../records/recordDatabase.js';
import type { WhatsAppMessagesTable } from '../records/tables.js';
import type { MessagePatch, MessageStore } from './messageStore.js';
import type { MessageStatus, ProductMessageRecord } from './types.js';

function toMessage(r: Selectable<WhatsAppMessagesTable>): ProductMessageRecord {
  return {
    id: r.id,
    client: r.client,
    idempotencyKey: r.idempotency_key,
    requestHash: r.request_hash,
    recipient: r.recipient,
    products: decodeJson(r.products),
    body: r.body,
    kind: r.kind as ProductMessageRecord['kind'],
    templateOnly: decodeFlag(r.template_only),
    status: r.status as MessageStatus,
    statusAt: r.status_at,
    vendorMessageId: r.vendor_message_id,
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at,
    sendingSince: r.sending_since,
    errors: decodeJson(r.errors),
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function columnsOf(patch: MessagePatch): Updateable<WhatsAppMessagesTable> {
  const set: Updateable<WhatsAppMessagesTable> = {};
  if (patch.kind !== undefined) set.kind = patch.kind;
  if (patch.templateOnly !== undefined) set.template_only = encodeFlag(patch.templateOnly);
  if (patch.statusAt !== undefined) set.status_at = patch.statusAt;
  if (patch.vendorMessageId !== undefined) set.vendor_message_id = patch.vendorMessageId;
  if (patch.attempts !== undefined) set.attempts = patch.attempts;
  if (patch.nextAttemptAt !== undefined) set.next_attempt_at = patch.nextAttemptAt;
  if (patch.sendingSince !== undefined) set.sending_since = patch.sendingSince;
  if (patch.lastError !== undefined) set.last_error = patch.lastError;
  return set;
}

export function createSqlMessageStore(records: RecordDatabase): MessageStore {
  const { db, engine } = records;
  const messages = () => db.selectFrom('whatsapp_messages').selectAll();
  const one = async (q: ReturnType<typeof messages>) => {
    const row = await q.executeTakeFirst();
    return row ? toMessage(row) : undefined;
  };

  return {
    create(message) {
      return db.transaction().execute(async (trx) => {
        const now = new Date().toISOString();
        const inserted = await trx
          .insertInto('whatsapp_messages')
          .values({
            id: randomUUID(),
            seq: nextSeq(engine, 'whatsapp_messages'),
            client: message.client,
            idempotency_key: message.idempotencyKey,
            request_hash: message.requestHash,
            recipient: message.recipient,
            products: encodeJson(message.products),
            body: message.body,
            kind: null,
            template_only: 0,
            status: 'QUEUED',
            status_at: null,
            vendor_message_id: null,
            attempts: 0,
            next_attempt_at: null,
            sending_since: null,
            errors: '[]',
            last_error: null,
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) => oc.columns(['client', 'idempotency_key']).doNothing())
          .returningAll()
          .executeTakeFirst();
        if (!inserted) {
          const existing = await trx.selectFrom('whatsapp_messages').selectAll().where('client', '=', message.client).where('idempotency_key', '=', message.idempotencyKey).executeTakeFirstOrThrow();
          return { created: false, message: toMessage(existing) };
        }
        await trx.insertInto('whatsapp_message_events').values({ message_id: inserted.id, seq: 1, at: now, from_status: null, to_status: 'QUEUED', reason: 'intent stored', vendor_at: null }).execute();
        return { created: true, message: toMessage(inserted) };
      });
    },
    get: (id) => one(messages().where('id', '=', id)),
    byKey: (client, key) => one(messages().where('client', '=', client).where('idempotency_key', '=', key)),
    byVendorId: (vendorMessageId) => one(messages().where('vendor_message_id', '=', vendorMessageId)),
    change(id, decide) {
      return db.transaction().execute(async (trx) => {
        const row = await lockedRead(engine, trx.selectFrom('whatsapp_messages').selectAll().where('id', '=', id)).executeTakeFirst();
        if (!row) throw new Error(`no WhatsApp message ${id}`);
        const before = toMessage(row);
        const update = decide(before);
        if (!update) return { applied: false, message: before };
        const now = new Date().toISOString();
        const errors = update.addErrors?.length ? encodeJson([...before.errors, ...update.addErrors]) : undefined;
        const after = await trx
          .updateTable('whatsapp_messages')
          .set({ ...columnsOf(update.set ?? {}), ...(errors ? { errors } : {}), status: update.to, updated_at: now })
          .where('id', '=', id)
          .where('status', '=', before.status)
          .where('attempts', '=', before.attempts)
          .returningAll()
          .executeTakeFirst();
        // Read locked, so only a writer outside this contract could have moved it.
        if (!after) return { applied: false, message: before };
        if (before.status !== update.to) {
          await trx
            .insertInto('whatsapp_message_events')
            .values({
              message_id: id,
              seq: sql<number>`(select coalesce(max(seq), 0) + 1 from whatsapp_message_events where message_id = ${id})`,
              at: now,
              from_status: before.status,
              to_status: update.to,
              reason: update.reason,
              vendor_at: update.vendorAt ?? null,
            })
            .execute();
        }
        return { applied: true, message: toMessage(after) };
      });
    },
    async due(now, limit) {
      const rows = await messages()
        .where('status', '=', 'QUEUED')
        .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)]))
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map(toMessage);
    },
    async stalled(before, limit) {
      const rows = await messages().where('status', '=', 'SENDING').where('sending_since', '<', before).orderBy('seq').limit(limit).execute();
      return rows.map(toMessage);
    },
    async events(id) {
      const rows = await db.selectFrom('whatsapp_message_events').selectAll().where('message_id', '=', id).orderBy('seq').execute();
      return rows.map((e) => ({ messageId: e.message_id, at: e.at, from: e.from_status as MessageStatus | null, to: e.to_status as MessageStatus, reason: e.reason, vendorAt: e.vendor_at }));
    },
    async contact(recipient) {
      const row = await db.selectFrom('whatsapp_contacts').selectAll().where('recipient', '=', recipient).executeTakeFirst();
      return row ? { lastInboundAt: row.last_inbound_at, windowRefusedAt: row.window_refused_at } : undefined;
    },
    async recordInbound(recipient, at) {
      await db
        .insertInto('whatsapp_contacts')
        .values({ recipient, last_inbound_at: at, window_refused_at: null })
        .onConflict((oc) =>
          oc.column('recipient').doUpdateSet({
            last_inbound_at: sql<string>`case when whatsapp_contacts.last_inbound_at is null or excluded.last_inbound_at > whatsapp_contacts.last_inbound_at then excluded.last_inbound_at else whatsapp_contacts.last_inbound_at end`,
          }),
        )
        .execute();
    },
    async refuseWindow(recipient, at) {
      await db
        .insertInto('whatsapp_contacts')
        .values({ recipient, last_inbound_at: null, window_refused_at: at })
        .onConflict((oc) =>
          oc.column('recipient').doUpdateSet({
            window_refused_at: sql<string>`case when whatsapp_contacts.window_refused_at is null or excluded.window_refused_at > whatsapp_contacts.window_refused_at then excluded.window_refused_at else whatsapp_contacts.window_refused_at end`,
          }),
        )
        .execute();
    },
  };
}
