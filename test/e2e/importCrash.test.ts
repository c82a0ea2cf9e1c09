/**
 * An import survives kill -9 as a sync does (issue 17: "resume after kill -9
 * all as for syncs"). Gateway A, a child process, is SIGKILLed in the middle
 * of a 3,000-row PART_LIST; gateway B on the same data directory finds the
 * job INTERRUPTED, re-reads the content-addressed file from the checkpoint's
 * row and finishes it. The store ends with every part of the file exactly
 * once, the checkpoint's rows are not counted twice, and the rows' failures
 * are listed once each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSqlJobStore } from '../../src/jobs/store/sqlJobStore.js';
import { createRecordDatabase } from '../../src/records/recordDatabase.js';
import { createCatalog } from '../../src/sandbox/common/catalog.js';
import type { Sandbox } from '../../src/sandbox/createSandbox.js';
import { pollUntil, sandboxUpstreamEnv, startGatewayProcess, stopAllGatewayProcesses, type GatewayProcess } from '../support/processes.js';
import { setFaults, startSandbox } from '../support/sandbox.js';

const ROWS = 3000;
const SEED = 4243;
let sandbox: Sandbox;
const dirs: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ parts: ROWS + 10, seed: SEED, finditparts: { ratePerSecond: 2000, burst: 2000, perMinute: 1_000_000 }, bigcommerce: { quota: 1_000_000, windowMs: 30_000, orders: 0 } });
  // Store latency, so the import takes seconds and "40% done" can be caught.
  await setFaults(sandbox.bigcommerce.url, { latencyMs: 8 });
});
afterAll(async () => {
  await stopAllGatewayProcesses();
  await sandbox?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface JobView {
  status: string;
  progress: { total: number; processed: number; created: number; updated: number; unchanged: number; failed: number };
}
const job = async (gw: GatewayProcess, id: string): Promise<JobView> =>
  ((await gw.gql<{ data: { syncJob: JobView } }>('query ($id: ID!) { syncJob(id: $id) { status progress { total processed created updated unchanged failed } } }', { id })).body.data.syncJob);

it('a PART_LIST import killed with SIGKILL resumes from its checkpoint row and lands every row once', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'crossdock-import-crash-'));
  dirs.push(dataDir);
  const env = { ...sandboxUpstreamEnv(sandbox), SYNC_PAGE_SIZE: '50', SYNC_CREATE_CONCURRENCY: '4' };
  const a = await startGatewayProcess({ env, dataDir });
  const catalog = createCatalog({ size: ROWS + 10, seed: SEED });
  const lines = ['part_number,price'];
  for (let i = 1; i <= ROWS; i++) lines.push(`${catalog.get(i)!.partNumber},${i % 500 === 0 ? 'bad' : ''}`);
  const res = await fetch(`${a.url}/bulk/imports?kind=PART_LIST`, { method: 'POST', headers: { 'content-type': 'text/csv', 'x-api-key': a.key }, body: `${lines.join('\n')}\n` });
  expect(res.status).toBe(202);
  const id = ((await res.json()) as { job: { id: string } }).job.id;

  const before = await pollUntil(() => job(a, id), (j) => j.status !== 'QUEUED' && (j.status !== 'RUNNING' || j.progress.processed >= ROWS * 0.4), { timeoutMs: 60_000, intervalMs: 15, what: 'A to import 40%' });
  expect(before.status, 'the import ended before it could be killed; slow the store down').toBe('RUNNING');
  process.kill(a.pid, 'SIGKILL');
  expect(await a.exited).toEqual({ code: null, signal: 'SIGKILL' });
  await new Promise((r) => setTimeout(r, 200));

  const peekDb = await createRecordDatabase({ engine: 'sqlite', path: join(dataDir, 'crossdock.db') });
  const left = await createSqlJobStore(peekDb).get(id);
  await peekDb.close();
  expect(left?.status).toBe('RUNNING');
  const nextRow = left?.checkpoint?.nextRow ?? 1;
  expect(nextRow).toBeGreaterThan(1);
  expect(nextRow).toBeLessThan(ROWS);
  expect(left?.checkpoint?.counters.processed).toBe(nextRow - 1);

  const b = await startGatewayProcess({ env, dataDir });
  const seen: JobView[] = [];
  const after = await pollUntil(
    async () => {
      const j = await job(b, id);
      seen.push(j);
      return j;
    },
    (j) => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(j.status),
    { timeoutMs: 90_000, intervalMs: 50, what: 'the resumed import to end' },
  );
  // Resumed, not restarted: B's first snapshot already counts the checkpoint's rows.
  expect(seen[0]!.progress.processed).toBeGreaterThanOrEqual(nextRow - 1);
  expect(after.status).toBe('SUCCEEDED');
  expect(after.progress).toMatchObject({ total: ROWS, processed: ROWS, failed: ROWS / 500 });
  expect(after.progress.created + after.progress.updated + after.progress.unchanged).toBe(ROWS - ROWS / 500);

  // Every part of the file in the store exactly once.
  const counts = new Map<string, number>();
  for (const p of sandbox.bigcommerce.origin.store.scan()) counts.set(p.sku, (counts.get(p.sku) ?? 0) + 1);
  // (Every 500th row has a bad price: a failure, not in the store unless it was there before.)
  for (let i = 1; i <= ROWS; i++) if (i % 500 !== 0) expect(counts.get(catalog.get(i)!.partNumber), catalog.get(i)!.partNumber).toBe(1);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  const failures = await b.gql<{ data: { syncJob: { failures: { totalCount: number; nodes: Array<{ line: number }> } } } }>('query ($id: ID!) { syncJob(id: $id) { failures(first: 50) { totalCount nodes { line } } } }', { id });
  expect(failures.body.data.syncJob.failures.nodes.map((f) => f.line)).toEqual(Array.from({ length: ROWS / 500 }, (_, k) => (k + 1) * 500 + 1));
}, 150_000);
