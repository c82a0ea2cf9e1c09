/**
 * A Map that holds at most `max` entries, evicting the least recently used.
 * It is the in-process Keyv store: Keyv treats Map instances natively (and
 * an unbounded Map would grow with every part ever asked for).
 *
 * Recency is kept at half resolution, so that a read is a lookup and not a
 * write: every write or move stamps the entry with the next tick of a clock,
 * and a read moves an entry to the most-recent end only once its stamp is
 * more than `max / 2` ticks old. Eviction takes the entry moved longest ago;
 * an entry read at least once every `max / 2` writes is therefore never
 * evicted, which is what LRU promises for the entries that matter. (Moving on
 * every read, a delete and a set per lookup, was most of a warm query's
 * cache cost.)
 */
export class BoundedMap<K, V> extends Map<K, V> {
  /** Key → the clock tick of its last write or move. */
  private readonly stamps = new Map<K, number>();
  private clock = 0;

  constructor(readonly max: number) {
    super();
  }

  override get(key: K): V | undefined {
    const value = super.get(key);
    if (value !== undefined && (this.stamps.get(key) ?? 0) < this.clock - (this.max >>> 1)) {
      // Drifted into the older half: move it to the most-recent end.
      super.delete(key);
      super.set(key, value);
      this.stamps.set(key, ++this.clock);
    }
    return value;
  }

  override set(key: K, value: V): this {
    if (super.has(key)) super.delete(key);
    super.set(key, value);
    this.stamps.set(key, ++this.clock);
    while (this.size > this.max) {
      const oldest = this.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
    return this;
  }

  override delete(key: K): boolean {
    this.stamps.delete(key);
    return super.delete(key);
  }

  override clear(): void {
    this.stamps.clear();
    super.clear();
  }
}
