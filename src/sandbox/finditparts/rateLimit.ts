/**
 * The simulated Reseller API rate limiter, one state per credential.
 *
 * upstreams.md: FinditParts publishes no rate limits; the seed planned
 * "production 5 req/s, 250 req/min, burst 10" (test: 2 req/s, 100 req/min,
 * burst 5). The sandbox enforces both bounds: a token bucket (`ratePerSecond`
 * refill, `burst` capacity) and a rolling 60 s window of `perMinute` requests.
 * Over either → 429 with `Retry-After` (whole seconds, at least 1).
 */
import { z } from 'zod';

export interface Limits {
  ratePerSecond: number;
  burst: number;
  perMinute: number;
}

/** Body of `POST /__sandbox/limits`: any subset of the limits. */
export const limitsPatchSchema = z
  .object({
    ratePerSecond: z.number().positive().max(1_000_000).optional(),
    burst: z.number().int().min(1).max(1_000_000).optional(),
    perMinute: z.number().int().min(1).max(100_000_000).optional(),
  })
  .strict();

export type LimitsPatch = z.infer<typeof limitsPatchSchema>;

export type LimitDecision = { ok: true } | { ok: false; retryAfterSeconds: number; bound: 'burst' | 'perMinute' };

interface ClientState {
  tokens: number;
  refilledAt: number;
  /** Accepted requests per whole second (epoch seconds → count), for the rolling minute. */
  perSecond: Map<number, number>;
}

const WINDOW_S = 60;

export interface RateLimiter {
  limits(): Limits;
  /** Change limits; every client starts again with a full bucket and an empty window. */
  setLimits(patch: LimitsPatch): Limits;
  /** Take one request for `client` at `now` (ms), or say how long to wait. */
  take(client: string, now?: number): LimitDecision;
  reset(): void;
}

export function createRateLimiter(initial: Limits): RateLimiter {
  let limits: Limits = { ...initial };
  const clients = new Map<string, ClientState>();

  function state(client: string, now: number): ClientState {
    let s = clients.get(client);
    if (!s) {
      s = { tokens: limits.burst, refilledAt: now, perSecond: new Map() };
      clients.set(client, s);
    }
    return s;
  }

  return {
    limits: () => ({ ...limits }),
    setLimits(patch) {
      limits = { ...limits, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
      clients.clear();
      return { ...limits };
    },
    take(client, now = Date.now()) {
      const s = state(client, now);
      // Token bucket: refill since the last look, capped at the burst size.
      s.tokens = Math.min(limits.burst, s.tokens + ((now - s.refilledAt) / 1000) * limits.ratePerSecond);
      s.refilledAt = now;

      // Rolling minute: drop seconds that left the window, count the rest.
      const second = Math.floor(now / 1000);
      let inWindow = 0;
      let oldest = Infinity;
      for (const [sec, count] of s.perSecond) {
        if (sec <= second - WINDOW_S) s.perSecond.delete(sec);
        else {
          inWindow += count;
          if (sec < oldest) oldest = sec;
        }
      }
      if (inWindow >= limits.perMinute) {
        // The oldest second leaves the window at (oldest + 60) s.
        const waitMs = (oldest + WINDOW_S) * 1000 - now;
        return { ok: false, bound: 'perMinute', retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
      }
      if (s.tokens < 1) {
        const waitS = (1 - s.tokens) / limits.ratePerSecond;
        return { ok: false, bound: 'burst', retryAfterSeconds: Math.max(1, Math.ceil(waitS)) };
      }
      s.tokens -= 1;
      s.perSecond.set(second, (s.perSecond.get(second) ?? 0) + 1);
      return { ok: true };
    },
    reset() {
      clients.clear();
    },
  };
}
