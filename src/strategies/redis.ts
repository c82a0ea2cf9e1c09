/**
 * The scale-out strategies (REDIS_URL + DATABASE_URL): on one Redis what
 * Redis is good at — entity cache (in-process L1 + @keyv/redis), shared
 * rate limits (RateLimiterRedis with memory insurance) and the
 * vendor-header gate, leases, and events over pub/sub — and every record
 * (jobs, supplier orders, idempotency keys, audit log, store tokens) in
 * PostgreSQL through the record layer (recordStores.ts). Loaded only
 * through a dynamic import (index.ts), so the embedded default never loads
 * a Redis client.
 */
import { randomUUID } from 'node:crypto';
import Keyv from 'keyv';
import type { Config } from '../config.js';
import type { RedisConfig } from './redisConfig.js';
import { createRedisGenerations } from '../cache/redisGenerations.js';
import { createTieredStore } from '../cache/tieredStore.js';
import { createRedisBus } from '../events/redisBus.js';
import type { SyncJobRecord } from '../jobs/types.js';
import { createRedisLimiterFactory } from '../limits/redisLimiter.js';
import { createSharedGate, type SharedGate } from '../limits/sharedGate.js';
import type { Logger } from '../observability/logger.js';
import type { ProductMessageRecord } from '../messaging/types.js';
import type { SupplierOrderRecord } from '../orders/types.js';
import { createRedisLeases } from '../storage/redisLeases.js';
import { openRecordStores } from './recordStores.js';
import { createRedisConnection } from '../redis/connection.js';
import type { Strategies } from './types.js';

export async function createRedisStrategies(config: Config & { redis: RedisConfig }, logger: Logger): Promise<Strategies> {
  const rc = config.redis;
  const prefix = rc.keyPrefix;
  const instanceId = randomUUID();
  const records = await openRecordStores(config, logger);
  const redis = await createRedisConnection({ url: rc.url, logger }).catch(async (err: unknown) => {
    await records.close();
    throw err;
  });
  try {
    let cacheErrors = 0;
    const tiered = await createTieredStore({
      redis,
      prefix,
      instanceId,
      l1TtlMs: rc.l1TtlMs,
      l1MaxEntries: rc.l1MaxEntries,
      timeoutMs: rc.commandTimeoutMs,
      onError: (err) => {
        if (cacheErrors++ % 1000 === 0) logger.debug({ err: err instanceof Error ? err.message : String(err) }, 'redis cache unavailable; falling through to upstreams');
      },
    });
    const cacheStore = new Keyv({ store: tiered, namespace: 'crossdock', serialize: undefined, deserialize: undefined });
    const jobBus = await createRedisBus<SyncJobRecord>({ redis, channel: `${prefix}events:jobs`, instanceId, logger });
    const orderBus = await createRedisBus<SupplierOrderRecord>({ redis, channel: `${prefix}events:orders`, instanceId, logger });
    const messageBus = await createRedisBus<ProductMessageRecord>({ redis, channel: `${prefix}events:messages`, instanceId, logger });
    const gates = new Map<string, SharedGate>();
    return {
      kind: 'redis',
      instanceId,
      cacheStore,
      cacheGenerations: createRedisGenerations({ redis, prefix, timeoutMs: rc.commandTimeoutMs }),
      onRemoteInvalidate: (listener) => tiered.onRemoteInvalidate(listener),
      // A limiter call waits longer than a cache read: falling to insurance early would admit more than the shared budget.
      createLimiter: createRedisLimiterFactory({ redis, prefix, fallbackShare: rc.fallbackShare, timeoutMs: Math.max(2_000, rc.commandTimeoutMs * 4) }),
      sharedGate(upstream) {
        let gate = gates.get(upstream);
        if (!gate) {
          gate = createSharedGate({ redis, prefix, upstream, instanceId, timeoutMs: rc.commandTimeoutMs });
          gates.set(upstream, gate);
        }
        return gate;
      },
      jobStore: records.jobStore,
      orderStore: records.orderStore,
      erpExportStore: records.erpExportStore,
      draftStore: records.draftStore,
      mirrorStore: records.mirrorStore,
      jobBus,
      orderBus,
      messageStore: records.messageStore,
      messageBus,
      leases: createRedisLeases({ redis, prefix, instanceId }),
      leaseMs: rc.leaseMs,
      auditStore: records.auditStore,
      createVault: records.createVault,
      shared: true,
      async health() {
        const [ping, db] = await Promise.all([redis.ping(Math.max(250, rc.commandTimeoutMs)), records.health()]);
        const up = ping.ok && redis.isReady();
        return {
          status: up && db.up ? 'ok' : 'degraded',
          detail: { kind: 'redis', redis: up ? 'up' : 'unreachable', latencyMs: ping.latencyMs, l1Entries: tiered.l1Size(), instance: instanceId, records: db.detail },
        };
      },
      async close() {
        jobBus.close();
        orderBus.close();
        messageBus.close();
        await tiered.close();
        await redis.close();
        await records.close();
      },
    };
  } catch (err) {
    await redis.close();
    await records.close();
    throw err;
  }
}
