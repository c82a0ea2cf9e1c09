/**
 * Upgrading a scale-out deployment of the last release, whose records are
 * in Redis: `crossdock migrate --from-redis REDIS_URL` copies them into the
 * SQL record database (PostgreSQL at DATABASE_URL, or the data dir's SQLite
 * file). The Redis is the one the release's own stores wrote
 * (test/fixtures/records-redis-b9b4bed.json, made by
 * makeRedisRecordsFixture.mjs at commit b9b4bed), loaded key by key into a
 * fresh redis-server. Every record reads through the new stores afterwards,
 * and a second run copies nothing and changes nothing.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlTokenVault } from '../../src/auth/sqlTokenVault.js';
import { createTokenCipher } from '../../src/auth/tokenVault.js';
import { createSqlJobStore } from '../../src/jobs/store/sqlJobStore.js';
import { scopeKeyOf } from '../../src/jobs/types.js';
import { createSqlAuditStore } from '../../src/observability/sqlAuditStore.js';
import { createSqlOrderStore } from '../../src/orders/sqlOrderStore.js';
import type { RecordEngine } from '../../src/records/engine.js';
import { createRecordDatabase, type RecordDatabase } from '../../src/records/recordDatabase.js';
import { PROJECT_ROOT } from '../support/processes.js';
import { engineAvailable, RECORD_ENGINES, recordEngines } from '../support/recordEngines.js';
import { redisServerAvailable, startRedisServer, type RedisServer } from '../support/redisServer.js';

interface DumpedKey {
  key: string;
  type: 'string' | 'hash' | 'list' | 'set' | 'zset';
  ttlMs: number;
  value: unknown;
}
const FIXTURE = JSON.parse(readFileSync(new URL('../fixtures/records-redis-b9b4bed.json', import.meta.url), 'utf8')) as { prefix: string; keys: DumpedKey[] };
/** makeRedisRecordsFixture.mjs sealed the fixture's tokens under this (fixture, not secret) key. */
const FIXTURE_TOKEN_KEY = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const TABLES = ['jobs', 'failures', 'planned_changes', 'schedules', 'idempotency_keys', 'supplier_orders', 'order_events', 'audit_log', 'store_tokens'] as const;
const COUNTS = { jobs: 6, failures: 2, planned_changes: 3, schedules: 2, idempotency_keys: 3, supplier_orders: 2, order_events: 5, audit_log: 3, store_tokens: 2 };

const hasRedis = redisServerAvailable();
const engines = recordEngines();
const dir = mkdtempSync(join(tmpdir(), 'crossdock-from-redis-'));
let redis: RedisServer | undefined;

/** The release's Redis, as its stores left it: every key with its type, value and TTL. */
async function loadFixture(url: string): Promise<void> {
  const c = createClient({ url });
  await c.connect();
  try {
    for (const k of FIXTURE.keys) {
      if (k.type === 'string') await c.set(k.key, k.value as string);
      else if (k.type === 'hash') await c.hSet(k.key, k.value as Record<string, string>);
      else if (k.type === 'list') await c.rPush(k.key, k.value as string[]);
      else if (k.type === 'set') await c.sAdd(k.key, k.value as string[]);
      else await c.zAdd(k.key, k.value as Array<{ value: string; score: number }>);
      if (k.ttlMs > 0) await c.pExpire(k.key, k.ttlMs);
    }
  } finally {
    await c.close();
  }
}

beforeAll(async () => {
  if (!hasRedis) return;
  redis = await startRedisServer();
  await loadFixture(redis.url);
});
afterAll(async () => {
  await redis?.destroy();
  await engines.close();
  rmSync(dir, { recursive: true, force: true });
});

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const childEnv: Record<string, string | undefined> = { ...process.env, CROSSDOCK_CLI_SOURCE: '1', DATABASE_URL: undefined, CROSSDOCK_DATA_DIR: undefined, REDIS_URL: undefined, REDIS_KEY_PREFIX: undefined, ...env };
  for (const k of Object.keys(childEnv)) if (childEnv[k] === undefined) delete childEnv[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin/crossdock.js'), ...args], { cwd: dir, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function rowCounts(records: RecordDatabase): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) out[t] = Number((await records.db.selectFrom(t).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return out;
}

/** Every record of the release's Redis, read through the new stores; then the stores carry on from them. */
async function expectCopied(records: RecordDatabase): Promise<void> {
  expect(await rowCounts(records)).toEqual(COUNTS);
  const jobs = createSqlJobStore(records);
  const { items } = await jobs.list({}, 0, 50);
  // Newest first, in the order the release created them.
  expect(items.map((j) => j.kind)).toEqual(['ORDER_ROUTING', 'CATALOG', 'CATALOG', 'INVENTORY', 'PRICE', 'CATALOG']);
  const [failed, cancelled, retry, running, dry, catalog] = items;
  if (!failed || !cancelled || !retry || !running || !dry || !catalog) throw new Error('six jobs expected');
  expect(catalog).toMatchObject({ status: 'SUCCEEDED', phase: 'DONE', scope: { manufacturer: 'Bendix' }, dryRun: false, checkpoint: { nextPage: 3 }, counters: { total: 100, failed: 1 }, finishedAt: '2026-01-02T03:09:00.000Z' });
  expect(dry).toMatchObject({ kind: 'PRICE', dryRun: true, scope: { query: 'brake pad' } });
  expect(running).toMatchObject({ status: 'RUNNING', phase: 'WRITING', checkpoint: { nextPage: 4, counters: { processed: 300 } }, runStartedAt: '2026-01-04T00:00:00.000Z', cancelRequested: false });
  expect(retry).toMatchObject({ status: 'QUEUED', retryOf: catalog.id, scope: { skus: ['BX-1'] } });
  expect(cancelled).toMatchObject({ status: 'CANCELLED', cancelRequested: true, scope: { partNumbers: ['A1', 'B2'] } });
  expect(failed).toMatchObject({ status: 'FAILED', error: 'the store is unreachable' });
  expect((await jobs.failures(catalog.id, 0, 10)).items).toEqual([{ jobId: catalog.id, sku: 'BX-1', partNumber: 'BX-1', code: 'VALIDATION', message: 'still no price', attempts: 2 }]);
  expect((await jobs.failures(failed.id, 0, 10)).items).toEqual([{ jobId: failed.id, sku: 'order:100', partNumber: null, code: 'OUT_OF_STOCK', message: 'line 1', attempts: 1 }]);
  const planned = await jobs.plannedChanges(dry.id, 0, 10);
  expect(planned.items.map((p) => [p.seq, p.action, p.sku, p.productId])).toEqual([
    [1, 'UPDATE', 'P-1', '101'],
    [2, 'CREATE', 'P-2', null],
    [3, 'UPDATE', 'P-3', '103'],
  ]);
  expect(planned.items[1]?.changes).toEqual([{ field: 'name', before: null, after: 'Brake pad "HD", 4×' }]);
  const schedules = await jobs.schedules();
  expect(schedules.map((s) => [s.kind, s.intervalSeconds, s.cron, s.lastRunAt, s.nextRunAt])).toEqual([
    ['CATALOG', 3600, null, '2026-01-05T00:00:00.000Z', '2026-01-05T01:00:00.000Z'],
    ['PRICE', null, '0 3 * * *', null, '2026-01-06T03:00:00.000Z'],
  ]);
  expect(retry.scheduleId).toBe(schedules[0]?.id);

  const audit = createSqlAuditStore(records);
  expect((await audit.list({}, { limit: 10 })).items.map((e) => [e.id, e.client, e.field, e.outcome, e.errorCode, e.durationMs])).toEqual([
    ['3', 'shop', 'placeSupplierOrder', 'REFUSED', 'FORBIDDEN', 0],
    ['2', 'ops', 'cancelSync', 'ERROR', 'BAD_USER_INPUT', 1.5],
    ['1', 'ops', 'startSync', 'OK', null, 1.5],
  ]);
  const vault = createSqlTokenVault(records, createTokenCipher(FIXTURE_TOKEN_KEY));
  expect(await vault.get('sandbox')).toEqual({ kind: 'installed', record: { storeHash: 'sandbox', accessToken: 'fixture-token-0123456789', scope: 'store_v2_products store_v2_orders', installedAt: '2026-01-01T00:00:00.000Z', userId: 42 } });
  expect(await vault.get('abc123')).toMatchObject({ kind: 'installed', record: { accessToken: 'fixture-token-abcdefghij', userId: null } });

  const orders = createSqlOrderStore(records);
  const placed = await orders.byKey('storefront', 'key-1');
  expect(placed).toMatchObject({ poNumber: 'CD-PO-1', status: 'PROCESSING', storeOrderId: '100', supplierOrderId: '9001', trackingNumber: '1Z999', attempts: 1, lines: [{ sku: 'BX-17', quantity: 2 }], requestHash: null, sendingSince: null });
  expect((await orders.events(placed!.id)).map((e) => [e.from, e.to, e.reason])).toEqual([
    [null, 'PENDING', 'intent stored'],
    ['PENDING', 'SUBMITTED', 'placed'],
    ['SUBMITTED', 'PROCESSING', 'supplier status'],
  ]);
  const waiting = await orders.byKey('router', 'store-order:101');
  expect(waiting).toMatchObject({ poNumber: 'CD-PO-2', status: 'RETRY_WAIT', nextAttemptAt: '2026-01-08T00:00:05.000Z', lastError: 'HTTP 503', shippingMethod: 'express' });
  expect((await orders.inStatus(['RETRY_WAIT'])).map((o) => o.id)).toEqual([waiting!.id]);
  // The keys keep what is left of their TTL: the answered one replays, a mismatch is refused,
  // and the claim left in flight (no lease in that release) is taken over.
  const clock = { leaseMs: 60_000, now: Date.now() };
  expect(await orders.claimKey('storefront', 'key-1', 'hash-1', 86_400_000, clock)).toEqual({ kind: 'replay', response: { kind: 'placed', orderId: placed!.id } });
  expect(await orders.claimKey('storefront', 'key-1', 'other', 86_400_000, clock)).toEqual({ kind: 'mismatch' });
  expect(await orders.claimKey('storefront', 'key-in-flight', 'hash-3', 86_400_000, clock)).toMatchObject({ kind: 'claimed', takenOver: true });
  expect(await orders.claimKey('storefront', 'key-1', 'hash-1', 86_400_000, { ...clock, now: clock.now + 25 * 3_600_000 })).toMatchObject({ kind: 'claimed', takenOver: false });

  // The stores carry on: sequences continue after the copied rows, the active scope is still taken.
  const again = await jobs.createOrGetActive({ kind: 'CATALOG', scope: { skus: ['BX-1'] }, scopeKey: scopeKeyOf('CATALOG', { skus: ['BX-1'] }, false), dryRun: false, startedBy: 't' });
  expect(again).toMatchObject({ created: false, job: { id: retry.id } });
  const fresh = await jobs.createOrGetActive({ kind: 'PRICE', scope: {}, scopeKey: scopeKeyOf('PRICE', {}, false), dryRun: false, startedBy: 't' });
  expect((await jobs.list({}, 0, 1)).items[0]?.id).toBe(fresh.job.id);
  const next = await orders.create({ ...waiting!, idempotencyKey: 'after-upgrade', poNumber: 'CD-PO-3', storeOrderId: null }, 'intent stored');
  expect((await orders.list({}, 0, 1)).items[0]?.id).toBe(next.order.id);
  expect((await audit.append({ at: '2026-02-01T00:00:00.000Z', client: 'c', role: 'admin', operationName: null, field: 'startSync', arguments: null, variables: '{}', outcome: 'OK', errorCode: null, durationMs: 1 })).id).toBe('4');
}

/** An empty record database of the engine: the environment that names it, and how to open it. */
async function targetFor(engine: RecordEngine): Promise<{ env: Record<string, string>; open(): Promise<RecordDatabase> }> {
  if (engine === 'postgres') {
    const url = await (await engines.postgres()).createDatabase('fromredis');
    return { env: { DATABASE_URL: url }, open: () => createRecordDatabase({ engine: 'postgres', url }) };
  }
  const data = mkdtempSync(join(dir, 'data-'));
  return { env: { CROSSDOCK_DATA_DIR: data }, open: () => createRecordDatabase({ engine: 'sqlite', path: join(data, 'crossdock.db') }) };
}

for (const engine of RECORD_ENGINES) {
  describe.skipIf(!hasRedis || !engineAvailable(engine))(`crossdock migrate --from-redis into ${engine}`, () => {
    it('copies every record of the release’s Redis; run again, it copies nothing and changes nothing', async () => {
      const target = await targetFor(engine);
      const url = redis!.url;
      const first = await runCli(['migrate', '--from-redis', url], target.env);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toContain('Copied from Redis 127.0.0.1');
      expect(first.stdout).toMatch(/jobs 6 \(6 new\).*failures 2 \(2 new\).*planned changes 3 \(3 new\).*schedules 2 \(2 new\)/s);
      expect(first.stdout).toMatch(/supplier orders 2 \(2 new\).*order history 5 \(5 new\).*idempotency keys 3 \(3 new\).*audit entries 3 \(3 new\).*store tokens 2 \(2 new\)/s);

      const second = await runCli(['migrate', '--from-redis', url], target.env);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/jobs 6 \(0 new\)/);
      expect(second.stdout).toMatch(/store tokens 2 \(0 new\)/);
      const records = await target.open();
      try {
        await expectCopied(records);
      } finally {
        await records.close();
      }
      // The Redis keys are left as they were: the release can still be rolled back to.
      const c = createClient({ url });
      await c.connect();
      expect(await c.dbSize()).toBe(FIXTURE.keys.length);
      await c.close();
    }, 90_000);
  });
}

describe.skipIf(!hasRedis)('crossdock migrate --from-redis: mistakes', () => {
  it('refuses a URL that is not redis://, and says when Redis cannot be reached (exit 3), printing no credentials', async () => {
    const data = mkdtempSync(join(dir, 'data-'));
    const bad = await runCli(['migrate', '--from-redis', 'http://u:secret-pw-123@127.0.0.1:1'], { CROSSDOCK_DATA_DIR: data });
    expect(bad.code).toBe(2);
    const down = await runCli(['migrate', '--from-redis', 'redis://u:secret-pw-123@127.0.0.1:1'], { CROSSDOCK_DATA_DIR: data });
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/cannot reach Redis 127\.0\.0\.1:1/);
    expect(bad.stdout + bad.stderr + down.stdout + down.stderr).not.toContain('secret-pw-123');
  }, 60_000);
});
