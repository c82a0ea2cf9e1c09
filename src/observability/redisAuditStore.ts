/**
 * The audit log on Redis (scale-out): every instance appends to one log, so
 * an operator reads one history whichever instance took the mutation.
 *
 *   <prefix>audit        ZSET  entry JSON by id (ids from <prefix>audit:seq: increasing, so also by time)
 *   <prefix>audit:seq    STRING the id counter
 *
 * Listing with a filter scans newest first in batches; purging walks from
 * the oldest end while entries are older than the cutoff.
 */
import type { RedisConnection } from '../redis/connection.js';
import type { AuditEntryRecord, AuditFilter, AuditStore } from './auditStore.js';

const BATCH = 500;

export function createRedisAuditStore(options: { redis: RedisConnection; prefix: string }): AuditStore {
  const { redis } = options;
  const log = `${options.prefix}audit`;
  const seq = `${options.prefix}audit:seq`;
  const matches = (e: AuditEntryRecord, f: AuditFilter) =>
    (f.client === undefined || e.client === f.client) && (f.operation === undefined || e.operationName === f.operation || e.field === f.operation);

  return {
    async append(entry) {
      return redis.run('audit.append', async (c) => {
        const id = await c.incr(seq);
        const record: AuditEntryRecord = { ...entry, id: String(id) };
        await c.zAdd(log, { score: id, value: JSON.stringify(record) });
        return record;
      });
    },
    async list(filter, page) {
      const filtered = filter.client !== undefined || filter.operation !== undefined;
      return redis.run(
        'audit.list',
        async (c) => {
          const items: AuditEntryRecord[] = [];
          let total = 0;
          if (!filtered) total = await c.zCard(log);
          // Newest first, in batches.
          // Unfiltered pages start below `beforeId` at once; a filter needs the whole log for its total.
          let max = !filtered && page.beforeId !== undefined ? `(${page.beforeId}` : '+inf';
          for (;;) {
            const raw = await c.zRange(log, max, '-inf', { BY: 'SCORE', REV: true, LIMIT: { offset: 0, count: BATCH } });
            if (raw.length === 0) break;
            for (const r of raw) {
              const e = JSON.parse(r) as AuditEntryRecord;
              if (!matches(e, filter)) continue;
              if (filtered) total++;
              if (items.length < page.limit && (page.beforeId === undefined || Number(e.id) < page.beforeId)) items.push(e);
            }
            if (!filtered && items.length >= page.limit) break;
            const last = JSON.parse(raw[raw.length - 1] as string) as AuditEntryRecord;
            max = `(${last.id}`;
            if (raw.length < BATCH) break;
          }
          return { items, total };
        },
        30_000,
      );
    },
    async purgeOlderThan(at) {
      return redis.run(
        'audit.purge',
        async (c) => {
          let removed = 0;
          for (;;) {
            const raw = await c.zRange(log, 0, BATCH - 1);
            const old = raw.filter((r) => (JSON.parse(r) as AuditEntryRecord).at < at);
            if (old.length) removed += await c.zRem(log, old);
            if (old.length < raw.length || raw.length < BATCH) break;
          }
          return removed;
        },
        30_000,
      );
    },
    async close() {},
  };
}
