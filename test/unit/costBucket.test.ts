/**
 * Pacing on query cost (src/limits/costBucket.ts and its place in the pacer):
 * a GraphQL upstream that charges points from a leaky bucket (upstreams.md,
 * Shopify "Cost-based throttle") is paced on the points a request costs, its
 * estimate kept between answers and corrected from each answer's
 * throttleStatus; `THROTTLED` is the retry table's rate-limited row.
 */
import { describe, expect, it } from 'vitest';
import { createCostBucket } from '../../src/limits/costBucket.js';
import { PacingDeadlineError, createPacer } from '../../src/limits/pacer.js';
import { retryDecision, type RetryContext } from '../../src/upstreams/retryPolicy.js';

describe('cost bucket', () => {
  it('drains by the cost taken, refills at the restore rate, and says how long a request must wait', () => {
    const b = createCostBucket({ maximum: 1000, restoreRate: 100, reserve: 0 });
    expect(b.take(600, 'interactive', 0, false)).toEqual({ waitMs: 0, charged: 600 });
    // 400 left: a 500-point query needs 100 more, one second at 100 points/s.
    expect(b.take(500, 'interactive', 0, false)).toEqual({ waitMs: 1000, charged: 0 });
    // Half a second later 450 are there: still 50 short.
    expect(b.take(500, 'interactive', 500, false).waitMs).toBe(500);
    expect(b.take(500, 'interactive', 1000, false)).toEqual({ waitMs: 0, charged: 500 });
    expect(b.snapshot(1000)).toMatchObject({ available: 0, inFlight: 1100, maximum: 1000, restoreRate: 100 });
  });

  it('never refills past its size, and charges a query larger than the bucket as a full bucket', () => {
    const b = createCostBucket({ maximum: 100, restoreRate: 50, reserve: 0 });
    expect(b.snapshot(60_000).available).toBe(100);
    expect(b.take(250, 'interactive', 60_000, false)).toEqual({ waitMs: 0, charged: 100 });
    expect(b.take(250, 'interactive', 60_000, false).waitMs).toBe(2000);
  });

  it('leaves the reserve to interactive reads: bulk waits for it unless it may borrow', () => {
    const b = createCostBucket({ maximum: 1000, restoreRate: 100, reserve: 0.3 });
    expect(b.take(700, 'bulk', 0, false).charged).toBe(700);
    // 300 left, all of it the reserve: bulk waits, a read does not.
    expect(b.take(10, 'bulk', 0, false).waitMs).toBe(100);
    expect(b.take(10, 'bulk', 0, true).charged).toBe(10);
    expect(b.take(200, 'interactive', 0, false).charged).toBe(200);
  });

  it('takes the vendor figure as the truth, less what requests still in flight hold, and learns its size and rate', () => {
    const b = createCostBucket({ maximum: 1000, restoreRate: 50, reserve: 0 });
    const one = b.take(100, 'interactive', 0, false).charged;
    const two = b.take(100, 'interactive', 0, false).charged;
    // The first answer: the vendor's bucket is smaller than documented and someone else spends from it too.
    b.settle(one, { available: 1500, maximum: 2000, restoreRate: 100 }, 0);
    // 1500 as reported, less the 100 the second request holds.
    expect(b.snapshot(0)).toMatchObject({ available: 1400, maximum: 2000, restoreRate: 100, inFlight: 100 });
    b.settle(two, { available: 300, maximum: 2000, restoreRate: 100 }, 0);
    expect(b.snapshot(0)).toMatchObject({ available: 300, inFlight: 0 });
    // An answer without a figure (a network error) only releases the points.
    const three = b.take(200, 'interactive', 0, false).charged;
    b.settle(three, undefined, 0);
    expect(b.snapshot(0)).toMatchObject({ available: 100, inFlight: 0 });
  });

  it('gives back the points of a request that is not sent', () => {
    const b = createCostBucket({ maximum: 100, restoreRate: 10, reserve: 0 });
    const taken = b.take(80, 'interactive', 0, false).charged;
    b.giveBack(taken, 0);
    expect(b.snapshot(0)).toMatchObject({ available: 100, inFlight: 0 });
  });
});

describe('pacer with a cost bucket', () => {
  it('admits by points, not by request: a request the bucket cannot afford waits for the restore rate', async () => {
    const pacer = createPacer({ name: 'shop', budgets: [], costBucket: { maximum: 100, restoreRate: 10 }, interactiveReserve: 0 });
    const first = await pacer.acquire('interactive', Date.now() + 1_000, undefined, 90);
    // 10 points left: a 50-point query needs 40 more, four seconds at 10 points/s — past a 200 ms deadline.
    const refused = await pacer.acquire('interactive', Date.now() + 200, undefined, 50).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PacingDeadlineError);
    expect((refused as PacingDeadlineError).waitMs).toBeGreaterThan(3_000);
    // Nothing was held by the refused request: the bucket still has what the first left.
    expect(pacer.snapshot().bucket).toMatchObject({ inFlight: 90 });
    // The answer says the query cost less (the vendor refunds the difference): the bucket is corrected up.
    first.done({ bucket: { available: 95, maximum: 100, restoreRate: 10 } });
    expect(pacer.snapshot().bucket).toMatchObject({ available: 95, inFlight: 0 });
    const next = await pacer.acquire('interactive', Date.now() + 200, undefined, 50);
    next.done();
    expect(pacer.snapshot().bucket?.available).toBeLessThanOrEqual(46);
  });

  it('without a cost bucket the cost is ignored and requests are counted', async () => {
    const pacer = createPacer({ name: 'rest', budgets: [{ points: 2, durationMs: 2_000 }] });
    await pacer.acquire('interactive', Date.now() + 100, undefined, 5_000);
    await pacer.acquire('interactive', Date.now() + 100, undefined, 5_000);
    await expect(pacer.acquire('interactive', Date.now() + 100, undefined, 1)).rejects.toBeInstanceOf(PacingDeadlineError);
    expect(pacer.snapshot().bucket).toBeNull();
  });
});

describe('THROTTLED in a 200 answer', () => {
  const ctx = (rateLimited: number, retryAfterMs?: number): RetryContext => ({
    idempotent: false,
    retries: { rateLimited, unavailable: 0, timeout: 0, unauthorized: 0 },
    scale: 1,
    report: { throttled: true, retryAfterMs },
  });
  const ok = { kind: 'answer' as const, response: { status: 200, headers: {}, body: {} } };

  it('is the 429 row: backoff from 1 s doubling, honouring the time the bucket needs at its restore rate, 3 retries', () => {
    expect(retryDecision(ok, ctx(0))).toMatchObject({ action: 'retry', delayMs: 1000, counter: 'rateLimited', reason: 'throttled', breaker: 'none' });
    expect(retryDecision(ok, ctx(1))).toMatchObject({ action: 'retry', delayMs: 2000 });
    // The bucket needs 7.5 s to afford the query again: longer than the backoff, so that.
    expect(retryDecision(ok, ctx(0, 7_500))).toMatchObject({ action: 'retry', delayMs: 7_500 });
    expect(retryDecision(ok, ctx(3))).toMatchObject({ action: 'fail', giveUp: 'rateLimited' });
    // Refused before it ran: a non-idempotent mutation is retried too, as after a 429.
    expect(retryDecision(ok, { ...ctx(0), idempotent: false }).action).toBe('retry');
  });

  it('a 200 without the throttled flag is an answer', () => {
    expect(retryDecision(ok, { ...ctx(0), report: {} })).toMatchObject({ action: 'return' });
  });
});
