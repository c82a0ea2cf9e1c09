/**
 * Changes of a record (a sync job, a supplier order) as an async iterator
 * for subscriptions: the current snapshot first, then each published change,
 * ending after the final one when following one record. Only the latest
 * pending snapshot is kept per record (a newer snapshot supersedes an older
 * one), so a slow subscriber costs O(1) memory per record.
 */
export type Subscribe<T> = (id: string | null, listener: (value: T) => void) => () => void;

export function changeStream<T extends { id: string }>(
  subscribe: Subscribe<T>,
  isFinal: (value: T) => boolean,
  current: T | null,
  id: string | null,
): AsyncIterableIterator<T> {
  let pending: T[] = current ? [current] : [];
  let done = current !== null && id !== null && isFinal(current);
  let wake: (() => void) | null = null;
  const unsubscribe = done
    ? () => undefined
    : subscribe(id, (value) => {
        if (id === null) {
          pending = pending.filter((p) => p.id !== value.id).concat(value);
        } else if (pending.length && !isFinal(pending[pending.length - 1] as T)) {
          pending[pending.length - 1] = value;
        } else {
          pending.push(value);
        }
        wake?.();
      });

  const iterator: AsyncIterableIterator<T> = {
    async next() {
      for (;;) {
        const value = pending.shift();
        if (value) {
          if (id !== null && isFinal(value)) {
            done = true;
            unsubscribe();
          }
          return { value, done: false };
        }
        if (done) return { value: undefined, done: true };
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      }
    },
    async return() {
      done = true;
      unsubscribe();
      wake?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
