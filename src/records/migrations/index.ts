/**
 * Every migration, in order, listed here rather than found on disk: Kysely's
 * FileMigrationProvider globs a folder at run time, which the compiled build
 * (dist/, no .ts files) and bundlers would not have. Add a migration as
 * `NNNN_name.ts` and one line below; names sort in the order they run.
 */
import { initial } from './0001_initial.js';
import { orderClaims } from './0002_order_claims.js';
import { orderMirror } from './0004_order_mirror.js';
import type { RecordMigration } from './recordMigration.js';

export const RECORD_MIGRATIONS: ReadonlyArray<readonly [name: string, migration: RecordMigration]> = [
  ['0001_initial', initial],
  ['0002_order_claims', orderClaims],
  // 0003 is another change's (assigned so parallel work does not collide).
  ['0004_order_mirror', orderMirror],
];
