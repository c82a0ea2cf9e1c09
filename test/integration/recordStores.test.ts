/**
 * The record-store contract — JobStore, AuditStore, TokenVault, written
 * once on the record layer — run unchanged against both engines: a SQLite
 * file and a real PostgreSQL (test/support/postgresServer.ts, an ephemeral
 * server in a temp dir). The rules that must hold across instances — one
 * active job per scope, compare-and-set status changes, a page committed
 * whole or not at all — are checked under concurrency. Then what differs
 * when an engine is not there: a locked SQLite file, and a PostgreSQL that
 * is slow, stopped and restarted, answer StoreUnavailableError (nothing
 * recorded) and work again without a restart.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlTokenVault } from '../../src/auth/sqlTokenVault.js';
import { createTokenCipher } from '../../src/auth/tokenVault.js';
import type { JobStore, NewJob } from '../../src/jobs/store/jobStore.js';
import { createSqlJobStore } from '../../src/jobs/store/sqlJobStore.js';
import { scopeKeyOf, type SyncScope } from '../../src/jobs/types.js';
import type { AuditStore } from '../../src/observability/auditStore.js';
import { createSqlAuditStore } from '../../src/observability/sqlAuditStore.js';
import { migrateRecords } from '../../src/records/migrate.js';
import { createRecordDatabase, type RecordDatabase } from '../../src/records/recordDatabase.js';
import { isStoreUnavailable } from '../../src/storage/storeUnavailable.js';
import { postgresServerAvailable, startPostgresServer } from '../support/postgresServer.js';
import { pollUntil } from '../support/processes.js';
import { engineAvailable, RECORD_ENGINES, recordEngines } from '../support/recordEngines.js';

const engines = recordEngines();
afterAll(() => engines.close());

const newJob = (kind: NewJob['kind'], scope: SyncScope, dryRun = false): NewJob => ({ kind, scope, scopeKey: scopeKeyOf(kind, scope, dryRun), dryRun, startedBy: 't' });
const COUNTERS = { total: 9, processed: 3, created: 1, updated: 1, unchanged: 1, failed: 0 };

for (const engine of RECORD_ENGINES) {
  describe.skipIf(!engineAvailable(engine))(`record stores on ${engine}`, () => {
    let records: RecordDatabase;
    let jobs: JobStore;
    let audit: AuditStore;
    beforeAll(async () => {
      records = await engines.fresh(engine);
      jobs = createSqlJobStore(records);
      audit = createSqlAuditStore(records);
    });

    it('one active job per scope, even for 20 concurrent creates; a final job frees the scope', async () => {
      const job = newJob('CATALOG', { manufacturer: 'Bendix' });
      const results = await Promise.all(Array.from({ length: 20 }, () => jobs.createOrGetActive(job)));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.job.id)).size).toBe(1);
      const id = results[0]!.job.id;
      expect(results[0]!.job).toMatchObject({ kind: 'CATALOG', scope: { manufacturer: 'Bendix' }, status: 'QUEUED', phase: 'QUEUED', dryRun: false, cancelRequested: false, counters: { processed: 0 } });
      await jobs.update(id, { status: 'RUNNING', phase: 'READING_SUPPLIER' });
      // A cancel request and a progress update written concurrently both land.
      await Promise.all([jobs.update(id, { cancelRequested: true }), jobs.update(id, { counters: COUNTERS })]);
      expect(await jobs.get(id)).toMatchObject({ cancelRequested: true, counters: { processed: 3 }, status: 'RUNNING' });
      expect((await jobs.list({ status: ['RUNNING'] }, 0, 10)).items.map((j) => j.id)).toEqual([id]);
      await jobs.update(id, { status: 'SUCCEEDED', phase: 'DONE' });
      const next = await jobs.createOrGetActive(job);
      expect(next.created).toBe(true);
      expect(next.job.id).not.toBe(id);
      expect((await jobs.pending()).map((j) => j.id)).toContain(next.job.id);
      expect((await jobs.list({}, 0, 10)).total).toBe(2);
      // Newest first, by the order they were created.
      expect((await jobs.list({ kind: ['CATALOG'] }, 0, 10)).items.map((j) => j.id)).toEqual([next.job.id, id]);
    });

    it('a status change conditional on the current status applies for exactly one of 10 concurrent writers', async () => {
      const { job } = await jobs.createOrGetActive(newJob('INVENTORY', { limit: 3 }));
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => jobs.updateIf(job.id, ['QUEUED'], { status: i % 2 ? 'FAILED' : 'CANCELLED', error: `writer ${i}` })));
      const winners = results.filter((r) => r.applied);
      expect(winners).toHaveLength(1);
      const final = await jobs.get(job.id);
      expect(final?.error).toBe(winners[0]!.job.error);
      // The losers were told how the winner left it.
      for (const r of results.filter((x) => !x.applied)) expect(r.job.status).toBe(final?.status);
      expect(await jobs.updateIf(job.id, ['QUEUED'], {})).toMatchObject({ applied: false, job: { id: job.id } });
      await expect(jobs.updateIf('00000000-0000-0000-0000-000000000000', ['QUEUED'], { status: 'RUNNING' })).rejects.toThrow(/no job/);
      await expect(jobs.update('00000000-0000-0000-0000-000000000000', { phase: 'DONE' })).rejects.toThrow(/no job/);
    });

    it('at start, RUNNING jobs become INTERRUPTED and are pending with the queued ones, oldest first', async () => {
      const a = (await jobs.createOrGetActive(newJob('PRICE', { query: 'a' }))).job;
      const b = (await jobs.createOrGetActive(newJob('PRICE', { query: 'b' }))).job;
      await jobs.update(a.id, { status: 'RUNNING', runStartedAt: '2030-01-01T00:00:00.000Z', runStartProcessed: 40 });
      expect(await jobs.interruptRunning()).toEqual([a.id]);
      const pending = (await jobs.pending()).map((j) => j.id);
      expect(pending.indexOf(a.id)).toBeLessThan(pending.indexOf(b.id));
      expect(await jobs.get(a.id)).toMatchObject({ status: 'INTERRUPTED', runStartProcessed: 40, runStartedAt: '2030-01-01T00:00:00.000Z' });
      expect((await jobs.list({ status: ['INTERRUPTED'], kind: ['PRICE'] }, 0, 10)).total).toBe(1);
    });

    it('commitPage lands failures, cleared items, planned changes and the checkpoint together', async () => {
      const { job } = await jobs.createOrGetActive(newJob('PRICE', { query: 'brake' }, true));
      const counters = { total: 3, processed: 3, created: 0, updated: 1, unchanged: 0, failed: 2 };
      await jobs.commitPage(job.id, {
        failures: [
          { sku: 'B', partNumber: 'B', code: 'VALIDATION', message: 'bad' },
          { sku: 'A', partNumber: 'A', code: 'VALIDATION', message: 'bad' },
        ],
        succeeded: [],
        planned: [{ jobId: job.id, action: 'UPDATE', sku: 'C', productId: '7', changes: [{ field: 'price', before: '1.00', after: '2.00' }] }],
        checkpoint: { nextPage: 2, counters },
      });
      const after = await jobs.commitPage(job.id, {
        failures: [{ sku: 'B', partNumber: 'B', code: 'VALIDATION', message: 'still bad' }],
        succeeded: ['A'],
        planned: [{ jobId: job.id, action: 'CREATE', sku: 'D', productId: null, changes: [] }],
        checkpoint: { nextPage: 3, counters },
      });
      expect(after.checkpoint).toEqual({ nextPage: 3, counters });
      expect(after.counters).toEqual(counters);
      const failures = await jobs.failures(job.id, 0, 10);
      expect(failures.items).toEqual([{ jobId: job.id, sku: 'B', partNumber: 'B', code: 'VALIDATION', message: 'still bad', attempts: 2 }]);
      const planned = await jobs.plannedChanges(job.id, 1, 5);
      expect(planned.total).toBe(2);
      expect(planned.items).toEqual([{ jobId: job.id, seq: 2, action: 'CREATE', sku: 'D', productId: null, changes: [] }]);
      await jobs.commitPage(job.id, {
        failures: [],
        succeeded: [],
        planned: [{ jobId: job.id, action: 'UPDATE', sku: 'E', productId: '9', changes: [{ field: 'name', before: 'x', after: 'y "quoted" ünïcode' }] }],
        checkpoint: { nextPage: 4, counters },
      });
      expect((await jobs.plannedChanges(job.id, 2, 5)).items).toEqual([{ jobId: job.id, seq: 3, action: 'UPDATE', sku: 'E', productId: '9', changes: [{ field: 'name', before: 'x', after: 'y "quoted" ünïcode' }] }]);
    });

    it('a page that cannot be committed leaves nothing behind (one transaction)', async () => {
      const missing = '11111111-1111-1111-1111-111111111111';
      await expect(
        jobs.commitPage(missing, {
          failures: [{ sku: 'X', partNumber: 'X', code: 'VALIDATION', message: 'bad' }],
          succeeded: [],
          planned: [{ jobId: missing, action: 'CREATE', sku: 'X', productId: null, changes: [] }],
          checkpoint: { nextPage: 2, counters: COUNTERS },
        }),
      ).rejects.toThrow(/no job/);
      expect((await jobs.failures(missing, 0, 10)).total).toBe(0);
      expect((await jobs.plannedChanges(missing, 0, 10)).total).toBe(0);
    });

    it('failures: added, bumped, cleared, listed by SKU in byte order', async () => {
      const { job } = await jobs.createOrGetActive(newJob('CATALOG', { partNumbers: ['z'] }));
      for (const sku of ['b-2', 'B-1', 'a', 'b-2']) await jobs.addFailure({ jobId: job.id, sku, partNumber: null, code: 'X', message: sku });
      await jobs.addFailure({ jobId: job.id, sku: 'a', partNumber: 'a', code: 'Y', message: 'again', attempts: 3 });
      const { items, total } = await jobs.failures(job.id, 0, 10);
      expect(total).toBe(3);
      expect(items.map((f) => [f.sku, f.attempts, f.code])).toEqual([
        ['B-1', 1, 'X'],
        ['a', 4, 'Y'],
        ['b-2', 2, 'X'],
      ]);
      await jobs.commitPage(job.id, { failures: [], succeeded: ['a'], planned: [], checkpoint: { nextPage: 2, counters: COUNTERS } });
      expect((await jobs.failures(job.id, 1, 10)).items.map((f) => f.sku)).toEqual(['b-2']);
    });

    it('schedules are added, listed in order, marked and removed', async () => {
      const first = await jobs.addSchedule({ kind: 'INVENTORY', scope: {}, intervalSeconds: 60, cron: null, createdBy: 't', nextRunAt: new Date().toISOString() });
      await new Promise((r) => setTimeout(r, 5)); // listed by creation time: make the two times differ
      const second = await jobs.addSchedule({ kind: 'PRICE', scope: { manufacturer: 'Bendix' }, intervalSeconds: null, cron: '0 3 * * *', createdBy: 't', nextRunAt: '2030-01-01T03:00:00.000Z' });
      await jobs.markScheduleRun(first.id, '2030-01-01T00:00:00.000Z', '2030-01-01T00:01:00.000Z');
      const listed = await jobs.schedules();
      expect(listed.map((s) => s.id)).toEqual([first.id, second.id]);
      expect(listed[0]).toMatchObject({ lastRunAt: '2030-01-01T00:00:00.000Z', nextRunAt: '2030-01-01T00:01:00.000Z', intervalSeconds: 60, cron: null });
      expect(listed[1]).toEqual({ ...second, lastRunAt: null });
      expect(await jobs.removeSchedule(first.id)).toBe(true);
      expect(await jobs.removeSchedule(first.id)).toBe(false);
    });

    it('audit log: append, newest first, filters, pages and purge', async () => {
      const base = { role: 'admin', operationName: null, arguments: null, variables: '{}', outcome: 'OK' as const, errorCode: null, durationMs: 1.25 };
      const a = await audit.append({ ...base, at: '2020-01-01T00:00:00.000Z', client: 'x', field: 'startSync' });
      await audit.append({ ...base, at: '2030-01-01T00:00:00.000Z', client: 'y', field: 'cancelSync' });
      const c = await audit.append({ ...base, at: '2030-01-02T00:00:00.000Z', client: 'x', field: 'cancelSync', operationName: 'Stop', outcome: 'ERROR', errorCode: 'BAD_USER_INPUT' });
      const all = await audit.list({}, { limit: 2 });
      expect(all.total).toBe(3);
      expect(all.items.map((e) => e.id)).toEqual([c.id, String(Number(c.id) - 1)]);
      expect(all.items[0]).toEqual(c);
      const next = await audit.list({}, { beforeId: Number(all.items[1]!.id), limit: 2 });
      expect(next.items.map((e) => e.id)).toEqual([a.id]);
      const xs = await audit.list({ client: 'x', operation: 'cancelSync' }, { limit: 10 });
      expect(xs).toMatchObject({ total: 1, items: [{ id: c.id, client: 'x', field: 'cancelSync' }] });
      expect((await audit.list({ operation: 'Stop' }, { limit: 10 })).items.map((e) => e.id)).toEqual([c.id]);
      expect(await audit.purgeOlderThan('2025-01-01T00:00:00.000Z')).toBe(1);
      expect((await audit.list({}, { limit: 10 })).total).toBe(2);
    });

    it('token vault: sealed put and replace, get, another key or a damaged row cannot read it, delete; the plaintext is never stored', async () => {
      const key = randomBytes(32);
      const vault = createSqlTokenVault(records, createTokenCipher(key));
      const token = `tok-${randomBytes(12).toString('hex')}`;
      expect(await vault.get('abc')).toEqual({ kind: 'absent' });
      await vault.put({ storeHash: 'abc', accessToken: 'tok-first-0123456789', scope: 'store_v2_products', installedAt: '2030-01-01T00:00:00.000Z', userId: null });
      await vault.put({ storeHash: 'abc', accessToken: token, scope: 'store_v2_products store_v2_orders', installedAt: '2030-01-02T00:00:00.000Z', userId: 42 });
      expect(await vault.get('abc')).toEqual({ kind: 'installed', record: { storeHash: 'abc', accessToken: token, scope: 'store_v2_products store_v2_orders', installedAt: '2030-01-02T00:00:00.000Z', userId: 42 } });
      expect(await createSqlTokenVault(records, createTokenCipher(randomBytes(32))).get('abc')).toEqual({ kind: 'unreadable', keyMismatch: true });

      // What is stored: the sealed bytes, never the token.
      const row = await records.db.selectFrom('store_tokens').selectAll().where('store_hash', '=', 'abc').executeTakeFirstOrThrow();
      expect(Buffer.isBuffer(row.ciphertext) && row.iv.length === 12 && row.tag.length === 16).toBe(true);
      expect(JSON.stringify(row)).not.toContain(token);
      const path = engines.pathOf(records);
      if (path) {
        const files = readdirSync(dirname(path)).filter((f) => f.startsWith(basename(path)));
        expect(files.length).toBeGreaterThan(0);
        for (const f of files) expect(readFileSync(join(dirname(path), f)).includes(Buffer.from(token))).toBe(false);
      }

      // A damaged row under the right key: unreadable, not a key mismatch.
      await records.db.updateTable('store_tokens').set({ tag: Buffer.alloc(16) }).where('store_hash', '=', 'abc').execute();
      expect(await vault.get('abc')).toEqual({ kind: 'unreadable', keyMismatch: false });
      expect(await vault.delete('abc')).toBe(true);
      expect(await vault.delete('abc')).toBe(false);
      expect(await vault.get('abc')).toEqual({ kind: 'absent' });
    });
  });
}

describe('a SQLite file locked by another connection past the busy timeout', () => {
  it('answers StoreUnavailableError (nothing recorded), then works once the lock is gone', async () => {
    const records = await engines.fresh('sqlite');
    const path = engines.pathOf(records) as string;
    const short = await createRecordDatabase({ engine: 'sqlite', path, busyTimeoutMs: 150 });
    const jobs = createSqlJobStore(short);
    const other = new Database(path);
    try {
      other.exec('BEGIN EXCLUSIVE');
      const err = await jobs.createOrGetActive(newJob('CATALOG', {})).catch((e: unknown) => e);
      expect(isStoreUnavailable(err)).toBe(true);
      other.exec('COMMIT');
      expect((await jobs.list({}, 0, 10)).total).toBe(0);
      expect((await jobs.createOrGetActive(newJob('CATALOG', {}))).created).toBe(true);
    } finally {
      other.close();
      await short.close();
    }
  });
});

describe.skipIf(!postgresServerAvailable())('PostgreSQL slow, stopped and back', () => {
  it('a statement past the deadline (a lock held elsewhere) is StoreUnavailableError and changes nothing', async () => {
    const server = await engines.postgres();
    const url = await server.createDatabase('deadline');
    const records = await createRecordDatabase({ engine: 'postgres', url, queryTimeoutMs: 300 });
    await migrateRecords(records);
    const jobs = createSqlJobStore(records);
    const { job } = await jobs.createOrGetActive(newJob('CATALOG', {}));
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT * FROM jobs WHERE id = $1 FOR UPDATE', [job.id]);
      const err = await jobs.update(job.id, { status: 'RUNNING' }).catch((e: unknown) => e);
      expect(isStoreUnavailable(err)).toBe(true);
      const slow = await sql`select pg_sleep(2)`.execute(records.db).catch((e: unknown) => e);
      expect(isStoreUnavailable(slow)).toBe(true);
      await holder.query('COMMIT');
      expect((await jobs.get(job.id))?.status).toBe('QUEUED');
      expect((await jobs.update(job.id, { status: 'RUNNING' })).status).toBe('RUNNING');
    } finally {
      await holder.end();
      await records.close();
    }
  });

  it('a connection held between two statements of a transaction when the server dies: the next statement is StoreUnavailableError, and nothing is thrown elsewhere', async () => {
    const server = await startPostgresServer();
    const records = await createRecordDatabase({ engine: 'postgres', url: await server.createDatabase('held'), connectTimeoutMs: 500, queryTimeoutMs: 1_000 });
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => void uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      await migrateRecords(records);
      const outcome = await records.db
        .transaction()
        .execute(async (trx) => {
          await trx.selectFrom('jobs').select('id').execute();
          // The connection is checked out and idle when the server goes away.
          await server.stop('SIGKILL');
          await new Promise((r) => setTimeout(r, 300));
          await trx.selectFrom('jobs').select('id').execute();
          return 'committed';
        })
        .catch((e: unknown) => (isStoreUnavailable(e) ? 'unavailable' : e));
      expect(outcome).toBe('unavailable');
      await new Promise((r) => setTimeout(r, 100));
      expect(uncaught).toEqual([]);
      await server.start();
      await pollUntil(() => records.ping(1_000), (p) => p.ok, { timeoutMs: 10_000, intervalMs: 100, what: 'the pool to reconnect' });
    } finally {
      process.off('uncaughtException', onUncaught);
      await records.close();
      await server.destroy();
    }
  }, 30_000);

  it('stopped: every store answers StoreUnavailableError and the ping says so; restarted: they work again with the same handle and the records kept', async () => {
    const server = await startPostgresServer();
    const records = await createRecordDatabase({ engine: 'postgres', url: await server.createDatabase('outage'), connectTimeoutMs: 500, queryTimeoutMs: 1_000 });
    try {
      await migrateRecords(records);
      const jobs = createSqlJobStore(records);
      const audit = createSqlAuditStore(records);
      const vault = createSqlTokenVault(records, createTokenCipher(randomBytes(32)));
      const { job: first } = await jobs.createOrGetActive(newJob('CATALOG', {}));
      expect((await records.ping(1_000)).ok).toBe(true);

      await server.stop('SIGINT');
      expect(await records.ping(1_000)).toEqual({ ok: false, latencyMs: null });
      const attempts = await Promise.all([
        jobs.createOrGetActive(newJob('PRICE', {})),
        jobs.commitPage(first.id, { failures: [{ sku: 'A', partNumber: 'A', code: 'X', message: 'm' }], succeeded: [], planned: [], checkpoint: { nextPage: 2, counters: COUNTERS } }),
        audit.append({ at: new Date().toISOString(), client: 'c', role: 'admin', operationName: null, field: 'startSync', arguments: null, variables: '{}', outcome: 'OK', errorCode: null, durationMs: 1 }),
        vault.get('abc'),
      ].map((p) => p.then(() => 'resolved', (e: unknown) => (isStoreUnavailable(e) ? 'unavailable' : e))));
      expect(attempts).toEqual(['unavailable', 'unavailable', 'unavailable', 'unavailable']);

      await server.start();
      await pollUntil(() => records.ping(1_000), (p) => p.ok, { timeoutMs: 10_000, intervalMs: 100, what: 'the pool to reconnect' });
      // Nothing of what failed was half-written; the record from before is there.
      expect((await jobs.failures(first.id, 0, 10)).total).toBe(0);
      expect((await jobs.list({}, 0, 10)).items.map((j) => j.id)).toEqual([first.id]);
      expect((await jobs.createOrGetActive(newJob('CATALOG', {}))).job.id).toBe(first.id);
      expect((await jobs.createOrGetActive(newJob('PRICE', {}))).created).toBe(true);

      // A crash (kill -9 of the server and its backends) is the same to the stores.
      await server.stop('SIGKILL');
      expect(isStoreUnavailable(await jobs.get(first.id).catch((e: unknown) => e))).toBe(true);
      await server.start();
      await pollUntil(() => records.ping(1_000), (p) => p.ok, { timeoutMs: 10_000, intervalMs: 100, what: 'the pool to reconnect after a crash' });
      expect((await jobs.list({}, 0, 10)).total).toBe(2);
    } finally {
      await records.close();
      await server.destroy();
    }
  }, 60_000);
});
