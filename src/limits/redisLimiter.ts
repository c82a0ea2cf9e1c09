/**
 * Rate limiters shared by every instance (scale-out): RateLimiterRedis, so
 * N instances together spend one budget, with an in-memory insurance
 * limiter (rate-limiter-flexible's `insuranceLimiter`) that takes over while
 * Redis is unreachable — each instance then spends at most `fallbackShare`
 * of the budget on its own, so a short outage neither stops traffic nor lets
 * N instances spend N budgets. Used by the pacer (per upstream) and the
 * client budgets (per client); both accept this factory as `createLimiter`.
 */
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { withDeadline, type RedisConnection } from '../redis/connection.js';

export interface RedisLimiterFactoryOptions {
  redis: RedisConnection;
  /** Key prefix (REDIS_KEY_PREFIX); limiter keys live under `<prefix>rl:`. */
  prefix: string;
  /** Share of a budget one instance may spend alone while Redis is unreachable. */
  fallbackShare: number;
  /** A limiter call past this falls to the insurance limiter (a hung Redis must not hang requests). */
  timeoutMs: number;
}

export type LimiterFactory = (opts: { keyPrefix: string; points: number; duration: number }) => RateLimiterAbstract;

type Internals = Record<'_upsert' | '_get' | '_delete', (...args: unknown[]) => Promise<unknown>>;

export function createRedisLimiterFactory(options: RedisLimiterFactoryOptions): LimiterFactory {
  return (opts) => {
    const insuranceLimiter = new RateLimiterMemory({
      keyPrefix: `insurance:${opts.keyPrefix}`,
      points: Math.max(1, Math.floor(opts.points * options.fallbackShare)),
      duration: opts.duration,
    });
    const limiter = new RateLimiterRedis({
      storeClient: options.redis.client,
      useRedisPackage: true,
      rejectIfRedisNotReady: true,
      keyPrefix: `${options.prefix}rl:${opts.keyPrefix}`,
      points: opts.points,
      duration: opts.duration,
      insuranceLimiter,
    });
    // A Redis that accepts connections but does not answer: bound every call so the insurance limiter answers.
    const internals = limiter as unknown as Internals;
    for (const name of ['_upsert', '_get', '_delete'] as const) {
      const original = internals[name].bind(limiter);
      internals[name] = (...args: unknown[]) => withDeadline(original(...args), options.timeoutMs, `limiter ${name}`);
    }
    return limiter;
  };
}
