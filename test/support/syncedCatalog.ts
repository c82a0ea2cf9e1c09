/**
 * Store products as a catalog sync leaves them: created by a real CATALOG
 * job through the gateway, so each carries the supplier id in its
 * `finditparts_id` custom field (src/jobs/productMapper.ts). The sandbox's
 * seeded products carry none, which is the unsynced case.
 */
import { createCatalog, type CatalogPart } from '../../src/sandbox/common/catalog.js';
import type { TestGateway } from './gateway.js';
import { pollUntil } from './processes.js';
import { resetSandbox } from './sandbox.js';

/** The sandbox catalog's parts 1..count (seed and size as the gateway's sandbox was started with). */
export function catalogParts(size: number, seed: number, count: number): CatalogPart[] {
  const catalog = createCatalog({ size, seed });
  return Array.from({ length: count }, (_, i) => catalog.get(i + 1)!);
}

/** Runs a CATALOG sync of exactly these part numbers to its end; throws unless it SUCCEEDED. */
export async function syncPartNumbers(gw: TestGateway, partNumbers: string[], key = gw.key): Promise<void> {
  const started = await gw.gql<{ data?: { startSync: { job: { id: string } } }; errors?: unknown[] }>(
    'mutation ($input: StartSyncInput!) { startSync(input: $input) { job { id } } }',
    { input: { kind: 'CATALOG', scope: { partNumbers } } },
    { 'x-api-key': key },
  );
  if (started.body.errors || !started.body.data) throw new Error(`startSync: ${JSON.stringify(started.body)}`);
  const id = started.body.data.startSync.job.id;
  const job = await pollUntil(
    async () => (await gw.gql<{ data?: { syncJob: { status: string; error: string | null } } }>('query ($id: ID!) { syncJob(id: $id) { status error } }', { id }, { 'x-api-key': key })).body.data?.syncJob,
    (j) => j !== undefined && !['QUEUED', 'RUNNING'].includes(j.status),
    { timeoutMs: 60_000, intervalMs: 100, what: `sync job ${id}` },
  );
  if (job?.status !== 'SUCCEEDED') throw new Error(`sync job ${id} ended ${JSON.stringify(job)}`);
}

/** Empties the entity cache and zeroes both sandbox origins' counters: the next query runs cold. */
export async function coldStart(gw: TestGateway): Promise<void> {
  await gw.services.cache.clear();
  await Promise.all([resetSandbox(gw.fipUrl), resetSandbox(gw.bcUrl)]);
}
