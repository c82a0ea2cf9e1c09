/**
 * Leases in Redis: `SET key token NX PX ttl` takes one, a compare-and-extend
 * script renews it, a compare-and-delete script releases it — so only the
 * holder can extend or free it, and a holder that died simply stops renewing
 * and its lease expires (Redis's TTL), letting another instance take over.
 */
import { randomUUID } from 'node:crypto';
import type { RedisConnection } from '../redis/connection.js';
import type { Lease, Leases } from './leases.js';

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export interface RedisLeasesOptions {
  redis: RedisConnection;
  /** Key prefix, e.g. `crossdock:`; leases live under `<prefix>lease:`. */
  prefix: string;
  /** Written into the lease value (which instance holds it), for operators reading Redis. */
  instanceId: string;
}

export function createRedisLeases(options: RedisLeasesOptions): Leases {
  const { redis } = options;
  const keyOf = (name: string) => `${options.prefix}lease:${name}`;
  return {
    async acquire(name, ttlMs) {
      const key = keyOf(name);
      const token = `${options.instanceId}:${randomUUID()}`;
      const ok = await redis.run('lease.acquire', (c) => c.set(key, token, { condition: 'NX', expiration: { type: 'PX', value: ttlMs } }));
      if (ok !== 'OK') return null;
      const lease: Lease = {
        name,
        async renew() {
          const n = await redis.run('lease.renew', (c) => c.eval(RENEW, { keys: [key], arguments: [token, String(ttlMs)] }));
          return Number(n) === 1;
        },
        async release() {
          await redis.run('lease.release', (c) => c.eval(RELEASE, { keys: [key], arguments: [token] })).catch(() => undefined);
        },
      };
      return lease;
    },
  };
}
