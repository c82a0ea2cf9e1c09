/**
 * Where audit entries are kept: the append-only `audit_log` table of the
 * record layer (sqlAuditStore.ts) — the data dir's SQLite file in the
 * embedded default, PostgreSQL with DATABASE_URL.
 */

export type AuditOutcome = 'OK' | 'ERROR' | 'REFUSED';

/** One audited mutation field. Arguments and variables are masked JSON text by the time they get here. */
export interface AuditEntryRecord {
  id: string;
  at: string;
  client: string;
  /** Which of the client's keys: a short hash, never the key; null when not known (older entries). */
  keyId: string | null;
  role: string;
  operationName: string | null;
  field: string;
  arguments: string | null;
  variables: string;
  outcome: AuditOutcome;
  errorCode: string | null;
  durationMs: number;
}

export type NewAuditEntry = Omit<AuditEntryRecord, 'id' | 'keyId'> & { keyId?: string | null };

export interface AuditFilter {
  /** Exact client name. */
  client?: string;
  /** Exact operation name or mutation field. */
  operation?: string;
}

export interface AuditStore {
  append(entry: NewAuditEntry): Promise<AuditEntryRecord>;
  /** Newest first; `beforeId` continues after the last entry of the previous page. */
  list(filter: AuditFilter, page: { beforeId?: number; limit: number }): Promise<{ items: AuditEntryRecord[]; total: number }>;
  /** Deletes entries older than `at`; answers how many. */
  purgeOlderThan(at: string): Promise<number>;
}
