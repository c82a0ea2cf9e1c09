/**
 * A Kysely dialect around another, so every statement of the record layer
 * goes through one place on its way to the engine:
 *
 * - an error that means "unreachable or refused for now" (recordErrors.ts)
 *   becomes StoreUnavailableError, so GraphQL answers STORE_UNAVAILABLE
 *   (retryable), the runner pauses a job at its checkpoint and the outbox
 *   retries later, as they already do for Redis;
 * - every statement has a client-side deadline, even one the server never
 *   answers (PostgreSQL's statement_timeout only ends what reached it);
 * - SQLite transactions begin IMMEDIATE: they take the write lock at BEGIN
 *   (waiting up to busy_timeout), instead of upgrading a read later and
 *   failing at once with SQLITE_BUSY_SNAPSHOT when another connection to the
 *   file wrote in between (https://www.sqlite.org/lang_transaction.html).
 */
import { CompiledQuery, type DatabaseConnection, type Dialect, type Driver, type QueryResult, type TransactionSettings } from 'kysely';
import { StoreUnavailableError } from '../storage/storeUnavailable.js';
import type { RecordEngine } from './engine.js';
import { isRecordStoreDown, withDeadline } from './recordErrors.js';

class GuardedConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    private readonly statement: GuardedDriver['statement'],
  ) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.statement(query.sql.slice(0, 40), () => this.inner.executeQuery<R>(query));
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

/** No savepoints (the stores nest no transactions): Kysely refuses them without the optional methods. */
class GuardedDriver implements Driver {
  /** Connections handed out and not released yet. */
  private held = 0;

  constructor(
    private readonly driver: Driver,
    private readonly engine: RecordEngine,
    /** Deadline of one statement, and of taking a connection, in ms: past the engine's own timeouts, for when they do not fire. */
    private readonly deadlineMs: number,
  ) {}

  /** `run`, with "unreachable" errors as StoreUnavailableError, and past the deadline unless `timed` is false. */
  private async guard<T>(what: string, run: () => Promise<T>, timed = true): Promise<T> {
    try {
      return await (timed ? withDeadline(run(), this.deadlineMs, `${this.engine} ${what.trim()}`) : run());
    } catch (err) {
      if (isRecordStoreDown(err)) throw new StoreUnavailableError(`${this.engine} records: ${what.trim()}`, err);
      throw err;
    }
  }

  /**
   * One statement on a connection held. better-sqlite3 runs it synchronously to its end (its wait
   * for a lock is bounded by busy_timeout), so no timer could fire before it: SQLite's statements
   * need no deadline, only the wait for its one connection does (acquireConnection).
   */
  readonly statement = <T>(what: string, run: () => Promise<T>): Promise<T> => this.guard(what, run, this.engine !== 'sqlite');

  init(): Promise<void> {
    return this.guard('connect', () => this.driver.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const pending = this.driver.acquireConnection();
    try {
      // SQLite's one connection, when no statement holds it, is handed over at once: no wait to bound.
      const connection = await this.guard('connect', () => pending, this.engine !== 'sqlite' || this.held > 0);
      this.held++;
      return new GuardedConnection(connection, this.statement);
    } catch (err) {
      // Past the deadline the pool (or SQLite's one-connection mutex) may still hand the
      // connection over later: give it straight back, or it is held by no one for ever.
      pending.then((late) => this.driver.releaseConnection(late)).catch(() => undefined);
      throw err;
    }
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const inner = innerOf(connection);
    if (this.engine === 'sqlite') return this.statement('begin', async () => void (await inner.executeQuery(CompiledQuery.raw('begin immediate'))));
    return this.statement('begin', () => this.driver.beginTransaction(inner, settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.statement('commit', () => this.driver.commitTransaction(innerOf(connection)));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.statement('rollback', () => this.driver.rollbackTransaction(innerOf(connection)));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    this.held--;
    return this.driver.releaseConnection(innerOf(connection));
  }

  destroy(): Promise<void> {
    return this.driver.destroy();
  }
}

const innerOf = (connection: DatabaseConnection): DatabaseConnection => (connection instanceof GuardedConnection ? connection.inner : connection);

export function guardDialect(dialect: Dialect, engine: RecordEngine, deadlineMs: number): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: () => new GuardedDriver(dialect.createDriver(), engine, deadlineMs),
  };
}
