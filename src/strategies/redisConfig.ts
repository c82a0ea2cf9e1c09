/**
 * The scale-out part of the configuration (DESIGN.md, principle 4): with
 * `REDIS_URL` set every strategy moves to Redis (src/strategies/). config.ts
 * merges `REDIS_ENV` into its environment schema and calls `redisConfig()`;
 * every variable is in the README's configuration table.
 */
import { z } from 'zod';
import { urlVariable, type ParsedEnv } from '../env/variables.js';

export interface RedisConfig {
  /** `redis://` or `rediss://` URL, credentials included (REDIS_URL). Never logged. */
  url: string;
  /** Prefix of every key the gateway writes (REDIS_KEY_PREFIX). */
  keyPrefix: string;
  /** How long a value stays in the in-process L1 in front of the Redis cache (REDIS_L1_TTL_MS). */
  l1TtlMs: number;
  /** Bound of the in-process L1 (REDIS_L1_MAX_ENTRIES). */
  l1MaxEntries: number;
  /**
   * Share of each shared budget one instance may spend on its own while Redis
   * is unreachable (the insurance limiter) (REDIS_FALLBACK_SHARE).
   */
  fallbackShare: number;
  /** Lease of a running job or an order being sent; renewed at a third of it (REDIS_LEASE_MS). */
  leaseMs: number;
  /** Deadline of one Redis command on the read path before it falls through (REDIS_COMMAND_TIMEOUT_MS). */
  commandTimeoutMs: number;
}

const redisUrl = urlVariable(['redis:', 'rediss:'], 'must be a redis:// or rediss:// URL', (_u, raw) => raw);

export const REDIS_ENV = {
  REDIS_URL: redisUrl,
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_.-]{0,64}$/)
    .default('crossdock:'),
  REDIS_L1_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
  REDIS_L1_MAX_ENTRIES: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
  REDIS_FALLBACK_SHARE: z.coerce.number().min(0.01).max(1).default(0.5),
  REDIS_LEASE_MS: z.coerce.number().int().min(1_000).max(600_000).default(15_000),
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(500),
};

type RedisEnv = ParsedEnv<typeof REDIS_ENV>;

export function redisConfig(e: RedisEnv): RedisConfig | undefined {
  if (!e.REDIS_URL) return undefined;
  return {
    url: e.REDIS_URL,
    keyPrefix: e.REDIS_KEY_PREFIX,
    l1TtlMs: e.REDIS_L1_TTL_MS,
    l1MaxEntries: e.REDIS_L1_MAX_ENTRIES,
    fallbackShare: e.REDIS_FALLBACK_SHARE,
    leaseMs: e.REDIS_LEASE_MS,
    commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
  };
}
