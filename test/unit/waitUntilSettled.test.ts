/**
 * waitUntilSettled (src/events): a mutation waiting for its intent's first
 * outcome. The outcome's change event carries the record as its writer
 * committed it, so the waiter answers with that record instead of reading
 * it back (one store round trip less on every waiting placeSupplierOrder);
 * it still reads when no event came (the timer fallback), when the event's
 * record is not an outcome yet, and never misses an outcome that lands
 * during its first read.
 */
import { describe, expect, it } from 'vitest';
import { waitUntilSettled } from '../../src/events/waitUntilSettled.js';

interface Rec {
  id: string;
  status: 'PENDING' | 'SUBMITTED';
  nextAttemptAt: string | null;
  rev: number;
}

/** A change feed for one test: `emit` calls every listener of the record's id at once, as the in-process bus does. */
function feed() {
  const listeners = new Map<string, Set<(r: Rec) => void>>();
  return {
    subscribe(id: string | null, listener: (r: Rec) => void) {
      const key = id ?? '*';
      const set = listeners.get(key) ?? new Set();
      set.add(listener);
      listeners.set(key, set);
      return () => set.delete(listener);
    },
    emit(r: Rec) {
      for (const l of listeners.get(r.id) ?? []) l(r);
    },
    listening: (id: string) => listeners.get(id)?.size ?? 0,
  };
}

const pending: Rec = { id: 'o1', status: 'PENDING', nextAttemptAt: null, rev: 1 };
const submitted: Rec = { id: 'o1', status: 'SUBMITTED', nextAttemptAt: null, rev: 2 };
const settled = (r: Rec) => r.status !== 'PENDING';

describe('waitUntilSettled', () => {
  it('answers with the record its outcome event carries, without reading it back', async () => {
    const changes = feed();
    let reads = 0;
    const read = async () => {
      reads++;
      // The store as the first read saw it; a read after the event would still find the pending
      // record here, so only an answer taken from the event is SUBMITTED.
      if (reads === 1) setImmediate(() => changes.emit(submitted));
      return pending;
    };
    const result = await waitUntilSettled({ id: 'o1', read, settled, waitMs: 2_000, pollMs: 1_000, changes });
    expect(result).toEqual(submitted);
    expect(reads).toBe(1);
    expect(changes.listening('o1')).toBe(0);
  });

  it('reads when the event carries no outcome yet', async () => {
    const changes = feed();
    let reads = 0;
    const read = async () => {
      reads++;
      if (reads === 1) setImmediate(() => changes.emit({ ...pending, rev: 5 }));
      return reads === 1 ? pending : submitted;
    };
    const result = await waitUntilSettled({ id: 'o1', read, settled, waitMs: 2_000, pollMs: 1_000, changes });
    expect(result).toEqual(submitted);
    expect(reads).toBe(2);
  });

  it('does not miss an outcome that lands during its first read', async () => {
    const changes = feed();
    let stored = pending;
    const read = async () => {
      const seen = stored;
      // The send settles while the first read is in flight: the read answers with what it saw
      // before, and the outcome's event comes before that answer.
      stored = submitted;
      changes.emit(submitted);
      return seen;
    };
    const result = await waitUntilSettled({ id: 'o1', read, settled, waitMs: 2_000, pollMs: 1_000, changes });
    expect(result).toEqual(submitted);
  });

  it('polls by the timer when no change feed carries the outcome', async () => {
    let reads = 0;
    const read = async () => (++reads >= 3 ? submitted : pending);
    const result = await waitUntilSettled({ id: 'o1', read, settled, waitMs: 5_000, pollMs: 10 });
    expect(result).toEqual(submitted);
    expect(reads).toBe(3);
  });

  it('answers with the pending record at the deadline', async () => {
    let reads = 0;
    const read = async () => {
      reads++;
      return pending;
    };
    const result = await waitUntilSettled({ id: 'o1', read, settled, waitMs: 60, pollMs: 20 });
    expect(result).toEqual(pending);
    expect(reads).toBeGreaterThanOrEqual(2);
  });
});
