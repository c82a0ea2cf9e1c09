/**
 * The Shopify orders mirror (issue 14, acceptance 5), one gateway child in
 * development mode with its embedded Shopify twin (100,000 orders,
 * SANDBOX_SHOPIFY_ORDERS) on a fresh SQLite file:
 *
 * 1. backfill: a FULL refresh of the empty mirror through the bulk path,
 *    wall time from the mutation to SUCCEEDED;
 * 2. reads from the 100,000-order mirror: the first page (50 orders with
 *    `totalCount`) and a filtered page (PAID, OPEN, created in a window,
 *    with `totalCount`), sequential requests over loopback, p50/p99 of the
 *    whole round trip (an upper bound of the server's time; goal p99 < 10 ms,
 *    the old cache's floor was 100 ms);
 * 3. the full-mirror export as NDJSON and CSV, orders/s, with the gateway's
 *    resident memory sampled before and during (flat memory: the peak minus
 *    the idle figure);
 * 4. incremental refresh throughput against the cost bound: N orders touched
 *    in the twin without webhooks, then an INCREMENTAL refresh; its orders/s
 *    beside what the bucket allows (restoreRate ÷ points spent per order,
 *    the bucket's initial burst taken out), and the twin's THROTTLED count.
 *
 * BENCH_QUICK=1: 10,000 orders, fewer reads and touches, to try the harness.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmtMs, percentile, startGateway, type GatewayProcess } from './lib/crossdock.js';
import { formatNumber, mib, table } from './lib/format.js';
import { memoryOf, sleep } from './lib/proc.js';
import { sampleRss } from './lib/rssSampler.js';
import type { Scenario } from './lib/scenario.js';

const QUICK = process.env.BENCH_QUICK === '1';
const ORDERS = QUICK ? 10_000 : 100_000;
const READS = QUICK ? 100 : 500;
const WARMUP = 30;
const TOUCHED = QUICK ? 500 : 3_000;
const RESTORE_RATE = 1_000;
const BUCKET = 2_000;

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

async function timeReads(gw: GatewayProcess, query: string, variables: Record<string, unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < WARMUP + READS; i++) {
    const t = performance.now();
    const r = await gw.gql<{ orders: { totalCount: number; edges: unknown[] } }>(query, variables);
    const elapsed = performance.now() - t;
    if (r.status !== 200 || r.errors?.length) throw new Error(`read failed: ${JSON.stringify(r.errors).slice(0, 300)}`);
    if (i >= WARMUP) times.push(elapsed);
  }
  return times;
}

async function exportRate(gw: GatewayProcess, format: 'ndjson' | 'csv'): Promise<{ orders: number; ms: number; peakRss: number }> {
  const sampler = sampleRss(gw.child.pid, 100);
  const t = performance.now();
  const res = await fetch(`${gw.url}/export/orders?format=${format}`, { headers: { 'x-api-key': gw.key } });
  if (res.status !== 200) throw new Error(`export ${format}: HTTP ${res.status}`);
  let newlines = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) newlines++;
  }
  const ms = performance.now() - t;
  const rss = await sampler.stop();
  // CSV: a header line, and the twin's data has no newline inside a field.
  return { orders: format === 'csv' ? newlines - 1 : newlines, ms, peakRss: rss.maxBytes };
}

export const orderMirror: Scenario = {
  name: 'orderMirror',
  title: 'Shopify orders mirror: backfill, reads, export, incremental refresh against the cost bound',
  timeoutMs: 20 * 60_000,
  async run(log) {
    const dir = mkdtempSync(join(tmpdir(), 'crossdock-bench-mirror-'));
    try {
      const gw = await startGateway('gateway (mirror)', dir, {
        SANDBOX_SHOPIFY_ORDERS: String(ORDERS),
        SANDBOX_SHOPIFY_RESTORE_RATE: String(RESTORE_RATE),
        SANDBOX_SHOPIFY_BUCKET_SIZE: String(BUCKET),
        ORDER_MIRROR_POLL_MS: '200',
        // The bench's own refreshes only.
        ORDER_MIRROR_INTERVAL_SECONDS: '0',
      });
      const ups = await gw.gqlData<{ upstreams: Array<{ name: string; baseUrl: string }> }>(`{ upstreams { name baseUrl } }`);
      const shop = new URL(ups.upstreams.find((u) => u.name === 'shopify')?.baseUrl ?? '').origin;
      const stats = async () => (await (await fetch(`${shop}/__sandbox/stats`)).json()) as { graphql: { throttled: number; actualPoints: number; requestedPoints: number } };
      // Points the queries cost in the end (the twin takes the requested cost and gives the unused part back).
      const spent = (s: Awaited<ReturnType<typeof stats>>) => s.graphql.actualPoints;

      log(`backfill of ${formatNumber(ORDERS)} orders…`);
      const backfill = await refresh(gw, 'FULL', 10 * 60_000);
      const afterBackfill = await stats();
      log(`  ${fmtMs(backfill.ms, 0)}`);

      log('reads…');
      const firstPage = await timeReads(gw, `{ orders(filter: { channel: SHOPIFY }, first: 50) { totalCount edges { node { id channel name financialStatus total { amount currency } } } } }`, {});
      const filtered = await timeReads(
        gw,
        `query($since: DateTime!) { orders(filter: { channel: SHOPIFY, financialStatus: ["PAID"], status: [OPEN], createdSince: $since }, first: 50) { totalCount edges { node { id channel name financialStatus total { amount currency } } } } }`,
        { since: '2025-12-01T00:00:00Z' },
      );
      const pageOnly = await timeReads(gw, `{ orders(filter: { channel: SHOPIFY }, first: 50) { edges { node { id channel name financialStatus total { amount currency } } } } }`, {});

      log('export…');
      const idleRss = (await memoryOf(gw.child.pid)).rss;
      const ndjson = await exportRate(gw, 'ndjson');
      const csv = await exportRate(gw, 'csv');
      if (ndjson.orders !== ORDERS || csv.orders !== ORDERS) throw new Error(`export counts ${ndjson.orders} / ${csv.orders}, not ${ORDERS}`);

      log(`incremental: ${TOUCHED} orders touched without webhooks…`);
      const ids: string[] = [];
      let after: string | null = null;
      while (ids.length < TOUCHED) {
        const p: { orders: { pageInfo: { endCursor: string }; edges: Array<{ node: { storeOrderId: string } }> } } = await gw.gqlData(`query($a: String) { orders(filter: { channel: SHOPIFY }, first: 250, after: $a) { pageInfo { endCursor } edges { node { storeOrderId } } } }`, { a: after });
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
      const inc = await refresh(gw, 'INCREMENTAL', 10 * 60_000);
      const afterInc = await stats();
      const pulled = inc.job.progress.processed;
      const points = spent(afterInc) - spent(before);
      const perOrder = points / pulled;
      const rate = pulled / (inc.ms / 1000);
      // The least time the bucket allows: what was spent beyond the full bucket it started with, at restoreRate.
      const boundMs = (Math.max(0, points - BUCKET) / RESTORE_RATE) * 1000;
      const boundRate = RESTORE_RATE / perOrder;
      await gw.child.stop();

      const rows = [
        ['backfill (FULL, bulk)', `${formatNumber(ORDERS)} orders in ${fmtMs(backfill.ms, 0)} (${formatNumber(Math.round(ORDERS / (backfill.ms / 1000)))} orders/s); THROTTLED ${afterBackfill.graphql.throttled}`],
        ['first page, 50 orders + totalCount', `p50 ${fmtMs(percentile(firstPage, 50), 2)}, p99 ${fmtMs(percentile(firstPage, 99), 2)} (${READS} sequential)`],
        ['first page, 50 orders, no totalCount', `p50 ${fmtMs(percentile(pageOnly, 50), 2)}, p99 ${fmtMs(percentile(pageOnly, 99), 2)}`],
        ['filtered page (PAID, OPEN, created since) + totalCount', `p50 ${fmtMs(percentile(filtered, 50), 2)}, p99 ${fmtMs(percentile(filtered, 99), 2)}`],
        ['export NDJSON, whole mirror', `${formatNumber(Math.round(ndjson.orders / (ndjson.ms / 1000)))} orders/s (${fmtMs(ndjson.ms, 0)}); RSS idle ${mib(idleRss)}, peak ${mib(ndjson.peakRss)}`],
        ['export CSV, whole mirror', `${formatNumber(Math.round(csv.orders / (csv.ms / 1000)))} orders/s (${fmtMs(csv.ms, 0)}); RSS peak ${mib(csv.peakRss)}`],
        [
          'incremental refresh',
          `${formatNumber(pulled)} orders in ${fmtMs(inc.ms, 0)}: ${formatNumber(Math.round(rate))} orders/s; ${perOrder.toFixed(1)} points an order, bound ${formatNumber(Math.round(boundRate))} orders/s at restoreRate ${RESTORE_RATE}; time vs the bound's least time (burst out) ${(boundMs / inc.ms).toFixed(2)}; THROTTLED ${afterInc.graphql.throttled - before.graphql.throttled}`,
        ],
      ];
      return [
        table(['measure', 'result'], rows),
        '',
        `One gateway child with its embedded Shopify twin (${formatNumber(ORDERS)} orders, bucket ${BUCKET} points restoring ${RESTORE_RATE}/s), SQLite records. Read latencies are whole loopback round trips from this process (an upper bound of the server's time). RSS is the gateway process's, the twin's orders included. The bound's ratio is the least time the bucket allows for the points spent (after the full bucket it starts with) over the refresh's time: 1.0 is the bound.${QUICK ? ' BENCH_QUICK: not figures to record.' : ''}`,
      ].join('\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
