/**
 * Bulk CSV at 100,000 rows (issue 17, acceptance 2): a PART_LIST import and
 * a catalog export, each measured as rows per second and the gateway's peak
 * resident memory (VmRSS sampled every 250 ms) beside its idle RSS, in one
 * run. The goal: peak RSS under 300 MB for both, since neither holds the
 * file or the catalog (the import streams its file a page of rows at a time,
 * the export pulls supplier and store pages only as the download reads them).
 *
 * A standalone sandbox (its own process) with a 100,000-part catalog, every
 * part already in the store (10% drifted, none with fitment fields yet) and
 * quotas raised so the vendors are not the limit; a gateway child pointed at
 * it. Phases, in order:
 * 1. import a 100,000-row PART_LIST (`part_number,supplier_id`, as an export
 *    gives it: parts are read in the supplier's batch form) — the store
 *    writes its fitments, repairs the drift;
 * 2. the same file again: every row unchanged, no write (reading, diffing);
 * 3. `GET /bulk/exports/catalog.csv`: 100,000 rows streamed to the bench.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGateway, heapLabel, imageNodeFlags } from './lib/buildGateway.js';
import { fullStats, startGateway, startSandbox, upstreamEnv, type GatewayProcess, type SandboxProcess } from './lib/crossdock.js';
import { formatNumber, mib, table } from './lib/format.js';
import { memoryOf, sleep } from './lib/proc.js';
import { sampleRss } from './lib/rssSampler.js';
import type { Scenario } from './lib/scenario.js';
import { createCatalog } from '../src/sandbox/common/catalog.js';

const ROWS = 100_000;
const SEED = 42;
const GOAL_BYTES = 300 * 1_000_000;
const FIP = { rate: 5_000, burst: 5_000, perMinute: 1_000_000 };
const BC = { quota: 1_000_000, windowMs: 30_000 };

interface PhaseResult {
  name: string;
  rows: number;
  seconds: number;
  peakRss: number;
  /** Largest V8 heap in use seen (sampled every 500 ms from /metrics). */
  peakHeap: number;
  storeWrites: number;
  detail: string;
}

interface JobView {
  status: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  progress: { processed: number; created: number; updated: number; unchanged: number; failed: number };
}

async function importOnce(gw: GatewayProcess, body: Buffer, log: (line: string) => void): Promise<JobView> {
  const res = await fetch(`${gw.url}/bulk/imports?kind=PART_LIST`, { method: 'POST', headers: { 'content-type': 'text/csv', 'x-api-key': gw.key }, body });
  if (res.status !== 202) throw new Error(`import: HTTP ${res.status} ${await res.text()}`);
  const id = ((await res.json()) as { job: { id: string } }).job.id;
  const deadline = Date.now() + 6 * 60_000;
  let lastLog = 0;
  for (;;) {
    const { syncJob } = await gw.gqlData<{ syncJob: JobView }>('query ($id: ID!) { syncJob(id: $id) { status startedAt finishedAt error progress { processed created updated unchanged failed } } }', { id });
    if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(syncJob.status)) {
      if (syncJob.status !== 'SUCCEEDED') throw new Error(`import ended ${syncJob.status}: ${syncJob.error ?? ''}`);
      return syncJob;
    }
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(`    ${formatNumber(syncJob.progress.processed)}/${formatNumber(ROWS)} rows`);
    }
    if (Date.now() > deadline) throw new Error(`import did not finish in 6 minutes (${JSON.stringify(syncJob.progress)})`);
    await sleep(250);
  }
}

/** The gateway's V8 heap in use (prom-client's default metric), bytes. */
async function heapUsed(gw: GatewayProcess): Promise<number> {
  const res = await fetch(`${gw.url}/metrics`, { headers: { 'x-api-key': gw.key }, signal: AbortSignal.timeout(5_000) });
  const m = /^crossdock_nodejs_heap_size_used_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(await res.text());
  return m ? Number(m[1]) : 0;
}

async function measure<T>(gw: GatewayProcess, sb: SandboxProcess, work: () => Promise<T>): Promise<{ value: T; peakRss: number; peakHeap: number; seconds: number; storeWrites: number }> {
  const writesBefore = (await fullStats(sb.bcOrigin)).writes;
  const rss = sampleRss(gw.child.pid, 250);
  let peakHeap = 0;
  let sampling = true;
  const heapLoop = (async () => {
    while (sampling) {
      peakHeap = Math.max(peakHeap, await heapUsed(gw).catch(() => 0));
      await sleep(500);
    }
  })();
  const t0 = performance.now();
  const value = await work();
  const seconds = (performance.now() - t0) / 1000;
  sampling = false;
  await heapLoop;
  const seen = await rss.stop();
  return { value, peakRss: seen.maxBytes, peakHeap, seconds, storeWrites: (await fullStats(sb.bcOrigin)).writes - writesBefore };
}

/**
 * The two gateway configurations measured side by side: the image's heap
 * (the Dockerfile's NODE_OPTIONS, what production runs) and V8's own sizing
 * with no cap, which shows what the cap changes.
 */
const HEAPS: Array<{ label: string; flags: string[] }> = [
  { label: heapLabel([]), flags: [] },
  { label: heapLabel(imageNodeFlags()), flags: imageNodeFlags() },
];

async function runConfig(heap: { label: string; flags: string[] }, file: Buffer, log: (line: string) => void): Promise<{ idle: number; results: PhaseResult[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'crossdock-bench-bulk-'));
  let sb: SandboxProcess | undefined;
  let gw: GatewayProcess | undefined;
  try {
    sb = await startSandbox(`sandbox (bulk, ${heap.label})`, {
      SANDBOX_PARTS: String(ROWS),
      SANDBOX_SEED: String(SEED),
      SANDBOX_STORE_SHARE: '1',
      SANDBOX_STORE_DRIFT: '0.1',
      SANDBOX_ORDERS: '0',
      SANDBOX_BIGCOMMERCE_QUOTA: String(BC.quota),
      SANDBOX_BIGCOMMERCE_WINDOW_MS: String(BC.windowMs),
      SANDBOX_FINDITPARTS_RATE_PER_SECOND: String(FIP.rate),
      SANDBOX_FINDITPARTS_BURST: String(FIP.burst),
      SANDBOX_FINDITPARTS_PER_MINUTE: String(FIP.perMinute),
    });
    gw = await startGateway(
      `gateway (bulk, ${heap.label})`,
      dataDir,
      { ...upstreamEnv(sb, { fipRatePerSecond: FIP.rate, fipPerMinute: FIP.perMinute, bcQuota: BC.quota, bcWindowMs: BC.windowMs }), SYNC_CREATE_CONCURRENCY: '8' },
      heap.flags,
      undefined,
      // What users get: the image's `node dist/main.js`, NODE_ENV=production (built once at the start of the run).
      'image',
    );
    await sleep(1_000);
    const idle = (await memoryOf(gw.child.pid)).rss;
    log(`  ${heap.label}: gateway idle RSS ${mib(idle)}`);
    const results: PhaseResult[] = [];

    log(`  import ${formatNumber(ROWS)} rows (${mib(file.length)}) …`);
    const first = await measure(gw, sb, () => importOnce(gw!, file, log));
    const p1 = first.value.progress;
    results.push({ name: 'import PART_LIST (writes)', rows: p1.processed, seconds: first.seconds, peakRss: first.peakRss, peakHeap: first.peakHeap, storeWrites: first.storeWrites, detail: `created ${formatNumber(p1.created)}, updated ${formatNumber(p1.updated)}, unchanged ${formatNumber(p1.unchanged)}, failed ${formatNumber(p1.failed)}` });

    log('  the same file again …');
    const second = await measure(gw, sb, () => importOnce(gw!, file, log));
    const p2 = second.value.progress;
    results.push({ name: 're-import (no writes)', rows: p2.processed, seconds: second.seconds, peakRss: second.peakRss, peakHeap: second.peakHeap, storeWrites: second.storeWrites, detail: `unchanged ${formatNumber(p2.unchanged)}, failed ${formatNumber(p2.failed)}` });

    log('  export catalog.csv …');
    const exported = await measure(gw, sb, async () => {
      const res = await fetch(`${gw!.url}/bulk/exports/catalog.csv`, { headers: { 'x-api-key': gw!.key, 'accept-encoding': 'identity' } });
      if (res.status !== 200 || !res.body) throw new Error(`export: HTTP ${res.status}`);
      let bytes = 0;
      let newlines = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.byteLength;
        for (const b of chunk) if (b === 10) newlines++;
      }
      return { bytes, rows: newlines - 1 };
    });
    if (exported.value.rows !== ROWS) throw new Error(`the export has ${exported.value.rows} rows, not ${ROWS}`);
    results.push({ name: 'export catalog.csv', rows: exported.value.rows, seconds: exported.seconds, peakRss: exported.peakRss, peakHeap: exported.peakHeap, storeWrites: exported.storeWrites, detail: `${mib(exported.value.bytes)} of CSV` });
    return { idle, results };
  } finally {
    await gw?.child.stop();
    await sb?.child.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export const bulkCsv: Scenario = {
  name: 'bulkCsv',
  title: 'Bulk CSV: 100,000-row import and catalog export (rows/s, peak RSS)',
  timeoutMs: 20 * 60_000,
  async run(log) {
    const buildStarted = performance.now();
    buildGateway();
    log(`  built dist/ (npm run build) in ${Math.round((performance.now() - buildStarted) / 1000)} s`);
    const catalog = createCatalog({ size: ROWS, seed: SEED });
    const lines = ['part_number,supplier_id'];
    for (let i = 1; i <= ROWS; i++) lines.push(`${catalog.get(i)!.partNumber},${i}`);
    const file = Buffer.from(`${lines.join('\n')}\n`);
    const rows: Array<Array<string | number>> = [];
    const idles: string[] = [];
    for (const heap of HEAPS) {
      const { idle, results } = await runConfig(heap, file, log);
      idles.push(`${heap.label} ${mib(idle)}`);
      for (const r of results) {
        rows.push([r.name, heap.label, formatNumber(r.rows), `${r.seconds.toFixed(1)} s`, formatNumber(Math.round(r.rows / r.seconds)), mib(r.peakRss), r.peakRss < GOAL_BYTES ? 'yes' : '**no**', mib(r.peakHeap), formatNumber(r.storeWrites), r.detail]);
      }
    }
    const body = table(['phase', 'gateway heap', 'rows', 'wall', 'rows/s', 'peak RSS', 'under 300 MB', 'peak heap used', 'store writes', ''], rows);
    return `${body}

Gateway idle RSS before the first phase: ${idles.join(', ')}. The gateway runs as the image
runs it: \`node dist/main.js\` (built by \`npm run build\` at the start of the run),
\`NODE_ENV=production\`, \`CROSSDOCK_MODE=production\` against the standalone sandbox as its
upstreams, the default log level with its output appended to a file; "${heapLabel(imageNodeFlags())}" is the
Dockerfile's \`NODE_OPTIONS\`. Peak RSS is VmRSS of the gateway process sampled every
250 ms during the phase; peak heap used is V8's \`heapUsed\` from /metrics every 500 ms (the
sandbox runs in its own process and is not counted). Wall time is from the upload (or the
request) to the job's end (the last byte). The first import writes each part's fitments and
repairs the seeded drift (one PUT per 10 products, stock per page); the re-import reads,
diffs and writes nothing; the export reads the supplier 100 parts a page and the store's
products for each page.

Under the image's cap the heap in use stays near its idle size and RSS follows: the import
and export hold no more than a page of rows. Without a cap V8 sizes the heap from the
machine's RAM and collects late, so RSS shows garbage not yet collected
rather than memory the import or export keeps.`;
  },
};
