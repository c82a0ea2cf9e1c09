/**
 * What differs between the two engines, said once. Queries are otherwise
 * the same Kysely code on both: both speak `INSERT … ON CONFLICT … DO
 * UPDATE/NOTHING` with `excluded.` (SQLite 3.24+, PostgreSQL 9.5+),
 * `RETURNING` (SQLite 3.35+), partial indexes, and transactions.
 */
import { sql, type RawBuilder } from 'kysely';

export type RecordEngine = 'sqlite' | 'postgres';

/** Text as the records keep it. */
export const encodeJson = (value: unknown): string => JSON.stringify(value);
export const decodeJson = <T>(text: string): T => JSON.parse(text) as T;
/** Booleans as integers 0/1 on both engines (SQLite has no boolean type). */
export const encodeFlag = (value: boolean): number => (value ? 1 : 0);
export const decodeFlag = (value: number | string): boolean => Number(value) === 1;

/**
 * The next value of a table's `seq` listing order. SQLite serialises
 * writers, so max + 1 inside the insert is atomic there (and is what the
 * tables written before migrations already hold); PostgreSQL's column is an
 * identity (jobs: migration 1, supplier_orders: migration 2, erp_order_exports:
 * migration 3, whatsapp_messages: migration 7), filled by DEFAULT without a race
 * between instances.
 */
export function nextSeq(engine: RecordEngine, table: 'jobs' | 'supplier_orders' | 'erp_order_exports' | 'whatsapp_messages'): RawBuilder<number> {
  return engine === 'postgres' ? sql<number>`default` : sql<number>`(select coalesce(max(seq), 0) + 1 from ${sql.table(table)})`;
}

/**
 * A read that a compare-and-set decides on, inside a transaction: on
 * PostgreSQL `FOR UPDATE` locks the row until the transaction ends, so a
 * concurrent writer waits and then reads what this one wrote (READ
 * COMMITTED; https://www.postgresql.org/docs/15/explicit-locking.html#LOCKING-ROWS).
 * SQLite has no FOR UPDATE and needs none: its transactions take the write
 * lock at BEGIN (guardedDialect.ts), so no other writer runs in between.
 */
export function lockedRead<Q extends { forUpdate(): Q }>(engine: RecordEngine, query: Q): Q {
  return engine === 'postgres' ? query.forUpdate() : query;
}
