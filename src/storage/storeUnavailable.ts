/**
 * The durable store could not be reached (PostgreSQL or Redis down, a
 * statement or command past its deadline, a SQLite file locked or full).
 * Thrown by the record layer (src/records/guardedDialect.ts) and the Redis
 * stores instead of the driver's own error, so callers can tell "nothing
 * was recorded, try again" from a bug: GraphQL answers it as
 * STORE_UNAVAILABLE (503), the job runner leaves the job for a later resume
 * instead of marking it FAILED, and the outbox retries on a later tick.
 */
const MARK = Symbol.for('crossdock.storeUnavailable');

export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  constructor(operation: string, cause?: unknown) {
    super(`the durable store is unreachable (${operation}); nothing was recorded`, { cause });
    Object.defineProperty(this, MARK, { value: true });
  }
}

/** By mark, not instanceof (the class may be loaded through two module graphs in tests). */
export function isStoreUnavailable(err: unknown): err is StoreUnavailableError {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[MARK] === true;
}
