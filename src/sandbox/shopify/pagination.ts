/**
 * Relay-style pagination over a sorted sequence with keyset cursors
 * (upstreams.md: `first|last`, `after|before`, `reverse`; page size ≤ 250;
 * `pageInfo {hasNextPage endCursor hasPreviousPage startCursor}`;
 * pagination stops at 25,000 objects).
 *
 * A cursor names the last item seen by its sort value and id (the vendor's
 * cursors decode to `{"last_id":…,"last_value":…}`, and so do these), so
 * a page after it is what sorts after that key now: an order that moved
 * while a client paged is seen at its new place, none is skipped or
 * repeated by a shift of positions.
 *
 * The 25,000 stop applies going forward: a page never reaches past the
 * 25,000th match, and the one that reaches it says `hasNextPage: false`
 * (narrow the query to read further, e.g. by `updated_at`).
 */
import type { SequenceKey } from './orderBook.js';

export const MAX_PAGE_SIZE = 250;

export class PaginationError extends Error {}

export interface KeyedSequence {
  readonly length: number;
  at(position: number): number;
  upperBound(key: SequenceKey): number;
  lowerBound(key: SequenceKey): number;
}

export interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: SequenceKey | null;
  before?: SequenceKey | null;
  reverse?: boolean | null;
}

export interface Page {
  /** Item indices, in the answer's order. */
  indices: number[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export interface PageOptions {
  /** Null when every item matches. */
  matches: ((index: number) => boolean) | null;
  /** Most matches a forward walk may reach (0: no stop). */
  stopAfter?: number;
}

export function checkPageSize(args: { first?: number | null; last?: number | null }): void {
  const { first, last } = args;
  if ((first === null || first === undefined) && (last === null || last === undefined)) throw new PaginationError('you must provide one of first or last');
  if (first !== null && first !== undefined && last !== null && last !== undefined) throw new PaginationError('providing both first and last is not supported');
  const n = first ?? last ?? 0;
  if (n < 0) throw new PaginationError(`${first !== null && first !== undefined ? 'first' : 'last'} must not be negative`);
  if (n > MAX_PAGE_SIZE) throw new PaginationError(`${first !== null && first !== undefined ? 'first' : 'last'} must be at most ${MAX_PAGE_SIZE}, the maximum page size`);
}

export function paginate(seq: KeyedSequence, args: PageArgs, options: PageOptions): Page {
  checkPageSize(args);
  const length = seq.length;
  const reverse = Boolean(args.reverse);
  const indexAt = (t: number) => seq.at(reverse ? length - 1 - t : t);
  const { matches } = options;
  const ok = (t: number) => matches === null || matches(indexAt(t));

  const lo = args.after ? (reverse ? length - seq.lowerBound(args.after) : seq.upperBound(args.after)) : 0;
  const hi = Math.max(lo, args.before ? (reverse ? length - seq.upperBound(args.before) : seq.lowerBound(args.before)) : length);

  const found: number[] = [];
  let capped = false;
  if (args.first !== null && args.first !== undefined) {
    let want = args.first;
    const stop = options.stopAfter ?? 0;
    if (stop > 0) {
      let before = 0;
      for (let t = 0; t < lo && before < stop; t++) if (ok(t)) before++;
      if (before + want >= stop) {
        want = Math.max(0, stop - before);
        capped = true;
      }
    }
    for (let t = lo; t < hi && found.length < want; t++) if (ok(t)) found.push(t);
  } else {
    const want = args.last ?? 0;
    for (let t = hi - 1; t >= lo && found.length < want; t--) if (ok(t)) found.push(t);
    found.reverse();
  }

  const firstT = found[0];
  const lastT = found[found.length - 1];
  const anyForward = (from: number) => {
    for (let t = from; t < length; t++) if (ok(t)) return true;
    return false;
  };
  const anyBackward = (from: number) => {
    for (let t = from; t >= 0; t--) if (ok(t)) return true;
    return false;
  };
  return {
    indices: found.map(indexAt),
    hasNextPage: !capped && anyForward(lastT !== undefined ? lastT + 1 : hi),
    hasPreviousPage: anyBackward(firstT !== undefined ? firstT - 1 : lo - 1),
  };
}

/** The vendor's cursor shape: base64 of `{"last_id":…,"last_value":…}`. */
export function encodeCursor(lastId: number, lastValue: string): string {
  return Buffer.from(JSON.stringify({ last_id: lastId, last_value: lastValue })).toString('base64');
}

export function decodeCursor(cursor: string): { lastId: number; lastValue: string } {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9+/=_-]+$/.test(cursor)) throw new Error('not base64');
    parsed = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8'));
  } catch {
    throw new PaginationError('Invalid cursor.');
  }
  const o = parsed as { last_id?: unknown; last_value?: unknown } | null;
  if (!o || typeof o !== 'object' || typeof o.last_id !== 'number' || !Number.isSafeInteger(o.last_id) || typeof o.last_value !== 'string') {
    throw new PaginationError('Invalid cursor.');
  }
  return { lastId: o.last_id, lastValue: o.last_value };
}

/** A plain list (line items, subscriptions) as a keyed sequence: item, position and key are one number. */
export function listSequence(length: number): KeyedSequence {
  return {
    length,
    at: (p) => p,
    upperBound: (key) => Math.max(0, Math.min(length, key.index + 1)),
    lowerBound: (key) => Math.max(0, Math.min(length, key.index)),
  };
}
