/**
 * The record stores every strategy set uses (DESIGN.md's strategy table,
 * "records"): one record database per process — the data dir's SQLite file,
 * or PostgreSQL with DATABASE_URL — migrated to the latest version at
 * start, and the job store, order store, ERP export store, message store,
 * audit store, draft store and token vault on it.
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
import type { MessageStore } from '../messaging/messageStore.js';
import { createSqlMessageStore } from '../messaging/sqlMessageStore.js';
import type { MirrorStore } from '../mirror/mirrorStore.js';
import { createSqlMirrorStore } from '../mirror/sqlMirrorStore.js';
import type { OrderStore } from '../orders/orderStore.js';
import { createSqlOrderStore } from '../orders/sqlOrderStore.js';
import type { ErpExportStore } from '../orders/erpExportStore.js';
import { createSqlErpExportStore } from '../orders/sqlErpExportStore.js';
import { createSqlTokenVault } from '../auth/sqlTokenVault.js';
import type { TokenCipher, TokenVault } from '../auth/tokenVault.js';
import { migrateRecords } from '../records/migrate.js';
import { createRecordDatabase } from '../records/recordDatabase.js';
import { isStoreUnavailable } from '../storage/storeUnavailable.js';
import type { DraftStore } from '../social/draftStore.js';
import { createSqlDraftStore } from '../social/sqlDraftStore.js';

export interface RecordStores {
  jobStore: JobStore;
  orderStore: OrderStore;
  erpExportStore: ErpExportStore;
  messageStore: MessageStore;
  mirrorStore: MirrorStore;
  auditStore: AuditStore;
  /** Product drafts from social links (migration 6). */
  draftStore: DraftStore;
  createVault(cipher: TokenCipher): TokenVault;
  /** A cheap `select 1` with a short deadline (1 s), for /ready. Never throws. */
  health(): Promise<{ up: boolean; detail: { engine: string; status: 'up' | 'unreachable'; latencyMs: number | null } }>;
  close(): Promise<void>;
}

/** How long start-up waits for an unreachable PostgreSQL (a compose start, a failover) before giving up. */
const START_WAIT_MS = 15_000;

export async function openRecordStores(config: Config, logger: Logger): Promise<RecordStores> {
  const settings = config.records.database;
  if (settings.engine === 'postgres') registerSecret(safePassword(settings.url));
  const records = await createRecordDatabase(settings.engine === 'postgres' ? { ...settings, logger } : settings);
  // The tables must be at this build's version before any store touches them.
  for (const until = Date.now() + START_WAIT_MS; ; await new Promise((r) => setTimeout(r, 500))) {
    try {
      const { applied, current } = await migrateRecords(records);
      if (applied.length) logger.info({ engine: records.engine, applied, current }, 'record migrations applied');
      break;
    } catch (err) {
      if (isStoreUnavailable(err) && Date.now() < until) continue;
      await records.close();
      const where = settings.engine === 'postgres' ? 'PostgreSQL at DATABASE_URL' : settings.path;
      throw new Error(`the record database (${where}) could not be migrated: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
  return {
    jobStore: createSqlJobStore(records),
    orderStore: createSqlOrderStore(records),
    erpExportStore: createSqlErpExportStore(records),
    messageStore: createSqlMessageStore(records),
    mirrorStore: createSqlMirrorStore(records),
    auditStore: createSqlAuditStore(records),
    draftStore: createSqlDraftStore(records),
    createVault: (cipher) => createSqlTokenVault(records, cipher),
    async health() {
      const ping = await records.ping(1_000);
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
