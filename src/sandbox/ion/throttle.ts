/**
 * The tenant's throttling policy (upstreams.md: ION's throttling and quota
 * policies are set per tenant, with no fixed figures and no quota headers;
 * over them the gateway answers 429). The sandbox's policy is a fixed window
 * of requests for the whole tenant, with an optional `Retry-After`; tests
 * change it at run time through `POST /__sandbox/limits`.
 */
import { z } from 'zod';

export interface ThrottlePolicy {
  requestsPerWindow: number;
  windowMs: number;
  /** Sent as `Retry-After` (seconds) with a 429; 0 sends none. */
  retryAfterSeconds: number;
}

export const throttlePatchSchema = z
  .object({
    requestsPerWindow: z.number().int().min(1).max(100_000_000).optional(),
    windowMs: z.number().int().min(10).max(3_600_000).optional(),
    retryAfterSeconds: z.number().int().min(0).max(3_600).optional(),
  })
  .strict();

export type ThrottleDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface Throttle {
  policy(): ThrottlePolicy;
  setPolicy(patch: z.infer<typeof throttlePatchSchema>): ThrottlePolicy;
  take(now?: number): ThrottleDecision;
  reset(): void;
}

export function createThrottle(initial: ThrottlePolicy): Throttle {
  let policy = { ...initial };
  let windowStart = 0;
  let used = 0;
  return {
    policy: () => ({ ...policy }),
    setPolicy(patch) {
      policy = { ...policy, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
      used = 0;
      windowStart = 0;
      return { ...policy };
    },
    take(now = Date.now()) {
      if (now - windowStart >= policy.windowMs) {
        windowStart = now;
        used = 0;
      }
      if (used < policy.requestsPerWindow) {
        used++;
        return { ok: true };
      }
      return { ok: false, retryAfterSeconds: policy.retryAfterSeconds };
    },
    reset() {
      policy = { ...initial };
      used = 0;
      windowStart = 0;
    },
  };
}
