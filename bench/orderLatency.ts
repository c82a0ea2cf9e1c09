/**
 * placeSupplierOrder latency through the gateway against the sandbox's own
 * place_order latency, in one run: a standalone sandbox with a raised
 * supplier rate, a gateway child pointed at it (ORDER_PLACE_WAIT_MS at its
 * default, so the mutation answers after the first send), and from this
 * process N gateway mutations (distinct idempotency keys) interleaved with N
 * direct `POST /api/v1/partners/place_order` calls carrying the same order,
 * timed one by one; then the same with 10 in flight. A second gateway with
 * ORDER_PLACE_WAIT_MS=0 (answers once the intent is stored) splits the added
 * latency into the gateway's own work and the wait for the send.
 * Goal (issue): report the gateway's added latency at p50 and p99.
 *
 * Every gateway runs as the production image runs it (bench/lib/crossdock.ts
 * `run = 'image'`): `node dist/main.js` after `npm run build`, NODE_ENV and
 * CROSSDOCK_MODE production, the default log level with its output appended
 * to a file, and the Dockerfile's NODE_OPTIONS — "benchmark what users get"
 * (STYLE.md). The sandbox is not measured and runs from source.
 *
 * With BENCH_BASELINE_DIR (another checkout of the code, e.g. the release
 * before a change: `git worktree add /tmp/x <commit>`, its own node_modules)
 * a third gateway runs that code on the same sandbox, built there with its
 * own `npm run build` and started with its own Dockerfile's NODE_OPTIONS
 * (BENCH_BASELINE_NODE_FLAGS=this: with this build's, to compare the code
 * alone when the image's flags changed between the two).
 * The sequential phase runs in ROUNDS rounds; in each, every call of this
 * build is paired with one of the baseline's, the baseline first on odd
 * calls, so drift and the machine's other load hit both alike. Each round
 * gives a p50 ratio: their spread is the run's noise.
 *
 * BENCH_ORDER_PROFILE_DIR=dir: the waiting gateway (and the baseline) run
 * under `node --cpu-prof` into dir/gateway and dir/baseline, and the log
 * shows their self time by package and function over the timed phases.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { baselineNodeFlags, baselineTakesTheseFlags, buildCheckout, buildGateway, heapLabel, imageNodeFlags } from './lib/buildGateway.js';
import { fmtMs, fullStats, percentile, SANDBOX_CREDENTIALS, startGateway, startSandbox, upstreamEnv, type GatewayProcess, type SandboxProcess } from './lib/crossdock.js';
import { formatNumber, table } from './lib/format.js';
import { graphqlRequestDurations } from './lib/gatewayLog.js';
import { getJson } from './lib/http.js';
import { summarizeCpuProfile } from './lib/cpuProfile.js';
import { cpuTimeMs, REPO_ROOT, sleep } from './lib/proc.js';
import type { Scenario } from './lib/scenario.js';

const N = 300;
/** Rounds of the sequential phase (N calls in all): the spread of the per-round p50 ratios shows the noise. */
const ROUNDS = 5;
const WARMUP = 20;
const CONCURRENCY = 10;
const FIP = { rate: 1_000, burst: 1_000, perMinute: 100_000 };
const PROFILE_DIR = process.env.BENCH_ORDER_PROFILE_DIR;
const profiled = (which: string) => (PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${join(PROFILE_DIR, which)}`] : []);
const load1 = () => (loadavg()[0] as number).toFixed(1);

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
const ADDRESS = { name: 'Bench Receiving', street1: '1 Loopback Way', city: 'Columbus', state: 'OH', zip: '43215', country: 'US' };

interface FipProduct {
  finditparts_product_id: number;
  part_number: string;
  sellable: boolean;
  preferred_variant_id: number;
  variants: Array<{ variant_id: number; quantity: number; minimum: number; price: string }>;
}

interface Target {
  partId: string;
  partNumber: string;
  variantId: number;
  stock: number;
}

/** A sellable part whose preferred variant has the most stock (minimum 1), from the sandbox's first pages. */
async function findPart(sb: SandboxProcess): Promise<Target> {
  let best: Target | undefined;
  for (let page = 1; page <= 5; page++) {
    const { status, body } = await getJson<{ products: FipProduct[] }>(`${sb.fipBase}/products?page=${page}&per=100`, { 'X-API-Key': SANDBOX_CREDENTIALS.fipApiKey });
    if (status !== 200) throw new Error(`sandbox /products answered ${status}`);
    for (const p of body.products) {
      const v = p.variants.find((x) => x.variant_id === p.preferred_variant_id) ?? p.variants[0];
      if (!p.sellable || !v || v.minimum !== 1 || v.quantity < 1) continue;
      if (!best || v.quantity > best.stock) best = { partId: String(p.finditparts_product_id), partNumber: p.part_number, variantId: v.variant_id, stock: v.quantity };
    }
    if (best && best.stock >= N) break;
  }
  if (!best) throw new Error('no orderable part in the first 500 sandbox parts');
  return best;
}

const MUTATION = `mutation($input: PlaceSupplierOrderInput!) {
  placeSupplierOrder(input: $input) {
    __typename
    ... on SupplierOrderPlaced { replayed order { id status supplierOrderId } }
    ... on SupplierOrderRejected { reason message }
  }
}`;

interface Placed {
  placeSupplierOrder: { __typename: string; replayed?: boolean; order?: { status: string; supplierOrderId: string | null }; reason?: string; message?: string };
}

/** `expectSent`: the answer must be SUBMITTED (the gateway waited for the send); otherwise PENDING is fine too. */
async function viaGateway(gw: GatewayProcess, part: Target, expectSent = true): Promise<number> {
  const input = { idempotencyKey: `bench-${randomUUID()}`, lines: [{ partId: part.partId, quantity: 1 }], shippingMethod: 'ground', address: ADDRESS };
  const t = performance.now();
  const r = await gw.gql<Placed>(MUTATION, { input }, 30_000);
  const elapsed = performance.now() - t;
  const p = r.data?.placeSupplierOrder;
  const sent = p?.order?.status === 'SUBMITTED' && Boolean(p.order.supplierOrderId);
  const ok = expectSent ? sent : sent || p?.order?.status === 'PENDING';
  if (r.status !== 200 || r.errors?.length || p?.__typename !== 'SupplierOrderPlaced' || !ok) {
    throw new Error(`gateway order not submitted: HTTP ${r.status} ${JSON.stringify(r.errors ?? p).slice(0, 400)}`);
  }
  return elapsed;
}

async function direct(sb: SandboxProcess, part: Target): Promise<number> {
  const body = JSON.stringify({ po_number: `BENCH-${randomUUID().slice(0, 18)}`, shipping_method: 'ground', address: ADDRESS, items: [{ variant_id: part.variantId, quantity: 1 }] });
  const t = performance.now();
  const res = await fetch(`${sb.fipBase}/partners/place_order`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'X-API-Key': SANDBOX_CREDENTIALS.fipApiKey },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  const elapsed = performance.now() - t;
  if (res.status !== 201) throw new Error(`direct place_order answered ${res.status}: ${text.slice(0, 300)}`);
  return elapsed;
}

/** `count` calls of `fn` with `workers` in flight. */
async function pool(count: number, workers: number, fn: () => Promise<number>): Promise<Side> {
  const times: number[] = [];
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < count) {
        next++;
        times.push(await fn());
      }
    }),
  );
  return { times, wallMs: performance.now() - t };
}

interface Side {
  times: number[];
  wallMs: number;
}

interface Mode {
  mode: string;
  gateway: Side;
  noWait: Side;
  direct: Side;
  /** The BENCH_BASELINE_DIR gateway (waits for the send), when there is one. */
  baseline?: Side;
}

export const orderLatency: Scenario = {
  name: 'orderLatency',
  title: 'placeSupplierOrder latency: gateway vs the sandbox alone',
  // Two builds (this checkout's and the baseline's) come first.
  timeoutMs: 10 * 60_000,
  async run(log) {
    const dirs = [mkdtempSync(join(tmpdir(), 'crossdock-bench-orders-')), mkdtempSync(join(tmpdir(), 'crossdock-bench-orders-')), mkdtempSync(join(tmpdir(), 'crossdock-bench-orders-'))];
    const baselineDir = process.env.BENCH_BASELINE_DIR;
    if (baselineDir && !existsSync(join(baselineDir, 'src/main.ts'))) throw new Error(`BENCH_BASELINE_DIR=${baselineDir} holds no src/main.ts`);
    let sb: SandboxProcess | undefined;
    const gateways: GatewayProcess[] = [];
    const window = { startUs: 0, endUs: 0 };
    try {
      sb = await startSandbox('sandbox (orders)', {
        SANDBOX_FINDITPARTS_RATE_PER_SECOND: String(FIP.rate),
        SANDBOX_FINDITPARTS_BURST: String(FIP.burst),
        SANDBOX_FINDITPARTS_PER_MINUTE: String(FIP.perMinute),
      });
      const env = {
        ...upstreamEnv(sb, { fipRatePerSecond: FIP.rate, fipPerMinute: FIP.perMinute, bcQuota: 150, bcWindowMs: 30_000 }),
        // Status polling of placed orders (default every 30 s, one GET per order) would add upstream calls mid-run.
        ORDER_POLL_INTERVAL_MS: '3600000',
      };
      // What users get: the built gateway as the image's CMD starts it, with the image's node flags.
      buildGateway();
      const flags = imageNodeFlags();
      // The baseline's own image flags by default; BENCH_BASELINE_NODE_FLAGS=this gives it this build's, so that a
      // change of the image's flags (a heap cap) is not counted as a change of the code.
      const sameFlags = baselineTakesTheseFlags();
      const baseFlags = baselineDir ? baselineNodeFlags(baselineDir) : [];
      if (baselineDir) buildCheckout(baselineDir);
      const g = await startGateway('gateway (orders)', dirs[0] as string, env, [...flags, ...profiled('gateway')], undefined, 'image');
      gateways.push(g);
      // The same gateway answering as soon as the intent is stored (the send follows in the background):
      // the difference is what waiting for the send costs.
      const nw = await startGateway('gateway (orders, ORDER_PLACE_WAIT_MS=0)', dirs[1] as string, { ...env, ORDER_PLACE_WAIT_MS: '0' }, flags, undefined, 'image');
      gateways.push(nw);
      const base = baselineDir ? await startGateway('baseline gateway (orders)', dirs[2] as string, env, [...baseFlags, ...profiled('baseline')], baselineDir, 'image') : undefined;
      if (base) gateways.push(base);
      const part = await findPart(sb);
      log(`  part ${part.partNumber} (id ${part.partId}, variant ${part.variantId}, stock ${part.stock})`);
      const s = sb;

      // Warm-up: JIT, keep-alive connections, SQLite pages, the gateways' JWTs.
      for (let i = 0; i < WARMUP; i++) {
        await viaGateway(g, part);
        if (base) await viaGateway(base, part);
        await viaGateway(nw, part, false);
        await direct(s, part);
      }
      await sleep(200);
      const fipBefore = await fullStats(s.fipOrigin);
      const loadAtStart = load1();
      // Where each gateway's log and CPU time stand as the sequential phase starts.
      const logAt = { gateway: graphqlRequestDurations(dirs[0] as string).length, baseline: graphqlRequestDurations(dirs[2] as string).length };
      const cpuAt = { gateway: await cpuTimeMs(g.child.pid), baseline: base ? await cpuTimeMs(base.child.pid) : 0 };
      window.startUs = monotonicUs();

      // Sequential, interleaved: gateway, no-wait gateway, direct, … so drift hits all three; in rounds,
      // each round's p50s compared on their own.
      const seq: Mode = {
        mode: 'sequential (1 in flight, interleaved)',
        gateway: { times: [], wallMs: 0 },
        noWait: { times: [], wallMs: 0 },
        direct: { times: [], wallMs: 0 },
        ...(base ? { baseline: { times: [], wallMs: 0 } } : {}),
      };
      const rounds: Array<{ gateway: number[]; baseline: number[]; load: string }> = [];
      const push = (side: Side, ms: number) => {
        side.times.push(ms);
        side.wallMs += ms;
      };
      for (let r = 0; r < ROUNDS; r++) {
        const round = { gateway: [] as number[], baseline: [] as number[], load: '' };
        for (let i = 0; i < N / ROUNDS; i++) {
          // The baseline goes first on odd calls, second on even ones: neither always follows the other.
          if (base && seq.baseline && i % 2 === 1) round.baseline.push(await viaGateway(base, part));
          round.gateway.push(await viaGateway(g, part));
          if (base && seq.baseline && i % 2 === 0) round.baseline.push(await viaGateway(base, part));
          push(seq.noWait, await viaGateway(nw, part, false));
          push(seq.direct, await direct(s, part));
        }
        round.load = load1();
        for (const ms of round.gateway) push(seq.gateway, ms);
        if (seq.baseline) for (const ms of round.baseline) push(seq.baseline, ms);
        rounds.push(round);
        if (base) log(`  round ${r + 1}: p50 ${fmtMs(percentile(round.gateway, 50))} vs baseline ${fmtMs(percentile(round.baseline, 50))} (ratio ${(percentile(round.gateway, 50) / percentile(round.baseline, 50)).toFixed(2)}), load ${round.load}`);
      }
      const line = (m: Mode) =>
        `gateway p50 ${fmtMs(percentile(m.gateway.times, 50))} p99 ${fmtMs(percentile(m.gateway.times, 99))}; ${m.baseline ? `baseline p50 ${fmtMs(percentile(m.baseline.times, 50))} p99 ${fmtMs(percentile(m.baseline.times, 99))}; ` : ''}no-wait p50 ${fmtMs(percentile(m.noWait.times, 50))} p99 ${fmtMs(percentile(m.noWait.times, 99))}; direct p50 ${fmtMs(percentile(m.direct.times, 50))} p99 ${fmtMs(percentile(m.direct.times, 99))}`;
      log(`  sequential: ${line(seq)}`);
      // The profiles summarise the sequential phase: one order at a time, each gateway's own work.
      window.endUs = monotonicUs();
      const loadAfterSeq = load1();
      const cpuPerOrder = {
        gateway: ((await cpuTimeMs(g.child.pid)) - cpuAt.gateway) / N,
        baseline: base ? ((await cpuTimeMs(base.child.pid)) - cpuAt.baseline) / N : Number.NaN,
      };
      await sleep(500);
      // The sequential phase's requests as each server timed them (the log is written asynchronously: read after the pause).
      const server = {
        gateway: graphqlRequestDurations(dirs[0] as string).slice(logAt.gateway, logAt.gateway + N),
        baseline: graphqlRequestDurations(dirs[2] as string).slice(logAt.baseline, logAt.baseline + N),
      };
      const fipAfterSeq = await fullStats(s.fipOrigin);

      // 10 in flight: each path alone (so they never share the sandbox's event loop at once), in
      // ROUNDS rounds of N / ROUNDS calls a path, the baseline before this build on odd rounds: a
      // busy minute on the machine falls on both.
      const conc: Mode = {
        mode: `${CONCURRENCY} in flight (each path alone, ${ROUNDS} rounds)`,
        gateway: { times: [], wallMs: 0 },
        noWait: { times: [], wallMs: 0 },
        direct: { times: [], wallMs: 0 },
        ...(base ? { baseline: { times: [], wallMs: 0 } } : {}),
      };
      const add = (into: Side, from: Side) => {
        into.times.push(...from.times);
        into.wallMs += from.wallMs;
      };
      for (let r = 0; r < ROUNDS; r++) {
        const calls = N / ROUNDS;
        if (base && conc.baseline && r % 2 === 1) add(conc.baseline, await pool(calls, CONCURRENCY, () => viaGateway(base, part)));
        add(conc.gateway, await pool(calls, CONCURRENCY, () => viaGateway(g, part)));
        if (base && conc.baseline && r % 2 === 0) add(conc.baseline, await pool(calls, CONCURRENCY, () => viaGateway(base, part)));
        add(conc.noWait, await pool(calls, CONCURRENCY, () => viaGateway(nw, part, false)));
        add(conc.direct, await pool(calls, CONCURRENCY, () => direct(s, part)));
      }
      log(`  ${CONCURRENCY} in flight: ${line(conc)}`);
      const loadAtEnd = load1();

      const perOrder = Object.entries(fipAfterSeq.endpoints)
        .map(([k, n]) => [k, n - (fipBefore.endpoints[k] ?? 0)] as const)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `\`${k}\` ×${formatNumber(n)}`)
        .join(', ');

      const p = (side: Side, q: number) => percentile(side.times, q);
      const rate = (side: Side) => formatNumber(Math.round((side.times.length * 1000) / side.wallMs));
      const rows = [seq, conc].flatMap((m) => [
        [m.mode, 'gateway `placeSupplierOrder` (waits for the send)', m.gateway.times.length, fmtMs(p(m.gateway, 50)), fmtMs(p(m.gateway, 99)), fmtMs(Math.max(...m.gateway.times)), rate(m.gateway)],
        ...(m.baseline ? [[m.mode, 'baseline gateway (`BENCH_BASELINE_DIR`), the same', m.baseline.times.length, fmtMs(p(m.baseline, 50)), fmtMs(p(m.baseline, 99)), fmtMs(Math.max(...m.baseline.times)), rate(m.baseline)]] : []),
        [m.mode, 'gateway, `ORDER_PLACE_WAIT_MS=0` (answers PENDING)', m.noWait.times.length, fmtMs(p(m.noWait, 50)), fmtMs(p(m.noWait, 99)), fmtMs(Math.max(...m.noWait.times)), rate(m.noWait)],
        [m.mode, 'sandbox `place_order`, direct', m.direct.times.length, fmtMs(p(m.direct, 50)), fmtMs(p(m.direct, 99)), fmtMs(Math.max(...m.direct.times)), rate(m.direct)],
        [m.mode, '**added by the gateway** (gateway − direct)', '', `**${fmtMs(p(m.gateway, 50) - p(m.direct, 50))}**`, `**${fmtMs(p(m.gateway, 99) - p(m.direct, 99))}**`, '', ''],
      ]);
      const waitCost = p(seq.gateway, 50) - p(seq.noWait, 50);
      const ratio = (a: number, b: number) => (a / b).toFixed(2);
      const versus = (m: Mode) =>
        m.baseline
          ? `${m.mode}: p50 ${fmtMs(p(m.gateway, 50))} vs ${fmtMs(p(m.baseline, 50))} (ratio ${ratio(p(m.gateway, 50), p(m.baseline, 50))}), p99 ${fmtMs(p(m.gateway, 99))} vs ${fmtMs(p(m.baseline, 99))} (ratio ${ratio(p(m.gateway, 99), p(m.baseline, 99))})`
          : '';
      const roundRatios = rounds.map((r) => percentile(r.gateway, 50) / percentile(r.baseline, 50));
      const roundRows = rounds.map((r, i) => [
        String(i + 1),
        r.gateway.length,
        fmtMs(percentile(r.gateway, 50)),
        fmtMs(percentile(r.baseline, 50)),
        ratio(percentile(r.gateway, 50), percentile(r.baseline, 50)),
        fmtMs(percentile(r.gateway, 99)),
        fmtMs(percentile(r.baseline, 99)),
        r.load,
      ]);

      return [
        `Standalone sandbox (5,000 parts, supplier limits raised to ${FIP.rate}/s, burst ${FIP.burst}, ${formatNumber(FIP.perMinute)}/min) and two gateway`,
        `children pointed at it, each as the image runs it (\`node dist/main.js\` after \`npm run build\`, \`NODE_ENV=production\`, the default`,
        `log level written to a file, ${heapLabel(flags)} from the Dockerfile), same supplier figures, SQLite in temporary directories, \`ORDER_POLL_INTERVAL_MS=3600000\` so status`,
        `polling stays out of the run): one with \`ORDER_PLACE_WAIT_MS\` at its default (5000: the mutation answers after the first send),`,
        `one with \`ORDER_PLACE_WAIT_MS=0\` (it answers once the intent is stored; the outbox sends it right after). Part ${part.partNumber}`,
        `(variant ${part.variantId}, stock ${part.stock}; the sandbox does not decrement stock on orders), quantity 1, shipping \`ground\`, a fixed address.`,
        `Gateway: \`placeSupplierOrder\` with a fresh idempotency key each, every answer checked (\`SupplierOrderPlaced\`, SUBMITTED with a`,
        `supplier id when waiting). Direct: \`POST /api/v1/partners/place_order\` with \`X-API-Key\`, the same order body, every answer`,
        `checked to be 201. All timed in this process with fetch (keep-alive), request start to full body; ${WARMUP} of each discarded first.`,
        `Sequential calls rotate gateway, no-wait gateway, direct (${ROUNDS} rounds); with ${CONCURRENCY} in flight each path ran alone, one after the other, in ${ROUNDS} rounds of ${N / ROUNDS} calls a path (the baseline first on odd rounds).`,
        `Load average (1 min): ${loadAtStart} at the start of the sequential phase, ${loadAfterSeq} after it, ${loadAtEnd} at the end (2 cores, shared).`,
        '',
        table(['mode', 'path', 'calls', 'p50', 'p99', 'max', 'orders/s'], rows),
        '',
        `Supplier calls in the sequential phase (sandbox counters; both gateways and direct): ${perOrder}. A gateway order makes one part`,
        `read (\`products/:ids/multi\`, to check sellable, minimum and stock) and one \`place_order\`.`,
        '',
        `Where the added latency goes (sequential, p50): answering without waiting takes ${fmtMs(p(seq.noWait, 50))} (GraphQL, key claim, part read,`,
        `SQLite intent); waiting for the send adds ${fmtMs(waitCost)}: \`waitForFirstSend\` (src/orders/orderService.ts) answers with`,
        `the record the order's own change event carries when the outbox's send settles (the direct call alone takes ${fmtMs(p(seq.direct, 50))}).`,
        ...(baselineDir
          ? [
              '',
              `This build against the baseline gateway (\`BENCH_BASELINE_DIR\`: ${baselineDir}, built there with its own \`npm run build\`, started`,
              `as its image does with ${heapLabel(baseFlags)}${sameFlags ? " (this build's image flags: BENCH_BASELINE_NODE_FLAGS=this)" : ''}, its own SQLite file, each of its calls paired with one of this build's):`,
              `${versus(seq)}; ${versus(conc)}.`,
              `Sequential p50 ratio (this build / baseline) per round: ${roundRatios.map((x) => x.toFixed(2)).join(', ')} (median ${percentile(roundRatios, 50).toFixed(2)}).`,
              `As each server timed them (its request log's \`durationMs\`, sequential phase, ${server.gateway.length} and ${server.baseline.length} requests): p50 ${fmtMs(percentile(server.gateway, 50), 2)} vs ${fmtMs(percentile(server.baseline, 50), 2)}`,
              `(ratio ${ratio(percentile(server.gateway, 50), percentile(server.baseline, 50))}), p99 ${fmtMs(percentile(server.gateway, 99), 2)} vs ${fmtMs(percentile(server.baseline, 99), 2)}; gateway CPU (user + system, \`/proc/<pid>/stat\`) per order`,
              `${fmtMs(cpuPerOrder.gateway, 2)} vs ${fmtMs(cpuPerOrder.baseline, 2)} (ratio ${ratio(cpuPerOrder.gateway, cpuPerOrder.baseline)}).`,
              '',
              table(['round', 'calls each', 'p50', 'baseline p50', 'ratio', 'p99', 'baseline p99', 'load after'], roundRows),
            ]
          : []),
      ].join('\n');
    } finally {
      for (const gw of gateways) await gw.child.stop();
      await sb?.child.stop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
      if (PROFILE_DIR && window.endUs > 0) profileLog(window, log, baselineDir);
    }
  },
};

/** With BENCH_ORDER_PROFILE_DIR: each profiled gateway's self time over the timed phases. */
function profileLog(window: { startUs: number; endUs: number }, log: (line: string) => void, baselineDir?: string): void {
  for (const which of ['gateway', 'baseline']) {
    const root = which === 'baseline' && baselineDir ? join(baselineDir, '/') : REPO_ROOT;
    const dir = join(PROFILE_DIR as string, which);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
      const s = summarizeCpuProfile(join(dir, file), root, { top: 25, window });
      if (!s.windowApplied) continue;
      log(`  profile ${which}/${file}: busy ${Math.round(s.busyMs)} ms of ${Math.round((window.endUs - window.startUs) / 1000)} ms`);
      for (const p of s.packages.slice(0, 12)) log(`    ${p.name}: ${Math.round(p.ms)} ms (${Math.round(p.share * 100)}%)`);
      for (const f of s.functions) log(`    ${f.name} ${f.where}: ${Math.round(f.ms)} ms (${Math.round(f.share * 100)}%)`);
    }
  }
}
