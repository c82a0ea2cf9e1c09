/**
 * The shapes of identifiers the gateway accepts from clients, kept in one
 * place so every entry point applies the same rule.
 */

/**
 * Part numbers and SKUs: printable, no path or query characters, at most 64,
 * and no `..` — a code becomes a path segment or a filter value upstream, so
 * it must never be able to walk a path.
 */
const CODE = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;

export function isCode(value: string): boolean {
  return CODE.test(value) && !value.includes('..');
}

/** The record ids the gateway mints (crypto.randomUUID: RFC 9562, lower-case hex). */
const RECORD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isRecordId(value: string): boolean {
  return RECORD_ID.test(value);
}
