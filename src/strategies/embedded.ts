/**
 * The embedded strategies (no REDIS_URL): the entity cache in a bounded
 * in-process Map, records in one SQLite file, events and leases in-process.
 * Imports no Redis client.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Keyv from 'keyv';
import type { Config } from '../config.js';
import { BoundedMap } from '../cache/boundedMap.js';
import { createEmitterBus } from '../events/emitterBus.js';
import { createSqliteJobStore } from '../jobs/store/sqliteJobStore.js';
import type { SyncJobRecord } from '../jobs/types.js';
import { createSqliteOrderStore } from '../orders/orderStore.js';
import type { SupplierOrderRecord } from '../orders/types.js';
import { createLocalLeases } from '../storage/leases.js';
import type { Strategies } from './types.js';

export function createEmbeddedStrategies(config: Config): Strategies {
  const dbPath = join(config.dataDir, 'crossdock.db');
  const jobStore = createSqliteJobStore({ path: dbPath });
  const orderStore = createSqliteOrderStore({ path: dbPath });
  const jobBus = createEmitterBus<SyncJobRecord>();
  const orderBus = createEmitterBus<SupplierOrderRecord>();
  return {
    kind: 'embedded',
    instanceId: randomUUID(),
    // In-process values need no JSON round trip (it was a third of the CPU of an uncached
    // query); cached objects are shared between requests and never mutated.
    cacheStore: new Keyv({ store: new BoundedMap<string, unknown>(config.cache.maxEntries), namespace: 'crossdock', serialize: undefined, deserialize: undefined }),
    onRemoteInvalidate: () => undefined,
    jobStore,
    orderStore,
    jobBus,
    orderBus,
    leases: createLocalLeases(),
    leaseMs: 15_000,
    shared: false,
    health: async () => ({ status: 'ok', detail: { kind: 'embedded' } }),
    async close() {
      jobBus.close();
      orderBus.close();
      await Promise.allSettled([jobStore.close(), orderStore.close()]);
    },
  };
}
