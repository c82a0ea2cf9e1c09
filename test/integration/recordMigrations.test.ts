/**
 * Record migrations, on both engines:
 *
 * - from an empty database to the latest version (and a second run applies
 *   nothing);
 * - on SQLite, from a file written by the last release, before migrations
 *   (test/fixtures/records-7159a4a.sql, made by makeRecordsFixture.mjs with
 *   the stores of 7159a4a, whose tables are the release b9b4bed's): the
 *   migrations adopt it, the schema equals a fresh file's, and every row
 *   reads through the new stores — nothing lost, and the stores carry on
 *   from it (sequences, the one-active-job index, keys and orders);
 * - from the version before the latest with data in it: the fixture's rows
 *   are put into a database at migration 1 and carried through every real
 *   migration up to the one before the latest, then the latest runs on
 *   them (today: 0002 on the release's order rows, on both engines). This
 *   is the only previous version PostgreSQL has (no release before the
 *   record layer wrote it);
 * - a file an unreleased build of main extended by hand (its order store
 *   added columns on open) ends in the same shape as a fresh one;
 * - `crossdock migrate` on either engine prints what it applied.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqlTokenVault } from '../../src/auth/sqlTokenVault.js';
import { createTokenCipher } from '../../src/auth/tokenVault.js';
import { createSqlJobStore } from '../../src/jobs/store/sqlJobStore.js';
import { scopeKeyOf } from '../../src/jobs/types.js';
import { createSqlAuditStore } from '../../src/observability/sqlAuditStore.js';
import { createSqlOrderStore } from '../../src/orders/sqlOrderStore.js';
import type { RecordEngine } from '../../src/records/engine.js';
import { currentMigration, LATEST_MIGRATION, migrateRecords } from '../../src/records/migrate.js';
import { RECORD_MIGRATIONS } from '../../src/records/migrations/index.js';
import { createRecordDatabase, type RecordDatabase } from '../../src/records/recordDatabase.js';
import type { RecordTables } from '../../src/records/tables.js';
import { PROJECT_ROOT } from '../support/processes.js';
import { engineAvailable, RECORD_ENGINES, recordEngines } from '../support/recordEngines.js';

const FIXTURE = readFileSync(new URL('../fixtures/records-7159a4a.sql', import.meta.url), 'utf8');
/** makeRecordsFixture.mjs sealed the fixture's tokens under this (fixture, not secret) key. */
const FIXTURE_TOKEN_KEY = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const TABLES = ['jobs', 'failures', 'planned_changes', 'schedules', 'idempotency_keys', 'supplier_orders', 'order_events', 'audit_log', 'store_tokens'] as const;
const NAMES = RECORD_MIGRATIONS.map(([name]) => name);

const engines = recordEngines();
const dir = mkdtempSync(join(tmpdir(), 'crossdock-migrations-'));
afterAll(async () => {
  await engines.close();
  rmSync(dir, { recursive: true, force: true });
});

let files = 0;
/** A SQLite file holding the fixture: what the release before migrations left in the data dir. */
function fixtureFile(): string {
  const path = join(dir, `fixture-${files++}.db`);
  const db = new Database(path);
  db.exec(FIXTURE);
  db.close();
  return path;
}

async function rowCounts(db: Kysely<RecordTables>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) out[t] = Number((await db.selectFrom(t).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return out;
}

/** The fixture's rows, as written by makeRecordsFixture.mjs. */
const FIXTURE_COUNTS = { jobs: 6, failures: 2, planned_changes: 3, schedules: 2, idempotency_keys: 3, supplier_orders: 2, order_events: 5, audit_log: 3, store_tokens: 2 };

/** Every record the fixture holds, read through the new stores; then the stores carry on from them. */
async function expectFixtureReadable(records: RecordDatabase): Promise<void> {
  expect(await rowCounts(records.db)).toEqual(FIXTURE_COUNTS);
  const jobs = createSqlJobStore(records);
  const { items, total } = await jobs.list({}, 0, 50);
  expect(total).toBe(6);
  expect(items.map((j) => j.kind)).toEqual(['ORDER_ROUTING', 'CATALOG', 'CATALOG', 'INVENTORY', 'PRICE', 'CATALOG']);
  const [failed, cancelled, retry, running, dry, catalog] = items.map((j) => j);
  if (!failed || !cancelled || !retry || !running || !dry || !catalog) throw new Error('six jobs expected');
  expect(catalog).toMatchObject({ status: 'SUCCEEDED', phase: 'DONE', scope: { manufacturer: 'Bendix' }, dryRun: false, checkpoint: { nextPage: 3 }, counters: { total: 100, processed: 100, failed: 1 }, finishedAt: '2026-01-02T03:09:00.000Z' });
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
  expect(schedules.map((s) => [s.kind, s.intervalSeconds, s.cron, s.lastRunAt])).toEqual([
    ['CATALOG', 3600, null, '2026-01-05T00:00:00.000Z'],
    ['PRICE', null, '0 3 * * *', null],
  ]);
  expect(retry.scheduleId).toBe(schedules[0]?.id);

  const audit = await createSqlAuditStore(records).list({}, { limit: 10 });
  expect(audit.items.map((e) => [e.id, e.field, e.outcome, e.errorCode, e.durationMs])).toEqual([
    ['3', 'placeSupplierOrder', 'REFUSED', 'FORBIDDEN', 0],
    ['2', 'cancelSync', 'ERROR', 'BAD_USER_INPUT', 1.5],
    ['1', 'startSync', 'OK', null, 1.5],
  ]);
  const vault = createSqlTokenVault(records, createTokenCipher(FIXTURE_TOKEN_KEY));
  expect(await vault.get('sandbox')).toEqual({ kind: 'installed', record: { storeHash: 'sandbox', accessToken: 'fixture-token-0123456789', scope: 'store_v2_products store_v2_orders', installedAt: '2026-01-01T00:00:00.000Z', userId: 42 } });
  expect(await vault.get('abc123')).toMatchObject({ kind: 'installed', record: { accessToken: 'fixture-token-abcdefghij', userId: null } });

  // Supplier orders, their history and idempotency keys read through the order store, which carries on from them.
  const orders = createSqlOrderStore(records);
  const placed = await orders.byKey('storefront', 'key-1');
  expect(placed).toMatchObject({
    poNumber: 'CD-PO-1',
    status: 'PROCESSING',
    storeOrderId: '100',
    supplierOrderId: '9001',
    trackingNumber: '1Z999',
    attempts: 1,
    lines: [{ sku: 'BX-17', quantity: 2, unitPrice: '12.30' }],
    address: { street1: '1 Dock Rd', country: 'US' },
    // Columns the release did not have read as null.
    requestHash: null,
    sendingSince: null,
    reportedStatus: null,
  });
  expect((await orders.events(placed!.id)).map((e) => [e.from, e.to, e.reason])).toEqual([
    [null, 'PENDING', 'intent stored'],
    ['PENDING', 'SUBMITTED', 'placed'],
    ['SUBMITTED', 'PROCESSING', 'supplier status'],
  ]);
  const waiting = await orders.byKey('router', 'store-order:101');
  expect(waiting).toMatchObject({ poNumber: 'CD-PO-2', status: 'RETRY_WAIT', attempts: 1, nextAttemptAt: '2026-01-08T00:00:05.000Z', lastError: 'HTTP 503', shippingMethod: 'express' });
  expect((await orders.due('2026-06-01T00:00:00.000Z', ['PENDING', 'RETRY_WAIT', 'UNKNOWN'])).map((o) => o.poNumber)).toEqual(['CD-PO-2']);
  expect((await orders.list({ storeOrderId: '101' }, 0, 10)).items.map((o) => o.id)).toEqual([waiting!.id]);
  // Within the keys' TTL (they were written on 2026-12-01): the answered key replays, a claim the
  // release left in flight has no lease and counts as run out, so the next request takes it over.
  const clock = { leaseMs: 60_000, now: Date.parse('2026-12-01T12:00:00.000Z') };
  expect(await orders.claimKey('storefront', 'key-1', 'hash-1', 86_400_000, clock)).toEqual({ kind: 'replay', response: { kind: 'placed', orderId: placed!.id } });
  expect(await orders.claimKey('storefront', 'key-1', 'other', 86_400_000, clock)).toEqual({ kind: 'mismatch' });
  expect(await orders.claimKey('storefront', 'key-in-flight', 'hash-3', 86_400_000, clock)).toMatchObject({ kind: 'claimed', takenOver: true });
  const third = await orders.create({ ...waiting!, idempotencyKey: 'after-upgrade', poNumber: 'CD-PO-3', status: 'PENDING', storeOrderId: null }, 'intent stored');
  expect(third.created).toBe(true);
  expect((await orders.list({}, 0, 10)).items.map((o) => o.poNumber)).toEqual(['CD-PO-3', 'CD-PO-2', 'CD-PO-1']);

  // The stores carry on from these rows: the next job is listed first, the active scope is still taken,
  // the next audit id follows the last, and a restart finds the job a killed process left RUNNING.
  const next = await jobs.createOrGetActive({ kind: 'CATALOG', scope: { skus: ['BX-1'] }, scopeKey: scopeKeyOf('CATALOG', { skus: ['BX-1'] }, false), dryRun: false, startedBy: 't' });
  expect(next).toMatchObject({ created: false, job: { id: retry.id } });
  const fresh = await jobs.createOrGetActive({ kind: 'PRICE', scope: {}, scopeKey: scopeKeyOf('PRICE', {}, false), dryRun: false, startedBy: 't' });
  expect((await jobs.list({}, 0, 1)).items[0]?.id).toBe(fresh.job.id);
  expect((await createSqlAuditStore(records).append({ at: '2026-02-01T00:00:00.000Z', client: 'c', role: 'admin', operationName: null, field: 'startSync', arguments: null, variables: '{}', outcome: 'OK', errorCode: null, durationMs: 1 })).id).toBe('4');
  expect(await jobs.interruptRunning()).toEqual([running.id]);
}

/** Columns, keys and indexes of a SQLite file, in a form two files can be compared by. */
function sqliteShape(path: string) {
  const db = new Database(path, { readonly: true });
  try {
    const shape: Record<string, unknown> = {};
    for (const t of TABLES) {
      const columns = (db.pragma(`table_info(${t})`) as Array<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>).map((c) => ({ ...c, type: c.type.toUpperCase() }));
      const indexes = (db.pragma(`index_list(${t})`) as Array<{ name: string; unique: number; origin: string; partial: number }>).map((i) => {
        const cols = (db.pragma(`index_info("${i.name}")`) as Array<{ name: string }>).map((c) => c.name);
        const text = (db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').get(i.name) as { sql: string | null } | undefined)?.sql ?? '';
        const where = i.partial ? text.replace(/^[\s\S]*?\bwhere\b/i, '').replace(/["\s]+/g, ' ').trim().toLowerCase() : null;
        return { name: i.origin === 'c' ? i.name : `(${i.origin})`, unique: i.unique, origin: i.origin, cols, where };
      });
      shape[t] = { columns, indexes: indexes.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) };
    }
    return shape;
  } finally {
    db.close();
  }
}

/** Copies every record row from one database to another (same version); on PostgreSQL, identities continue after the copied ids. */
async function copyRows(from: Kysely<RecordTables>, to: RecordDatabase): Promise<void> {
  for (const t of TABLES) {
    const rows = await from.selectFrom(t).selectAll().execute();
    if (rows.length) await to.db.insertInto(t).values(rows as never).execute();
  }
  if (to.engine === 'postgres') {
    for (const [t, c] of [['jobs', 'seq'], ['audit_log', 'id']] as const) {
      await sql`select setval(pg_get_serial_sequence(${t}, ${c}), (select max(${sql.ref(c)}) from ${sql.table(t)}))`.execute(to.db);
    }
  }
}

for (const engine of RECORD_ENGINES) {
  describe.skipIf(!engineAvailable(engine))(`record migrations on ${engine}`, () => {
    it('an empty database migrates to the latest version; a second run applies nothing', async () => {
      const records = await engines.fresh(engine, { migrate: false });
      expect(await currentMigration(records)).toBeNull();
      const first = await migrateRecords(records);
      expect(first).toEqual({ applied: NAMES, current: LATEST_MIGRATION, known: NAMES });
      expect(await migrateRecords(records)).toEqual({ applied: [], current: LATEST_MIGRATION, known: NAMES });
      expect(await rowCounts(records.db)).toEqual(Object.fromEntries(TABLES.map((t) => [t, 0])));
      // Forward only.
      await expect(migrateRecords(records, { to: 'no_such_migration' })).rejects.toThrow(/no record migration named/);
    });

    it('from the version before the latest, with data in it, to the latest: every record still reads', async () => {
      const source = await createRecordDatabase({ engine: 'sqlite', path: fixtureFile() });
      await migrateRecords(source, { to: NAMES[0] });
      const records = await engines.fresh(engine, { migrate: false });
      await migrateRecords(records, { to: NAMES[0] });
      await copyRows(source.db, records);
      await source.close();
      const previous = NAMES.at(-2) ?? NAMES[0]!;
      await migrateRecords(records, { to: previous });
      expect(await currentMigration(records)).toBe(previous);
      expect(await rowCounts(records.db)).toEqual(FIXTURE_COUNTS);

      const latest = await migrateRecords(records);
      expect(latest.applied).toEqual(NAMES.slice(NAMES.indexOf(previous) + 1));
      expect(latest.current).toBe(LATEST_MIGRATION);
      await expectFixtureReadable(records);
    });
  });
}

describe('a SQLite file written by the last release (b9b4bed; its record schema is that of 7159a4a, where the fixture was made)', () => {
  it('is adopted by migration 1: the same schema as a fresh file, every row read through the new stores, the stores carry on', async () => {
    const path = fixtureFile();
    const before = sqliteShape(path);
    const records = await createRecordDatabase({ engine: 'sqlite', path });
    try {
      expect(await migrateRecords(records)).toMatchObject({ applied: NAMES, current: LATEST_MIGRATION });
      // Migration 1 changed no table of the old file…
      if (NAMES.length === 1) expect(sqliteShape(path)).toEqual(before);
      // …and a fresh file gets the same tables, keys and indexes.
      const fresh = await engines.fresh('sqlite');
      expect(sqliteShape(engines.pathOf(fresh) as string)).toEqual(sqliteShape(path));
      await expectFixtureReadable(records);
    } finally {
      await records.close();
    }
  });
});

/**
 * What the order store of main between the last release and the record layer (issue 10, merged at
 * 737e39a: src/orders/orderStore.ts) added to a data dir's file on open, outside any migration: the
 * claim lease and the compare-and-set columns, and the write-back list's index.
 */
const MAIN_ORDER_STORE_ADDITIONS = `
ALTER TABLE idempotency_keys ADD COLUMN token TEXT;
ALTER TABLE idempotency_keys ADD COLUMN lease_until TEXT;
ALTER TABLE supplier_orders ADD COLUMN request_hash TEXT;
ALTER TABLE supplier_orders ADD COLUMN sending_since TEXT;
ALTER TABLE supplier_orders ADD COLUMN reported_status TEXT;
CREATE INDEX IF NOT EXISTS supplier_orders_unreported ON supplier_orders(status) WHERE store_order_id IS NOT NULL AND (reported_status IS NULL OR reported_status <> status);
`;

describe('a SQLite file whose order tables an unreleased build of main already extended', () => {
  it('migrates to the same shape as a fresh file, its orders read on', async () => {
    const path = fixtureFile();
    const db = new Database(path);
    db.exec(MAIN_ORDER_STORE_ADDITIONS);
    db.prepare(`UPDATE supplier_orders SET request_hash = 'hash-1', reported_status = 'SUBMITTED' WHERE po_number = 'CD-PO-1'`).run();
    db.close();
    const records = await createRecordDatabase({ engine: 'sqlite', path });
    try {
      expect(await migrateRecords(records)).toMatchObject({ applied: NAMES, current: LATEST_MIGRATION });
      const fresh = await engines.fresh('sqlite');
      expect(sqliteShape(path)).toEqual(sqliteShape(engines.pathOf(fresh) as string));
      expect(await createSqlOrderStore(records).byKey('storefront', 'key-1')).toMatchObject({ poNumber: 'CD-PO-1', requestHash: 'hash-1', reportedStatus: 'SUBMITTED' });
    } finally {
      await records.close();
    }
  });
});

describe('a statement the SQLite handle keeps prepared', () => {
  it('reads the table as a migration left it: the same text run before and after 0002 sees its new columns', async () => {
    const records = await engines.fresh('sqlite', { migrate: false });
    await migrateRecords(records, { to: NAMES[0] });
    const path = engines.pathOf(records) as string;
    const db = new Database(path);
    db.exec(FIXTURE.replace(/^CREATE (TABLE|INDEX|UNIQUE INDEX) .*?;$/gms, '').replace(/^(PRAGMA|BEGIN|COMMIT).*$/gm, ''));
    db.close();
    const read = () => records.db.selectFrom('supplier_orders').selectAll().where('po_number', '=', 'CD-PO-1').executeTakeFirstOrThrow();
    expect(Object.keys(await read())).not.toContain('reported_status');
    await migrateRecords(records);
    expect(await read()).toMatchObject({ po_number: 'CD-PO-1', request_hash: null, sending_since: null, reported_status: null });
    expect(await createSqlOrderStore(records).byKey('storefront', 'key-1')).toMatchObject({ poNumber: 'CD-PO-1', reportedStatus: null });
  });
});

describe.skipIf(!engineAvailable('postgres'))('the PostgreSQL schema', () => {
  it('has the one-active-job rule as a partial unique index, and text in byte order', async () => {
    const records = await engines.fresh('postgres');
    const { rows } = await sql<{ indexdef: string }>`select indexdef from pg_indexes where indexname = 'jobs_one_active_per_scope'`.execute(records.db);
    expect(rows[0]?.indexdef).toMatch(/CREATE UNIQUE INDEX jobs_one_active_per_scope ON public\.jobs USING btree \(scope_key\) WHERE \(status = ANY \(ARRAY\['QUEUED'::text, 'RUNNING'::text, 'INTERRUPTED'::text\]\)\)/);
    const collations = await sql<{ n: number }>`select count(*)::int as n from information_schema.columns where table_schema = 'public' and data_type = 'text' and table_name <> 'kysely_migration' and collation_name is distinct from 'C'`.execute(records.db);
    expect(collations.rows[0]?.n).toBe(0);
  });
});

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const childEnv: Record<string, string | undefined> = { ...process.env, CROSSDOCK_CLI_SOURCE: '1', DATABASE_URL: undefined, CROSSDOCK_DATA_DIR: undefined, ...env };
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

describe('crossdock migrate', () => {
  it("migrates the data dir's SQLite file (the fixture: adopted) and prints what it applied; again, nothing", async () => {
    const data = mkdtempSync(join(dir, 'data-'));
    const db = new Database(join(data, 'crossdock.db'));
    db.exec(FIXTURE);
    db.close();
    const first = await runCli(['migrate'], { CROSSDOCK_DATA_DIR: data });
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toContain(`SQLite ${join(data, 'crossdock.db')}`);
    for (const name of NAMES) expect(first.stdout).toContain(`applied ${name}`);
    const again = await runCli(['migrate'], { CROSSDOCK_DATA_DIR: data });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Nothing to apply: records at ${LATEST_MIGRATION}`);
  });

  it.skipIf(!engineAvailable('postgres'))('migrates DATABASE_URL, never printing its credentials; an unreachable one is exit 3', async () => {
    const server = await engines.postgres();
    const url = (await server.createDatabase('cli')).replace('postgres@', 'postgres:cli-password-123@');
    const run = await runCli(['migrate'], { DATABASE_URL: url });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`PostgreSQL 127.0.0.1:${server.port}/cli`);
    expect(run.stdout).toContain(`applied ${LATEST_MIGRATION}`);
    const unreachable = await runCli(['migrate'], { DATABASE_URL: 'postgres://u:cli-password-123@127.0.0.1:1/x', DATABASE_CONNECT_TIMEOUT_MS: '500' });
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toMatch(/cannot reach PostgreSQL 127\.0\.0\.1:1\/x: .*ECONNREFUSED/);
    expect(run.stdout + run.stderr + unreachable.stdout + unreachable.stderr).not.toContain('cli-password-123');
  });
});
