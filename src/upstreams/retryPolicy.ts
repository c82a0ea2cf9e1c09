/**
 * DESIGN.md's retry table as one pure function, so each row has a unit test:
 *
 * | upstream answer | action |
 * | 429             | exponential backoff 1 s doubling, cap 60 s, honour Retry-After / reset headers, at most 3 retries |
 * | 503 / 5xx       | linear backoff 5 s, at most 5 retries |
 * | 504 / timeout   | retry once, then count toward the circuit breaker |
 * | 401             | refresh the token and retry once; then stop and alert |
 * | 404             | not found: a null in the graph, not an error |
 * | other 4xx       | fail with the upstream's message, no retry |
 *
 * A vendor that refuses for its quota inside a successful HTTP answer
 * (Shopify's GraphQL `THROTTLED` error, upstreams.md: "the HTTP status is
 * undocumented (key on the code)") is the 429 row: the vendor's quota
 * report says `throttled`, and its `retryAfterMs` is how long the bucket
 * takes to afford the query again at the reported `restoreRate`.
 *
 * One row of the gateway's own: an answer whose body is over the size limit
 * fails at once, unretried (the same request gets the same answer) and not
 * counted by the breaker (the vendor answered; its health is not in question).
 *
 * Writes that are not idempotent upstream retry only where the gateway can
 * prove the first attempt did not land: a 429 (refused before processing)
 * or a refused connection (nothing was sent).
 */
import type { QuotaReport } from '../limits/pacer.js';
import type { UpstreamErrorKind } from './upstreamError.js';
import type { UpstreamResponse } from './http.js';

export type AttemptOutcome =
  | { kind: 'answer'; response: UpstreamResponse }
  /** No answer in time: the request may have landed. */
  | { kind: 'timeout'; message: string }
  /** Connection lost after sending: the request may have landed. */
  | { kind: 'reset'; message: string }
  /** Could not connect: nothing was sent. */
  | { kind: 'refused'; message: string }
  /** An answer came, with a body over the size limit; not read. */
  | { kind: 'tooLarge'; message: string };

export type RetryCounter = 'rateLimited' | 'unavailable' | 'timeout' | 'unauthorized';

export type RetryDecision =
  | { action: 'return'; breaker: 'success' | 'none'; reason: string }
  | {
      action: 'retry';
      delayMs: number;
      counter: RetryCounter;
      reason: string;
      breaker: 'failure' | 'none';
      refreshAuth?: boolean;
      /** The error to raise if the delay does not fit the deadline. */
      giveUp: UpstreamErrorKind;
    }
  | { action: 'fail'; giveUp: UpstreamErrorKind; breaker: 'failure' | 'success' | 'none'; reason: string };

export const RETRY_LIMITS = { rateLimited: 3, unavailable: 5, timeout: 1, unauthorized: 1 } as const;
const RATE_LIMIT_BASE_MS = 1_000;
const RATE_LIMIT_CAP_MS = 60_000;
const UNAVAILABLE_STEP_MS = 5_000;

export interface RetryContext {
  idempotent: boolean;
  /** Retries already made, by row. */
  retries: Record<RetryCounter, number>;
  /** Multiplier on every delay (tests shrink it). */
  scale: number;
  report?: QuotaReport;
}

export function retryDecision(outcome: AttemptOutcome, ctx: RetryContext): RetryDecision {
  const { retries, scale } = ctx;
  if (outcome.kind === 'tooLarge') return { action: 'fail', giveUp: 'tooLarge', breaker: 'none', reason: 'body too large' };
  if (outcome.kind !== 'answer') {
    const landedMaybe = outcome.kind !== 'refused';
    if (landedMaybe && !ctx.idempotent) {
      return { action: 'fail', giveUp: outcome.kind === 'timeout' ? 'timeout' : 'unavailable', breaker: 'failure', reason: outcome.kind };
    }
    if (outcome.kind === 'timeout') {
      return retries.timeout < RETRY_LIMITS.timeout
        ? { action: 'retry', delayMs: 0, counter: 'timeout', reason: 'timeout', breaker: 'none', giveUp: 'timeout' }
        : { action: 'fail', giveUp: 'timeout', breaker: 'failure', reason: 'timeout' };
    }
    return linear(retries, scale, outcome.kind);
  }

  const status = outcome.response.status;
  const throttled = ctx.report?.throttled === true && status < 500;
  if (status < 400 && !throttled) return { action: 'return', breaker: 'success', reason: 'ok' };
  if (status === 404 && !throttled) return { action: 'return', breaker: 'success', reason: 'not found' };
  if (status === 429 || throttled) {
    const reason = throttled ? 'throttled' : '429';
    if (retries.rateLimited >= RETRY_LIMITS.rateLimited) return { action: 'fail', giveUp: 'rateLimited', breaker: 'none', reason };
    const backoff = Math.min(RATE_LIMIT_CAP_MS, RATE_LIMIT_BASE_MS * 2 ** retries.rateLimited);
    const told = ctx.report?.retryAfterMs ?? 0;
    return {
      action: 'retry',
      delayMs: Math.max(backoff * scale, told),
      counter: 'rateLimited',
      reason,
      breaker: 'none',
      giveUp: 'rateLimited',
    };
  }
  if (status === 401) {
    return retries.unauthorized < RETRY_LIMITS.unauthorized
      ? { action: 'retry', delayMs: 0, counter: 'unauthorized', reason: '401', breaker: 'none', refreshAuth: true, giveUp: 'unauthorized' }
      : { action: 'fail', giveUp: 'unauthorized', breaker: 'none', reason: '401' };
  }
  if (status === 504) {
    if (!ctx.idempotent) return { action: 'fail', giveUp: 'timeout', breaker: 'failure', reason: '504' };
    return retries.timeout < RETRY_LIMITS.timeout
      ? { action: 'retry', delayMs: 0, counter: 'timeout', reason: '504', breaker: 'none', giveUp: 'unavailable' }
      : { action: 'fail', giveUp: 'unavailable', breaker: 'failure', reason: '504' };
  }
  if (status >= 500) {
    // A 5xx on a non-idempotent write may have been processed: never resend blind.
    if (!ctx.idempotent) return { action: 'fail', giveUp: 'unavailable', breaker: 'failure', reason: String(status) };
    return linear(retries, scale, String(status));
  }
  return { action: 'fail', giveUp: 'rejected', breaker: 'success', reason: String(status) };
}

function linear(retries: Record<RetryCounter, number>, scale: number, reason: string): RetryDecision {
  if (retries.unavailable >= RETRY_LIMITS.unavailable) return { action: 'fail', giveUp: 'unavailable', breaker: 'failure', reason };
  return {
    action: 'retry',
    delayMs: UNAVAILABLE_STEP_MS * (retries.unavailable + 1) * scale,
    counter: 'unavailable',
    reason,
    breaker: 'failure',
    giveUp: 'unavailable',
  };
}
