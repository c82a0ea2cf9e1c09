/**
 * Issue 7 acceptance, on issue 12's layout: several gateway instances on one
 * PostgreSQL (every record: jobs, checkpoints, supplier orders with their
 * history, idempotency keys, the audit log, store tokens) and one Redis
 * (cache, limits, the vendor gate, events, leases) keep every guarantee of
 * the single instance.
 *
 * A real redis-server (ephemeral port, AOF on, temp dir), a real PostgreSQL
 * (ephemeral port, temp dir; one database per pair), gateway child
 * processes (`node --import tsx src/main.ts` with DATABASE_URL and
 * REDIS_URL), and sandboxes in this test process so the vendors' state
 * outlives any gateway:
 *
 * - pair 1 (A1, B1) on a store with the seed's quota, 150 requests per 30 s:
 *   (1) a client's budget holds across instances; (2) both instances reading
 *   hard together earn zero 429s;
 * - pair 2 (A2, B2) on a fast sandbox: (3) a sync started on one streams its
 *   progress to a subscriber on the other; (4) kill -9 the instance running
 *   it: the other resumes it from the checkpoint in PostgreSQL, no
 *   duplicates, and a fresh run changes nothing; (5) one idempotency key on
 *   both at once: one supplier order (one row in PostgreSQL); (6) Redis down
 *   for 10 s under read load: no crash, reads answer, /ready degraded, a job
 *   and a supplier order can still be recorded (PostgreSQL) and run once the
 *   leases are back (the order sent exactly once), recovery by itself, every
 *   record still there; (7) PostgreSQL down for 10 s under read load and
 *   mutation attempts: zero failed reads, every mutation that must write a
 *   record (a sync, a supplier order, a cancel) STORE_UNAVAILABLE, /ready
 *   degraded then ok, recovery without restart (the same processes), every
 *   record written before still there.
 *
 * The pairs use different REDIS_KEY_PREFIXes on the one Redis and different
 * databases on the one PostgreSQL.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createClient as createSseClient } from 'graphql-sse';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/createSandbox.js';
import { pollUntil, sandboxUpstreamEnv, startGatewayProcess, stopAllGatewayProcesses, type GatewayProcess } from '../support/processes.js';
import { postgresServerAvailable, startPostgresServer, type PostgresServer } from '../support/postgresServer.js';
import { redisServerAvailable, startRedisServer, type RedisServer } from '../support/redisServer.js';
import { resetSandbox, sandboxStats, setFaults, startSandbox } from '../support/sandbox.js';

const ADMIN_KEY = `admin-${randomBytes(12).toString('hex')}`;
const BUDGETED_KEY = `budgeted-${randomBytes(12).toString('hex')}`;
const BUDGET = 30;

let redis: RedisServer;
let postgres: PostgresServer;
let quotaSandbox: Sandbox;
let fastSandbox: Sandbox;
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'crossdock-scale-'));
  dirs.push(d);
  return d;
};

type Gql = { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };

async function gql(gw: GatewayProcess, query: string, variables?: Record<string, unknown>, key = ADMIN_KEY, timeoutMs = 10_000): Promise<{ status: number; body: Gql }> {
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', 'x-api-key': key },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: res.status, body: (await res.json()) as Gql };
}

async function ready(gw: GatewayProcess): Promise<{ status: number; body: { status: string; checks: { store?: { redis?: string; instance?: string; records?: { engine: string; status: string } } } } }> {
  const res = await fetch(`${gw.url}/ready`, { headers: { 'x-api-key': ADMIN_KEY }, signal: AbortSignal.timeout(5_000) });
  return { status: res.status, body: (await res.json()) as never };
}

/** One query on the pair's PostgreSQL database, outside the gateways. */
async function sqlRows<T extends Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

function start(env: Record<string, string>): Promise<GatewayProcess> {
  return startGatewayProcess({ env: { CROSSDOCK_API_KEYS: `admin:admin:${ADMIN_KEY},budgeted:viewer:${BUDGETED_KEY}`, ...env }, dataDir: tmp() });
}

const hasServers = redisServerAvailable() && postgresServerAvailable();
// The plan's window. A 10 s one, tried to shorten (2), earned 3 of 160 reads the store's 429 in one
// run of two: the two instances' shared gate is tight at the plan's window only (not yet chased).
const QUOTA_WINDOW_MS = 30_000;

describe.skipIf(!hasServers)('scale-out: two gateways on one PostgreSQL and one Redis', () => {
  beforeAll(async () => {
    [redis, postgres] = await Promise.all([startRedisServer(), startPostgresServer()]);
    [quotaSandbox, fastSandbox] = await Promise.all([
      startSandbox({ parts: 3000, seed: 7, bigcommerce: { quota: 150, windowMs: QUOTA_WINDOW_MS, storeShare: 1 } }),
      startSandbox({ parts: 1200, seed: 4242, finditparts: { ratePerSecond: 200, burst: 200, perMinute: 12_000 }, bigcommerce: { quota: 5000, windowMs: 30_000, orders: 0 } }),
    ]);
  });

  afterAll(async () => {
    await stopAllGatewayProcesses();
    await Promise.allSettled([quotaSandbox?.close(), fastSandbox?.close(), redis?.destroy(), postgres?.destroy()]);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  describe('pair 1: shared budgets and the store quota (150 per 30 s)', () => {
    let a: GatewayProcess;
    let b: GatewayProcess;
    beforeAll(async () => {
      const env = {
        ...sandboxUpstreamEnv(quotaSandbox),
        DATABASE_URL: await postgres.createDatabase('pair1'),
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: 'pair1:',
        CLIENT_BUDGETS: JSON.stringify({ budgeted: BUDGET }),
        // Reads wait for quota rather than fail: 160 reads at 150 a window need a second window.
        INTERACTIVE_DEADLINE_MS: '60000',
        RESPONSE_CACHE: 'false',
      };
      [a, b] = await Promise.all([start(env), start(env)]);
    });

    it('(1) a client budget is enforced across instances: requests spread over both never exceed it in total', async () => {
      const results = await Promise.all(Array.from({ length: BUDGET * 3 }, (_, i) => gql(i % 2 ? a : b, '{ __typename }', undefined, BUDGETED_KEY)));
      const ok = results.filter((r) => r.status === 200 && !r.body.errors);
      const refused = results.filter((r) => r.body.errors?.[0]?.extensions?.code === 'RATE_LIMITED');
      // `{ __typename }` costs 1 point: exactly the budget is served, whichever instance answered.
      expect(ok.length).toBe(BUDGET);
      expect(refused.length).toBe(BUDGET * 2);
      // Both instances did refuse some: the budget was one, not one each.
      expect(results.filter((r, i) => i % 2 === 1 && r.body.errors).length).toBeGreaterThan(0);
      expect(results.filter((r, i) => i % 2 === 0 && r.body.errors).length).toBeGreaterThan(0);
    });

    it('(2) both instances reading hard together earn zero 429s from the store', async () => {
      await resetSandbox(quotaSandbox.bigcommerce.url);
      const started = Date.now();
      // Distinct keyword lists cannot be batched or cached: one store call each, 160 in all.
      const reads = Array.from({ length: 160 }, (_, i) =>
        gql(i % 2 ? a : b, `query($k: String) { products(first: 1, filter: { keyword: $k }) { totalCount } }`, { k: `kw${i}` }, ADMIN_KEY, 75_000),
      );
      const results = await Promise.all(reads);
      const failed = results.filter((r) => r.body.errors);
      expect(failed.map((r) => r.body.errors?.[0]?.extensions?.code)).toEqual([]);
      const stats = await sandboxStats(quotaSandbox.bigcommerce.url);
      expect(stats.statuses['429'] ?? 0).toBe(0);
      expect(stats.throttled).toBe(0);
      expect(stats.requests).toBeGreaterThanOrEqual(160);
      // More than one window's quota went through, so the instances really shared the pace.
      expect(Date.now() - started).toBeGreaterThanOrEqual(QUOTA_WINDOW_MS - 5_000);
    }, 90_000);
  });

  describe('pair 2: jobs, orders, a Redis outage and a PostgreSQL outage', () => {
    let a: GatewayProcess;
    let b: GatewayProcess;
    let databaseUrl = '';
    const env = () => ({
      ...sandboxUpstreamEnv(fastSandbox),
      DATABASE_URL: databaseUrl,
      // Short deadlines: an outage is told in about a second, not five.
      DATABASE_CONNECT_TIMEOUT_MS: '1000',
      DATABASE_QUERY_TIMEOUT_MS: '2000',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: 'pair2:',
      REDIS_LEASE_MS: '3000',
      SYNC_PAGE_SIZE: '50',
      SYNC_CREATE_CONCURRENCY: '4',
      ORDER_RETRY_STEP_MS: '200',
      // The supplier status poller stays out of these tests: the sandbox ships an order 10 s after it
      // was placed, and a poll landing inside (7)'s outage window moved an order on (SUBMITTED →
      // SHIPPED, one more history entry) between its before and after snapshots, which then differed
      // for a reason that has nothing to do with the outage. Sends and resends are the outbox's, not the poller's.
      ORDER_POLL_INTERVAL_MS: '3600000',
      RETRY_DELAY_SCALE: '0.05',
    });
    let jobId = '';
    let orderId = '';
    let orderPart = '';
    let duringOrderId = '';

    beforeAll(async () => {
      databaseUrl = await postgres.createDatabase('pair2');
      // Store calls take a little time, so a sync of 1200 parts can be caught mid-way.
      await setFaults(fastSandbox.bigcommerce.url, { latencyMs: 15 });
      [a, b] = await Promise.all([start(env()), start(env())]);
    });

    it('(3)+(4) a sync started on one instance streams to a subscriber on the other; kill -9 its runner: the other resumes it, no duplicates', async () => {
      const parts = fastSandbox.options.parts;
      const started = await gql(a, `mutation { startSync(input: { kind: CATALOG }) { alreadyRunning job { id } } }`);
      expect(started.body.errors).toBeUndefined();
      jobId = (started.body.data?.startSync as { job: { id: string } }).job.id;

      // Who holds the job's lease (normally A, which took the mutation)?
      const lease = async () => spawnSync('redis-cli', ['-p', String(redis.port), 'GET', `pair2:lease:job:${jobId}`], { encoding: 'utf8' }).stdout.trim();
      const holder = await pollUntil(lease, (v) => v.length > 0, { timeoutMs: 10_000, what: 'the job lease' });
      const [readyA, readyB] = await Promise.all([ready(a), ready(b)]);
      const runner = holder.startsWith(`${readyA.body.checks.store?.instance}:`) ? a : b;
      const other = runner === a ? b : a;
      expect(holder.startsWith(`${(runner === a ? readyA : readyB).body.checks.store?.instance}:`)).toBe(true);

      // Subscribe on the other instance.
      const client = createSseClient({ url: `${other.url}/graphql/stream`, headers: { 'x-api-key': ADMIN_KEY }, retryAttempts: 3 });
      const seen: Array<{ status: string; processed: number; at: number }> = [];
      const iterator = client.iterate<{ syncJob: { status: string; progress: { processed: number } } }>({
        query: `subscription($id: ID!) { syncJob(id: $id) { status progress { processed } } }`,
        variables: { id: jobId },
      });
      const consumed = (async () => {
        for await (const result of iterator) {
          const j = result.data?.syncJob;
          if (j) seen.push({ status: j.status, processed: j.progress.processed, at: Date.now() });
        }
      })();

      // Progress the runner makes reaches the subscriber on the other instance.
      await pollUntil(async () => seen.filter((s) => s.status === 'RUNNING' && s.processed > 0).length, (n) => n >= 2, { timeoutMs: 30_000, intervalMs: 20, what: 'progress events on the other instance' });
      const midway = await pollUntil(async () => seen.at(-1)?.processed ?? 0, (p) => p >= parts * 0.4, { timeoutMs: 30_000, intervalMs: 10, what: 'the sync to reach 40%' });
      expect(midway).toBeLessThan(parts);
      const streamedBeforeKill = seen.length;

      // kill -9 the instance running it.
      process.kill(runner.pid, 'SIGKILL');
      expect(await runner.exited).toEqual({ code: null, signal: 'SIGKILL' });
      const killedAt = Date.now();

      // The other takes the job over once the lease runs out, and finishes it; the subscriber sees it end.
      await Promise.race([consumed, new Promise((_, reject) => setTimeout(() => reject(new Error(`no end of the stream; last ${JSON.stringify(seen.at(-1))}`)), 60_000))]);
      client.dispose();
      const final = seen.at(-1);
      expect(final?.status).toBe('SUCCEEDED');
      expect(final?.processed).toBe(parts);
      expect(seen.length).toBeGreaterThan(streamedBeforeKill);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!.processed).toBeGreaterThanOrEqual(seen[i - 1]!.processed - 50);
      expect(other.stdout() + other.stderr()).toContain('resuming a sync job whose previous run stopped');

      const job = await gql(other, `query($id: ID!) { syncJob(id: $id) { status progress { total processed created updated unchanged failed } } }`, { id: jobId });
      const progress = (job.body.data?.syncJob as { progress: Record<string, number> }).progress;
      expect(progress).toMatchObject({ total: parts, processed: parts, failed: 0 });

      // One product per supplier part, no duplicates.
      const skus = new Map<string, number>();
      for (const p of fastSandbox.bigcommerce.origin.store.scan()) skus.set(p.sku, (skus.get(p.sku) ?? 0) + 1);
      expect([...skus].filter(([, n]) => n > 1)).toEqual([]);
      expect(fastSandbox.bigcommerce.origin.productCount()).toBe(parts);
      // The store equals an uninterrupted run's: a fresh run (dry) finds nothing left to change.
      const dry = await gql(other, `mutation { startSync(input: { kind: CATALOG, dryRun: true }) { job { id } } }`);
      const dryId = (dry.body.data?.startSync as { job: { id: string } }).job.id;
      const dryDone = await pollUntil(
        () => gql(other, `query($id: ID!) { syncJob(id: $id) { status progress { processed created updated } plannedChanges(first: 5) { totalCount } } }`, { id: dryId }),
        (r) => (r.body.data?.syncJob as { status: string } | undefined)?.status === 'SUCCEEDED',
        { timeoutMs: 30_000, intervalMs: 200, what: 'the dry run' },
      );
      expect(dryDone.body.data?.syncJob).toMatchObject({ progress: { processed: parts, created: 0, updated: 0 }, plannedChanges: { totalCount: 0 } });
      console.info(`[scaleOut] killed the runner at ${midway}/${parts}; the other instance finished ${final?.at ? final.at - killedAt : '?'} ms later`);

      // Keep two instances for what follows.
      const restarted = await start(env());
      if (runner === a) a = restarted;
      else b = restarted;
    }, 120_000);

    it('(5) one idempotency key sent to both instances at once: exactly one supplier order', async () => {
      const search = await gql(a, `{ searchParts(first: 50) { edges { node { supplierId sellable variants { quantity minimum } } } } }`);
      const edges = (search.body.data?.searchParts as { edges: Array<{ node: { supplierId: string; sellable: boolean; variants: Array<{ quantity: number; minimum: number }> } }> }).edges;
      const part = edges.find((e) => e.node.sellable && (e.node.variants[0]?.quantity ?? 0) > 5 && e.node.variants[0]?.minimum === 1)?.node.supplierId;
      expect(part).toBeDefined();
      orderPart = part as string;
      const placeCount = async () => (await sandboxStats(fastSandbox.finditparts.url)).endpoints['POST /api/v1/partners/place_order'] ?? 0;
      const before = await placeCount();
      const PLACE = `mutation($in: PlaceSupplierOrderInput!) { placeSupplierOrder(input: $in) { __typename ... on SupplierOrderPlaced { replayed order { id poNumber status } } } }`;
      const input = { idempotencyKey: `scale-out-${randomBytes(6).toString('hex')}`, lines: [{ partId: part, quantity: 1 }] };
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => gql(i % 2 ? a : b, PLACE, { in: input })));
      const placed = results.filter((r) => r.body.data?.placeSupplierOrder);
      const conflicts = results.filter((r) => r.body.errors?.[0]?.extensions?.code === 'IDEMPOTENCY_CONFLICT');
      expect(placed.length + conflicts.length).toBe(12);
      const ids = new Set(placed.map((r) => (r.body.data?.placeSupplierOrder as { order: { id: string } }).order.id));
      expect(ids.size).toBe(1);
      orderId = [...ids][0] as string;
      const order = await pollUntil(
        () => gql(b, `query($id: ID!) { supplierOrder(id: $id) { status poNumber } }`, { id: orderId }),
        (r) => ['SUBMITTED', 'PROCESSING', 'SHIPPED'].includes((r.body.data?.supplierOrder as { status: string } | null)?.status ?? ''),
        { timeoutMs: 20_000, what: 'the order to reach the supplier' },
      );
      const po = (order.body.data?.supplierOrder as { poNumber: string }).poNumber;
      expect((await placeCount()) - before).toBe(1);
      const atSupplier = await fetch(`${fastSandbox.finditparts.apiBase}/orders/search?po_number=${encodeURIComponent(po)}`, { headers: { 'x-api-key': 'sandbox-api-key' } });
      expect(((await atSupplier.json()) as { orders: unknown[] }).orders).toHaveLength(1);
      // The order, its key and its history are records in PostgreSQL: one of each, whichever instance wrote them.
      expect(await sqlRows(databaseUrl, `SELECT id, po_number FROM supplier_orders WHERE idempotency_key = $1`, [input.idempotencyKey])).toEqual([{ id: orderId, po_number: po }]);
      expect(await sqlRows(databaseUrl, `SELECT state FROM idempotency_keys WHERE key = $1`, [input.idempotencyKey])).toEqual([{ state: 'DONE' }]);
      expect(Number((await sqlRows<{ n: string }>(databaseUrl, `SELECT count(*) AS n FROM order_events WHERE order_id = $1`, [orderId]))[0]?.n)).toBeGreaterThanOrEqual(2);
      // Replays agree on both instances afterwards.
      const replays = await Promise.all([gql(a, PLACE, { in: input }), gql(b, PLACE, { in: input })]);
      for (const r of replays) expect(r.body.data?.placeSupplierOrder).toMatchObject({ replayed: true, order: { id: orderId } });
      expect((await placeCount()) - before).toBe(1);
    }, 60_000);

    it('one active job per kind and scope holds across instances: startSync on both at once yields one job', async () => {
      // A dry run over the whole catalog: it cannot end while the eight starts arrive, so every one of
      // them meets the same active job (a short job could end in between and rightly let a new one start).
      const START = `mutation { startSync(input: { kind: PRICE, dryRun: true }) { alreadyRunning job { id } } }`;
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => gql(i % 2 ? a : b, START)));
      const answers = results.map((r) => r.body.data?.startSync as { alreadyRunning: boolean; job: { id: string } });
      expect(new Set(answers.map((x) => x.job.id)).size).toBe(1);
      expect(answers.filter((x) => !x.alreadyRunning)).toHaveLength(1);
      const cancelled = await gql(a, `mutation($id: ID!) { cancelSync(id: $id) { status } }`, { id: answers[0]!.job.id });
      expect(cancelled.body.errors).toBeUndefined();
    });

    /** Reads on both instances, every 20 ms, until stopped: what an outage must not interrupt. */
    function readLoad() {
      const READ = `query($ids: [ID!]!) { parts(ids: $ids) { partNumber } }`;
      let stopped = false;
      const outcomes: Array<{ ok: boolean; at: number }> = [];
      const done = (async () => {
        for (let i = 0; !stopped; i++) {
          const gw = i % 2 ? a : b;
          const ids = [String(1 + (i % 40)), String(41 + (i % 40))];
          const r = await gql(gw, READ, { ids }).catch(() => ({ status: 0, body: {} as Gql }));
          outcomes.push({ ok: r.status === 200 && !r.body.errors && Array.isArray(r.body.data?.parts), at: Date.now() });
          await new Promise((res) => setTimeout(res, 20));
        }
      })();
      return {
        outcomes,
        stop: async () => {
          stopped = true;
          await done;
        },
      };
    }
    const alive = (gw: GatewayProcess) => Promise.race([gw.exited.then(() => 'exited'), new Promise((r) => setTimeout(() => r('alive'), 10))]);

    it('(6) Redis down for 10 s under read load: no crash, reads answer, /ready degraded, a job and a supplier order still recorded (sent once, after); then recovery without restart and no record lost', async () => {
      const { outcomes, stop: stopLoad } = readLoad();
      await new Promise((res) => setTimeout(res, 1_500));

      // Redis dies (SIGKILL: no shutdown, as a crash) and stays away for 10 s.
      await redis.stop('SIGKILL');
      const downAt = Date.now();
      const degraded = await pollUntil(() => ready(a), (r) => r.body.status === 'degraded', { timeoutMs: 5_000, intervalMs: 100, what: '/ready to say degraded' });
      expect(degraded.status).toBe(200);
      expect(degraded.body.checks.store?.redis).toBe('unreachable');
      expect((await ready(b)).body.status).toBe('degraded');
      expect(degraded.body.checks.store?.records).toMatchObject({ engine: 'postgres', status: 'up' });
      // Jobs are records in PostgreSQL: one can be started now; it runs once there are leases again.
      const recorded = await gql(a, `mutation { startSync(input: { kind: PRICE, scope: { limit: 5 } }) { job { id status } } }`);
      expect(recorded.body.errors).toBeUndefined();
      const waitingId = (recorded.body.data?.startSync as { job: { id: string } }).job.id;
      // Supplier orders are records in PostgreSQL too: one placed now is recorded (still PENDING: no
      // instance can take its send lease); it is sent once the leases are back.
      const placeCount = async () => (await sandboxStats(fastSandbox.finditparts.url)).endpoints['POST /api/v1/partners/place_order'] ?? 0;
      const placesBefore = await placeCount();
      const placedDuring = await gql(
        b,
        `mutation($in: PlaceSupplierOrderInput!) { placeSupplierOrder(input: $in) { __typename ... on SupplierOrderPlaced { order { id status } } } }`,
        { in: { idempotencyKey: `outage-${randomBytes(6).toString('hex')}`, lines: [{ partId: orderPart, quantity: 1 }] } },
        ADMIN_KEY,
        20_000,
      );
      expect(placedDuring.body.errors).toBeUndefined();
      expect(placedDuring.body.data?.placeSupplierOrder).toMatchObject({ __typename: 'SupplierOrderPlaced', order: { status: 'PENDING' } });
      duringOrderId = (placedDuring.body.data?.placeSupplierOrder as { order: { id: string } }).order.id;
      await new Promise((res) => setTimeout(res, Math.max(0, 10_000 - (Date.now() - downAt))));
      // Reads went on all along (how many depends on the machine: a read waits for the limiters' Redis deadline).
      const during = outcomes.filter((o) => o.at > downAt + 500);
      // Reads kept being answered (how many depends on the machine's speed, so only that there were some).
      expect(during.length).toBeGreaterThan(3);
      expect(during.filter((o) => !o.ok)).toEqual([]);

      // Redis back (same port, same AOF directory): both recover by themselves.
      await redis.start();
      const upAt = Date.now();
      await pollUntil(() => ready(a), (r) => r.body.status === 'healthy', { timeoutMs: 15_000, intervalMs: 100, what: 'A to recover' });
      await pollUntil(() => ready(b), (r) => r.body.status === 'healthy', { timeoutMs: 15_000, intervalMs: 100, what: 'B to recover' });
      await new Promise((res) => setTimeout(res, 1_000));
      await stopLoad();
      expect(outcomes.filter((o) => o.at > upAt && !o.ok)).toEqual([]);
      expect(a.stdout() + a.stderr()).not.toMatch(/uncaught|unhandled/i);
      for (const gw of [a, b]) expect(await alive(gw)).toBe('alive');
      // The job recorded during the outage ran once the leases were back, and the order was sent, once.
      await pollUntil(() => gql(b, `query($id: ID!) { syncJob(id: $id) { status } }`, { id: waitingId }), (r) => (r.body.data?.syncJob as { status: string } | undefined)?.status === 'SUCCEEDED', {
        timeoutMs: 20_000,
        intervalMs: 200,
        what: 'the job recorded during the Redis outage to run',
      });
      await pollUntil(
        () => gql(a, `query($id: ID!) { supplierOrder(id: $id) { status } }`, { id: duringOrderId }),
        (r) => ['SUBMITTED', 'PROCESSING', 'SHIPPED'].includes((r.body.data?.supplierOrder as { status: string } | null)?.status ?? ''),
        { timeoutMs: 20_000, intervalMs: 200, what: 'the order recorded during the Redis outage to be sent' },
      );
      await new Promise((res) => setTimeout(res, 500));
      expect((await placeCount()) - placesBefore).toBe(1);

      // Records written before the outage are all there, on both instances.
      for (const gw of [a, b]) {
        const job = await gql(gw, `query($id: ID!) { syncJob(id: $id) { status progress { processed } } }`, { id: jobId });
        expect(job.body.data?.syncJob).toMatchObject({ status: 'SUCCEEDED', progress: { processed: fastSandbox.options.parts } });
        const order = await gql(gw, `query($id: ID!) { supplierOrder(id: $id) { id status history { to } } }`, { id: orderId });
        expect((order.body.data?.supplierOrder as { id: string; history: unknown[] }).history.length).toBeGreaterThanOrEqual(2);
      }
    }, 90_000);

    it('(7) PostgreSQL down for 10 s under read load and mutation attempts: zero failed reads, mutations STORE_UNAVAILABLE, /ready degraded then ok, no restart, no record lost', async () => {
      // What a client may try meanwhile: a sync, a supplier order, a cancel of the order placed during the Redis outage.
      const MUTATIONS: Array<[string, string, () => Record<string, unknown>]> = [
        ['startSync', `mutation { startSync(input: { kind: INVENTORY, scope: { limit: 4 } }) { job { id } } }`, () => ({})],
        ['placeSupplierOrder', `mutation($in: PlaceSupplierOrderInput!) { placeSupplierOrder(input: $in) { __typename } }`, () => ({ in: { idempotencyKey: `pg-outage-${randomBytes(6).toString('hex')}`, lines: [{ partId: orderPart, quantity: 1 }] } })],
        ['cancelSupplierOrder', `mutation($id: ID!) { cancelSupplierOrder(id: $id) { id } }`, () => ({ id: duringOrderId })],
      ];
      const pids = [a.pid, b.pid];
      const ordersBefore = await sqlRows<{ id: string; status: string; events: string }>(
        databaseUrl,
        `SELECT o.id, o.status, (SELECT count(*) FROM order_events e WHERE e.order_id = o.id) AS events FROM supplier_orders o ORDER BY o.seq`,
      );
      expect(ordersBefore.map((o) => o.id)).toEqual(expect.arrayContaining([orderId, duringOrderId]));
      const { outcomes, stop: stopLoad } = readLoad();
      await new Promise((res) => setTimeout(res, 1_000));

      // PostgreSQL dies (SIGKILL of the server and its backends, as a crash) and stays away for 10 s.
      await postgres.stop('SIGKILL');
      const downAt = Date.now();
      const degraded = await pollUntil(() => ready(a), (r) => r.body.status === 'degraded', { timeoutMs: 10_000, intervalMs: 100, what: '/ready to say degraded' });
      expect(degraded.status).toBe(200);
      expect(degraded.body.checks.store).toMatchObject({ redis: 'up', records: { engine: 'postgres', status: 'unreachable' } });
      expect((await ready(b)).body.status).toBe('degraded');
      // Every mutation that must write a record says so, retryable, instead of pretending — on both
      // instances, over and over while the database is away.
      const refusals: Array<{ field: string; code: unknown; retryable: unknown }> = [];
      for (let round = 0; Date.now() - downAt < 9_000; round++) {
        const gw = round % 2 ? a : b;
        const [field, query, variables] = MUTATIONS[round % MUTATIONS.length]!;
        const r = await gql(gw, query, variables());
        refusals.push({ field, code: r.body.errors?.[0]?.extensions?.code, retryable: r.body.errors?.[0]?.extensions?.retryable });
        await new Promise((res) => setTimeout(res, 250));
      }
      await new Promise((res) => setTimeout(res, Math.max(0, 10_000 - (Date.now() - downAt))));
      expect(new Set(refusals.map((r) => r.field))).toEqual(new Set(MUTATIONS.map(([f]) => f)));
      expect(refusals.filter((r) => r.code !== 'STORE_UNAVAILABLE' || r.retryable !== true)).toEqual([]);
      // Reads went on all along (how many depends on the machine).
      const during = outcomes.filter((o) => o.at > downAt);
      expect(during.length).toBeGreaterThan(10);
      expect(during.filter((o) => !o.ok)).toEqual([]);

      // PostgreSQL back (same port, same data): both recover by themselves, with no restart.
      await postgres.start();
      const upAt = Date.now();
      await pollUntil(() => ready(a), (r) => r.body.status === 'healthy', { timeoutMs: 15_000, intervalMs: 100, what: 'A to recover' });
      await pollUntil(() => ready(b), (r) => r.body.status === 'healthy', { timeoutMs: 15_000, intervalMs: 100, what: 'B to recover' });
      await new Promise((res) => setTimeout(res, 500));
      await stopLoad();
      expect(outcomes.filter((o) => !o.ok)).toEqual([]);
      expect(outcomes.filter((o) => o.at > upAt).length).toBeGreaterThan(0);
      for (const gw of [a, b]) {
        expect(await alive(gw)).toBe('alive');
        expect(gw.stdout() + gw.stderr()).not.toMatch(/uncaught|unhandled/i);
      }
      expect([a.pid, b.pid]).toEqual(pids);
      console.info(`[scaleOut] PostgreSQL down ${upAt - downAt} ms: ${during.length} reads answered, ${refusals.length} mutations refused STORE_UNAVAILABLE`);

      // The records from before are all there, and nothing refused was half-made.
      for (const gw of [a, b]) {
        const job = await gql(gw, `query($id: ID!) { syncJob(id: $id) { status progress { processed } } }`, { id: jobId });
        expect(job.body.data?.syncJob).toMatchObject({ status: 'SUCCEEDED', progress: { processed: fastSandbox.options.parts } });
        for (const id of [orderId, duringOrderId]) {
          const order = await gql(gw, `query($id: ID!) { supplierOrder(id: $id) { id status history { to } } }`, { id });
          const before = ordersBefore.find((o) => o.id === id);
          expect(order.body.data?.supplierOrder).toMatchObject({ id, status: before?.status });
          expect((order.body.data?.supplierOrder as { history: unknown[] }).history).toHaveLength(Number(before?.events));
        }
      }
      const ordersAfter = await sqlRows<{ id: string; status: string; events: string }>(
        databaseUrl,
        `SELECT o.id, o.status, (SELECT count(*) FROM order_events e WHERE e.order_id = o.id) AS events FROM supplier_orders o ORDER BY o.seq`,
      );
      expect(ordersAfter).toEqual(ordersBefore);
      expect(await sqlRows(databaseUrl, `SELECT key FROM idempotency_keys WHERE key LIKE 'pg-outage-%'`)).toEqual([]);
      const inventory = await gql(a, `{ syncJobs(first: 50, filter: { kind: [INVENTORY] }) { totalCount } }`);
      expect(inventory.body.data?.syncJobs).toMatchObject({ totalCount: 0 });
      const again = await gql(b, `mutation { startSync(input: { kind: INVENTORY, scope: { limit: 4 } }) { alreadyRunning job { id } } }`);
      expect(again.body.errors).toBeUndefined();
      expect(again.body.data?.startSync).toMatchObject({ alreadyRunning: false });
      const order = await gql(a, `mutation($in: PlaceSupplierOrderInput!) { placeSupplierOrder(input: $in) { __typename } }`, {
        in: { idempotencyKey: `after-pg-${randomBytes(6).toString('hex')}`, lines: [{ partId: orderPart, quantity: 1 }] },
      });
      expect(order.body.data?.placeSupplierOrder).toMatchObject({ __typename: 'SupplierOrderPlaced' });
    }, 120_000);
  });
});
