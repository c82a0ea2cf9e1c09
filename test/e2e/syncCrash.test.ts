/**
 * Issue acceptance: "Kill -9 during a sync, restart: the job resumes from its
 * checkpoint and the final store equals an uninterrupted run's, with zero
 * duplicates."
 *
 * The sandboxes run in this (test) process, so the store survives the
 * gateway's death. Gateway A is a child process; it is SIGKILLed mid-sync
 * (no drain, no close hooks). Gateway B starts on the same data directory,
 * finds the job its dead predecessor left RUNNING, marks it INTERRUPTED and
 * resumes it from the checkpoint. A reference gateway runs the same sync,
 * uninterrupted, against a second sandbox with the same seed; both stores
 * must end identical, one product per supplier part.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSqlJobStore } from '../../src/jobs/store/sqlJobStore.js';
import { createRecordDatabase } from '../../src/records/recordDatabase.js';
import { createCatalog } from '../../src/sandbox/common/catalog.js';
import type { Sandbox } from '../../src/sandbox/createSandbox.js';
import type { SandboxOptionsInput } from '../../src/sandbox/options.js';
import { pollUntil, sandboxUpstreamEnv, startGatewayProcess, stopAllGatewayProcesses, type GatewayProcess } from '../support/processes.js';
import { setFaults, startSandbox } from '../support/sandbox.js';

const PARTS = 1500;
const SEED = 4242;
const SANDBOX: SandboxOptionsInput = {
  parts: PARTS,
  seed: SEED,
  finditparts: { ratePerSecond: 50, burst: 50, perMinute: 3000 },
  bigcommerce: { quota: 1500, windowMs: 30_000, orders: 0 },
};
const GATEWAY_ENV = { SYNC_PAGE_SIZE: '50', SYNC_CREATE_CONCURRENCY: '4' };
/** Store latency per call, so a 1500-part sync takes seconds and "40% done" can be caught. */
const STORE_LATENCY = { latencyMs: 10 };

interface JobView {
  id: string;
  status: string;
  progress: { total: number; processed: number; created: number; updated: number; unchanged: number; failed: number };
}
const JOB = `query ($id: ID!) { syncJob(id: $id) { id status progress { total processed created updated unchanged failed } } }`;
const START = `mutation { startSync(input: { kind: CATALOG }) { alreadyRunning job { id status } } }`;

let crashSandbox: Sandbox;
let refSandbox: Sandbox;
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'crossdock-crash-'));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  [crashSandbox, refSandbox] = await Promise.all([startSandbox(SANDBOX), startSandbox(SANDBOX)]);
  await Promise.all([setFaults(crashSandbox.bigcommerce.url, STORE_LATENCY), setFaults(refSandbox.bigcommerce.url, STORE_LATENCY)]);
});

afterAll(async () => {
  await stopAllGatewayProcesses();
  await Promise.allSettled([crashSandbox?.close(), refSandbox?.close()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function job(gw: GatewayProcess, id: string): Promise<JobView> {
  const res = await gw.gql<{ data?: { syncJob: JobView | null }; errors?: unknown }>(JOB, { id });
  if (!res.body.data?.syncJob) throw new Error(`syncJob ${id}: ${JSON.stringify(res.body)}`);
  return res.body.data.syncJob;
}

async function startCatalogSync(gw: GatewayProcess): Promise<string> {
  const res = await gw.gql<{ data?: { startSync: { alreadyRunning: boolean; job: { id: string } } }; errors?: unknown }>(START);
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data?.startSync.alreadyRunning).toBe(false);
  return res.body.data!.startSync.job.id;
}

/** sku → "name|price|inventory_level" for every product in the store, and the number of products seen per SKU. */
function storeState(sandbox: Sandbox): { bySku: Map<string, string>; duplicates: string[]; count: number } {
  const bySku = new Map<string, string>();
  const duplicates: string[] = [];
  let count = 0;
  for (const p of sandbox.bigcommerce.origin.store.scan()) {
    count++;
    if (bySku.has(p.sku)) duplicates.push(p.sku);
    bySku.set(p.sku, `${p.name}|${p.price}|${p.inventory_level}`);
  }
  return { bySku, duplicates, count };
}

it('a sync killed with SIGKILL resumes from its checkpoint on restart and ends with the same store as an uninterrupted run', async () => {
  const t0 = Date.now();
  const crashDir = tmp();
  const crashEnv = { ...sandboxUpstreamEnv(crashSandbox), ...GATEWAY_ENV };
  const refEnv = { ...sandboxUpstreamEnv(refSandbox), ...GATEWAY_ENV };
  const [a, ref] = await Promise.all([startGatewayProcess({ env: crashEnv, dataDir: crashDir }), startGatewayProcess({ env: refEnv, dataDir: tmp() })]);
  const tStarted = Date.now();

  // The reference runs uninterrupted, alongside the crash scenario.
  const refId = await startCatalogSync(ref);
  const refDone = pollUntil(() => job(ref, refId), (j) => j.status !== 'RUNNING' && j.status !== 'QUEUED', { timeoutMs: 60_000, intervalMs: 200, what: 'the reference sync to end' });

  // Gateway A: start, wait for ~40% and RUNNING, then kill -9.
  const id = await startCatalogSync(a);
  const before = await pollUntil(() => job(a, id), (j) => j.status !== 'QUEUED' && (j.status !== 'RUNNING' || j.progress.processed >= PARTS * 0.4), {
    timeoutMs: 30_000,
    intervalMs: 15,
    what: 'gateway A to process 40%',
  });
  expect(before.status, 'the sync ended before it could be killed; slow the store down').toBe('RUNNING');
  // Kill mid-page: once A has written a few products past its last checkpoint.
  const origin = crashSandbox.bigcommerce.origin;
  const writesAt = origin.stats.snapshot().writes;
  await pollUntil(async () => origin.stats.snapshot().writes, (w) => w >= writesAt + 3, { timeoutMs: 5_000, intervalMs: 2, what: 'A to write past its checkpoint' });
  process.kill(a.pid, 'SIGKILL');
  expect(await a.exited).toEqual({ code: null, signal: 'SIGKILL' });
  const tKilled = Date.now();
  await new Promise((r) => setTimeout(r, 200)); // requests already in the store's hands finish
  const createdByA = origin.productCount() - origin.store.presence.count;

  // The dead process left the job RUNNING with a checkpoint past page 1.
  const peekDb = await createRecordDatabase({ engine: 'sqlite', path: join(crashDir, 'crossdock.db') });
  const left = await createSqlJobStore(peekDb).get(id);
  await peekDb.close();
  expect(left?.status).toBe('RUNNING');
  const checkpoint = left?.checkpoint;
  expect(checkpoint?.nextPage).toBeGreaterThan(1);
  const checkpointed = checkpoint?.counters.processed ?? 0;
  expect(checkpointed).toBeGreaterThan(0);
  expect(checkpointed).toBeLessThan(PARTS);
  // Items A finished after its last checkpoint are redone (and matched by SKU), not counted twice.
  expect(checkpointed).toBeLessThanOrEqual(before.progress.processed + 50);
  // A created products after its last checkpoint: the resumed run must find them by SKU, not create them again.
  const createdPastCheckpoint = createdByA - (checkpoint?.counters.created ?? 0);
  expect(createdPastCheckpoint).toBeGreaterThan(0);

  // Gateway B on the same data directory: INTERRUPTED at start, then resumed by itself.
  const b = await startGatewayProcess({ env: crashEnv, dataDir: crashDir });
  const resumedLog = await pollUntil(
    async () => b.stdout(),
    (out) => out.includes('resuming sync jobs interrupted by a stop'),
    { timeoutMs: 5_000, what: "gateway B's resume log line" },
  );
  const line = resumedLog.split('\n').find((l) => l.includes('resuming sync jobs interrupted by a stop'));
  expect(JSON.parse(line ?? '{}')).toMatchObject({ jobs: [id] });

  const seen: JobView[] = [];
  const after = await pollUntil(
    async () => {
      const j = await job(b, id);
      seen.push(j);
      return j;
    },
    (j) => j.status !== 'RUNNING' && j.status !== 'QUEUED' && j.status !== 'INTERRUPTED',
    { timeoutMs: 60_000, intervalMs: 50, what: 'the resumed sync to end' },
  );
  const tResumedDone = Date.now();
  // Resumed, not restarted: B's first snapshot already counts the checkpoint's work.
  expect(seen[0]?.progress.processed).toBeGreaterThanOrEqual(checkpointed);
  expect(seen.some((j) => j.status === 'RUNNING')).toBe(true);
  for (let i = 1; i < seen.length; i++) expect(seen[i]!.progress.processed).toBeGreaterThanOrEqual(seen[i - 1]!.progress.processed);
  expect(after.status).toBe('SUCCEEDED');
  expect(after.progress).toMatchObject({ total: PARTS, processed: PARTS, failed: 0 });
  expect(after.progress.created + after.progress.updated + after.progress.unchanged).toBe(PARTS);

  const reference = await refDone;
  expect(reference.status).toBe('SUCCEEDED');
  expect(reference.progress).toMatchObject({ total: PARTS, processed: PARTS, failed: 0 });
  const tRefDone = Date.now();

  // The stores: one product per supplier part, no duplicates, identical to the reference.
  const catalog = createCatalog({ size: PARTS, seed: SEED });
  const crashed = storeState(crashSandbox);
  const uninterrupted = storeState(refSandbox);
  expect(crashed.duplicates).toEqual([]);
  expect(uninterrupted.duplicates).toEqual([]);
  expect(crashed.count).toBe(PARTS);
  expect(crashSandbox.bigcommerce.origin.productCount()).toBe(PARTS);
  for (let i = 1; i <= PARTS; i++) {
    const pn = catalog.get(i)!.partNumber;
    if (!crashed.bySku.has(pn)) throw new Error(`part ${pn} is missing from the store`);
  }
  expect(crashed.bySku.size).toBe(uninterrupted.bySku.size);
  const differing = [...uninterrupted.bySku].filter(([sku, v]) => crashed.bySku.get(sku) !== v);
  expect(differing).toEqual([]);
  // The reference also created exactly what the store lacked at the start.
  expect(reference.progress.created).toBe(PARTS - refSandbox.bigcommerce.origin.store.presence.count);
  // What A created after its checkpoint, B counted as unchanged: nothing created twice.
  expect(after.progress.created).toBe(reference.progress.created - createdPastCheckpoint);

  console.info(
    `[syncCrash] gateways up ${tStarted - t0} ms; killed A at ${before.progress.processed}/${PARTS} (checkpoint ${checkpointed}, ${createdPastCheckpoint} products created past it) after ${tKilled - tStarted} ms; ` +
      `B finished ${tResumedDone - tKilled} ms later (first snapshot ${seen[0]?.status} ${seen[0]?.progress.processed}); reference done at ${tRefDone - tStarted} ms`,
  );
}, 90_000);
