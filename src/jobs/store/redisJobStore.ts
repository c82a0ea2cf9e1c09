/**
 * JobStore on Redis (scale-out, REDIS_URL). Redis runs with the append-only
 * file (`appendonly yes`) and `noeviction`, so a record acknowledged here
 * survives a Redis restart and is never evicted to make room.
 *
 * Key layout (P = REDIS_KEY_PREFIX, `crossdock:` by default):
 *
 *   P job:{id}                HASH  one field per record field, JSON-encoded (+ seq, _activeKey)
 *   P jobs                    ZSET  id by seq (listing, newest first)
 *   P jobs:seq                STRING the sequence counter
 *   P jobs:active             SET   ids of QUEUED, RUNNING and INTERRUPTED jobs
 *   P job:scope:{sha1}        STRING id of the active job for a kind+scope (the "one active job" rule)
 *   P job:{id}:fail           HASH  sku → {partNumber, code, message}
 *   P job:{id}:failn          HASH  sku → attempts
 *   P job:{id}:planned        LIST  planned changes, in order (seq = position)
 *   P schedules               HASH  id → schedule
 *
 * Fields are written with HSET, never read-modify-write, so a cancel
 * request from one instance and a progress update from the instance running
 * the job never overwrite each other. The one-active-job rule and the
 * active-set bookkeeping are Lua scripts: atomic across every instance.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { RedisConnection } from '../../redis/connection.js';
import type { PlannedChangeRecord, SyncFailureRecord, SyncJobRecord, SyncScheduleRecord } from '../types.js';
import { ACTIVE_STATUSES, isFinal, ZERO_COUNTERS } from '../types.js';
import type { JobPatch, JobStore, NewJob } from './jobStore.js';

const CREATE_OR_GET = `
local existing = redis.call('GET', KEYS[1])
if existing then
  local st = redis.call('HGET', ARGV[2] .. existing, 'status')
  if st == '"QUEUED"' or st == '"RUNNING"' or st == '"INTERRUPTED"' then return {0, existing} end
end
local seq = redis.call('INCR', KEYS[2])
local jobKey = ARGV[2] .. ARGV[1]
redis.call('HSET', jobKey, 'seq', seq, '_activeKey', KEYS[1], unpack(ARGV, 3))
redis.call('ZADD', KEYS[3], seq, ARGV[1])
redis.call('SADD', KEYS[4], ARGV[1])
redis.call('SET', KEYS[1], ARGV[1])
return {1, ARGV[1]}
`;

const UPDATE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
if ARGV[2] == '1' then
  redis.call('SREM', KEYS[2], ARGV[1])
  local ak = redis.call('HGET', KEYS[1], '_activeKey')
  if ak and redis.call('GET', ak) == ARGV[1] then redis.call('DEL', ak) end
end
return 1
`;

const FIELDS = [
  'id',
  'kind',
  'scope',
  'scopeKey',
  'dryRun',
  'status',
  'phase',
  'counters',
  'checkpoint',
  'startedBy',
  'retryOf',
  'scheduleId',
  'error',
  'createdAt',
  'startedAt',
  'finishedAt',
  'runStartedAt',
  'runStartProcessed',
  'cancelRequested',
] as const satisfies ReadonlyArray<keyof SyncJobRecord>;

function decodeJob(h: Record<string, string>): SyncJobRecord | undefined {
  if (!h.id) return undefined;
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) out[f] = h[f] === undefined ? null : JSON.parse(h[f]);
  const job = out as unknown as SyncJobRecord;
  job.counters = { ...ZERO_COUNTERS, ...(job.counters ?? {}) };
  job.runStartProcessed ??= 0;
  job.cancelRequested ??= false;
  return job;
}

function pairs(values: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(values)) if (v !== undefined) out.push(k, JSON.stringify(v));
  return out;
}

export interface RedisJobStoreOptions {
  redis: RedisConnection;
  /** Key prefix (REDIS_KEY_PREFIX). */
  prefix: string;
}

export function createRedisJobStore(options: RedisJobStoreOptions): JobStore {
  const { redis } = options;
  const P = options.prefix;
  const k = {
    job: (id: string) => `${P}job:${id}`,
    jobPrefix: `${P}job:`,
    all: `${P}jobs`,
    seq: `${P}jobs:seq`,
    active: `${P}jobs:active`,
    scope: (scopeKey: string) => `${P}job:scope:${createHash('sha1').update(scopeKey).digest('hex')}`,
    fail: (id: string) => `${P}job:${id}:fail`,
    failn: (id: string) => `${P}job:${id}:failn`,
    planned: (id: string) => `${P}job:${id}:planned`,
    schedules: `${P}schedules`,
  };

  const read = (id: string) => redis.run('job.get', async (c) => decodeJob(await c.hGetAll(k.job(id))));
  const readMany = (ids: string[]) =>
    redis.run('job.list', async (c) => (await Promise.all(ids.map((id) => c.hGetAll(k.job(id))))).map(decodeJob).filter((j): j is SyncJobRecord => j !== undefined));
  const mustRead = async (id: string) => {
    const job = await read(id);
    if (!job) throw new Error(`no job ${id}`);
    return job;
  };

  async function update(id: string, patch: JobPatch): Promise<SyncJobRecord> {
    const fields = pairs(patch as Record<string, unknown>);
    if (fields.length) {
      const final = patch.status !== undefined && isFinal(patch.status) ? '1' : '0';
      const n = await redis.run('job.update', (c) => c.eval(UPDATE, { keys: [k.job(id), k.active], arguments: [id, final, ...fields] }));
      if (Number(n) !== 1) throw new Error(`no job ${id}`);
    }
    return mustRead(id);
  }

  async function activeJobs(): Promise<SyncJobRecord[]> {
    const ids = await redis.run('job.active', (c) => c.sMembers(k.active));
    return readMany(ids);
  }

  const bySeq = async (jobs: SyncJobRecord[]): Promise<SyncJobRecord[]> => {
    const seqs = await redis.run('job.seq', (c) => Promise.all(jobs.map((j) => c.zScore(k.all, j.id))));
    const order = new Map(jobs.map((j, i) => [j.id, seqs[i] ?? 0]));
    return [...jobs].sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  };

  return {
    async createOrGetActive(job: NewJob) {
      const id = randomUUID();
      const record: SyncJobRecord = {
        id,
        kind: job.kind,
        scope: job.scope,
        scopeKey: job.scopeKey,
        dryRun: job.dryRun,
        status: 'QUEUED',
        phase: 'QUEUED',
        counters: { ...ZERO_COUNTERS },
        checkpoint: null,
        startedBy: job.startedBy,
        retryOf: job.retryOf ?? null,
        scheduleId: job.scheduleId ?? null,
        error: null,
        createdAt: new Date().toISOString(),
        startedAt: null,
        finishedAt: null,
        runStartedAt: null,
        runStartProcessed: 0,
        cancelRequested: false,
      };
      const res = (await redis.run('job.create', (c) =>
        c.eval(CREATE_OR_GET, { keys: [k.scope(job.scopeKey), k.seq, k.all, k.active], arguments: [id, k.jobPrefix, ...pairs(record as unknown as Record<string, unknown>)] }),
      )) as [number, string];
      const created = Number(res[0]) === 1;
      return { job: await mustRead(String(res[1])), created };
    },
    get: read,
    async list(filter, offset, limit) {
      const onlyActive = filter.status?.length && filter.status.every((s) => ACTIVE_STATUSES.includes(s));
      let jobs: SyncJobRecord[];
      if (onlyActive) {
        jobs = await bySeq(await activeJobs());
        jobs.reverse();
      } else {
        const ids = await redis.run('job.list', (c) => c.zRange(k.all, 0, -1, { REV: true }));
        jobs = await readMany(ids);
      }
      const items = jobs.filter((j) => (!filter.status?.length || filter.status.includes(j.status)) && (!filter.kind?.length || filter.kind.includes(j.kind)));
      return { items: items.slice(offset, offset + limit), total: items.length };
    },
    update,
    async interruptRunning() {
      const running = (await activeJobs()).filter((j) => j.status === 'RUNNING');
      for (const j of running) await update(j.id, { status: 'INTERRUPTED' });
      return running.map((j) => j.id);
    },
    async pending() {
      return bySeq((await activeJobs()).filter((j) => j.status === 'QUEUED' || j.status === 'INTERRUPTED'));
    },
    async addFailure(f) {
      await redis.run('job.addFailure', (c) =>
        c
          .multi()
          .hSet(k.fail(f.jobId), f.sku, JSON.stringify({ partNumber: f.partNumber, code: f.code, message: f.message, line: f.line ?? null, column: f.column ?? null }))
          .hIncrBy(k.failn(f.jobId), f.sku, f.attempts ?? 1)
          .exec(),
      );
    },
    async clearFailure(jobId, sku) {
      await redis.run('job.clearFailure', (c) => c.multi().hDel(k.fail(jobId), sku).hDel(k.failn(jobId), sku).exec());
    },
    async failures(jobId, offset, limit) {
      const [fails, counts] = await redis.run('job.failures', (c) => Promise.all([c.hGetAll(k.fail(jobId)), c.hGetAll(k.failn(jobId))]));
      const items: SyncFailureRecord[] = Object.entries(fails)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([sku, raw]) => {
          const f = JSON.parse(raw) as { partNumber: string | null; code: string; message: string; line?: number | null; column?: string | null };
          return { jobId, sku, partNumber: f.partNumber, code: f.code, message: f.message, attempts: Number(counts[sku] ?? 1), ...(f.line != null ? { line: f.line } : {}), ...(f.column != null ? { column: f.column } : {}) };
        });
      return { items: items.slice(offset, offset + limit), total: items.length };
    },
    async addPlannedChanges(changes) {
      if (!changes.length) return;
      const byJob = new Map<string, string[]>();
      for (const c of changes) byJob.set(c.jobId, [...(byJob.get(c.jobId) ?? []), JSON.stringify({ action: c.action, sku: c.sku, productId: c.productId, changes: c.changes })]);
      await redis.run('job.addPlanned', (c) => {
        const m = c.multi();
        for (const [jobId, values] of byJob) m.rPush(k.planned(jobId), values);
        return m.exec();
      });
    },
    async commitPage(jobId, page) {
      // MULTI/EXEC: the page's failures, cleared items, planned changes and checkpoint land together.
      await redis.run('job.commitPage', (c) => {
        const m = c.multi();
        for (const f of page.failures) {
          m.hSet(k.fail(jobId), f.sku, JSON.stringify({ partNumber: f.partNumber, code: f.code, message: f.message, line: f.line ?? null, column: f.column ?? null }));
          m.hIncrBy(k.failn(jobId), f.sku, 1);
        }
        if (page.succeeded.length) {
          m.hDel(k.fail(jobId), page.succeeded);
          m.hDel(k.failn(jobId), page.succeeded);
        }
        const planned = page.planned.map((p) => JSON.stringify({ action: p.action, sku: p.sku, productId: p.productId, changes: p.changes }));
        if (planned.length) m.rPush(k.planned(jobId), planned);
        m.hSet(k.job(jobId), { counters: JSON.stringify(page.checkpoint.counters), checkpoint: JSON.stringify(page.checkpoint) });
        return m.exec();
      });
      return mustRead(jobId);
    },
    async plannedChanges(jobId, offset, limit) {
      const [raw, total] = await redis.run('job.planned', (c) => Promise.all([c.lRange(k.planned(jobId), offset, offset + limit - 1), c.lLen(k.planned(jobId))]));
      const items: PlannedChangeRecord[] = raw.map((r, i) => {
        const p = JSON.parse(r) as Omit<PlannedChangeRecord, 'jobId' | 'seq'>;
        return { jobId, seq: offset + i + 1, action: p.action, sku: p.sku, productId: p.productId, changes: p.changes };
      });
      return { items, total };
    },
    async addSchedule(s) {
      const record: SyncScheduleRecord = { ...s, id: randomUUID(), createdAt: new Date().toISOString(), lastRunAt: null };
      await redis.run('schedule.add', (c) => c.hSet(k.schedules, record.id, JSON.stringify(record)));
      return record;
    },
    async removeSchedule(id) {
      return (await redis.run('schedule.remove', (c) => c.hDel(k.schedules, id))) > 0;
    },
    async schedules() {
      const all = await redis.run('schedule.list', (c) => c.hVals(k.schedules));
      return all.map((r) => JSON.parse(r) as SyncScheduleRecord).sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
    },
    async markScheduleRun(id, lastRunAt, nextRunAt) {
      await redis.run('schedule.mark', async (c) => {
        const raw = await c.hGet(k.schedules, id);
        if (!raw) return;
        await c.hSet(k.schedules, id, JSON.stringify({ ...(JSON.parse(raw) as SyncScheduleRecord), lastRunAt, nextRunAt }));
      });
    },
    // The connection belongs to the strategies (src/strategies/redis.ts), which close it.
    async close() {},
  };
}
