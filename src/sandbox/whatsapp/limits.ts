/**
 * The Cloud API's sending limits as the sandbox defines them (upstreams.md
 * gives the figures, the vendor no algorithm):
 *
 * - throughput per business number: a bucket of `messagesPerSecond` that
 *   refills continuously at that rate — a sender at or under the rate never
 *   hits it, one that sends a whole second's worth twice within a second does
 *   (130429);
 * - the pair rate: a message to a user less than `pairIntervalMs` after the
 *   last one accepted for that user is refused (131056);
 * - the customer window: interactive and free-form messages only within
 *   `windowMs` of the user's last message.
 */
import { z } from 'zod';

export interface LimitPolicy {
  messagesPerSecond: number;
  pairIntervalMs: number;
  windowMs: number;
}

export const limitPatchSchema = z
  .object({
    messagesPerSecond: z.number().int().min(1).max(100_000).optional(),
    pairIntervalMs: z.number().int().min(0).max(3_600_000).optional(),
    windowMs: z.number().int().min(1).max(30 * 86_400_000).optional(),
  })
  .strict();

export interface SendLimits {
  policy(): LimitPolicy;
  setPolicy(patch: z.infer<typeof limitPatchSchema>): LimitPolicy;
  /** Takes one message's worth of throughput; false: 130429. */
  takeThroughput(now?: number): boolean;
  /** ms until this user may get another message (0: now). */
  pairWait(user: string, now?: number): number;
  /** A message to this user was accepted. */
  accepted(user: string, now?: number): void;
  /** The user wrote to the business at `at` (ms). */
  inbound(user: string, at: number): void;
  windowOpen(user: string, now?: number): boolean;
  /** Until when the user's window is open (ms), or null. */
  windowUntil(user: string): number | null;
  reset(): void;
}

export function createSendLimits(initial: LimitPolicy): SendLimits {
  let policy = { ...initial };
  let tokens = policy.messagesPerSecond;
  let refilledAt = Date.now();
  const lastTo = new Map<string, number>();
  const lastFrom = new Map<string, number>();
  return {
    policy: () => ({ ...policy }),
    setPolicy(patch) {
      policy = { ...policy, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
      tokens = policy.messagesPerSecond;
      refilledAt = Date.now();
      return { ...policy };
    },
    takeThroughput(now = Date.now()) {
      tokens = Math.min(policy.messagesPerSecond, tokens + ((now - refilledAt) / 1000) * policy.messagesPerSecond);
      refilledAt = now;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    pairWait(user, now = Date.now()) {
      const last = lastTo.get(user);
      return last === undefined ? 0 : Math.max(0, last + policy.pairIntervalMs - now);
    },
    accepted(user, now = Date.now()) {
      lastTo.set(user, now);
    },
    inbound(user, at) {
      lastFrom.set(user, Math.max(lastFrom.get(user) ?? 0, at));
    },
    windowOpen(user, now = Date.now()) {
      const last = lastFrom.get(user);
      return last !== undefined && now - last < policy.windowMs;
    },
    windowUntil(user) {
      const last = lastFrom.get(user);
      return last === undefined ? null : last + policy.windowMs;
    },
    reset() {
      policy = { ...initial };
      tokens = policy.messagesPerSecond;
      refilledAt = Date.now();
      lastTo.clear();
      lastFrom.clear();
    },
  };
}
