/**
 * Migration 7: the WhatsApp product messages (src/messaging/): the outbox
 * of messages, their history, and the customers' windows.
 *
 * - whatsapp_messages: one row per client and idempotency key, for good
 *   (the unique key is the exactly-once rule: concurrent sends with one key
 *   insert one row); the recipient in E.164, the store products with their
 *   retailer ids, the body; the kind chosen when it was sent; the status
 *   with the vendor's time of it; the vendor's message id (unique, so a
 *   status event finds one message); attempts, the next attempt's time and
 *   the send in flight (`sending_since`), which every compare-and-set
 *   names; the vendor's errors (JSON).
 * - whatsapp_message_events: every status change with its reason and the
 *   vendor's time.
 * - whatsapp_contacts: when each customer last wrote (their 24-hour window,
 *   upstreams.md), and when the vendor last refused an interactive message
 *   as outside it (131047), which closes the window until they write again.
 *
 * Text in byte order on PostgreSQL ("C"), as every record table
 * (migration 1), so ISO times compare as text on both engines.
 *
 * Frozen once released: a later change is a new migration, never an edit here.
 */
import { sql } from 'kysely';
import type { RecordMigration } from './recordMigration.js';

const DDL = `
CREATE TABLE whatsapp_messages (
  id TEXT PRIMARY KEY, client TEXT NOT NULL, idempotency_key TEXT NOT NULL, request_hash TEXT NOT NULL,
  recipient TEXT NOT NULL, products TEXT NOT NULL, body TEXT NOT NULL, kind TEXT, template_only INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL, status_at TEXT, vendor_message_id TEXT, attempts INTEGER NOT NULL, next_attempt_at TEXT,
  sending_since TEXT, errors TEXT NOT NULL, last_error TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  UNIQUE (client, idempotency_key)
);
CREATE UNIQUE INDEX whatsapp_messages_vendor_id ON whatsapp_messages(vendor_message_id) WHERE vendor_message_id IS NOT NULL;
CREATE INDEX whatsapp_messages_due ON whatsapp_messages(status, next_attempt_at);
CREATE TABLE whatsapp_message_events (
  message_id TEXT NOT NULL, seq INTEGER NOT NULL, at TEXT NOT NULL, from_status TEXT, to_status TEXT NOT NULL,
  reason TEXT NOT NULL, vendor_at TEXT, PRIMARY KEY (message_id, seq)
);
CREATE TABLE whatsapp_contacts (
  recipient TEXT PRIMARY KEY, last_inbound_at TEXT, window_refused_at TEXT
)`;

export const whatsAppMessages: RecordMigration = {
  async up(db, engine) {
    const ddl = engine === 'postgres' ? DDL.replace(/\bTEXT\b/g, 'text COLLATE "C"') : DDL;
    // One statement at a time: SQLite prepares only one per call.
    for (const statement of ddl.split(';\n')) await sql.raw(statement).execute(db);
  },
};
