/**
 * Sync jobs end to end through the GraphQL API, against the embedded
 * sandbox (a 200-part catalog, fast quotas). Between tests the store's
 * writes are dropped (`/__sandbox/reset` with data), so each starts from the
 * seeded store: 60% of the catalog present, 10% of that drifted.
 *
 * Counts of upstream writes come from the sandbox (the vendor's side), and
 * expectations about the store are computed from the sandbox's own seeded
 * state, not from what the gateway reports.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { driftOf, type DriftKind } from '../../src/sandbox/bigcommerce/productRecord.js';
import { createCatalog, type CatalogPart } from '../../src/sandbox/common/catalog.js';
import { startGateway, type GqlBody, type TestGateway } from '../support/gateway.js';
import { pollUntil } from '../support/processes.js';
import { resetSandbox, sandboxStats, setFaults } from '../support/sandbox.js';
import { runningTwin } from '../../src/sandbox/twins.js';

const PARTS = 200;
const SEED = 42;
const DRIFT_SHARE = 0.1;
const keyOf = () => randomBytes(18).toString('base64url');
const ADMIN_KEY = keyOf();
const OPERATOR_KEY = keyOf();
const VIEWER_KEY = keyOf();

let gw: TestGateway;
const catalog = createCatalog({ size: PARTS, seed: SEED });
const parts: CatalogPart[] = Array.from({ length: PARTS }, (_, i) => catalog.get(i + 1)!);

beforeAll(async () => {
  gw = await startGateway(
    {
      CROSSDOCK_API_KEYS: `admin:admin:${ADMIN_KEY},ops:operator:${OPERATOR_KEY},look:viewer:${VIEWER_KEY}`,
      SYNC_PAGE_SIZE: '25',
      // The orders mirror's own schedule would be listed beside the ones this suite makes (shopifyMirror.test.ts tests it).
      ORDER_MIRROR_INTERVAL_SECONDS: '0',
      SANDBOX_FINDITPARTS_RATE_PER_SECOND: '200',
      SANDBOX_FINDITPARTS_PER_MINUTE: '12000',
      // Injected create failures must stay item failures: a run of them must not open the breaker.
      BREAKER_FAILURE_THRESHOLD: '50',
      // These cases count drift repairs field by field; fitment writes (Fits custom fields) have their
      // own suite (fitment.test.ts), and the seeded store carries none.
      FITMENT_FIELDS_MAX: '0',
    },
    {
      parts: PARTS,
      seed: SEED,
      finditparts: { ratePerSecond: 200, burst: 200, perMinute: 12_000 },
      bigcommerce: { quota: 10_000, windowMs: 30_000, driftShare: DRIFT_SHARE },
    },
  );
});
afterAll(async () => gw?.close());
beforeEach(async () => resetSandbox(gw.bcUrl, true));

// ---------------------------------------------------------------- helpers

interface Progress {
  total: number;
  processed: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  percent: number;
  phase: string;
}
interface JobView {
  id: string;
  kind: string;
  status: string;
  dryRun: boolean;
  retryOf: string | null;
  error: string | null;
  finishedAt: string | null;
  scope: { skus: string[] | null; partNumbers: string[] | null };
  progress: Progress;
}
const JOB_FIELDS = `id kind status dryRun retryOf error finishedAt scope { skus partNumbers } progress { total processed created updated unchanged failed percent phase }`;
type Body<T> = { data?: T | null; errors?: GqlBody['errors'] };

const origin = () => runningTwin(gw.sandbox, 'bigcommerce')!.origin;
const store = () => origin().store;

async function gql<T>(query: string, variables?: Record<string, unknown>, key = ADMIN_KEY): Promise<Body<T>> {
  return (await gw.gql<Body<T>>(query, variables, { 'x-api-key': key })).body;
}

async function startSync(input: Record<string, unknown>, key = ADMIN_KEY): Promise<{ job: JobView; alreadyRunning: boolean }> {
  const body = await gql<{ startSync: { job: JobView; alreadyRunning: boolean } }>(
    `mutation ($input: StartSyncInput!) { startSync(input: $input) { alreadyRunning job { ${JOB_FIELDS} } } }`,
    { input },
    key,
  );
  expect(body.errors).toBeUndefined();
  return body.data!.startSync;
}

async function getJob(id: string): Promise<JobView | null> {
  const body = await gql<{ syncJob: JobView | null }>(`query ($id: ID!) { syncJob(id: $id) { ${JOB_FIELDS} } }`, { id });
  expect(body.errors).toBeUndefined();
  return body.data!.syncJob;
}

const FINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
async function waitJob(id: string, timeoutMs = 20_000): Promise<JobView> {
  const job = await pollUntil(() => getJob(id), (j) => j !== null && FINAL.has(j.status), { timeoutMs, intervalMs: 25, what: `sync job ${id} to end` });
  return job!;
}

function errorCode(body: Body<unknown>): unknown {
  return body.errors?.[0]?.extensions?.code;
}

/** Catalog parts present in the seeded store, and those that drifted, by kind. */
function seeded(): { present: CatalogPart[]; missing: CatalogPart[]; drift: Record<DriftKind, CatalogPart[]> } {
  const present: CatalogPart[] = [];
  const missing: CatalogPart[] = [];
  const drift: Record<DriftKind, CatalogPart[]> = { price: [], stock: [], name: [] };
  for (const p of parts) {
    if (store().presence.has(p.index)) {
      present.push(p);
      const kind = driftOf(SEED, p.index, DRIFT_SHARE);
      if (kind) drift[kind].push(p);
    } else missing.push(p);
  }
  return { present, missing, drift };
}

/** Products per SKU in the store now (a duplicate shows as 2). */
function skuCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of store().scan()) counts.set(p.sku, (counts.get(p.sku) ?? 0) + 1);
  return counts;
}

function expectOneProductPerPart(): void {
  const counts = skuCounts();
  expect(origin().productCount()).toBe(PARTS);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  for (const p of parts) expect(counts.get(p.partNumber), p.partNumber).toBe(1);
}

const price = (p: CatalogPart) => p.variants[0]!.priceCents / 100;
const stock = (p: CatalogPart) => p.variants[0]!.quantity;

// ---------------------------------------------------------------- tests

describe('catalog sync', () => {
  it('creates every missing product and repairs drift; a second run is all unchanged and writes nothing', async () => {
    const { present, missing, drift } = seeded();
    const drifted = drift.price.length + drift.stock.length + drift.name.length;
    expect(missing.length).toBeGreaterThan(0);
    expect(drifted).toBeGreaterThan(0);

    const { job, alreadyRunning } = await startSync({ kind: 'CATALOG' });
    expect(alreadyRunning).toBe(false);
    expect(job.kind).toBe('CATALOG');
    const done = await waitJob(job.id);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.error).toBeNull();
    expect(done.progress).toMatchObject({
      total: PARTS,
      processed: PARTS,
      created: missing.length,
      updated: drifted,
      unchanged: present.length - drifted,
      failed: 0,
      percent: 100,
      phase: 'DONE',
    });
    expectOneProductPerPart();
    for (const p of parts) {
      const product = origin().productBySku(p.partNumber)!;
      expect({ name: product.name, price: product.price, stock: product.inventory_level }).toEqual({ name: p.description, price: price(p), stock: stock(p) });
    }

    const nonGet = (endpoints: Record<string, number>) => Object.entries(endpoints).filter(([e]) => !e.startsWith('GET '));
    const statsBefore = await sandboxStats(gw.bcUrl);
    expect(statsBefore.writes).toBeGreaterThan(0);
    const again = await waitJob((await startSync({ kind: 'CATALOG' })).job.id);
    expect(again.id).not.toBe(job.id);
    expect(again.status).toBe('SUCCEEDED');
    expect(again.progress).toMatchObject({ processed: PARTS, created: 0, updated: 0, unchanged: PARTS, failed: 0 });
    const statsAfter = await sandboxStats(gw.bcUrl);
    expect(statsAfter.writes).toBe(statsBefore.writes);
    expect(nonGet(statsAfter.endpoints)).toEqual(nonGet(statsBefore.endpoints));
    expect(statsAfter.requests).toBeGreaterThan(statsBefore.requests); // it did read the store
    expectOneProductPerPart();
  });

  it('a dry run lists the planned creates and updates field by field and writes nothing', async () => {
    const { missing, drift } = seeded();
    const { job } = await startSync({ kind: 'CATALOG', dryRun: true });
    expect(job.dryRun).toBe(true);
    const done = await waitJob(job.id);
    expect(done.status).toBe('SUCCEEDED');
    const drifted = [...drift.price, ...drift.stock, ...drift.name];
    expect(done.progress).toMatchObject({ processed: PARTS, created: missing.length, updated: drifted.length, failed: 0 });

    const body = await gql<{
      syncJob: { plannedChanges: { totalCount: number; nodes: Array<{ action: string; sku: string; productId: string | null; changes: Array<{ field: string; before: string | null; after: string }> }> } };
    }>(`query ($id: ID!) { syncJob(id: $id) { plannedChanges(first: 200) { totalCount nodes { action sku productId changes { field before after } } } } }`, { id: job.id });
    expect(body.errors).toBeUndefined();
    const planned = body.data!.syncJob.plannedChanges;
    expect(planned.totalCount).toBe(missing.length + drifted.length);
    expect(planned.nodes).toHaveLength(planned.totalCount);

    const creates = planned.nodes.filter((c) => c.action === 'CREATE');
    expect(creates.map((c) => c.sku).sort()).toEqual(missing.map((p) => p.partNumber).sort());
    for (const c of creates) {
      const part = missing.find((p) => p.partNumber === c.sku)!;
      expect(c.productId).toBeNull();
      expect(c.changes.map((f) => f.field)).toEqual(['name', 'price', 'inventory']);
      expect(c.changes.every((f) => f.before === null)).toBe(true);
      expect(c.changes[0]!.after).toBe(part.description);
      expect(Number(c.changes[1]!.after)).toBe(price(part));
      expect(c.changes[2]!.after).toBe(String(stock(part)));
    }

    const updates = planned.nodes.filter((c) => c.action === 'UPDATE');
    expect(updates.map((c) => c.sku).sort()).toEqual(drifted.map((p) => p.partNumber).sort());
    const expectUpdate = (part: CatalogPart, field: string, after: (v: string) => void) => {
      const u = updates.find((c) => c.sku === part.partNumber)!;
      const current = origin().productBySku(part.partNumber)!;
      expect(u.productId).toBe(String(current.id));
      expect(u.changes).toHaveLength(1);
      expect(u.changes[0]!.field).toBe(field);
      after(u.changes[0]!.after);
      return { before: u.changes[0]!.before, current };
    };
    for (const p of drift.price) {
      const { before, current } = expectUpdate(p, 'price', (a) => expect(Number(a)).toBe(price(p)));
      expect(Number(before)).toBe(current.price);
    }
    for (const p of drift.stock) {
      const { before, current } = expectUpdate(p, 'inventory', (a) => expect(a).toBe(String(stock(p))));
      expect(before).toBe(String(current.inventory_level));
    }
    for (const p of drift.name) {
      const { before, current } = expectUpdate(p, 'name', (a) => expect(a).toBe(p.description));
      expect(before).toBe(current.name);
      expect(before).toBe(`${p.manufacturer} ${p.description}`);
    }

    expect((await sandboxStats(gw.bcUrl)).writes).toBe(0);
    expect(origin().productCount()).toBe(store().presence.count);
  });

  it('item failures are recorded and the job still succeeds; retrySyncFailures redoes exactly those items', async () => {
    await setFaults(gw.bcUrl, { errorRates: { '500': 0.1 }, match: { methods: ['POST'] }, seed: 7 });
    const { missing } = seeded();
    const done = await waitJob((await startSync({ kind: 'CATALOG' })).job.id);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.progress.processed).toBe(PARTS);
    expect(done.progress.failed).toBeGreaterThan(0);
    expect(done.progress.created + done.progress.failed).toBe(missing.length);

    const body = await gql<{ syncJob: { failures: { totalCount: number; nodes: Array<{ sku: string; partNumber: string | null; code: string; message: string; attempts: number }> } } }>(
      `query ($id: ID!) { syncJob(id: $id) { failures(first: 200) { totalCount nodes { sku partNumber code message attempts } } } }`,
      { id: done.id },
    );
    expect(body.errors).toBeUndefined();
    const failures = body.data!.syncJob.failures;
    expect(failures.totalCount).toBe(done.progress.failed);
    expect(failures.nodes).toHaveLength(failures.totalCount);
    const injected = (await sandboxStats(gw.bcUrl)).faults['status-500'] ?? 0;
    expect(failures.totalCount).toBe(injected);
    for (const f of failures.nodes) {
      expect(f).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', partNumber: f.sku });
      expect(f.attempts).toBeGreaterThanOrEqual(1);
      expect(f.message.length).toBeGreaterThan(0);
      expect(missing.some((p) => p.partNumber === f.sku)).toBe(true);
      expect(origin().productBySku(f.sku)).toBeUndefined();
    }

    await setFaults(gw.bcUrl, {});
    const retry = await gql<{ retrySyncFailures: { alreadyRunning: boolean; job: JobView } }>(
      `mutation ($id: ID!) { retrySyncFailures(id: $id) { alreadyRunning job { ${JOB_FIELDS} } } }`,
      { id: done.id },
    );
    expect(retry.errors).toBeUndefined();
    const retryJob = retry.data!.retrySyncFailures.job;
    expect(retry.data!.retrySyncFailures.alreadyRunning).toBe(false);
    expect(retryJob.id).not.toBe(done.id);
    expect(retryJob.retryOf).toBe(done.id);
    expect(retryJob.kind).toBe('CATALOG');
    expect([...(retryJob.scope.skus ?? [])].sort()).toEqual(failures.nodes.map((f) => f.sku).sort());

    const retried = await waitJob(retryJob.id);
    expect(retried.status).toBe('SUCCEEDED');
    expect(retried.progress).toMatchObject({ total: failures.totalCount, processed: failures.totalCount, created: failures.totalCount, failed: 0 });
    expectOneProductPerPart();
  });
});

describe('one job per scope, cancel, refusals', () => {
  it('concurrent starts for one scope yield one job; cancelSync ends it CANCELLED; a finished job cannot be cancelled', async () => {
    // A slow store keeps the job running while the starts and the cancel arrive.
    await setFaults(gw.bcUrl, { latencyMs: 100 });
    const results = await Promise.all(Array.from({ length: 10 }, () => startSync({ kind: 'CATALOG', scope: { limit: PARTS } })));
    const ids = new Set(results.map((r) => r.job.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => !r.alreadyRunning)).toHaveLength(1);
    const id = results[0]!.job.id;

    const active = await gql<{ syncJobs: { totalCount: number } }>(`{ syncJobs(filter: { status: [QUEUED, RUNNING] }) { totalCount } }`);
    expect(active.data?.syncJobs.totalCount).toBe(1);

    await pollUntil(() => getJob(id), (j) => j?.status === 'RUNNING', { timeoutMs: 5_000, intervalMs: 10, what: 'the job to run' });
    const cancel = await gql<{ cancelSync: JobView }>(`mutation ($id: ID!) { cancelSync(id: $id) { ${JOB_FIELDS} } }`, { id }, OPERATOR_KEY);
    expect(cancel.errors).toBeUndefined();
    expect(cancel.data!.cancelSync.id).toBe(id);
    const ended = await waitJob(id);
    expect(ended.status).toBe('CANCELLED');
    expect(ended.finishedAt).not.toBeNull();
    expect(ended.progress.processed).toBeLessThan(ended.progress.total);

    const again = await gql(`mutation ($id: ID!) { cancelSync(id: $id) { id } }`, { id });
    expect(errorCode(again)).toBe('BAD_USER_INPUT');
    expect(again.errors?.[0]?.message).toMatch(/already ended/);
    expect(again.errors?.[0]?.message).toMatch(/CANCELLED/);
  });

  it('refuses invalid input with typed errors', async () => {
    const literal = await gql(`mutation { startSync(input: { kind: EVERYTHING }) { job { id } } }`);
    expect(errorCode(literal)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(literal.errors?.[0]?.message).toMatch(/EVERYTHING/);
    const variable = await gql(`mutation ($input: StartSyncInput!) { startSync(input: $input) { job { id } } }`, { input: { kind: 'EVERYTHING' } });
    expect(errorCode(variable)).toBe('BAD_USER_INPUT');
    expect(variable.data ?? null).toBeNull();

    const start = `mutation ($input: StartSyncInput!) { startSync(input: $input) { job { id } } }`;
    const emptyParts = await gql(start, { input: { kind: 'CATALOG', scope: { partNumbers: [] } } });
    expect(errorCode(emptyParts)).toBe('BAD_USER_INPUT');
    expect(emptyParts.errors?.[0]?.message).toMatch(/partNumbers/);
    expect(emptyParts.errors?.[0]?.extensions?.argument).toBe('scope.partNumbers');
    const negative = await gql(start, { input: { kind: 'CATALOG', scope: { limit: -1 } } });
    expect(errorCode(negative)).toBe('BAD_USER_INPUT');
    expect(negative.errors?.[0]?.message).toMatch(/limit/);

    const unknownId = '00000000-0000-4000-8000-000000000000';
    for (const id of [unknownId, 'not-a-job']) {
      const q = await gql<{ syncJob: unknown }>(`query ($id: ID!) { syncJob(id: $id) { id } }`, { id });
      expect(q.errors).toBeUndefined();
      expect(q.data?.syncJob).toBeNull();
      const c = await gql(`mutation ($id: ID!) { cancelSync(id: $id) { id } }`, { id });
      expect(errorCode(c)).toBe('NOT_FOUND');
      const r = await gql(`mutation ($id: ID!) { retrySyncFailures(id: $id) { job { id } } }`, { id });
      expect(errorCode(r)).toBe('NOT_FOUND');
    }

    // A job that ended with no failures has nothing to retry.
    const clean = await waitJob((await startSync({ kind: 'PRICE', scope: { partNumbers: [parts[0]!.partNumber] } })).job.id);
    expect(clean.status).toBe('SUCCEEDED');
    expect(clean.progress.failed).toBe(0);
    const noFailures = await gql(`mutation ($id: ID!) { retrySyncFailures(id: $id) { job { id } } }`, { id: clean.id });
    expect(errorCode(noFailures)).toBe('BAD_USER_INPUT');
    expect(noFailures.errors?.[0]?.message).toMatch(/no failed items/);
  });

  it('a viewer key is FORBIDDEN on every sync mutation; an operator key is allowed', async () => {
    const finished = await waitJob((await startSync({ kind: 'INVENTORY', scope: { partNumbers: [parts[1]!.partNumber] } })).job.id);
    const mutations: Array<[string, Record<string, unknown>]> = [
      [`mutation ($input: StartSyncInput!) { startSync(input: $input) { job { id } } }`, { input: { kind: 'PRICE', scope: { limit: 5 } } }],
      [`mutation ($id: ID!) { cancelSync(id: $id) { id } }`, { id: finished.id }],
      [`mutation ($id: ID!) { retrySyncFailures(id: $id) { job { id } } }`, { id: finished.id }],
      [`mutation ($input: ScheduleSyncInput!) { scheduleSync(input: $input) { id } }`, { input: { kind: 'PRICE', intervalSeconds: 3600 } }],
      [`mutation ($id: ID!) { removeSyncSchedule(id: $id) }`, { id: 'whatever' }],
    ];
    for (const [query, variables] of mutations) {
      const res = await gql(query, variables, VIEWER_KEY);
      expect(errorCode(res), query).toBe('FORBIDDEN');
      expect(res.errors?.[0]?.message).toMatch(/operator/);
    }
    // Nothing was started or scheduled by the viewer; a viewer may still read.
    const read = await gql<{ syncJobs: { totalCount: number }; syncSchedules: unknown[] }>(`{ syncJobs(filter: { status: [QUEUED, RUNNING] }) { totalCount } syncSchedules { id } }`, undefined, VIEWER_KEY);
    expect(read.errors).toBeUndefined();
    expect(read.data).toEqual({ syncJobs: { totalCount: 0 }, syncSchedules: [] });

    // The operator may start, schedule and unschedule.
    const started = await startSync({ kind: 'PRICE', scope: { partNumbers: [parts[2]!.partNumber] }, dryRun: true }, OPERATOR_KEY);
    expect(started.alreadyRunning).toBe(false);
    expect((await waitJob(started.job.id)).status).toBe('SUCCEEDED');
    const scheduled = await gql<{ scheduleSync: { id: string; createdBy: string } }>(
      `mutation { scheduleSync(input: { kind: PRICE, intervalSeconds: 3600 }) { id createdBy } }`,
      undefined,
      OPERATOR_KEY,
    );
    expect(scheduled.errors).toBeUndefined();
    expect(scheduled.data!.scheduleSync.createdBy).toBe('ops');
    const removed = await gql<{ removeSyncSchedule: boolean }>(`mutation ($id: ID!) { removeSyncSchedule(id: $id) }`, { id: scheduled.data!.scheduleSync.id }, OPERATOR_KEY);
    expect(removed).toEqual({ data: { removeSyncSchedule: true } });
  });
});

describe('schedules', () => {
  const SCHEDULE = `mutation ($input: ScheduleSyncInput!) { scheduleSync(input: $input) { id kind intervalSeconds cron createdBy nextRunAt lastRunAt scope { partNumbers } } }`;

  it('adds, lists and removes a schedule; refuses both or neither of interval and cron, and a bad cron', async () => {
    const pn = parts[3]!.partNumber;
    const before = Date.now();
    const added = await gql<{ scheduleSync: { id: string; kind: string; intervalSeconds: number | null; cron: string | null; createdBy: string; nextRunAt: string; lastRunAt: string | null } }>(SCHEDULE, {
      input: { kind: 'PRICE', scope: { partNumbers: [pn] }, intervalSeconds: 10 },
    });
    expect(added.errors).toBeUndefined();
    const s = added.data!.scheduleSync;
    expect(s).toMatchObject({ kind: 'PRICE', intervalSeconds: 10, cron: null, createdBy: 'admin', lastRunAt: null, scope: { partNumbers: [pn] } });
    const next = Date.parse(s.nextRunAt);
    expect(next).toBeGreaterThanOrEqual(before + 9_000);
    expect(next).toBeLessThanOrEqual(Date.now() + 11_000);

    const listed = await gql<{ syncSchedules: Array<{ id: string; intervalSeconds: number | null }> }>(`{ syncSchedules { id intervalSeconds } }`);
    expect(listed.data?.syncSchedules).toEqual([{ id: s.id, intervalSeconds: 10 }]);

    const both = await gql(SCHEDULE, { input: { kind: 'PRICE', intervalSeconds: 60, cron: '0 * * * *' } });
    expect(errorCode(both)).toBe('BAD_USER_INPUT');
    expect(both.errors?.[0]?.message).toMatch(/exactly one of intervalSeconds and cron/);
    const neither = await gql(SCHEDULE, { input: { kind: 'PRICE' } });
    expect(errorCode(neither)).toBe('BAD_USER_INPUT');
    const badCron = await gql(SCHEDULE, { input: { kind: 'PRICE', cron: 'every tuesday' } });
    expect(errorCode(badCron)).toBe('BAD_USER_INPUT');
    expect(badCron.errors?.[0]?.extensions?.argument).toBe('cron');
    const tooOften = await gql(SCHEDULE, { input: { kind: 'PRICE', intervalSeconds: 5 } });
    expect(errorCode(tooOften)).toBe('BAD_USER_INPUT');
    const cron = await gql<{ scheduleSync: { id: string; cron: string; nextRunAt: string } }>(SCHEDULE, { input: { kind: 'INVENTORY', cron: '0 * * * *' } });
    expect(cron.errors).toBeUndefined();
    expect(new Date(cron.data!.scheduleSync.nextRunAt).getUTCMinutes()).toBe(0);

    for (const id of [s.id, cron.data!.scheduleSync.id]) {
      expect(await gql(`mutation ($id: ID!) { removeSyncSchedule(id: $id) }`, { id })).toEqual({ data: { removeSyncSchedule: true } });
    }
    expect((await gql<{ syncSchedules: unknown[] }>(`{ syncSchedules { id } }`)).data?.syncSchedules).toEqual([]);
    const gone = await gql(`mutation ($id: ID!) { removeSyncSchedule(id: $id) }`, { id: s.id });
    expect(errorCode(gone)).toBe('NOT_FOUND');
  });
});

describe('price and inventory syncs', () => {
  const PRODUCT = `query ($sku: String!) { product(sku: $sku) { sku name price { amount } inventoryLevel } }`;
  const product = async (sku: string) => {
    const body = await gql<{ product: { sku: string; name: string; price: { amount: string }; inventoryLevel: number | null } | null }>(PRODUCT, { sku });
    expect(body.errors).toBeUndefined();
    return body.data!.product!;
  };

  it('touch only existing products, fix the drifted field only, and the gateway then serves the new values', async () => {
    const { present, drift } = seeded();
    const pricey = drift.price[0]!;
    const short = drift.stock[0]!;
    const renamed = drift.name[0]!;
    expect(pricey && short && renamed).toBeTruthy();

    // Read through the gateway first, so the drifted values sit in its caches.
    expect(Number((await product(pricey.partNumber)).price.amount)).not.toBe(price(pricey));
    expect((await product(short.partNumber)).inventoryLevel).not.toBe(stock(short));
    const countBefore = origin().productCount();

    const priceJob = await waitJob((await startSync({ kind: 'PRICE' })).job.id);
    expect(priceJob.status).toBe('SUCCEEDED');
    expect(priceJob.progress).toMatchObject({ processed: PARTS, created: 0, updated: drift.price.length, unchanged: PARTS - drift.price.length, failed: 0 });
    expect(origin().productCount()).toBe(countBefore);
    for (const p of drift.price) expect(origin().productBySku(p.partNumber)?.price).toBe(price(p));
    // PRICE leaves stock and names alone.
    expect(origin().productBySku(short.partNumber)?.inventory_level).not.toBe(stock(short));
    expect(origin().productBySku(renamed.partNumber)?.name).toBe(`${renamed.manufacturer} ${renamed.description}`);
    // The gateway's cached product was invalidated by the job's write.
    expect(Number((await product(pricey.partNumber)).price.amount)).toBe(price(pricey));

    const stockJob = await waitJob((await startSync({ kind: 'INVENTORY' })).job.id);
    expect(stockJob.status).toBe('SUCCEEDED');
    expect(stockJob.progress).toMatchObject({ processed: PARTS, created: 0, updated: drift.stock.length, unchanged: PARTS - drift.stock.length, failed: 0 });
    expect(origin().productCount()).toBe(countBefore);
    for (const p of drift.stock) expect(origin().productBySku(p.partNumber)?.inventory_level).toBe(stock(p));
    expect(origin().productBySku(renamed.partNumber)?.name).toBe(`${renamed.manufacturer} ${renamed.description}`);
    expect((await product(short.partNumber)).inventoryLevel).toBe(stock(short));

    // Neither kind created anything: the parts missing from the store are still missing.
    expect(origin().productCount()).toBe(present.length);
    const stats = await sandboxStats(gw.bcUrl);
    expect(Object.keys(stats.endpoints).some((e) => e.startsWith('POST '))).toBe(false);
  });
});
