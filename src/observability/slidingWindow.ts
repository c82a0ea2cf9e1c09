/**
 * A sliding window of counts: the last `windowMs` cut into slots of
 * `slotMs`, each slot holding a vector of `width` numbers (requests, errors,
 * histogram buckets…), with the sums over the window kept up to date as
 * slots enter and leave it. The alert rules and the dashboard's rates read
 * these sums; the slot length bounds how far the window's edge may lag
 * (one slot), and memory is `windowMs / slotMs × width` numbers whatever the
 * traffic.
 */

export interface SlidingWindowOptions {
  /** How far back the sums reach. */
  windowMs: number;
  /** One slot's length; the window holds `ceil(windowMs / slotMs)` of them. */
  slotMs: number;
  /** Numbers per slot. */
  width: number;
  /** When the window starts counting (for `coveredMs`). @default Date.now() */
  startedAt?: number;
}

export interface SlidingWindow {
  readonly width: number;
  /** Adds `amount` to entry `index` of the slot `now` falls in (moving the window there first). */
  add(index: number, amount: number, now?: number): void;
  /** Moves the window to `now`: slots that fell out of it are subtracted from the sums. */
  advance(now?: number): void;
  /** The sum of entry `index` over the window (as of the last add or advance). */
  sum(index: number): number;
  /** How much time the sums cover: the window, or less while the window has not filled since `startedAt`. */
  coveredMs(now?: number): number;
}

export function createSlidingWindow(options: SlidingWindowOptions): SlidingWindow {
  const { width, slotMs } = options;
  if (!(slotMs > 0) || !(options.windowMs >= slotMs)) throw new Error('a sliding window needs 0 < slotMs <= windowMs');
  const count = Math.ceil(options.windowMs / slotMs);
  const windowMs = count * slotMs;
  const slots = Array.from({ length: count }, () => new Float64Array(width));
  const sums = new Float64Array(width);
  const startedAt = options.startedAt ?? Date.now();
  /** The absolute slot number the newest slot holds. */
  let head = Math.floor(startedAt / slotMs);

  function advance(now = Date.now()): void {
    const target = Math.floor(now / slotMs);
    if (target <= head) return;
    // Every slot between the old head and the new one is reused: what it held leaves the window.
    const steps = Math.min(count, target - head);
    for (let i = 1; i <= steps; i++) {
      const slot = slots[(head + i) % count] as Float64Array;
      for (let k = 0; k < width; k++) {
        sums[k] = (sums[k] as number) - (slot[k] as number);
        slot[k] = 0;
      }
    }
    head = target;
    // Float sums drift by subtraction; a window that is all zeros again is exactly zero.
    if (steps === count) sums.fill(0);
  }

  return {
    width,
    add(index, amount, now = Date.now()) {
      if (index < 0 || index >= width || !Number.isFinite(amount) || amount === 0) return;
      advance(now);
      const slot = slots[head % count] as Float64Array;
      slot[index] = (slot[index] as number) + amount;
      sums[index] = (sums[index] as number) + amount;
    },
    advance,
    sum: (index) => Math.max(0, sums[index] ?? 0),
    coveredMs: (now = Date.now()) => Math.max(slotMs, Math.min(windowMs, now - startedAt)),
  };
}
