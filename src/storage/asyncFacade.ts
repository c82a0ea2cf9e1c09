/**
 * Store interfaces are asynchronous (Redis answers over the network), while
 * the embedded SQLite stores are synchronous (better-sqlite3). A SQLite store
 * is written against `Synchronous<Store>` — so its transactions stay plain
 * synchronous code — and exposed through `asyncFacade`, which turns every
 * method into one returning a Promise (a thrown error becomes a rejection).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (...args: any[]) => any;

/** The same interface with every method answering directly instead of with a Promise. */
export type Synchronous<T> = {
  [K in keyof T]: T[K] extends AnyFn ? (...args: Parameters<T[K]>) => Awaited<ReturnType<T[K]>> : T[K];
};

export function asyncFacade<T extends object>(sync: Synchronous<T>): T {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(sync)) {
    out[name] = typeof value === 'function' ? async (...args: unknown[]) => (value as AnyFn)(...args) : value;
  }
  return out as T;
}
