/**
 * Record-store throughput on both engines, in one run: the stores the
 * gateway uses (src/orders/sqlOrderStore.ts, src/jobs/store/sqlJobStore.ts)
 * on a SQLite file in a temp dir and on a real PostgreSQL (started for the
 * run on an ephemeral loopback port, test/support/postgresServer.ts, with
 * fsync off as every test server: the figure is the stores' and the
 * engine's work, not the disk's), driven from this process:
 *
 * - order intents: what placeSupplierOrder asks of the store for a new key
 *   (claim the key, look for an earlier order, create the order with its
 *   first history entry, complete the key) — four statements, three of them
 *   transactions;
 * - job checkpoints: what a sync asks of it per page (commitPage: the page's
 *   failures, cleared items and checkpoint in one transaction), each worker
 *   on a job of its own.
 *
 * Each at 1 and at 10 in flight, timed one by one; rounds alternate between
 * the engines so drift hits both. With BENCH_BASELINE_DIR (a checkout of the
 * code before the record layer, e.g. `git archive main | tar -x -C /tmp/x`
 * with node_modules linked in) the release's own SQLite stores
 * (better-sqlite3, synchronous) run beside them on the same workload.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startPostgresServer, type PostgresServer } from '../test/support/postgresServer.js';
import { createSqlJobStore } from '../src/jobs/store/sqlJobStore.js';
import type { JobStore } from '../src/jobs/store/jobStore.js';
import { scopeKeyOf } from '../src/jobs/types.js';
import type { IdempotencyClaim, OrderStore } from '../src/orders/orderStore.js';
import type { SupplierOrderRecord } from '../src/orders/types.js';
import { createSqlOrderStore } from '../src/orders/sqlOrderStore.js';
import type { NewOrder } from '../src/orders/orderStore.js';
import { migrateRecords } from '../src/records/migrate.js';
import { createRecordDatabase, type RecordDatabase } from '../src/records/recordDatabase.js';
import { fmtMs, percentile } from './lib/crossdock.js';
import { formatNumber, table } from './lib/format.js';
import type { Scenario } from './lib/scenario.js';

const INTENTS = 1_000;
const CHECKPOINTS = 1_000;
const WARMUP = 50;
const ROUNDS = 2;
const CONCURRENCIES = [1, 10] as const;
const DAY = 86_400_000;

export interface Engine {
  label: string;
  orders: OrderStore;
  jobs: JobStore;
  close(): Promise<void>;
}

const intent = (key: string): NewOrder => ({
  client: 'bench',
  idempotencyKey: key,
  requestHash: `hash-${key}`,
  storeOrderId: null,
  poNumber: `CD-${key}`,
  status: 'PENDING',
  supplierOrderId: null,
  lines: [{ partId: '17', sku: 'BX-17', partNumber: 'BX-17', variantId: '170', quantity: 1, unitPrice: '12.30' }],
  shippingMethod: 'ground',
  address: { name: 'Bench Receiving', street1: '1 Loopback Way', city: 'Columbus', state: 'OH', zip: '43215', country: 'US' },
  attempts: 0,
  nextAttemptAt: null,
  lastError: null,
  trackingNumber: null,
  sendingSince: null,
  reportedStatus: null,
});

/** One order intent as orderService.place stores it. */
export async function placeIntent(orders: OrderStore): Promise<number> {
  const key = randomUUID();
  const t = performance.now();
  const claim = await orders.claimKey('bench', key, `hash-${key}`, DAY, { leaseMs: 60_000, now: Date.now() });
  if (claim.kind !== 'claimed') throw new Error(`claim of a fresh key answered ${claim.kind}`);
  if (await orders.byKey('bench', key)) throw new Error('a fresh key has an order');
  const { created, order } = await orders.create(intent(key), 'intent stored');
  if (!created) throw new Error('the order was not created');
  if (!(await orders.completeKey('bench', key, { kind: 'placed', order }, claim.token))) throw new Error('the key was not completed');
  return performance.now() - t;
}

/** One page's commit of a running sync: two failures (one cleared next page), the checkpoint. */
export function checkpointer(jobs: JobStore): () => Promise<number> {
  let jobId: Promise<string> | undefined;
  let page = 0;
  const counters = { total: 0, processed: 0, created: 0, updated: 0, unchanged: 0, failed: 0 };
  return async () => {
    const scope = { query: `bench-${randomUUID()}` };
    jobId ??= jobs.createOrGetActive({ kind: 'CATALOG', scope, scopeKey: scopeKeyOf('CATALOG', scope, false), dryRun: false, startedBy: 'bench' }).then((r) => r.job.id);
    const id = await jobId;
    page++;
    counters.total += 100;
    counters.processed += 100;
    counters.unchanged += 98;
    counters.failed += 2;
    const t = performance.now();
    await jobs.commitPage(id, {
      failures: [
        { sku: `A-${page}`, partNumber: `A-${page}`, code: 'VALIDATION', message: 'no price' },
        { sku: `B-${page}`, partNumber: `B-${page}`, code: 'UPSTREAM_REJECTED', message: 'name too long' },
      ],
      succeeded: page > 1 ? [`A-${page - 1}`] : [],
      planned: [],
      checkpoint: { nextPage: page + 1, counters: { ...counters } },
    });
    return performance.now() - t;
  };
}

interface Side {
  times: number[];
  wallMs: number;
}

/** `count` calls with `workers` in flight; `make` gives each worker its own call (its own job). */
async function pool(count: number, workers: number, make: () => () => Promise<number>): Promise<Side> {
  const times: number[] = [];
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      const call = make();
      while (next < count) {
        next++;
        times.push(await call());
      }
    }),
  );
  return { times, wallMs: performance.now() - t };
}

async function recordEngine(label: string, records: RecordDatabase): Promise<Engine> {
  await migrateRecords(records);
  return { label, orders: createSqlOrderStore(records), jobs: createSqlJobStore(records), close: () => records.close() };
}

/** What a checkout of the release (b9b4bed) exports: its SQLite stores, each on its own connection to the file. */
export interface ReleaseModules {
  createSqliteOrderStore(options: { path: string }): unknown;
  createSqliteJobStore(options: { path: string }): unknown;
}

/** The release's OrderStore, as far as an order intent goes: no claim lease, `create` answers the record, `completeKey` nothing. */
interface ReleaseOrderStore {
  claimKey(client: string, key: string, requestHash: string, ttlMs: number): Promise<{ kind: string }>;
  byKey: OrderStore['byKey'];
  create(order: NewOrder, reason: string): Promise<SupplierOrderRecord>;
  completeKey(client: string, key: string, response: unknown): Promise<void>;
}

/** The release's SQLite stores on `path`, driven as this build's stores are (its job store already speaks this build's page commit). */
export function releaseEngine(release: ReleaseModules, path: string): Engine {
  const store = release.createSqliteOrderStore({ path }) as ReleaseOrderStore;
  const jobs = release.createSqliteJobStore({ path }) as JobStore;
  const opened = [store, jobs] as unknown as Array<{ close(): Promise<void> }>;
  // The calls placeIntent makes, in this build's shapes; the release's claims hold no token, so any completes.
  const orders = {
    claimKey: async (client, key, hash, ttlMs) => {
      const claim = await store.claimKey(client, key, hash, ttlMs);
      return claim.kind === 'claimed' ? { kind: 'claimed', token: '', takenOver: false } : (claim as IdempotencyClaim);
    },
    byKey: (client, key) => store.byKey(client, key),
    create: async (order, reason) => ({ created: true, order: await store.create(order, reason) }),
    completeKey: async (client, key, response) => {
      await store.completeKey(client, key, response);
      return true;
    },
  } as Pick<OrderStore, 'claimKey' | 'byKey' | 'create' | 'completeKey'> as OrderStore;
  return {
    label: 'SQLite, the release’s stores (better-sqlite3, synchronous)',
    orders,
    jobs,
    close: async () => {
      await Promise.allSettled(opened.map((s) => s.close()));
    },
  };
}

/** The release's stores from a checkout of the code before the record layer. */
async function baselineEngine(dir: string, path: string): Promise<Engine> {
  const load = (p: string) => import(pathToFileURL(join(dir, p)).href) as Promise<Record<string, unknown>>;
  const modules = { ...(await load('src/orders/orderStore.ts')), ...(await load('src/jobs/store/sqliteJobStore.ts')) } as unknown as ReleaseModules;
  return releaseEngine(modules, path);
}

export const recordThroughput: Scenario = {
  name: 'recordThroughput',
  title: 'Record-store throughput: order intents and job checkpoints on SQLite and PostgreSQL',
  timeoutMs: 10 * 60_000,
  async run(log) {
    const dir = mkdtempSync(join(tmpdir(), 'crossdock-bench-records-'));
    const engines: Engine[] = [];
    let postgres: PostgresServer | undefined;
    try {
      postgres = await startPostgresServer();
      engines.push(await recordEngine('SQLite (a file, WAL)', await createRecordDatabase({ engine: 'sqlite', path: join(dir, 'crossdock.db') })));
      engines.push(await recordEngine('PostgreSQL (loopback)', await createRecordDatabase({ engine: 'postgres', url: await postgres.createDatabase('bench'), poolMax: 10 })));
      const baseline = process.env.BENCH_BASELINE_DIR;
      if (baseline) {
        if (!existsSync(join(baseline, 'src/orders/orderStore.ts'))) throw new Error(`BENCH_BASELINE_DIR=${baseline} holds no src/orders/orderStore.ts`);
        engines.push(await baselineEngine(baseline, join(dir, 'baseline.db')));
      }
      for (const e of engines) {
        await pool(WARMUP, 1, () => () => placeIntent(e.orders));
        await pool(WARMUP, 1, () => checkpointer(e.jobs));
      }

      const results = new Map<string, Side[]>();
      const add = (key: string, side: Side) => results.set(key, [...(results.get(key) ?? []), side]);
      for (let round = 1; round <= ROUNDS; round++) {
        for (const c of CONCURRENCIES) {
          for (const e of engines) {
            const intents = await pool(INTENTS, c, () => () => placeIntent(e.orders));
            const pages = await pool(CHECKPOINTS, c, () => checkpointer(e.jobs));
            add(`${e.label}|intents|${c}`, intents);
            add(`${e.label}|checkpoints|${c}`, pages);
            const rate = (s: Side) => formatNumber(Math.round((s.times.length * 1000) / s.wallMs));
            log(`  round ${round}, ${c} in flight, ${e.label}: ${rate(intents)} intents/s (p99 ${fmtMs(percentile(intents.times, 99))}), ${rate(pages)} checkpoints/s (p99 ${fmtMs(percentile(pages.times, 99))})`);
          }
        }
      }

      const rows: Array<Array<string | number>> = [];
      for (const what of ['intents', 'checkpoints'] as const) {
        for (const c of CONCURRENCIES) {
          for (const e of engines) {
            const sides = results.get(`${e.label}|${what}|${c}`) ?? [];
            const times = sides.flatMap((s) => s.times);
            const wall = sides.reduce((a, s) => a + s.wallMs, 0);
            rows.push([what === 'intents' ? 'order intent' : 'job checkpoint', c, e.label, times.length, formatNumber(Math.round((times.length * 1000) / wall)), fmtMs(percentile(times, 50), 2), fmtMs(percentile(times, 99), 2)]);
          }
        }
      }
      return [
        `The record stores driven from the bench process, ${ROUNDS} rounds alternating between the engines, ${formatNumber(INTENTS)} order intents and`,
        `${formatNumber(CHECKPOINTS)} job checkpoints per round, engine and concurrency (${WARMUP} of each discarded first). An order intent is what`,
        `placeSupplierOrder asks of the store for a new key: claim it, look for an earlier order, create the order and its first history`,
        `entry, complete the key. A job checkpoint is a sync page's commit (two failures, one cleared, the checkpoint), each worker on its`,
        `own job. SQLite: a file in a temp dir (WAL, synchronous=NORMAL). PostgreSQL 15 on loopback, fsync off (a test server: the`,
        `figure is the stores' and the engine's work, not the disk's), a pool of 10.${process.env.BENCH_BASELINE_DIR ? ' The release’s stores: src/orders/orderStore.ts and src/jobs/store/sqliteJobStore.ts of BENCH_BASELINE_DIR, on their own file.' : ''}`,
        '',
        table(['record', 'in flight', 'engine', 'calls', 'per second', 'p50', 'p99'], rows),
      ].join('\n');
    } finally {
      await Promise.allSettled(engines.map((e) => e.close()));
      await postgres?.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
