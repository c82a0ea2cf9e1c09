/** The retry table's delays and limits as a pure function. */
import { describe, expect, it } from 'vitest';
import { retryDecision, type AttemptOutcome, type RetryContext } from '../../src/upstreams/retryPolicy.js';

const answer = (status: number): AttemptOutcome => ({ kind: 'answer', response: { status, headers: {}, body: undefined } });
const ctx = (over: Partial<RetryContext> = {}): RetryContext => ({
  idempotent: true,
  retries: { rateLimited: 0, unavailable: 0, timeout: 0, unauthorized: 0 },
  scale: 1,
  ...over,
});

describe('retryDecision', () => {
  it('429 doubles from 1 s, caps at 60 s, honours a longer Retry-After, stops after 3', () => {
    const delays = [0, 1, 2].map((n) => {
      const d = retryDecision(answer(429), ctx({ retries: { rateLimited: n, unavailable: 0, timeout: 0, unauthorized: 0 } }));
      return d.action === 'retry' ? d.delayMs : -1;
    });
    expect(delays).toEqual([1000, 2000, 4000]);
    const told = retryDecision(answer(429), ctx({ report: { retryAfterMs: 9000 } }));
    expect(told).toMatchObject({ action: 'retry', delayMs: 9000 });
    expect(retryDecision(answer(429), ctx({ retries: { rateLimited: 3, unavailable: 0, timeout: 0, unauthorized: 0 } }))).toMatchObject({ action: 'fail', giveUp: 'rateLimited' });
  });

  it('503/5xx: linear 5 s steps, 5 retries, breaker failures', () => {
    const delays = [0, 1, 2, 3, 4].map((n) => {
      const d = retryDecision(answer(503), ctx({ retries: { rateLimited: 0, unavailable: n, timeout: 0, unauthorized: 0 } }));
      return d.action === 'retry' ? d.delayMs : -1;
    });
    expect(delays).toEqual([5000, 10000, 15000, 20000, 25000]);
    expect(retryDecision(answer(502), ctx())).toMatchObject({ action: 'retry', breaker: 'failure' });
    expect(retryDecision(answer(500), ctx({ retries: { rateLimited: 0, unavailable: 5, timeout: 0, unauthorized: 0 } }))).toMatchObject({ action: 'fail', giveUp: 'unavailable' });
  });

  it('504 and timeouts retry once; non-idempotent writes never retry an unknown outcome', () => {
    expect(retryDecision(answer(504), ctx())).toMatchObject({ action: 'retry', delayMs: 0 });
    expect(retryDecision({ kind: 'timeout', message: 't' }, ctx())).toMatchObject({ action: 'retry' });
    expect(retryDecision({ kind: 'timeout', message: 't' }, ctx({ retries: { rateLimited: 0, unavailable: 0, timeout: 1, unauthorized: 0 } }))).toMatchObject({ action: 'fail', breaker: 'failure' });
    expect(retryDecision(answer(500), ctx({ idempotent: false }))).toMatchObject({ action: 'fail' });
    expect(retryDecision({ kind: 'reset', message: 'r' }, ctx({ idempotent: false }))).toMatchObject({ action: 'fail' });
    // Nothing was sent: safe to retry even a write.
    expect(retryDecision({ kind: 'refused', message: 'c' }, ctx({ idempotent: false }))).toMatchObject({ action: 'retry' });
    expect(retryDecision(answer(429), ctx({ idempotent: false }))).toMatchObject({ action: 'retry' });
  });

  it('401 refreshes once; 404 is an answer; other 4xx fail without retry', () => {
    expect(retryDecision(answer(401), ctx())).toMatchObject({ action: 'retry', refreshAuth: true });
    expect(retryDecision(answer(401), ctx({ retries: { rateLimited: 0, unavailable: 0, timeout: 0, unauthorized: 1 } }))).toMatchObject({ action: 'fail', giveUp: 'unauthorized' });
    expect(retryDecision(answer(404), ctx())).toMatchObject({ action: 'return' });
    expect(retryDecision(answer(422), ctx())).toMatchObject({ action: 'fail', giveUp: 'rejected' });
    expect(retryDecision(answer(200), ctx())).toMatchObject({ action: 'return', breaker: 'success' });
  });

  it('a body over the size limit fails at once, reads or writes, and the breaker does not count it', () => {
    for (const idempotent of [true, false]) {
      expect(retryDecision({ kind: 'tooLarge', message: 'big' }, ctx({ idempotent }))).toEqual({ action: 'fail', giveUp: 'tooLarge', breaker: 'none', reason: 'body too large' });
    }
  });
});
