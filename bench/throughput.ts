/**
 * Warm-cache query throughput: the gateway against a bare Fastify endpoint
 * answering the same bytes, in one run, alternating so drift hits both.
 * Every server is a child process; autocannon runs here.
 * Goal (issue): gateway at least 40% of bare.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatNumber, pct, table } from './lib/format.js';
import { summarizeCpuProfile, type ProfileSummary } from './lib/cpuProfile.js';
import { postJson, waitForOk } from './lib/http.js';
import { warmThenLoad, type LoadResult, type LoadTarget } from './lib/load.js';
import { cpus } from 'node:os';
import { cpuTimeMs, freePort, pinSelf, REPO_ROOT, spawnNode, type NodeChild } from './lib/proc.js';
import type { Scenario } from './lib/scenario.js';

const CONNECTIONS = 10;
const SECONDS = 10;
const WARMUP_SECONDS = 2;
const ROUNDS = 2;
const GOAL_RATIO = 0.4;
const KEY = 'bench-throughput-key-0123456789abcdef';
const QUERY = `{ parts(ids: [${Array.from({ length: 20 }, (_, i) => `"${i + 1}"`).join(', ')}]) { id partNumber price { amount } storeProduct { sku price { amount } } } }`;
const REQUEST_BODY = JSON.stringify({ query: QUERY });
/**
 * BENCH_PIN=1: servers on the last core, autocannon on the first (taskset). Off by default: on a
 * 2-core machine one core is not enough for autocannon, and other work on the machine then hurts more.
 */
const CORES = cpus().length;
const SERVER_CPU = process.env.BENCH_PIN === '1' && CORES >= 2 ? CORES - 1 : undefined;
let pinnedNote = 'Processes were not pinned to cores.';
const HEADERS = { 'content-type': 'application/json', accept: 'application/json', 'x-api-key': KEY };

interface Server {
  label: string;
  child: NodeChild;
  target: LoadTarget;
  /** The exact response body a warm request gets. */
  body: string;
  contentType: string;
}

async function startGateway(label: string, responseCache: boolean, nodeFlags: string[] = []): Promise<Server> {
  const port = await freePort();
  const child = spawnNode({
    script: 'src/main.ts',
    label,
    nodeFlags,
    cpu: SERVER_CPU,
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      CROSSDOCK_MODE: 'development',
      CROSSDOCK_API_KEYS: `bench:admin:${KEY}`,
      // Throughput, not budgets: the bench key may spend as much as it likes.
      CLIENT_BUDGET_POINTS: '1000000000',
      RESPONSE_CACHE: String(responseCache),
      // Force the embedded sandbox, on ephemeral ports, whatever the caller's environment says.
      FINDITPARTS_BASE_URL: '',
      BIGCOMMERCE_API_URL: '',
      SANDBOX_PARTS: '5000',
      SANDBOX_FINDITPARTS_PORT: '0',
      SANDBOX_BIGCOMMERCE_PORT: '0',
    },
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForOk(`${base}/health`, 60_000, () => child.child.exitCode === null);
  const target: LoadTarget = { url: `${base}/graphql`, body: REQUEST_BODY, headers: HEADERS };
  // Warm: the first request fills the entity cache (and the response cache when on), the second is served warm.
  let body = '';
  let contentType = '';
  for (let i = 0; i < 3; i++) {
    const res = await postJson<{ data?: { parts?: unknown[] }; errors?: unknown[] }>(target.url, REQUEST_BODY, HEADERS);
    if (res.status !== 200 || res.body?.errors || res.body?.data?.parts?.length !== 20) {
      throw new Error(`${label}: warm-up query failed: HTTP ${res.status} ${res.text.slice(0, 400)}`);
    }
    if (i > 0 && res.text !== body) throw new Error(`${label}: warm responses differ between requests`);
    body = res.text;
    contentType = res.headers.get('content-type') ?? 'application/json';
  }
  return { label, child, target, body, contentType };
}

async function startBare(body: string, contentType: string, dir: string, nodeFlags: string[] = []): Promise<Server> {
  const port = await freePort();
  const bodyFile = join(dir, 'response.json');
  writeFileSync(bodyFile, body);
  const child = spawnNode({
    script: 'bench/bareServer.ts',
    label: 'bare Fastify',
    nodeFlags,
    cpu: SERVER_CPU,
    env: { BARE_PORT: String(port), BARE_BODY_FILE: bodyFile, BARE_CONTENT_TYPE: contentType },
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForOk(`${base}/health`, 30_000, () => child.child.exitCode === null);
  const target: LoadTarget = { url: `${base}/graphql`, body: REQUEST_BODY, headers: HEADERS };
  const res = await postJson(target.url, REQUEST_BODY, HEADERS);
  if (res.text !== body) throw new Error('bare server does not answer the captured body');
  return { label: 'bare Fastify', child, target, body, contentType };
}

function check(label: string, r: LoadResult): void {
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${label}: ${r.non2xx} non-2xx answers and ${r.errors} errors under load`);
  if (r.requests === 0) throw new Error(`${label}: no request completed`);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
/** autocannon records whole milliseconds; 0 means under 1 ms. */
const latency = (n: number) => (n === 0 ? '<1 ms' : `${formatNumber(n)} ms`);
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

interface ProfiledRun {
  label: string;
  load: LoadResult;
  windowMs: number;
  summary: ProfileSummary & { windowApplied: boolean };
}

/** A server under `node --cpu-prof`, one load phase, the profile summarized over that phase only. */
async function profile(label: string, start: (nodeFlags: string[]) => Promise<Server>, dir: string, log: (l: string) => void): Promise<ProfiledRun> {
  const profDir = mkdtempSync(join(dir, 'prof-'));
  const server = await start(['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
  let result: LoadResult;
  let window: { startUs: number; endUs: number };
  try {
    await warmThenLoad(server.target, { connections: CONNECTIONS, seconds: WARMUP_SECONDS, warmupSeconds: 0 });
    const startUs = monotonicUs();
    result = await warmThenLoad(server.target, { connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: 0 });
    window = { startUs, endUs: monotonicUs() };
    check(label, result);
  } finally {
    // A graceful exit writes the profile; give the drain time before SIGKILL.
    await server.child.stop(30_000);
  }
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`${label}: no .cpuprofile written in ${profDir} (exit code ${server.child.child.exitCode})`);
  const summary = summarizeCpuProfile(join(profDir, file), REPO_ROOT, { top: 12, window });
  const windowMs = (window.endUs - window.startUs) / 1000;
  log(
    `  ${label}: ${formatNumber(Math.round(result.rps))} req/s under the profiler; main thread busy ${Math.round(summary.busyMs)} ms of a ${Math.round(windowMs)} ms phase, ${usPerRequest(summary, result)} µs per request`,
  );
  return { label, load: result, windowMs, summary };
}

function usPerRequest(s: ProfileSummary, r: LoadResult): number {
  return Math.round((s.busyMs * 1000) / Math.max(1, r.requests));
}

function profileMarkdown(run: ProfiledRun): string {
  const s = run.summary;
  return [
    `**${run.label}** — ${formatNumber(Math.round(run.load.rps))} req/s with the profiler attached; main thread busy ${formatNumber(Math.round(s.busyMs))} ms`,
    `of the ${formatNumber(Math.round(run.windowMs))} ms phase (${pct(s.busyMs / run.windowMs)}), ${usPerRequest(s, run.load)} µs of CPU per request${s.windowApplied ? '' : ' (whole process: the load phase could not be matched to the profile clock)'}.`,
    '',
    table(
      ['area (self time)', 'ms', 'share of busy'],
      s.packages.slice(0, 8).map((p) => [p.name, Math.round(p.ms), pct(p.share)]),
    ),
    '',
    table(
      ['top functions (self time)', 'where', 'ms', 'share of busy'],
      s.functions.slice(0, 10).map((f) => [`\`${f.name}\``, f.where ? `\`${f.where}\`` : '', Math.round(f.ms), pct(f.share)]),
    ),
  ].join('\n');
}

function shareOf(run: ProfiledRun, names: string[]): number {
  return run.summary.packages.filter((p) => names.some((n) => p.name === n || p.name.startsWith(n))).reduce((a, p) => a + p.share, 0);
}

/** The "where the time goes" paragraph, from the three profiles. */
function whereTheTimeGoes(entityOnly: ProfiledRun, cached: ProfiledRun, bare: ProfiledRun): string {
  const us = (r: ProfiledRun) => usPerRequest(r.summary, r.load);
  const top = (r: ProfiledRun, n: number) =>
    r.summary.packages
      .slice(0, n)
      .map((p) => `${p.name} ${pct(p.share)}`)
      .join(', ');
  const gql = shareOf(entityOnly, ['graphql', '@apollo/', '@graphql-tools/']);
  const keyv = shareOf(entityOnly, ['@keyv/serialize']);
  const busy = (r: ProfiledRun) => r.summary.busyMs / r.windowMs;
  const saturated = busy(bare) >= 0.85 && busy(cached) >= 0.85;
  const lines = [
    `CPU per request on the server's main thread: bare ${us(bare)} µs, gateway with the response cache ${us(cached)} µs,`,
    `gateway with \`RESPONSE_CACHE=false\` ${us(entityOnly)} µs. By CPU cost the cached gateway runs at ${pct(us(bare) / us(cached))} of bare`,
    `(entity cache only: ${pct(us(bare) / us(entityOnly))}). The bare server was busy ${pct(busy(bare))} and the cached gateway ${pct(busy(cached))} of their phases:`,
    saturated
      ? `both were saturated, so the req/s ratio above measures the servers, not the load generator.`
      : `below saturation, so their req/s is partly bounded by the load generator (autocannon, one JS thread on the same machine); the CPU cost per request is the steadier comparison.`,
    `Most of a cached request is the socket write itself (\`writev\`, the kernel's loopback path, the same in the bare server); the`,
    `gateway adds Fastify's hooks, the API-key lookup (a SHA-256 of the key), the cache-key string and LRU lookup and the metrics`,
    `histogram (largest areas: ${top(cached, 5)}).`,
    `With \`RESPONSE_CACHE=false\` every request runs Apollo's whole pipeline and reads each entity from Keyv (largest areas:`,
    `${top(entityOnly, 5)}); graphql-js, Apollo Server and graphql-tools together take ${pct(gql)} of busy CPU.`,
  ];
  if (keyv > 0.1) {
    lines.push(
      `\`@keyv/serialize\` (${pct(keyv)}) is Keyv's default serializer: the in-memory entity cache stores every entry as a JSON`,
      `string and runs \`JSON.parse\` with a reviver on every read, so each warm request re-parses every part and product it touches.`,
    );
  }
  const instanceOf = entityOnly.summary.functions.find((f) => f.name === 'instanceOf' && f.where.startsWith('graphql/'));
  if (instanceOf && instanceOf.share > 0.02 && process.env.NODE_ENV !== 'production') {
    lines.push(
      `graphql-js's development-mode \`instanceOf\` (${pct(instanceOf.share)}) checks for duplicate graphql modules on every type test;`,
      `it is a plain \`instanceof\` when the gateway runs with \`NODE_ENV=production\` (with \`CROSSDOCK_MODE=development\` to keep the embedded sandbox).`,
    );
  }
  return lines.join('\n');
}

export const throughput: Scenario = {
  name: 'throughput',
  title: 'Warm-cache throughput: gateway vs bare Fastify',
  timeoutMs: 7 * 60_000,
  async run(log) {
    const dir = mkdtempSync(join(tmpdir(), 'crossdock-bench-'));
    const servers: Server[] = [];
    const pinned = SERVER_CPU !== undefined && pinSelf('0');
    pinnedNote = pinned
      ? `With \`taskset\`, the servers ran on CPU ${SERVER_CPU} (one under load at a time) and autocannon (this process) on CPU 0, so load generator and server never compete for a core.`
      : 'Processes were not pinned to cores (set BENCH_PIN=1 to pin servers and autocannon apart with taskset).';
    try {
      const gateway = await startGateway('gateway', true);
      servers.push(gateway);
      const entityOnly = await startGateway('gateway, RESPONSE_CACHE=false', false);
      servers.push(entityOnly);
      if (entityOnly.body !== gateway.body) throw new Error('the two gateways answer different bodies for the same query');
      const bare = await startBare(gateway.body, gateway.contentType, dir);
      servers.push(bare);
      log(`  response body ${gateway.body.length} bytes, content-type ${gateway.contentType}`);

      const order = [gateway, bare, entityOnly];
      const runs = new Map<Server, LoadResult[]>(order.map((s) => [s, []]));
      /** Server CPU time (user + system, all threads) per request, µs, per round. */
      const cpu = new Map<Server, number[]>(order.map((s) => [s, []]));
      const rows: Array<Array<string | number>> = [];
      for (let round = 1; round <= ROUNDS; round++) {
        for (const server of order) {
          await warmThenLoad(server.target, { connections: CONNECTIONS, seconds: WARMUP_SECONDS, warmupSeconds: 0 });
          const cpuBefore = await cpuTimeMs(server.child.pid);
          const r = await warmThenLoad(server.target, { connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: 0 });
          const cpuUs = ((await cpuTimeMs(server.child.pid)) - cpuBefore) * 1000 / Math.max(1, r.requests);
          check(server.label, r);
          runs.get(server)?.push(r);
          cpu.get(server)?.push(cpuUs);
          rows.push([round, server.label, Math.round(r.rps), latency(r.p50), latency(r.p99), r.requests, `${formatNumber(Math.round(cpuUs))} µs`]);
          log(`  round ${round}, ${server.label}: ${formatNumber(Math.round(r.rps))} req/s, p50 ${latency(r.p50)}, p99 ${latency(r.p99)}, server CPU ${Math.round(cpuUs)} µs/request`);
        }
      }
      const bareRuns = runs.get(bare) ?? [];
      const ratioOf = (s: Server) => mean((runs.get(s) ?? []).map((r, i) => r.rps / (bareRuns[i]?.rps ?? Number.NaN)));
      const summaryRows = order.map((s) => {
        const rs = runs.get(s) ?? [];
        const cpuUs = mean(cpu.get(s) ?? []);
        return [
          s.label,
          Math.round(mean(rs.map((r) => r.rps))),
          latency(mean(rs.map((r) => r.p50))),
          latency(mean(rs.map((r) => r.p99))),
          s === bare ? '100%' : pct(ratioOf(s)),
          `${formatNumber(Math.round(cpuUs))} µs`,
          s === bare ? '100%' : pct(mean(cpu.get(bare) ?? []) / cpuUs),
        ];
      });
      const cpuRatio = mean(cpu.get(bare) ?? []) / mean(cpu.get(gateway) ?? []);
      const perRound = (s: Server) => (runs.get(s) ?? []).map((r, i) => pct(r.rps / (bareRuns[i]?.rps ?? Number.NaN))).join(', ');
      const ratio = ratioOf(gateway);
      const ratioEntity = ratioOf(entityOnly);
      for (const s of servers) await s.child.stop();
      servers.length = 0;

      log('  profiling (node --cpu-prof) …');
      const profEntity = await profile('gateway, RESPONSE_CACHE=false', (flags) => startGateway('gateway, RESPONSE_CACHE=false, --cpu-prof', false, flags), dir, log);
      const profCached = await profile('gateway, response cache on', (flags) => startGateway('gateway, --cpu-prof', true, flags), dir, log);
      const profBare = await profile('bare Fastify', (flags) => startBare(gateway.body, gateway.contentType, dir, flags), dir, log);
      return [
        `Query (20 parts): \`${QUERY}\`, POSTed as a ${REQUEST_BODY.length}-byte JSON body with \`X-API-Key\`, \`accept: application/json\`;`,
        `response ${gateway.body.length} bytes. Servers are child processes on 127.0.0.1 (\`node --import tsx\`, gateway \`LOG_LEVEL=warn\`,`,
        `embedded sandbox of 5,000 parts), warmed before loading. The bare server (\`bench/bareServer.ts\`) is Fastify with one`,
        `POST /graphql route that parses the JSON body and sends the captured gateway response with the same content-type.`,
        `autocannon in the parent process: ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up then ${SECONDS} s measured, the three targets in turn, ${ROUNDS} rounds;`,
        `latency percentiles are autocannon's, in whole milliseconds ("<1 ms" is 0), averaged over the rounds. "vs bare" is the mean of the`,
        `per-round ratios of req/s. ${pinnedNote}`,
        '',
        table(['round', 'target', 'req/s', 'p50', 'p99', 'requests', 'server CPU/req'], rows),
        '',
        table(['target', 'mean req/s', 'mean p50', 'mean p99', 'vs bare (req/s)', 'server CPU/req', 'vs bare (CPU)'], summaryRows),
        '',
        `Goal (gateway at least ${pct(GOAL_RATIO)} of bare, warm): ${ratio >= GOAL_RATIO ? 'met' : '**not met**'} — ${pct(ratio)} with the whole-response cache`,
        `(per round: ${perRound(gateway)}); ${pct(ratioEntity)} with \`RESPONSE_CACHE=false\` (per round: ${perRound(entityOnly)}; entity cache only, every`,
        `request runs Apollo's parse, validate and execute). "Server CPU/req" is the server process's user + system CPU time`,
        `(/proc/<pid>/stat, all threads) over the measured phase divided by the requests served; "vs bare (CPU)" is bare's CPU per`,
        `request over the target's — the server-side cost ratio, which does not depend on how fast autocannon can drive it. By that`,
        `measure the cached gateway runs at ${pct(cpuRatio)} of bare.`,
        '',
        `### Where the time goes`,
        '',
        `Each server below ran under \`node --cpu-prof\` (profile in a temporary directory) for one ${SECONDS} s load phase after a`,
        `${WARMUP_SECONDS} s warm-up, alone; self time is summed over the samples taken inside that phase, "busy" excludes idle.`,
        '',
        whereTheTimeGoes(profEntity, profCached, profBare),
        '',
        profileMarkdown(profEntity),
        '',
        profileMarkdown(profCached),
        '',
        profileMarkdown(profBare),
      ].join('\n');
    } finally {
      for (const s of servers) await s.child.stop();
      if (pinned) pinSelf(`0-${CORES - 1}`);
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
