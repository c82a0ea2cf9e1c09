/**
 * Statements built with Kysely once and compiled once, then run with new
 * values. Building a query (Kysely's immutable nodes, its parsers) and
 * compiling it cost more CPU than SQLite takes to run it, and the stores'
 * hot paths — an order intent, a transition, a page's checkpoint, an audit
 * entry — run the same few statements over and over.
 *
 * `build` gets the values with a placeholder in place of each parameter
 * (string, number, null, bigint, Buffer); it may branch on their shape —
 * which keys are given, how long a list is, a boolean — which is part of
 * the cache key, and on nothing else. A statement of a shape not seen yet
 * is built and compiled then.
 */
import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { RecordTables } from './tables.js';

class Slot {
  constructor(readonly path: ReadonlyArray<string | number>) {}
  of(values: unknown): unknown {
    let value = values;
    for (const key of this.path) value = (value as Record<string | number, unknown>)[key];
    return value;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** What the build may branch on: the given keys, list lengths, booleans. */
function shapeOf(value: unknown): string {
  if (value === undefined || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(shapeOf).join(',')}]`;
  if (!isRecord(value)) return '';
  let shape = '{';
  for (const key in value) shape += `${key}:${shapeOf(value[key])},`;
  return `${shape}}`;
}

function placeholders(value: unknown, path: ReadonlyArray<string | number>): unknown {
  if (value === undefined || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v, i) => placeholders(v, [...path, i]));
  if (!isRecord(value)) return new Slot(path);
  const out: Record<string, unknown> = {};
  for (const key in value) out[key] = placeholders(value[key], [...path, key]);
  return out;
}

/** Shapes kept compiled per statement (IN lists and multi-row inserts vary in length). */
const SHAPES_MAX = 64;

/** Runs the statement with `values`, on `on` (a transaction) or by default the database it was prepared on. */
export type Prepared<V, R> = (values: V, on?: Kysely<RecordTables>) => Promise<QueryResult<R>>;

export function prepared<V, R>(db: Kysely<RecordTables>, build: (values: V) => Compilable<R>): Prepared<V, R> {
  const compiled = new Map<string, CompiledQuery<R>>();
  return (values, on = db) => {
    const shape = shapeOf(values);
    let query = compiled.get(shape);
    if (!query) {
      query = build(placeholders(values, []) as V).compile();
      if (compiled.size < SHAPES_MAX) compiled.set(shape, query);
    }
    const parameters = query.parameters.map((p) => (p instanceof Slot ? p.of(values) : p));
    return on.executeQuery<R>({ ...query, parameters });
  };
}
