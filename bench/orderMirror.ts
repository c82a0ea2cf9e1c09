/**
 * The Shopify orders mirror (issue 14, acceptance 5), measured as users get
 * it: the built gateway as the image runs it (`node dist/main.js`,
 * NODE_ENV=production, the default log level, the Dockerfile's NODE_OPTIONS;
 * bench/lib/buildGateway.ts) on a fresh SQLite file, pointed at the sandbox
 * started as its own process with its Shopify twin (100,000 orders,
 * SANDBOX_SHOPIFY_ORDERS; a production start refuses the embedded sandbox).
 * Every read and export asks for compression as a browser does
 * (`accept-encoding: gzip, deflate, br`); the gateway picks the encoding.
 *
 * 1. backfill: a FULL refresh of the empty mirror through the bulk path,
 *    wall time from the mutation to SUCCEEDED;
 * 2. reads from the 100,000-order mirror: the first page (50 orders with
 *    `totalCount`) and a filtered page (PAID, OPEN, created in a window,
 *    with `totalCount`), sequential requests over loopback, p50/p99 of the
 *    whole round trip (an upper bound of the server's time; goal p99 < 10 ms,
 *    the old cache's floor was 100 ms);
 * 3. the full-mirror export as NDJSON and CSV, three of each alternated,
 *    orders/s (the median, and each with the load average it ended at), with
 *    the gateway's resident memory sampled before and during (flat memory:
 *    the peak minus the idle figure);
 * 4. incremental refresh throughput against the cost bound: N orders touched
 *    in the twin without webhooks, then an INCREMENTAL refresh; its orders/s
 *    beside what the bucket allows (restoreRate ÷ points spent per order,
 *    the bucket's initial burst taken out), and the twin's THROTTLED count.
 *
 * BENCH_QUICK=1: 10,000 orders, fewer reads and touches, to try the harness.
 * BENCH_BASELINE_DIR=dir: another checkout of the code, built there (its
 * dist/), run the same way with a backfill of its own from the same sandbox
 * (the twin's orders are deterministic; a copy of this build's file would
 * not open in a build that lacks one of its migrations), and the exports of
 * both gateways alternated (BENCH_EXPORT_ROUNDS rounds, default 3): this
 * build against that one, in one run, the two backfills' times beside.
 * BENCH_MIRROR_PROFILE_DIR=dir: the gateway (and the baseline) run under
 * `node --cpu-prof` into dir/gateway and dir/baseline.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGateway, heapLabel, imageNodeFlags } from './lib/buildGateway.js';
import { summarizeCpuProfile } from './lib/cpuProfile.js';
import { fmtMs, percentile, startGateway, startSandbox, upstreamEnv, type GatewayProcess, type SandboxProcess } from './lib/crossdock.js';
import { formatNumber, mib, table } from './lib/format.js';
import { graphqlRequestDurations } from './lib/gatewayLog.js';
import { memoryOf, REPO_ROOT, sleep } from './lib/proc.js';
import { sampleRss } from './lib/rssSampler.js';
import type { Scenario } from './lib/scenario.js';

const QUICK = process.env.BENCH_QUICK === '1';
const ORDERS = QUICK ? 10_000 : 100_000;
const READS = QUICK ? 100 : 500;
const WARMUP = 30;
const TOUCHED = QUICK ? 500 : 3_000;
const RESTORE_RATE = 1_000;
const BUCKET = 2_000;
const BASELINE_DIR = process.env.BENCH_BASELINE_DIR;
const EXPORT_ROUNDS = Number(process.env.BENCH_EXPORT_ROUNDS ?? 3);
/** Exports of each format measured on the gateway (the machine is shared: one export is one sample of its noise). */
const EXPORTS = 3;
const PROFILE_DIR = process.env.BENCH_MIRROR_PROFILE_DIR;
/** What a browser sends (Chrome, Firefox): the gateway chooses among them, as it would for a user. */
const BROWSER_ACCEPT_ENCODING = 'gzip, deflate, br';
/** The standalone sandbox's Shopify shop (src/sandbox/options.ts defaults). */
const SHOP_TOKEN = 'sandbox-shopify-token';
const SHOP_SECRET = 'sandbox-shopify-secret';
/** The other upstreams' figures: the sandbox's own defaults (nothing here reads them). */
const FIGURES = { fipRatePerSecond: 5, fipPerMinute: 250, bcQuota: 150, bcWindowMs: 30_000 };

interface Job {
  id: string;
  status: string;
  error: string | null;
  progress: { processed: number; failed: number };
}

async function refresh(gw: GatewayProcess, mode: 'FULL' | 'INCREMENTAL', timeoutMs: number): Promise<{ job: Job; ms: number }> {
  const t = performance.now();
  const started = await gw.gqlData<{ refreshOrderMirror: { job: { id: string } } }>(`mutation($m: OrderMirrorRefreshMode!) { refreshOrderMirror(input: { channel: SHOPIFY, mode: $m }) { job { id } } }`, { m: mode });
  const id = started.refreshOrderMirror.job.id;
  for (;;) {
    const { syncJob } = await gw.gqlData<{ syncJob: Job }>(`query($id: ID!) { syncJob(id: $id) { id status error progress { processed failed } } }`, { id });
    if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(syncJob.status)) {
      if (syncJob.status !== 'SUCCEEDED') throw new Error(`the ${mode} refresh ended ${syncJob.status}: ${syncJob.error}`);
      return { job: syncJob, ms: performance.now() - t };
    }
    if (performance.now() - t > timeoutMs) throw new Error(`the ${mode} refresh did not end within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/**
 * A timed read as a browser's fetch sends it (its Accept-Encoding); the answer read whole, decoded by fetch.
 * `times` is the round trip seen here; `server` the same requests as the gateway timed them (its request
 * log's durationMs in `dataDir`), the issue's "server time".
 */
async function timeReads(gw: GatewayProcess, dataDir: string, query: string, variables: Record<string, unknown>): Promise<{ times: number[]; server: number[]; encoding: string }> {
  const times: number[] = [];
  const logged = graphqlRequestDurations(dataDir).length;
  let encoding = '';
  for (let i = 0; i < WARMUP + READS; i++) {
    const t = performance.now();
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'accept-encoding': BROWSER_ACCEPT_ENCODING, 'x-api-key': gw.key },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await res.json()) as { data?: { orders: { totalCount?: number; edges: unknown[] } }; errors?: unknown[] };
    const elapsed = performance.now() - t;
    if (res.status !== 200 || body.errors?.length || !body.data) throw new Error(`read failed: HTTP ${res.status} ${JSON.stringify(body.errors).slice(0, 300)}`);
    encoding = res.headers.get('content-encoding') ?? 'identity';
    if (i >= WARMUP) times.push(elapsed);
  }
  // The log line is written as the answer goes out; give the last ones a moment to reach the file.
  let server = graphqlRequestDurations(dataDir).slice(logged);
  for (let waited = 0; server.length < WARMUP + READS && waited < 3_000; waited += 50) {
    await sleep(50);
    server = graphqlRequestDurations(dataDir).slice(logged);
  }
  if (server.length < WARMUP + READS) throw new Error(`the gateway logged ${server.length} of ${WARMUP + READS} reads`);
  return { times, server: server.slice(WARMUP, WARMUP + READS), encoding };
}

interface ExportRun {
  orders: number;
  ms: number;
  peakRss: number;
  encoding: string;
  /** The machine's 1-minute load average when the export ended (os.loadavg): the noise beside the figure. */
  load: number;
}

async function exportRate(gw: GatewayProcess, format: 'ndjson' | 'csv'): Promise<ExportRun> {
  const sampler = sampleRss(gw.child.pid, 100);
  const t = performance.now();
  const res = await fetch(`${gw.url}/export/orders?format=${format}`, { headers: { 'x-api-key': gw.key, 'accept-encoding': BROWSER_ACCEPT_ENCODING } });
  if (res.status !== 200) throw new Error(`export ${format}: HTTP ${res.status}`);
  let newlines = 0;
  // Counted with indexOf (native), not a JS loop over every byte: this process shares the two cores with the gateway.
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++;
  }
  const ms = performance.now() - t;
  const rss = await sampler.stop();
  // CSV: a header line, and the twin's data has no newline inside a field.
  return { orders: format === 'csv' ? newlines - 1 : newlines, ms, peakRss: rss.maxBytes, encoding: res.headers.get('content-encoding') ?? 'identity', load: loadavg()[0] ?? 0 };
}

const ratePerSecond = (r: ExportRun) => r.orders / (r.ms / 1000);
const median = (values: readonly number[]) => percentile(values, 50);
const p50p99 = (values: readonly number[]) => `p50 ${fmtMs(percentile(values, 50), 2)}, p99 ${fmtMs(percentile(values, 99), 2)}`;
/** A read phase: the server's own time first (what the issue's goal is about), the round trip from here beside it. */
const readFigures = (r: { times: number[]; server: number[] }) => `server ${p50p99(r.server)}; round trip ${p50p99(r.times)}`;

/** Exports' median rate, then each one's rate and the load average it ended at, and the encoding. */
function exportFigure(rs: readonly ExportRun[]): string {
  const each = rs.map((r) => `${formatNumber(Math.round(ratePerSecond(r)))} at load ${r.load.toFixed(1)}`).join(', ');
  return `median ${formatNumber(Math.round(median(rs.map(ratePerSecond))))} orders/s (${each}; ${rs[0]?.encoding})`;
}

/** `--cpu-prof` into PROFILE_DIR/which when profiling, else nothing. */
function profiled(which: string): string[] {
  if (!PROFILE_DIR) return [];
  const dir = join(PROFILE_DIR, which);
  mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

/** The Shopify twin's origin, from the sandbox's banner (src/sandbox/main.ts). */
function shopOrigin(sb: SandboxProcess): string {
  const m = /Shopify Admin GraphQL\s+(\S+)/.exec(sb.child.output());
  if (!m?.[1]) throw new Error('the sandbox printed no Shopify Admin GraphQL origin');
  return new URL(m[1]).origin;
}

/** The gateway's environment against the standalone sandbox: every upstream the sandbox serves, Shopify's shop with its bucket. */
function gatewayEnv(sb: SandboxProcess, shop: string): Record<string, string> {
  return {
    ...upstreamEnv(sb, FIGURES),
    SHOPIFY_STORE_URL: shop,
    SHOPIFY_ACCESS_TOKEN: SHOP_TOKEN,
    SHOPIFY_API_SECRET: SHOP_SECRET,
    // The twin's bucket, as the connector would be told for a shop on that plan (it corrects from every answer anyway).
    SHOPIFY_RESTORE_RATE: String(RESTORE_RATE),
    SHOPIFY_BUCKET_SIZE: String(BUCKET),
    ORDER_MIRROR_POLL_MS: '200',
    // The bench's own refreshes only.
    ORDER_MIRROR_INTERVAL_SECONDS: '0',
  };
}

export const orderMirror: Scenario = {
  name: 'orderMirror',
  title: 'Shopify orders mirror: backfill, reads, export, incremental refresh against the cost bound',
  timeoutMs: 30 * 60_000,
  async run(log) {
    if (BASELINE_DIR && !existsSync(join(BASELINE_DIR, 'dist/main.js'))) throw new Error(`BENCH_BASELINE_DIR=${BASELINE_DIR} holds no dist/main.js (npm run build there first)`);
    const dir = mkdtempSync(join(tmpdir(), 'crossdock-bench-mirror-'));
    const baseDir = mkdtempSync(join(tmpdir(), 'crossdock-bench-mirror-base-'));
    let sb: SandboxProcess | undefined;
    let gw: GatewayProcess | undefined;
    let base: GatewayProcess | undefined;
    try {
      const buildStarted = performance.now();
      buildGateway();
      log(`  built dist/ (npm run build) in ${Math.round((performance.now() - buildStarted) / 1000)} s`);
      const flags = imageNodeFlags();
      sb = await startSandbox('sandbox (mirror)', {
        SANDBOX_SHOPIFY_ORDERS: String(ORDERS),
        SANDBOX_SHOPIFY_RESTORE_RATE: String(RESTORE_RATE),
        SANDBOX_SHOPIFY_BUCKET_SIZE: String(BUCKET),
      });
      const shop = shopOrigin(sb);
      const env = gatewayEnv(sb, shop);
      // What users get: the image's `node dist/main.js`, NODE_ENV=production, its NODE_OPTIONS.
      gw = await startGateway('gateway (mirror)', dir, env, [...flags, ...profiled('gateway')], undefined, 'image');
      const g = gw;
      const stats = async () => (await (await fetch(`${shop}/__sandbox/stats`)).json()) as { graphql: { throttled: number; actualPoints: number; requestedPoints: number } };
      // Points the queries cost in the end (the twin takes the requested cost and gives the unused part back).
      const spent = (s: Awaited<ReturnType<typeof stats>>) => s.graphql.actualPoints;

      log(`backfill of ${formatNumber(ORDERS)} orders…`);
      const backfill = await refresh(g, 'FULL', 10 * 60_000);
      const afterBackfill = await stats();
      log(`  ${fmtMs(backfill.ms, 0)}`);

      log('reads…');
      const firstPage = await timeReads(g, dir, `{ orders(filter: { channel: SHOPIFY }, first: 50) { totalCount edges { node { id channel name financialStatus total { amount currency } } } } }`, {});
      const filtered = await timeReads(
        g,
        dir,
        `query($since: DateTime!) { orders(filter: { channel: SHOPIFY, financialStatus: ["PAID"], status: [OPEN], createdSince: $since }, first: 50) { totalCount edges { node { id channel name financialStatus total { amount currency } } } } }`,
        { since: '2025-12-01T00:00:00Z' },
      );
      const pageOnly = await timeReads(g, dir, `{ orders(filter: { channel: SHOPIFY }, first: 50) { edges { node { id channel name financialStatus total { amount currency } } } } }`, {});

      log('export…');
      const idleRss = (await memoryOf(g.child.pid)).rss;
      // EXPORTS of each format, alternated: the first is a user's first export of a warm gateway, the median the figure.
      const exports: Record<'csv' | 'ndjson', ExportRun[]> = { csv: [], ndjson: [] };
      for (let i = 0; i < EXPORTS; i++) {
        for (const format of ['ndjson', 'csv'] as const) {
          const r = await exportRate(g, format);
          if (r.orders !== ORDERS) throw new Error(`${format} export: ${r.orders} orders, not ${ORDERS}`);
          exports[format].push(r);
          log(`  ${format} ${formatNumber(Math.round(ratePerSecond(r)))} orders/s (${r.encoding}, load average ${r.load.toFixed(1)})`);
        }
      }

      // This build against the baseline's, alternated on the same mirror (a copy of it) and the same sandbox.
      let versus: string[] = [];
      if (BASELINE_DIR) {
        base = await startGateway('baseline gateway (mirror)', baseDir, env, [...flags, ...profiled('baseline')], BASELINE_DIR, 'image');
        log(`baseline backfill of ${formatNumber(ORDERS)} orders…`);
        const baseBackfill = await refresh(base, 'FULL', 10 * 60_000);
        log(`  ${fmtMs(baseBackfill.ms, 0)}`);
        const baseIdle = (await memoryOf(base.child.pid)).rss;
        const runs: Record<'this' | 'baseline', Record<'csv' | 'ndjson', ExportRun[]>> = { this: { csv: [], ndjson: [] }, baseline: { csv: [], ndjson: [] } };
        for (let round = 0; round < EXPORT_ROUNDS; round++) {
          // Each round in the other order, so neither build always goes first.
          const order: Array<['this' | 'baseline', GatewayProcess]> = round % 2 === 0 ? [['this', g], ['baseline', base]] : [['baseline', base], ['this', g]];
          for (const format of ['csv', 'ndjson'] as const) {
            for (const [which, process_] of order) {
              const r = await exportRate(process_, format);
              if (r.orders !== ORDERS) throw new Error(`${which} ${format} export: ${r.orders} orders, not ${ORDERS}`);
              runs[which][format].push(r);
            }
          }
          log(`  round ${round + 1}: CSV this ${formatNumber(Math.round(ratePerSecond(runs.this.csv[round]!)))} / baseline ${formatNumber(Math.round(ratePerSecond(runs.baseline.csv[round]!)))} orders/s`);
        }
        const fig = (rs: ExportRun[]) => `${exportFigure(rs)}; RSS peak ${mib(Math.max(...rs.map((r) => r.peakRss)))}`;
        versus = [
          '',
          `This build against the baseline (\`BENCH_BASELINE_DIR\`: ${BASELINE_DIR}, built and run the same way, its own backfill of the same sandbox: ${fmtMs(baseBackfill.ms, 0)} against this build's ${fmtMs(backfill.ms, 0)}), ${EXPORT_ROUNDS} rounds, each export of one build followed by the other's, the first build alternating. RSS idle: this build ${mib(idleRss)} (after the backfill and the reads), the baseline ${mib(baseIdle)} (after its backfill).`,
          '',
          table(
            ['export', 'this build', 'baseline'],
            (['csv', 'ndjson'] as const).map((f) => [f === 'csv' ? 'CSV' : 'NDJSON', fig(runs.this[f]), fig(runs.baseline[f])]),
          ),
        ];
        await base.child.stop();
        base = undefined;
      }

      log(`incremental: ${TOUCHED} orders touched without webhooks…`);
      const ids: string[] = [];
      let after: string | null = null;
      while (ids.length < TOUCHED) {
        const p: { orders: { pageInfo: { endCursor: string }; edges: Array<{ node: { storeOrderId: string } }> } } = await g.gqlData(`query($a: String) { orders(filter: { channel: SHOPIFY }, first: 250, after: $a) { pageInfo { endCursor } edges { node { storeOrderId } } } }`, { a: after });
        ids.push(...p.orders.edges.map((e) => `gid://shopify/Order/${e.node.storeOrderId}`));
        after = p.orders.pageInfo.endCursor;
      }
      for (let i = 0; i < TOUCHED; i += 500) {
        const res = await fetch(`${shop}/__sandbox/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ update: ids.slice(i, Math.min(i + 500, TOUCHED)), webhooks: false }) });
        if (!res.ok) throw new Error(`touching orders: HTTP ${res.status}`);
      }
      // The bucket full again, as a quiet shop's is.
      await sleep(Math.ceil((BUCKET / RESTORE_RATE) * 1000) + 500);
      const before = await stats();
      const inc = await refresh(g, 'INCREMENTAL', 10 * 60_000);
      const afterInc = await stats();
      const pulled = inc.job.progress.processed;
      const points = spent(afterInc) - spent(before);
      const perOrder = points / pulled;
      const rate = pulled / (inc.ms / 1000);
      // The least time the bucket allows: what was spent beyond the full bucket it started with, at restoreRate.
      const boundMs = (Math.max(0, points - BUCKET) / RESTORE_RATE) * 1000;
      const boundRate = RESTORE_RATE / perOrder;
      await g.child.stop();
      gw = undefined;

      const profiles: string[] = [];
      if (PROFILE_DIR) {
        for (const which of ['gateway', ...(BASELINE_DIR ? ['baseline'] : [])]) {
          const where = join(PROFILE_DIR, which);
          const file = readdirSync(where).filter((f) => f.endsWith('.cpuprofile')).sort().pop();
          if (!file) continue;
          const s = summarizeCpuProfile(join(where, file), REPO_ROOT, { top: 25 });
          log(`  profile ${which}: busy ${Math.round(s.busyMs)} ms; ${s.functions.map((f) => `${f.name} ${f.where} ${(f.share * 100).toFixed(1)}%`).join('\n    ')}\n  packages: ${s.packages.slice(0, 12).map((p) => `${p.name} ${(p.share * 100).toFixed(1)}%`).join('; ')}`);
          profiles.push(which);
        }
      }

      const rows = [
        ['backfill (FULL, bulk)', `${formatNumber(ORDERS)} orders in ${fmtMs(backfill.ms, 0)} (${formatNumber(Math.round(ORDERS / (backfill.ms / 1000)))} orders/s); THROTTLED ${afterBackfill.graphql.throttled}`],
        ['first page, 50 orders + totalCount', `${readFigures(firstPage)} (${READS} sequential; ${firstPage.encoding})`],
        ['first page, 50 orders, no totalCount', readFigures(pageOnly)],
        ['filtered page (PAID, OPEN, created since) + totalCount', readFigures(filtered)],
        ['export NDJSON, whole mirror', `${exportFigure(exports.ndjson)}; RSS idle ${mib(idleRss)}, peak ${mib(Math.max(...exports.ndjson.map((r) => r.peakRss)))}`],
        ['export CSV, whole mirror', `${exportFigure(exports.csv)}; RSS peak ${mib(Math.max(...exports.csv.map((r) => r.peakRss)))}`],
        [
          'incremental refresh',
          `${formatNumber(pulled)} orders in ${fmtMs(inc.ms, 0)}: ${formatNumber(Math.round(rate))} orders/s; ${perOrder.toFixed(1)} points an order, bound ${formatNumber(Math.round(boundRate))} orders/s at restoreRate ${RESTORE_RATE}; time vs the bound's least time (burst out) ${(boundMs / inc.ms).toFixed(2)}; THROTTLED ${afterInc.graphql.throttled - before.graphql.throttled}`,
        ],
      ];
      return [
        table(['measure', 'result'], rows),
        '',
        `The gateway as the image runs it (\`node dist/main.js\`, NODE_ENV=production, the default log level, ${heapLabel(flags)}), SQLite records, against the sandbox as its own process: its Shopify twin with ${formatNumber(ORDERS)} orders, bucket ${BUCKET} points restoring ${RESTORE_RATE}/s. Reads and exports ask for compression as a browser does (\`accept-encoding: ${BROWSER_ACCEPT_ENCODING}\`); the encoding the gateway chose is beside each figure, and the figures include decoding it in this process. An export figure is the median of ${EXPORTS} whole-mirror exports of that format (NDJSON and CSV alternated), each one's rate beside it with the 1-minute load average it ended at (two cores, shared). Reads: \`server\` is the gateway's own time for each request (its request log's \`durationMs\`: from the request's arrival until its compressed answer was sent), \`round trip\` the whole loopback round trip timed in this process, decoding included. RSS is the gateway process's. The bound's ratio is the least time the bucket allows for the points spent (after the full bucket it starts with) over the refresh's time: 1.0 is the bound.${PROFILE_DIR ? ` Profiled (--cpu-prof: ${profiles.join(', ')}): not figures to record.` : ''}${QUICK ? ' BENCH_QUICK: not figures to record.' : ''}`,
        ...versus,
      ].join('\n');
    } finally {
      await base?.child.stop();
      await gw?.child.stop();
      await sb?.child.stop();
      rmSync(dir, { recursive: true, force: true });
      rmSync(baseDir, { recursive: true, force: true });
    }
  },
};
