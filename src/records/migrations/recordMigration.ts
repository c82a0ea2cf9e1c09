/** One versioned schema change of the record tables. */
import type { Kysely } from 'kysely';
import type { RecordEngine } from '../engine.js';

export interface RecordMigration {
  /**
   * Forward only: there is no `down`. A release that needs a table changed
   * ships a new migration; an operator who must go back restores a backup.
   * Runs in one transaction (both engines have transactional DDL).
   */
  up(db: Kysely<unknown>, engine: RecordEngine): Promise<void>;
}
