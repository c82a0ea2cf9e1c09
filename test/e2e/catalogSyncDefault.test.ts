/**
 * Issue acceptance, literally: a catalog sync of the DEFAULT sandbox catalog
 * (5,000 parts, 60% already in the store, 10% of those drifted) ends
 * SUCCEEDED with exactly one store product per supplier part; a second run
 * reports everything unchanged and writes nothing. The store quota is raised
 * (the default 150 per 30 s would make 2,000 creates take over six minutes;
 * the benchmark measures the rate against the real bound).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCatalog } from '../../src/sandbox/common/catalog.js';
import { SANDBOX_DEFAULTS } from '../../src/sandbox/options.js';
import { resetSandbox, sandboxStats } from '../support/sandbox.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { runningTwin } from '../../src/sandbox/twins.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway(
    { SYNC_CREATE_CONCURRENCY: '8' },
    { bigcommerce: { quota: 6_000, windowMs: 30_000 }, finditparts: { ratePerSecond: 200, burst: 200, perMinute: 12_000 } },
  );
});
afterAll(async () => gw?.close());

async function runCatalog() {
  const started = await gw.gql(`mutation { startSync(input: { kind: CATALOG }) { job { id } alreadyRunning } }`);
  const id = (started.body.data?.startSync as { job: { id: string } }).job.id;
  for (;;) {
    const res = await gw.gql(`query($id: ID!) { syncJob(id: $id) { status progress { total processed created updated unchanged failed } } }`, { id });
    const job = res.body.data?.syncJob as { status: string; progress: Record<string, number> };
    if (!['QUEUED', 'RUNNING'].includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, 250));
  }
}

it('syncs the default 5,000-part catalog into the store once, then finds nothing to do', async () => {
  expect(gw.sandbox?.options.parts).toBe(SANDBOX_DEFAULTS.parts);
  const first = await runCatalog();
  expect(first.status).toBe('SUCCEEDED');
  expect(first.progress).toMatchObject({ total: 5000, processed: 5000, failed: 0 });
  expect(first.progress.created).toBeGreaterThan(1500);
  expect(first.progress.updated).toBeGreaterThan(100);

  // Exactly one store product per supplier part, by SKU, counted in the store.
  const store = runningTwin(gw.sandbox, 'bigcommerce')!.origin;
  expect(store.productCount()).toBe(5000);
  const catalog = createCatalog({ size: 5000, seed: gw.sandbox!.options.seed });
  const skus = Array.from({ length: 5000 }, (_, i) => catalog.get(i + 1)!.partNumber);
  expect(store.productsBySku(skus).size).toBe(5000);

  await resetSandbox(gw.bcUrl);
  const second = await runCatalog();
  expect(second.status).toBe('SUCCEEDED');
  expect(second.progress).toMatchObject({ processed: 5000, created: 0, updated: 0, unchanged: 5000, failed: 0 });
  const stats = await sandboxStats(gw.bcUrl);
  expect(stats.writes).toBe(0);
  expect(stats.statuses['429'] ?? 0).toBe(0);
  expect(store.productCount()).toBe(5000);
}, 120_000);
