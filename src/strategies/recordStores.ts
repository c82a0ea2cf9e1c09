/**
 * The record stores every strategy set uses (DESIGN.md's strategy table,
 * "records"): one record database per process — the data dir's SQLite file,
 * or PostgreSQL with DATABASE_URL — migrated to the latest version at
 * start, and the job store, order store, audit store and token vault on it.
 * Redis, when configured, keeps only what it is good at (cache, limits, the
 * vendor gate, events, leases).
 */
import type { Config } from '../config.js';
import type { Logger } from '../observability/logger.js';
import { registerSecret } from '../observability/redact.js';
import { createSqlAuditStore } from '../observability/sqlAuditStore.js';
import type { AuditStore } from '../observability/auditStore.js';
import { createSqlJobStore } from '../jobs/store/sqlJobStore.js';
import type { JobStore } from '../jobs/store/jobStore.js';
import type { MirrorStore } from '../mirror/mirrorStore.js';
import { createSqlMirrorStore } from '../mirror/sqlMirrorStore.js';
import type { OrderStore } from '../orders/orderStore.js';
import { createSqlOrderStore } from '../orders/sqlOrderStore.js';
import { createSqlTokenVault } from '../auth/sqlTokenVault.js';
import type { TokenCipher, TokenVault } from '../auth/tokenVault.js';
import { migrateRecords } from '../records/migrate.js';
import { createRecordDatabase, type RecordDatabase } from '../records/recordDatabase.js';
import { isStoreUnavailable } from '../storage/storeUnavailable.js';

export interface RecordStores {
  records: RecordDatabase;
  jobStore: JobStore;
  orderStore: OrderStore;
  mirrorStore: MirrorStore;
  auditStore: AuditStore;
  createVault(cipher: TokenCipher): TokenVault;
  /** A cheap `select 1` with a short deadline, for /ready. Never throws. */
  health(): Promise<{ up: boolean; detail: { engine: string; status: 'up' | 'unreachable'; latencyMs: number | null } }>;
  close(): Promise<void>;
}

export interface RecordStoresOptions {
  /** How long start-up waits for an unreachable PostgreSQL before giving up. @default 15000 */
  startWaitMs?: number;
  /** Deadline of the /ready probe. @default 1000 */
  healthTimeoutMs?: number;
}

export async function openRecordStores(config: Config, logger: Logger, options: RecordStoresOptions = {}): Promise<RecordStores> {
  const settings = config.records.database;
  if (settings.engine === 'postgres') registerSecret(safePassword(settings.url));
  const records = await createRecordDatabase(settings.engine === 'postgres' ? { ...settings, logger } : settings);
  try {
    // The tables must be at this build's version before any store touches them. A PostgreSQL that is
    // not up yet (a compose start, a failover) is waited for a while, then start-up fails saying so.
    const until = Date.now() + (options.startWaitMs ?? 15_000);
    for (;;) {
      try {
        const { applied, current } = await migrateRecords(records);
        if (applied.length) logger.info({ engine: records.engine, applied, current }, 'record migrations applied');
        break;
      } catch (err) {
        if (!isStoreUnavailable(err) || Date.now() > until) {
          const where = settings.engine === 'postgres' ? 'PostgreSQL at DATABASE_URL' : settings.path;
          throw new Error(`the record database (${where}) could not be migrated: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  } catch (err) {
    await records.close();
    throw err;
  }
  const healthMs = options.healthTimeoutMs ?? 1_000;
  return {
    records,
    jobStore: createSqlJobStore(records),
    orderStore: createSqlOrderStore(records),
    mirrorStore: createSqlMirrorStore(records),
    auditStore: createSqlAuditStore(records),
    createVault: (cipher) => createSqlTokenVault(records, cipher),
    async health() {
      const ping = await records.ping(healthMs);
      return { up: ping.ok, detail: { engine: records.engine, status: ping.ok ? 'up' : 'unreachable', latencyMs: ping.latencyMs } };
    },
    close: () => records.close(),
  };
}

function safePassword(url: string): string | undefined {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password || undefined;
  } catch {
    return undefined;
  }
}
