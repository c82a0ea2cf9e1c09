/**
 * The invalidation clock shared by every instance on one Redis
 * (generations.ts, SharedGenerations). Without it, an instance whose fetch
 * read the vendor before another instance's sync wrote would store its old
 * value in Redis after that invalidation, for every instance to read, as
 * soon as the invalidation message (pub/sub: at most once, and late under
 * load) failed to reach it first.
 *
 * Keys (under the prefix, outside `cache:` so a cache clear cannot reset the
 * clock): `cachegen:clock` (INCR), `cachegen:k:{key}` (the clock at the
 * key's last invalidation), `cachegen:all` (the clock at the last clear).
 * Stamps expire after `holdMs`, far longer than any fetch may take (reads
 * have a deadline: INTERACTIVE_DEADLINE_MS), so a fetch can never outlive
 * the stamp that should refuse it.
 *
 * Each call is one round trip (GET, MGET, or one script that stamps
 * atomically with the INCR).
 */
import type { RedisConnection } from '../redis/connection.js';
import { withDeadline } from '../redis/connection.js';
import type { SharedGenerations } from './generations.js';

export interface RedisGenerationsOptions {
  redis: RedisConnection;
  /** REDIS_KEY_PREFIX. */
  prefix: string;
  /** Deadline of one Redis call. */
  timeoutMs: number;
  /** How long a stamp is kept. @default 600000 (10 minutes) */
  holdMs?: number;
}

/** Stamps every key given with one new clock value. KEYS[1] the clock, KEYS[2..] stamps; ARGV[1] hold ms. */
const ADVANCE = `
local v = redis.call('INCR', KEYS[1])
for i = 2, #KEYS do redis.call('SET', KEYS[i], v, 'PX', ARGV[1]) end
return v`;

/** Keys per script call or MGET: bounded, so one sync page never makes one huge command. */
const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

export function createRedisGenerations(options: RedisGenerationsOptions): SharedGenerations {
  const { redis, timeoutMs } = options;
  const holdMs = String(options.holdMs ?? 600_000);
  const clock = `${options.prefix}cachegen:clock`;
  const all = `${options.prefix}cachegen:all`;
  const stamp = (key: string) => `${options.prefix}cachegen:k:${key}`;
  const num = (raw: unknown) => (typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : 0);

  return {
    async mark() {
      return num(await withDeadline(redis.client.get(clock), timeoutMs, 'cache generation read'));
    },
    async invalidatedSince(mark, keys) {
      const out = new Set<string>();
      let first = true;
      for (const group of chunks(keys)) {
        // The clear stamp rides along with the first group.
        const names = first ? [all, ...group.map(stamp)] : group.map(stamp);
        const raw = await withDeadline(redis.client.mGet(names), timeoutMs, 'cache generation read');
        const stamps = first ? raw.slice(1) : raw;
        if (first && raw[0] !== null && num(raw[0]) > mark) return new Set(keys);
        first = false;
        group.forEach((k, i) => {
          if (stamps[i] !== null && num(stamps[i]) > mark) out.add(k);
        });
      }
      return out;
    },
    async advance(keys) {
      if (keys === null) {
        await withDeadline(redis.client.eval(ADVANCE, { keys: [clock, all], arguments: [holdMs] }), timeoutMs, 'cache generation write');
        return;
      }
      for (const group of chunks(keys)) {
        await withDeadline(redis.client.eval(ADVANCE, { keys: [clock, ...group.map(stamp)], arguments: [holdMs] }), timeoutMs, 'cache generation write');
      }
    },
  };
}
