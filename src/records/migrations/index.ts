/**
 * Every migration, in order, listed here rather than found on disk: Kysely's
 * FileMigrationProvider globs a folder at run time, which the compiled build
 * (dist/, no .ts files) and bundlers would not have. Add a migration as
 * `NNNN_name.ts` and one line below; names sort in the order they run.
 */
import { initial } from './0001_initial.js';
import { orderClaims } from './0002_order_claims.js';
import { erpExports } from './0003_erp_exports.js';
import { orderMirror } from './0004_order_mirror.js';
import { auditKeyId } from './0005_audit_key_id.js';
import { socialDrafts } from './0006_social_drafts.js';
import { whatsAppMessages } from './0007_whatsapp_messages.js';
import { failureLines } from './0008_failure_lines.js';
import { mirrorStatusPairs } from './0009_mirror_status_pairs.js';
import { mirrorRecordJson } from './0010_mirror_record_json.js';
import type { RecordMigration } from './recordMigration.js';

export const RECORD_MIGRATIONS: ReadonlyArray<readonly [name: string, migration: RecordMigration]> = [
  ['0001_initial', initial],
  ['0002_order_claims', orderClaims],
  ['0003_erp_exports', erpExports],
  ['0004_order_mirror', orderMirror],
  ['0005_audit_key_id', auditKeyId],
  ['0006_social_drafts', socialDrafts],
  ['0007_whatsapp_messages', whatsAppMessages],
  ['0008_failure_lines', failureLines],
  ['0009_mirror_status_pairs', mirrorStatusPairs],
  ['0010_mirror_record_json', mirrorRecordJson],
];
