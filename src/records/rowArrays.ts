/**
 * A select's rows as arrays of values, in the order of its select list,
 * rather than an object per row: for the bulk routes, which hand every value
 * on in column order (the CSV export) and read tens of thousands of rows a
 * second. On SQLite the statement runs in better-sqlite3's raw mode
 * (`Statement#raw()`: each row an array; https://github.com/WiseLibs/better-sqlite3/blob/master/docs/api.md#rawtogglestate),
 * which spares building an object with a key per column (the CPU and the
 * garbage of the export's page read); PostgreSQL's rows (node-pg objects,
 * keys in the select list's order) are turned into arrays here.
 *
 * The statement still goes through Kysely and the guarded dialect (the
 * deadline, StoreUnavailableError): it is the compiled query with
 * ROW_ARRAYS_MARKER before it, a comment both engines ignore and the SQLite
 * connection's statement cache (recordDatabase.ts) prepares in raw mode.
 * Column names must be distinct (PostgreSQL's rows are keyed by them).
 */
import type { Compilable } from 'kysely';
import type { RecordDatabase } from './recordDatabase.js';

/** Leads a statement whose rows are wanted as arrays (recordDatabase.ts prepares it in raw mode on SQLite). */
export const ROW_ARRAYS_MARKER = '/* crossdock:row-arrays */ ';

export async function selectRowArrays(records: RecordDatabase, query: Compilable): Promise<unknown[][]> {
  const compiled = query.compile();
  const { rows } = await records.db.executeQuery<unknown>({ ...compiled, sql: ROW_ARRAYS_MARKER + compiled.sql });
  if (records.engine === 'sqlite') return rows as unknown[][];
  return (rows as Array<Record<string, unknown>>).map((r) => Object.values(r));
}
