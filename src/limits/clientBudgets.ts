/**
 * Inbound per-client budgets (DESIGN.md, "Flows": per-client limiter,
 * points = query cost). Each client (API key name) may spend a number of
 * points per window; a request spends its estimated cost, computed before
 * execution (src/graphql/limits/queryCost.ts). One rate-limiter-flexible
 * limiter keyed by client name holds every client's spending; each client's
 * own budget (the default, or its override) is compared with what it spent,
 * so per-client budgets need no limiter each and a Redis limiter (with a
 * memory insurance limiter) can be passed in through `createLimiter`.
 *
 * Answers carry the IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers):
 * `RateLimit-Policy: "budget";q=1000;w=900` and `RateLimit: "budget";r=12;t=37`
 * (r: points left, t: seconds until the window resets), so a client always
 * sees what it has left; a refusal adds `Retry-After` in whole seconds.
 */
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/** What a budget limiter is built from; `points` is an upper bound, each client's own budget is checked here. */
export interface BudgetLimiterOptions {
  keyPrefix: string;
  points: number;
  /** Window length in seconds. */
  duration: number;
}

/** Builds the limiter that counts spending; RateLimiterMemory by default, RateLimiterRedis to share budgets across instances. */
export type CreateBudgetLimiter = (options: BudgetLimiterOptions) => RateLimiterAbstract;

export interface ClientBudgetsOptions {
  /** Points per window for a client without an override. @default 1000 */
  points?: number;
  /** Window length in seconds. @default 900 (15 minutes) */
  windowSeconds?: number;
  /** Per-client points, by client name. @default {} */
  overrides?: Record<string, number>;
  /** Builds the counting limiter. @default in-process RateLimiterMemory */
  createLimiter?: CreateBudgetLimiter;
  /** The IETF policy name in the RateLimit fields. @default "budget" */
  policyName?: string;
}

/** A client's budget as the RateLimit fields report it. */
export interface BudgetState {
  /** The client's points per window. */
  limit: number;
  /** Points left in the current window. */
  remaining: number;
  /** Seconds until the window resets (rounded up). */
  resetSeconds: number;
  windowSeconds: number;
}

export type BudgetDecision = (BudgetState & { allowed: true; cost: number }) | (BudgetState & { allowed: false; cost: number; retryAfterSeconds: number });

export interface ClientBudgets {
  /** Spends `cost` points of the client's budget, or refuses (spending nothing) when it has not that many left. */
  charge(clientName: string, cost: number): Promise<BudgetDecision>;
  /** The client's budget without spending any of it. */
  peek(clientName: string): Promise<BudgetState>;
  /** The client's points per window. */
  limitFor(clientName: string): number;
  /** `RateLimit-Policy`, `RateLimit` and (on a refusal) `Retry-After`, lower-case names. */
  headers(state: BudgetState | BudgetDecision): Record<string, string>;
}

export function createClientBudgets(options: ClientBudgetsOptions = {}): ClientBudgets {
  const points = options.points ?? 1_000;
  const windowSeconds = options.windowSeconds ?? 900;
  const overrides = new Map(Object.entries(options.overrides ?? {}));
  const policyName = (options.policyName ?? 'budget').replace(/["\\]/g, '');
  // The limiter never refuses below the largest budget; each client's own budget is checked here.
  const ceiling = Math.max(points, ...overrides.values());
  const create = options.createLimiter ?? ((o: BudgetLimiterOptions) => new RateLimiterMemory(o));
  const limiter = create({ keyPrefix: 'crossdock-client-budget', points: ceiling, duration: windowSeconds });

  const limitFor = (clientName: string) => overrides.get(clientName) ?? points;
  const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000));

  return {
    limitFor,
    async charge(clientName, cost) {
      const limit = limitFor(clientName);
      const spend = Math.max(0, Math.ceil(cost));
      let res: RateLimiterRes;
      try {
        res = await limiter.consume(clientName, spend);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        res = err;
      }
      const resetSeconds = seconds(res.msBeforeNext) || windowSeconds;
      if (res.consumedPoints > limit) {
        // A refused request spends nothing: give the points back (the counter went up by them).
        if (spend > 0) await limiter.reward(clientName, spend).catch(() => undefined);
        const remaining = Math.max(0, limit - (res.consumedPoints - spend));
        return { allowed: false, cost: spend, limit, remaining, resetSeconds, windowSeconds, retryAfterSeconds: Math.max(1, resetSeconds) };
      }
      return { allowed: true, cost: spend, limit, remaining: limit - res.consumedPoints, resetSeconds, windowSeconds };
    },
    async peek(clientName) {
      const limit = limitFor(clientName);
      const res = await limiter.get(clientName);
      if (!res) return { limit, remaining: limit, resetSeconds: windowSeconds, windowSeconds };
      return { limit, remaining: Math.max(0, limit - res.consumedPoints), resetSeconds: seconds(res.msBeforeNext) || windowSeconds, windowSeconds };
    },
    headers(state) {
      const out: Record<string, string> = {
        'ratelimit-policy': `"${policyName}";q=${state.limit};w=${state.windowSeconds}`,
        ratelimit: `"${policyName}";r=${Math.max(0, state.remaining)};t=${state.resetSeconds}`,
      };
      if ('allowed' in state && !state.allowed) out['retry-after'] = String(state.retryAfterSeconds);
      return out;
    },
  };
}
