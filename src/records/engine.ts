/**
 * What differs between the two engines, said once, and the one naming rule
 * between rows and records. Queries are otherwise the same Kysely code on
 * both: both speak `INSERT … ON CONFLICT … DO UPDATE/NOTHING` with
 * `excluded.` (SQLite 3.24+, PostgreSQL 9.5+), `RETURNING` (SQLite 3.35+),
 * partial indexes, and transactions.
 */
import { sql, type RawBuilder } from 'kysely';

export type RecordEngine = 'sqlite' | 'postgres';

/** JSON as text and booleans as 0/1 (tables.ts), for the stores that convert a row field by field (the ERP export, draft and message stores). */
export const encodeJson = (value: unknown): string => JSON.stringify(value);
export const decodeJson = <T>(text: string): T => JSON.parse(text) as T;
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

/**
 * A record's field is its column's name in camelCase (`next_attempt_at` ↔
 * `nextAttemptAt`), so rows and records convert by name, each mapping
 * written once; a store states only what it stores otherwise (JSON as text,
 * booleans as 0/1: tables.ts).
 */
type Camel<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
type Snake<S extends string> = S extends `${infer C}${infer T}` ? `${C extends Lowercase<C> ? C : `_${Lowercase<C>}`}${Snake<T>}` : S;
type Fields<Row> = { [K in keyof Row as Camel<K & string>]: Row[K] };
export type Columns<T> = { [K in keyof T as Snake<K & string>]: T[K] };

function renamer(rename: (name: string) => string): (name: string) => string {
  const known = new Map<string, string>();
  return (name) => {
    let renamed = known.get(name);
    if (renamed === undefined) known.set(name, (renamed = rename(name)));
    return renamed;
  };
}
const camel = renamer((column) => column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()));
const snake = renamer((field) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));

/** The record a row holds: each column (but `hidden`) by its field name, and `decoded` for what is stored otherwise. */
export function recordOf<Row extends object, Decoded extends object, Hidden extends keyof Row = never>(row: Row, decoded: Decoded, ...hidden: Hidden[]): Omit<Fields<Omit<Row, Hidden>>, keyof Decoded> & Decoded {
  const record: Record<string, unknown> = {};
  const left: ReadonlyArray<keyof Row> = hidden;
  for (const column in row) if (!left.includes(column)) record[camel(column)] = row[column];
  return Object.assign(record, decoded) as Omit<Fields<Omit<Row, Hidden>>, keyof Decoded> & Decoded;
}

/** The columns of a record or a patch; fields left undefined are left out. */
export function columnsOf<T extends object>(record: T): Columns<T> {
  const columns: Record<string, unknown> = {};
  for (const field in record) if (record[field] !== undefined) columns[snake(field)] = record[field];
  return columns as Columns<T>;
}
