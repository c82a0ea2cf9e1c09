/**
 * The record database: one Kysely handle per process, on one of two
 * engines, shared by every record store (jobs, audit log, token vault):
 *
 * - SQLite (better-sqlite3), the embedded default: one file, WAL with
 *   synchronous=NORMAL (a committed transaction survives kill -9 of the
 *   process; https://www.sqlite.org/wal.html), a busy timeout for the
 *   other connections to the file, and secure_delete so a removed sealed
 *   token is zeroed, not left in a free page.
 * - PostgreSQL (node-pg), when DATABASE_URL is set: a bounded pool, a
 *   connect timeout, and a deadline on every statement — the server's
 *   statement_timeout (the statement is cancelled there), node-pg's
 *   query_timeout, and the guard's own (guardedDialect.ts) past both, plus
 *   idle_in_transaction_session_timeout so no lost client holds locks.
 *   `pg` is imported only on this path (heavy clients load only when
 *   configured; test/unit/lazyRedis.test.ts checks it).
 *
 * Errors that mean "unreachable, try again" reach callers as
 * StoreUnavailableError (guardedDialect.ts); recovery needs no restart: the
 * pool drops broken connections and opens new ones on the next statement.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, sql, SqliteDialect, type Dialect, type SqliteDatabase } from 'kysely';
import type { Logger } from '../observability/logger.js';
import type { RecordEngine } from './engine.js';
import { guardDialect } from './guardedDialect.js';
import { withDeadline } from './recordErrors.js';
import { ROW_ARRAYS_MARKER } from './rowArrays.js';
import type { RecordTables } from './tables.js';

export interface SqliteRecordOptions {
  engine: 'sqlite';
  /** The file (the data dir's crossdock.db), or ":memory:". */
  path: string;
  /** How long a statement waits for another connection's lock on the file. @default 5000 */
  busyTimeoutMs?: number;
}

export interface PostgresRecordOptions {
  engine: 'postgres';
  /** `postgres://` URL, credentials included (DATABASE_URL). Never logged. */
  url: string;
  /** Largest number of connections this process opens. @default 10 */
  poolMax?: number;
  /** Deadline of opening a connection, or of waiting for a free one. @default 2000 */
  connectTimeoutMs?: number;
  /** Deadline of one statement (statement_timeout on the server, query_timeout in the client). @default 5000 */
  queryTimeoutMs?: number;
  /** Where a connection lost while idle is reported (once per outage). */
  logger?: Logger;
}

export type RecordDatabaseOptions = SqliteRecordOptions | PostgresRecordOptions;

export interface RecordDatabase {
  readonly engine: RecordEngine;
  readonly db: Kysely<RecordTables>;
  /** `select 1` within the deadline: the health of /ready. Never throws. */
  ping(timeoutMs: number): Promise<{ ok: boolean; latencyMs: number | null }>;
  /**
   * After a secret's row was deleted. SQLite: checkpoint the WAL into the
   * main file, whose freed pages secure_delete zeroed. PostgreSQL keeps the
   * dead tuple until (auto)vacuum; the row held only sealed ciphertext.
   */
  afterSecretDeleted(): Promise<void>;
  close(): Promise<void>;
}

/** Distinct statement texts kept prepared: the stores' few dozen, and room for IN lists of other lengths. */
const PREPARED_MAX = 256;

/**
 * Kysely's SQLite driver prepares every statement it runs; the stores run
 * the same texts over and over, and preparing was most of a statement's
 * cost. A better-sqlite3 statement is reusable (SQLite re-prepares it by
 * itself after a schema change), and the dialect runs one statement at a
 * time on its one connection, so one prepared statement per text serves.
 */
function preparedOnce(file: Database.Database): SqliteDatabase {
  const prepared = new Map<string, Database.Statement>();
  return {
    close: () => file.close(),
    prepare(text) {
      let statement = prepared.get(text);
      if (!statement) {
        // A statement marked for row arrays (rowArrays.ts) is prepared in raw mode, and kept apart by its text.
        statement = text.startsWith(ROW_ARRAYS_MARKER) ? file.prepare(text).raw(true) : file.prepare(text);
        if (prepared.size >= PREPARED_MAX) prepared.delete(prepared.keys().next().value as string);
        prepared.set(text, statement);
      }
      return statement;
    },
  };
}

async function openSqlite(options: SqliteRecordOptions): Promise<{ dialect: Dialect; deadlineMs: number }> {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const busyMs = options.busyTimeoutMs ?? 5_000;
  const file = new Database(options.path);
  file.pragma('journal_mode = WAL');
  file.pragma('synchronous = NORMAL');
  file.pragma(`busy_timeout = ${busyMs}`);
  file.pragma('secure_delete = ON');
  // The temporary b-trees of IN lists, sorts and RETURNING in memory, not in a temp file's pager:
  // they hold a few rows, and re-running a prepared statement that built one cost twice the CPU.
  file.pragma('temp_store = MEMORY');
  return { dialect: new SqliteDialect({ database: preparedOnce(file) }), deadlineMs: busyMs + 1_000 };
}

async function openPostgres(options: PostgresRecordOptions): Promise<{ dialect: Dialect; deadlineMs: number }> {
  const { default: pg } = await import('pg');
  const queryMs = options.queryTimeoutMs ?? 5_000;
  const connectMs = options.connectTimeoutMs ?? 2_000;
  // COUNT(*) and bigint ids arrive as int8, which node-pg gives as strings; every int8 here is far below 2^53.
  const getTypeParser = ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: connectMs,
    idleTimeoutMillis: 30_000,
    statement_timeout: queryMs,
    query_timeout: queryMs + 500,
    idle_in_transaction_session_timeout: Math.max(10_000, queryMs * 2),
    application_name: 'crossdock',
    types: { getTypeParser },
  });
  // A connection the server closed (restart, failover, crash) emits 'error': on the pool while
  // idle, on the client itself while checked out (pg-pool removes its listener then, and Kysely
  // adds none), e.g. between two statements of a transaction. Unheard, either would end the
  // process; heard, the statement fails as StoreUnavailableError and the pool drops the client.
  let down = false;
  const lost = (err: Error) => {
    if (down) return;
    down = true;
    options.logger?.warn({ err: err.message }, 'PostgreSQL connection lost; records answer STORE_UNAVAILABLE until it is back');
  };
  pool.on('error', lost);
  pool.on('connect', (client) => {
    client.on('error', lost);
    if (down) options.logger?.info('PostgreSQL connection back');
    down = false;
  });
  return { dialect: new PostgresDialect({ pool }), deadlineMs: Math.max(queryMs, connectMs) + 1_000 };
}

export async function createRecordDatabase(options: RecordDatabaseOptions): Promise<RecordDatabase> {
  const { dialect, deadlineMs } = options.engine === 'sqlite' ? await openSqlite(options) : await openPostgres(options);
  const db = new Kysely<RecordTables>({ dialect: guardDialect(dialect, options.engine, deadlineMs) });
  let closing: Promise<void> | undefined;
  return {
    engine: options.engine,
    db,
    async ping(timeoutMs) {
      const started = performance.now();
      try {
        await withDeadline(sql`select 1`.execute(db), timeoutMs, 'ping');
        return { ok: true, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
      } catch {
        return { ok: false, latencyMs: null };
      }
    },
    async afterSecretDeleted() {
      if (options.engine === 'sqlite') await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db);
    },
    close() {
      closing ??= db.destroy();
      return closing;
    },
  };
}
