/**
 * The pacer's two gates, in process: the budget counters and the gate fed by
 * the vendor's headers. A request that takes a budget slot and then finds
 * the vendor gate closed must give the slot back, or every such race spends
 * quota on a request that was never sent.
 */
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { describe, expect, it } from 'vitest';
import { PacingDeadlineError, createPacer, type Pacer } from '../../src/limits/pacer.js';

/** A pacer on memory limiters the test can read: `consumed()` is the long window's count. */
function countingPacer(): { pacer: Pacer; consumed: () => Promise<number> } {
  const limiters = new Map<string, RateLimiterAbstract>();
  const pacer = createPacer({
    name: 'fip',
    // 60 s so the window cannot roll over while the test runs (smoothing adds 33 per 2 s).
    budgets: [{ points: 1000, durationMs: 60_000 }],
    createLimiter: (o) => {
      const limiter = new RateLimiterMemory(o);
      limiters.set(o.keyPrefix, limiter);
      return limiter;
    },
  });
  const consumed = async () => (await limiters.get('pace:fip:all:0')!.get('q'))?.consumedPoints ?? 0;
  return { pacer, consumed };
}

describe('pacer', () => {
  it('gives the budget slot back when the vendor gate closes while the slot was being taken', async () => {
    const { pacer, consumed } = countingPacer();
    // The vendor's headers say 2 requests are left in its window, for the next minute.
    const first = await pacer.acquire('interactive', Date.now() + 1_000);
    first.done({ left: 2, resetMs: 60_000 });
    expect(await consumed()).toBe(1);

    // Three reads at once: all see the gate open (2 left, none in flight) and take a slot;
    // the first two are admitted, the third finds the gate closed (2 in flight) and must wait.
    const results = await Promise.allSettled([0, 1, 2].map(() => pacer.acquire('interactive', Date.now() + 300)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    const refused = results.find((r) => r.status === 'rejected');
    expect((refused as PromiseRejectedResult | undefined)?.reason).toBeInstanceOf(PacingDeadlineError);
    // The vendor gate, not the budget, refused it: it waits for the vendor's window.
    expect(((refused as PromiseRejectedResult).reason as PacingDeadlineError).waitMs).toBeGreaterThan(1_000);

    // Only the three requests admitted spent budget.
    expect(await consumed()).toBe(3);
    expect(pacer.snapshot()).toMatchObject({ inFlight: 2, waiting: { interactive: 0, bulk: 0 } });
  });

  it('lets a waiting request through once the vendor gate opens, spending one slot for it', async () => {
    const { pacer, consumed } = countingPacer();
    const first = await pacer.acquire('interactive', Date.now() + 1_000);
    // One left, then the window resets in 300 ms.
    first.done({ left: 1, resetMs: 300 });
    const results = await Promise.all([0, 1].map(() => pacer.acquire('interactive', Date.now() + 5_000)));
    expect(results).toHaveLength(2);
    expect(await consumed()).toBe(3);
    for (const ticket of results) ticket.done();
    expect(pacer.snapshot().inFlight).toBe(0);
  });
});
