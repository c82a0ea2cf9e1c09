/**
 * The embedded strategies (no REDIS_URL): the entity cache in a bounded
 * in-process Map, events and leases in-process, and the records on the
 * record layer — the data dir's SQLite file, or PostgreSQL when
 * DATABASE_URL is set with CROSSDOCK_SINGLE_INSTANCE=true (config.ts
 * refuses DATABASE_URL without Redis otherwise: one instance only, since
 * leases and limits here are per process). Imports no Redis client.
 */
import { randomUUID } from 'node:crypto';
import Keyv from 'keyv';
import type { Config } from '../config.js';
import { BoundedMap } from '../cache/boundedMap.js';
import { createEmitterBus } from '../events/emitterBus.js';
import type { SyncJobRecord } from '../jobs/types.js';
import type { Logger } from '../observability/logger.js';
import type { ProductMessageRecord } from '../messaging/types.js';
import type { SupplierOrderRecord } from '../orders/types.js';
import { createLocalLeases } from '../storage/leases.js';
import { openRecordStores } from './recordStores.js';
import type { Strategies } from './types.js';

export async function createEmbeddedStrategies(config: Config, logger: Logger): Promise<Strategies> {
  const records = await openRecordStores(config, logger);
  const jobBus = createEmitterBus<SyncJobRecord>();
  const orderBus = createEmitterBus<SupplierOrderRecord>();
  const messageBus = createEmitterBus<ProductMessageRecord>();
  return {
    kind: 'embedded',
    instanceId: randomUUID(),
    // In-process values need no JSON round trip (it was a third of the CPU of an uncached
    // query); cached objects are shared between requests and never mutated.
    cacheStore: new Keyv({ store: new BoundedMap<string, unknown>(config.cache.maxEntries), namespace: 'crossdock', serialize: undefined, deserialize: undefined }),
    onRemoteInvalidate: () => undefined,
    jobStore: records.jobStore,
    orderStore: records.orderStore,
    erpExportStore: records.erpExportStore,
    draftStore: records.draftStore,
    mirrorStore: records.mirrorStore,
    jobBus,
    orderBus,
    messageStore: records.messageStore,
    messageBus,
    leases: createLocalLeases(),
    leaseMs: 15_000,
    auditStore: records.auditStore,
    createVault: records.createVault,
    shared: false,
    async health() {
      const db = await records.health();
      return { status: db.up ? 'ok' : 'degraded', detail: { kind: 'embedded', records: db.detail } };
    },
    async close() {
      jobBus.close();
      orderBus.close();
      messageBus.close();
      await records.close();
    },
  };
}
