/**
 * Migration 5: `audit_log.key_id` — which of a client's keys was presented
 * (12 hex digits of its SHA-256, auth/keyring.ts keyIdOf; never the key), so
 * a rotation shows in the audit log as two key ids of one client. NULL in
 * rows written before (their key is not known).
 *
 * Frozen once released: a later change is a new migration, never an edit here.
 */
import { sql } from 'kysely';
import type { RecordMigration } from './recordMigration.js';

export const auditKeyId: RecordMigration = {
  async up(db, engine) {
    // Text in byte order on PostgreSQL, as every column of migration 1 (SQLite's BINARY).
    if (engine === 'postgres') await sql`ALTER TABLE audit_log ADD COLUMN key_id text COLLATE "C"`.execute(db);
    else await sql`ALTER TABLE audit_log ADD COLUMN key_id TEXT`.execute(db);
  },
};
