/**
 * Which database errors mean "the record store is unreachable or refused
 * for now; nothing was recorded, try again" (StoreUnavailableError, answered
 * as STORE_UNAVAILABLE). Everything else — a constraint violated, a bug —
 * passes through as it is.
 */

/**
 * PostgreSQL SQLSTATEs that say "not now" rather than "wrong"
 * (https://www.postgresql.org/docs/15/errcodes-appendix.html): class 08
 * connection exceptions and class 53 insufficient resources (disk full, too
 * many connections) by prefix; a server shutting down or starting up, a
 * statement cancelled by statement_timeout, a lock not had within
 * lock_timeout, a standby refusing writes after a failover, and the
 * serialization failures a retry resolves.
 */
const PG_UNAVAILABLE_CLASSES = ['08', '53'];
const PG_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '57014', '55P03', '25006', '40001', '40P01']);

/** node-pg's own errors for a lost or never-made connection and its client-side query_timeout. */
const PG_CLIENT_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed and is not queryable)/;

/** Socket errors: the server is not there (yet), or went away. */
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/**
 * SQLite result codes (https://www.sqlite.org/rescode.html) that are the
 * file's state, not the statement's fault: locked past busy_timeout, disk
 * full or failing, a file that cannot be opened or written.
 */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|READONLY|NOMEM|PROTOCOL)/;

/** The record layer's own client-side deadline (guardedDialect.ts). */
export class RecordDeadlineError extends Error {
  override name = 'RecordDeadlineError';
}

/** `work`, or RecordDeadlineError after `ms` (the work itself is not cancelled: the engines' own timeouts end it). */
export async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RecordDeadlineError(`${what}: no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function codeOf(err: object): string | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

export function isRecordStoreDown(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 4) return false;
  if (err instanceof RecordDeadlineError) return true;
  const code = codeOf(err);
  if (code !== undefined) {
    if (/^[0-9A-Z]{5}$/.test(code) && (PG_UNAVAILABLE.has(code) || PG_UNAVAILABLE_CLASSES.includes(code.slice(0, 2)))) return true;
    if (NET_CODES.has(code) || SQLITE_UNAVAILABLE.test(code)) return true;
  }
  if (err instanceof Error && PG_CLIENT_MESSAGES.test(err.message)) return true;
  // Node reports a refused connection to every address of a host as one AggregateError; pg wraps some causes.
  if (err instanceof AggregateError && err.errors.some((e) => isRecordStoreDown(e, depth + 1))) return true;
  return err instanceof Error && err.cause !== undefined && isRecordStoreDown(err.cause, depth + 1);
}
