/**
 * Migration 8: where an import's bad row is — `failures.line` (the row's
 * first line in its file) and `failures.col` (the column of the bad cell), so
 * a CSV import lists each failure by line (src/bulk/). NULL for a sync's
 * failures (an item, not a row of a file).
 *
 * Frozen once released: a later change is a new migration, never an edit here.
 */
import { sql } from 'kysely';
import type { RecordMigration } from './recordMigration.js';

export const failureLines: RecordMigration = {
  async up(db, engine) {
    await sql`ALTER TABLE failures ADD COLUMN line INTEGER`.execute(db);
    // Text in byte order on PostgreSQL, as every column of migration 1 (SQLite's BINARY).
    if (engine === 'postgres') await sql`ALTER TABLE failures ADD COLUMN col text COLLATE "C"`.execute(db);
    else await sql`ALTER TABLE failures ADD COLUMN col TEXT`.execute(db);
  },
};
