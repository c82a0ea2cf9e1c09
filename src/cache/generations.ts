/**
 * Invalidation generations: how the entity cache makes a write win over a
 * read that raced it. Every invalidation is stamped with a clock value; a
 * fetch remembers the clock when it started (its mark); what it brings back
 * is stored only for keys not invalidated since. Without this, a fetch that
 * read the vendor before a sync wrote would store its old value after the
 * sync's invalidation ran, and undo it for a whole TTL.
 *
 * Two clocks: this process's (exact, synchronous: `createLocalGenerations`),
 * and, with several instances on one Redis, a shared one
 * (`SharedGenerations`, redisGenerations.ts), so an invalidation made by one
 * instance also refuses a late write from another.
 */

/** What a fetch knew when it started. Opaque to everyone but the entity cache. */
export interface CacheMark {
  readonly local: number;
  /** The shared clock, when there is one and it answered. */
  readonly shared?: number;
}

/** The shared clock (one per Redis), behind the entity cache. */
export interface SharedGenerations {
  /** The clock now; throws when it cannot be read. */
  mark(): Promise<number>;
  /**
   * Of `keys`, those invalidated after `mark` by any instance; all of them
   * after a clear. A mark of -1 asks for every key invalidated recently at
   * all (a fetch that could not read the clock when it started).
   */
  invalidatedSince(mark: number, keys: readonly string[]): Promise<Set<string>>;
  /** Stamps `keys` (every key when null) as invalidated now. Call after the write, before dropping entries. */
  advance(keys: readonly string[] | null): Promise<void>;
}

export interface LocalGenerations {
  /** The clock now. */
  now(): number;
  /** Stamps `keys` (every key when null) as invalidated now. */
  advance(keys: readonly string[] | null): void;
  /** True when `key` was invalidated after `mark`. */
  invalidatedSince(mark: number, key: string): boolean;
}

/**
 * In-process generations. At most `maxTracked` stamps are kept; the oldest
 * is dropped first and raises a floor instead, and any mark older than the
 * floor counts as invalidated for every key: forgetting a stamp can only
 * refuse a write, never let a stale one through.
 */
export function createLocalGenerations(maxTracked = 100_000): LocalGenerations {
  let clock = 0;
  let floor = 0;
  /** key → clock at its last invalidation, oldest first. */
  const stamps = new Map<string, number>();
  return {
    now: () => clock,
    advance(keys) {
      const v = ++clock;
      if (keys === null) {
        floor = v;
        stamps.clear();
        return;
      }
      for (const k of keys) {
        stamps.delete(k);
        stamps.set(k, v);
      }
      while (stamps.size > maxTracked) {
        const oldest = stamps.entries().next();
        if (oldest.done) break;
        stamps.delete(oldest.value[0]);
        floor = Math.max(floor, oldest.value[1]);
      }
    },
    invalidatedSince(mark, key) {
      if (floor > mark) return true;
      return (stamps.get(key) ?? 0) > mark;
    },
  };
}
