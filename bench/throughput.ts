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
import { freePort, REPO_ROOT, spawnNode, type NodeChild } from './lib/proc.js';
import type { Scenario } from './lib/scenario.js';

const CONNECTIONS = 10;
const SECONDS = 10;
const WARMUP_SECONDS = 2;
const ROUNDS = 2;
const GOAL_RATIO = 0.4;
const KEY = 'bench-throughput-key-0123456789abcdef';
const QUERY = `{ parts(ids: [${Array.from({ length: 20 }, (_, i) => `"${i + 1}"`).join(', ')}]) { id partNumber price { amount } storeProduct { sku price { amount } } } }`;
const REQUEST_BODY = JSON.stringify({ query: QUERY });
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
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      CROSSDOCK_MODE: 'development',
      CROSSDOCK_API_KEYS: `bench:admin:${KEY}`,
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

async function startBare(body: string, contentType: string, dir: string): Promise<Server> {
  const port = await freePort();
  const bodyFile = join(dir, 'response.json');
  writeFileSync(bodyFile, body);
  const child = spawnNode({
    script: 'bench/bareServer.ts',
    label: 'bare Fastify',
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
const latency = (n: number) => `${n.toFixed(2)} ms`;
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

interface ProfiledRun {
  label: string;
  load: LoadResult;
  summary: ProfileSummary & { windowApplied: boolean };
}

/** A gateway under `node --cpu-prof`, one load phase, the profile summarized over that phase only. */
async function profile(label: string, responseCache: boolean, dir: string, log: (l: string) => void): Promise<ProfiledRun> {
  const profDir = mkdtempSync(join(dir, 'prof-'));
  const server = await startGateway(label, responseCache, ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
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
  log(`  ${label}: ${formatNumber(Math.round(result.rps))} req/s under the profiler; busy ${Math.round(summary.busyMs)} ms of ${Math.round(summary.totalMs)} ms sampled`);
  return { label, load: result, summary };
}

function profileMarkdown(run: ProfiledRun): string {
  const s = run.summary;
  return [
    `**${run.label}** — ${formatNumber(Math.round(run.load.rps))} req/s with the profiler attached; ${formatNumber(Math.round(s.busyMs))} ms busy of ${formatNumber(Math.round(s.totalMs))} ms sampled${s.windowApplied ? ' (the measured load phase only)' : ' (whole process: the load window could not be matched to the profile clock)'}.`,
    '',
    table(
      ['area (self time)', 'ms', 'share of busy'],
      s.packages.slice(0, 10).map((p) => [p.name, Math.round(p.ms), pct(p.share)]),
    ),
    '',
    table(
      ['top functions (self time)', 'where', 'ms', 'share of busy'],
      s.functions.map((f) => [`\`${f.name}\``, f.where ? `\`${f.where}\`` : '', Math.round(f.ms), pct(f.share)]),
    ),
  ].join('\n');
}

function shareOf(run: ProfiledRun, names: string[]): number {
  return run.summary.packages.filter((p) => names.some((n) => p.name === n || p.name.startsWith(n))).reduce((a, p) => a + p.share, 0);
}

export const throughput: Scenario = {
  name: 'throughput',
  title: 'Warm-cache throughput: gateway vs bare Fastify',
  timeoutMs: 7 * 60_000,
  async run(log) {
    const dir = mkdtempSync(join(tmpdir(), 'crossdock-bench-'));
    const servers: Server[] = [];
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
      const rows: Array<Array<string | number>> = [];
      for (let round = 1; round <= ROUNDS; round++) {
        for (const server of order) {
          const r = await warmThenLoad(server.target, { connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS });
          check(server.label, r);
          runs.get(server)?.push(r);
          rows.push([round, server.label, Math.round(r.rps), latency(r.p50), latency(r.p99), r.requests]);
          log(`  round ${round}, ${server.label}: ${formatNumber(Math.round(r.rps))} req/s, p50 ${latency(r.p50)}, p99 ${latency(r.p99)}`);
        }
      }
      const bareRuns = runs.get(bare) ?? [];
      const ratioOf = (s: Server) => mean((runs.get(s) ?? []).map((r, i) => r.rps / (bareRuns[i]?.rps ?? Number.NaN)));
      const summaryRows = order.map((s) => {
        const rs = runs.get(s) ?? [];
        return [s.label, Math.round(mean(rs.map((r) => r.rps))), latency(mean(rs.map((r) => r.p50))), latency(mean(rs.map((r) => r.p99))), s === bare ? '100%' : pct(ratioOf(s))];
      });
      const ratio = ratioOf(gateway);
      const ratioEntity = ratioOf(entityOnly);
      for (const s of servers) await s.child.stop();
      servers.length = 0;

      log('  profiling (node --cpu-prof) …');
      const profEntity = await profile('gateway, RESPONSE_CACHE=false, --cpu-prof', false, dir, log);
      const profCached = await profile('gateway, response cache on, --cpu-prof', true, dir, log);

      const gql = shareOf(profEntity, ['graphql', '@apollo/', '@graphql-tools/']);
      const http = shareOf(profEntity, ['fastify', 'find-my-way', 'avvio', 'light-my-request', 'node internals', '(garbage collector)']);
      return [
        `Query (20 parts): \`${QUERY}\`, POSTed as \`${REQUEST_BODY.length}\`-byte JSON with \`X-API-Key\`, \`accept: application/json\`;`,
        `response ${gateway.body.length} bytes. Servers are child processes on 127.0.0.1 (\`node --import tsx\`, gateway \`LOG_LEVEL=warn\`,`,
        `embedded sandbox of 5,000 parts), warmed before loading. The bare server (\`bench/bareServer.ts\`) is Fastify with one`,
        `POST /graphql route that parses the JSON body and sends the captured gateway response with the same content-type.`,
        `autocannon in the parent process: ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up then ${SECONDS} s measured, the three targets in turn, ${ROUNDS} rounds.`,
        `On a 2-core machine the load generator takes one core, so the bare server's figure is partly bounded by autocannon itself`,
        `(which flatters the ratio somewhat).`,
        '',
        table(['round', 'target', 'req/s', 'p50', 'p99', 'requests'], rows),
        '',
        table(['target', 'mean req/s', 'mean p50', 'mean p99', 'vs bare'], summaryRows),
        '',
        `Goal (gateway at least ${pct(GOAL_RATIO)} of bare, warm): ${ratio >= GOAL_RATIO ? 'met' : '**not met**'} — ${pct(ratio)} with the whole-response cache;`,
        `${pct(ratioEntity)} with \`RESPONSE_CACHE=false\` (entity cache only: every request runs Apollo's parse, validate and execute).`,
        '',
        `### Where the time goes`,
        '',
        `Each gateway below ran under \`node --cpu-prof\` (profile in a temporary directory) for one ${SECONDS} s load phase after a ${WARMUP_SECONDS} s warm-up;`,
        `self time is summed over the samples taken inside that phase, "busy" excludes idle. With \`RESPONSE_CACHE=false\`,`,
        `${pct(gql)} of busy CPU is in graphql-js / Apollo Server / graphql-tools (parsing, validating and executing the`,
        `operation, building the response), and ${pct(http)} in HTTP handling (Fastify, Node internals, GC). With the response cache on,`,
        `a request skips all of that; what remains is Fastify routing, the auth hook, the metrics histogram and the cache lookup.`,
        '',
        profileMarkdown(profEntity),
        '',
        profileMarkdown(profCached),
      ].join('\n');
    } finally {
      for (const s of servers) await s.child.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
