/**
 * Where audit entries are kept: an append-only `audit_log` table in the
 * data dir's SQLite file (`crossdock.db`) in the embedded default. The
 * interface is asynchronous so a Redis store can implement it (a stream, or
 * a list plus an id counter).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type AuditOutcome = 'OK' | 'ERROR' | 'REFUSED';

/** One audited mutation field. Arguments and variables are masked JSON text by the time they get here. */
export interface AuditEntryRecord {
  id: string;
  at: string;
  client: string;
  role: string;
  operationName: string | null;
  field: string;
  arguments: string | null;
  variables: string;
  outcome: AuditOutcome;
  errorCode: string | null;
  durationMs: number;
}

export type NewAuditEntry = Omit<AuditEntryRecord, 'id'>;

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
  close(): Promise<void>;
}

interface Row {
  id: number;
  at: string;
  client: string;
  role: string;
  operation_name: string | null;
  field: string;
  arguments: string | null;
  variables: string;
  outcome: string;
  error_code: string | null;
  duration_ms: number;
}

const toEntry = (r: Row): AuditEntryRecord => ({
  id: String(r.id),
  at: r.at,
  client: r.client,
  role: r.role,
  operationName: r.operation_name,
  field: r.field,
  arguments: r.arguments,
  variables: r.variables,
  outcome: r.outcome as AuditOutcome,
  errorCode: r.error_code,
  durationMs: r.duration_ms,
});

export function createSqliteAuditStore(options: { path: string }): AuditStore {
  mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    client TEXT NOT NULL,
    role TEXT NOT NULL,
    operation_name TEXT,
    field TEXT NOT NULL,
    arguments TEXT,
    variables TEXT NOT NULL,
    outcome TEXT NOT NULL,
    error_code TEXT,
    duration_ms REAL NOT NULL
  );
  CREATE INDEX IF NOT EXISTS audit_log_client ON audit_log (client, id);
  CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at);`);
  const insert = db.prepare(`INSERT INTO audit_log (at, client, role, operation_name, field, arguments, variables, outcome, error_code, duration_ms)
    VALUES (@at, @client, @role, @operationName, @field, @arguments, @variables, @outcome, @errorCode, @durationMs)`);
  const purge = db.prepare('DELETE FROM audit_log WHERE at < ?');

  function where(filter: AuditFilter, beforeId?: number): { sql: string; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (filter.client !== undefined) {
      clauses.push('client = ?');
      params.push(filter.client);
    }
    if (filter.operation !== undefined) {
      clauses.push('(operation_name = ? OR field = ?)');
      params.push(filter.operation, filter.operation);
    }
    if (beforeId !== undefined) {
      clauses.push('id < ?');
      params.push(beforeId);
    }
    return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
  }

  return {
    async append(entry) {
      const { lastInsertRowid } = insert.run(entry);
      return { ...entry, id: String(lastInsertRowid) };
    },
    async list(filter, page) {
      const all = where(filter);
      const total = (db.prepare(`SELECT COUNT(*) AS n FROM audit_log ${all.sql}`).get(...all.params) as { n: number }).n;
      const w = where(filter, page.beforeId);
      const rows = db.prepare(`SELECT * FROM audit_log ${w.sql} ORDER BY id DESC LIMIT ?`).all(...w.params, page.limit) as Row[];
      return { items: rows.map(toEntry), total };
    },
    async purgeOlderThan(at) {
      return purge.run(at).changes;
    },
    async close() {
      db.close();
    },
  };
}
