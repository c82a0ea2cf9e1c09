/**
 * SSE fan-out: 1,000 concurrent GraphQL-over-SSE subscribers (graphql-sse,
 * distinct connections: one POST per subscription to `/graphql/stream` with
 * `Accept: text/event-stream`) to one running sync job. A standalone sandbox
 * and a gateway child (so the gateway's RSS and CPU are its own), a CATALOG
 * sync sized to run ~20–40 s with many progress updates, subscribers opened
 * from this process over raw `http.request` sockets.
 *
 * The job record has no per-update timestamp, so the delay measured is the
 * spread: for each update (status, phase, processed, and its occurrence
 * number), the first delivery to any subscriber against each subscriber's
 * delivery. Issue: report p50, p99 and max delay, updates per subscriber,
 * errors and the gateway's memory.
 *
 * A first run with one subscriber gives the gateway's CPU for the same job
 * without the fan-out.
 *
 * Production defaults: the gateway as the image runs it (`node dist/main.js`
 * after one `npm run build` per run, NODE_ENV=production,
 * CROSSDOCK_MODE=production, the default log level to a file, the
 * Dockerfile's NODE_OPTIONS); every subscriber asks for compression as a
 * browser's graphql-sse client does.
 */
import { request, Agent, type IncomingMessage } from 'node:http';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROWSER_ACCEPT_ENCODING, browserClient, browserStreamHeaders, decodedBody } from './lib/browser.js';
import { buildGateway, heapLabel, imageNodeFlags } from './lib/buildGateway.js';
import { fmtMs, percentile, startGateway, startSandbox, upstreamEnv, type GatewayProcess, type SandboxProcess } from './lib/crossdock.js';
import { formatNumber, mib, table } from './lib/format.js';
import { gatewayLogLine, gatewayLogSummary, type GatewayLogSummary } from './lib/gatewayLog.js';
import { summarizeCpuProfile } from './lib/cpuProfile.js';
import { cpuTimeMs, memoryOf, REPO_ROOT, sleep } from './lib/proc.js';
import type { Scenario } from './lib/scenario.js';

const SUBSCRIBERS = 1_000;
const PARTS = 3_000;
const PAGE_SIZE = 50;
const QUOTA = 3_000;
const WINDOW_MS = 30_000;
const FIP = { rate: 100, burst: 100, perMinute: 6_000 };
/** BENCH_SSE_PROFILE_DIR=dir: the 1,000-subscriber gateway runs under `node --cpu-prof` and leaves its profile there. */
const PROFILE_DIR = process.env.BENCH_SSE_PROFILE_DIR;
const SUBSCRIPTION = 'subscription($id: ID!) { syncJob(id: $id) { status progress { processed phase } } }';

interface Delivery {
  key: string;
  t: number;
}

interface Subscriber {
  deliveries: Delivery[];
  /** When the first event arrived (the job's current snapshot). */
  firstAt?: number;
  completed: boolean;
  errors: string[];
  response?: IncomingMessage;
  /** The stream's Content-Encoding ('none' when it has none). */
  encoding?: string;
}

interface JobEvent {
  data?: { syncJob?: { status: string; progress: { processed: number; phase: string } } };
  errors?: unknown[];
}

/** Opens one distinct-connection subscription; events are recorded as they arrive. */
function subscribe(gw: GatewayProcess, agent: Agent, jobId: string, sub: Subscriber): Promise<void> {
  const url = new URL(`${gw.url}/graphql/stream`);
  const body = JSON.stringify({ query: SUBSCRIPTION, variables: { id: jobId } });
  const seen = new Map<string, number>();
  return new Promise<void>((resolve) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        headers: browserStreamHeaders(gw.key, body),
      },
      (res) => {
        sub.response = res;
        if (res.statusCode !== 200) {
          sub.errors.push(`HTTP ${res.statusCode}`);
          res.resume();
          res.once('end', resolve);
          return;
        }
        sub.encoding = String(res.headers['content-encoding'] ?? 'none');
        const stream = decodedBody(res);
        stream.setEncoding('utf8');
        let buf = '';
        stream.on('data', (chunk: string) => {
          const t = performance.now();
          buf += chunk;
          let end: number;
          while ((end = buf.indexOf('\n\n')) >= 0) {
            const message = buf.slice(0, end);
            buf = buf.slice(end + 2);
            let event = '';
            let data = '';
            for (const line of message.split('\n')) {
              if (line.startsWith('event:')) event = line.slice(6).trim();
              else if (line.startsWith('data:')) data += line.slice(5).trim();
            }
            if (event === 'complete') {
              sub.completed = true;
              continue;
            }
            if (event !== 'next' || !data) continue;
            const payload = JSON.parse(data) as JobEvent;
            const job = payload.data?.syncJob;
            if (payload.errors?.length || !job) {
              sub.errors.push(JSON.stringify(payload.errors ?? payload).slice(0, 200));
              continue;
            }
            sub.firstAt ??= t;
            const base = `${job.status}/${job.progress.phase}/${job.progress.processed}`;
            const n = (seen.get(base) ?? 0) + 1;
            seen.set(base, n);
            sub.deliveries.push({ key: `${base}#${n}`, t });
          }
        });
        stream.once('end', resolve);
        stream.once('error', (err) => {
          sub.errors.push(err.message);
          resolve();
        });
      },
    );
    req.once('error', (err) => {
      sub.errors.push(err.message);
      resolve();
    });
    req.end(body);
  });
}

interface RunResult {
  subscribers: Subscriber[];
  jobSeconds: number;
  processed: number;
  cpuS: number;
  /** Gateway CPU from startSync until every subscriber had its first event. */
  cpuSetupS: number;
  /** Gateway CPU from then to the end, and that period's length. */
  cpuAfterLiveS: number;
  afterLiveS: number;
  rssIdle: number;
  rssOpen: number;
  rssMaxDuring: number;
  peak: number;
  connectMs: number;
  benchCpuS: number;
  logged: GatewayLogSummary;
}

async function runOnce(count: number, flags: string[], log: (line: string) => void): Promise<RunResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'crossdock-bench-sse-'));
  let sb: SandboxProcess | undefined;
  let gw: GatewayProcess | undefined;
  const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const subscribers: Subscriber[] = [];
  let window: { startUs: number; endUs: number } | undefined;
  try {
    sb = await startSandbox(`sandbox (sse, ${count})`, {
      SANDBOX_PARTS: String(PARTS),
      SANDBOX_BIGCOMMERCE_QUOTA: String(QUOTA),
      SANDBOX_BIGCOMMERCE_WINDOW_MS: String(WINDOW_MS),
      SANDBOX_FINDITPARTS_RATE_PER_SECOND: String(FIP.rate),
      SANDBOX_FINDITPARTS_BURST: String(FIP.burst),
      SANDBOX_FINDITPARTS_PER_MINUTE: String(FIP.perMinute),
    });
    gw = await startGateway(`gateway (sse, ${count})`, dataDir, {
      ...upstreamEnv(sb, { fipRatePerSecond: FIP.rate, fipPerMinute: FIP.perMinute, bcQuota: QUOTA, bcWindowMs: WINDOW_MS }),
      SYNC_PAGE_SIZE: String(PAGE_SIZE),
      SYNC_CREATE_CONCURRENCY: '8',
      // Every subscriber uses the one bench key: its stream cap must hold them all.
      MAX_STREAMS_PER_CLIENT: String(count + 10),
    }, [...flags, ...(count > 1 && PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [])], undefined, 'image');
    const g = gw;
    // Warm the GraphQL and SSE paths once (one subscription to a job id that does not exist ends at once).
    await g.gqlData(`{ syncJobs(first: 1) { totalCount } }`);
    const rssIdle = (await memoryOf(g.child.pid)).rss;

    const cpu0 = await cpuTimeMs(g.child.pid);
    const bench0 = process.cpuUsage();
    const t0 = performance.now();
    const started = await browserClient(g).gqlData<{ startSync: { job: { id: string } } }>(`mutation { startSync(input: { kind: CATALOG }) { job { id } } }`);
    const jobId = started.startSync.job.id;
    const done: Array<Promise<void>> = [];
    for (let i = 0; i < count; i++) {
      const sub: Subscriber = { deliveries: [], completed: false, errors: [] };
      subscribers.push(sub);
      done.push(subscribe(g, agent, jobId, sub));
      // Open in bursts of 100 so the accept queue never overflows.
      if (i % 100 === 99) await sleep(5);
    }
    // Wait until every subscriber has its first event (or failed).
    const connectDeadline = performance.now() + 30_000;
    while (subscribers.some((s) => s.firstAt === undefined && s.errors.length === 0 && !s.completed)) {
      if (performance.now() > connectDeadline) break;
      await sleep(20);
    }
    const connectMs = Math.max(...subscribers.map((s) => s.firstAt ?? Number.NaN).filter(Number.isFinite)) - t0;
    const rssOpen = (await memoryOf(g.child.pid)).rss;
    const cpuLive = await cpuTimeMs(g.child.pid);
    const liveUs = monotonicUs();
    log(`    ${count} subscribers live ${connectMs.toFixed(0)} ms after startSync; gateway RSS ${mib(rssOpen)}`);

    let rssMaxDuring = rssOpen;
    let finished = false;
    const all = Promise.all(done).then(() => {
      finished = true;
    });
    const deadline = performance.now() + 120_000;
    let lastLog = performance.now();
    while (!finished) {
      if (performance.now() > deadline) throw new Error(`the job or its streams did not end within 120 s`);
      rssMaxDuring = Math.max(rssMaxDuring, (await memoryOf(g.child.pid)).rss);
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        const last = subscribers[0]?.deliveries.at(-1)?.key ?? '';
        log(`    ${((performance.now() - t0) / 1000).toFixed(0)} s: ${last}, RSS ${mib(rssMaxDuring)}`);
      }
      await Promise.race([all, sleep(250)]);
    }
    const endUs = monotonicUs();
    window = { startUs: liveUs, endUs };
    const jobSeconds = (performance.now() - t0) / 1000;
    const cpuEnd = await cpuTimeMs(g.child.pid);
    const cpuS = (cpuEnd - cpu0) / 1000;
    const cpuSetupS = (cpuLive - cpu0) / 1000;
    const cpuAfterLiveS = (cpuEnd - cpuLive) / 1000;
    const afterLiveS = (performance.now() - t0 - connectMs) / 1000;
    const bench = process.cpuUsage(bench0);
    const mem = await memoryOf(g.child.pid);
    const view = await g.gqlData<{ syncJob: { status: string; progress: { processed: number } } }>(`query($id: ID!) { syncJob(id: $id) { status progress { processed } } }`, { id: jobId });
    if (view.syncJob.status !== 'SUCCEEDED') throw new Error(`the sync ended ${view.syncJob.status}`);
    for (const s of subscribers) s.response?.destroy();
    await g.child.stop(30_000);
    const logged = gatewayLogSummary(dataDir);
    return {
      subscribers,
      jobSeconds,
      processed: view.syncJob.progress.processed,
      cpuS,
      cpuSetupS,
      cpuAfterLiveS,
      afterLiveS,
      rssIdle,
      rssOpen,
      rssMaxDuring,
      peak: mem.peak,
      connectMs,
      benchCpuS: (bench.user + bench.system) / 1e6,
      logged,
    };
  } finally {
    for (const s of subscribers) s.response?.destroy();
    agent.destroy();
    // A graceful exit writes the profile (when profiling); give the drain time before SIGKILL.
    await gw?.child.stop(30_000);
    await sb?.child.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (count > 1 && PROFILE_DIR && window) profileLog(window, log);
  }
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** With BENCH_SSE_PROFILE_DIR: the gateway's self time over the fan-out (all live → end), printed to the log. */
function profileLog(window: { startUs: number; endUs: number }, log: (line: string) => void): void {
  const dir = PROFILE_DIR as string;
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  for (const file of files) {
    const s = summarizeCpuProfile(join(dir, file), REPO_ROOT, { top: 20, window });
    if (!s.windowApplied || s.busyMs < 100) continue;
    log(`    profile ${file}: busy ${Math.round(s.busyMs)} ms of ${Math.round((window.endUs - window.startUs) / 1000)} ms`);
    for (const p of s.packages.slice(0, 10)) log(`      ${p.name}: ${Math.round(p.ms)} ms (${Math.round(p.share * 100)}%)`);
    for (const f of s.functions) log(`      ${f.name} ${f.where}: ${Math.round(f.ms)} ms (${Math.round(f.share * 100)}%)`);
  }
}

export const sseFanout: Scenario = {
  name: 'sseFanout',
  title: 'SSE fan-out: 1,000 subscribers to one sync job',
  timeoutMs: 5 * 60_000,
  async run(log) {
    buildGateway();
    const flags = imageNodeFlags();
    log('  baseline: the same job, 1 subscriber …');
    const base = await runOnce(1, flags, log);
    log(`  baseline: ${base.jobSeconds.toFixed(1)} s, gateway CPU ${base.cpuS.toFixed(1)} s, ${base.subscribers[0]?.deliveries.length ?? 0} updates`);
    log(`  ${SUBSCRIBERS} subscribers …`);
    const r = await runOnce(SUBSCRIBERS, flags, log);

    // Only updates first delivered after every subscriber was live (earlier ones were snapshots at connect time).
    const liveFrom = Math.max(...r.subscribers.map((s) => s.firstAt ?? Number.NEGATIVE_INFINITY));
    const first = new Map<string, number>();
    for (const s of r.subscribers) for (const d of s.deliveries) first.set(d.key, Math.min(first.get(d.key) ?? Number.POSITIVE_INFINITY, d.t));
    const measured = new Set([...first].filter(([, t]) => t > liveFrom).map(([k]) => k));
    const spreads: number[] = [];
    const spans = new Map<string, number>();
    const receivers = new Map<string, number>();
    for (const s of r.subscribers) {
      for (const d of s.deliveries) {
        if (!measured.has(d.key)) continue;
        const spread = d.t - (first.get(d.key) as number);
        spreads.push(spread);
        spans.set(d.key, Math.max(spans.get(d.key) ?? 0, spread));
        receivers.set(d.key, (receivers.get(d.key) ?? 0) + 1);
      }
    }
    const spanValues = [...spans.values()];
    const live = r.subscribers.filter((s) => s.errors.length === 0);
    const perSub = r.subscribers.map((s) => s.deliveries.length);
    const errors = r.subscribers.reduce((a, s) => a + s.errors.length, 0);
    const completed = r.subscribers.filter((s) => s.completed).length;
    const fullyDelivered = [...receivers.values()].filter((n) => n === r.subscribers.length).length;
    const errorSample = r.subscribers.flatMap((s) => s.errors).slice(0, 3);
    const bytesPerSub = (r.rssOpen - r.rssIdle) / SUBSCRIBERS;
    // Deliveries after all were live, against the baseline's CPU over the same share of its job.
    const liveDeliveries = r.subscribers.reduce((a, sub) => a + sub.deliveries.filter((d) => d.t > liveFrom).length, 0);
    const baseCpuSamePeriod = base.cpuAfterLiveS * Math.min(1, r.afterLiveS / Math.max(0.001, base.afterLiveS));
    const fanoutCpu = r.cpuAfterLiveS - baseCpuSamePeriod;
    const usPerDelivery = (fanoutCpu * 1e6) / Math.max(1, liveDeliveries);
    const deliveredLive = spreads.length;

    return [
      `**Production defaults**: the gateway child as the image runs it (\`node dist/main.js\` built by \`npm run build\` once at the start of the run,`,
      `\`NODE_ENV=production\`, \`CROSSDOCK_MODE=production\`, the default log level with its output to a file, the Dockerfile's \`NODE_OPTIONS\`:`,
      `\`${heapLabel(flags)}\`). Standalone sandbox (${formatNumber(PARTS)} parts, store quota ${formatNumber(QUOTA)} per ${WINDOW_MS / 1000} s, supplier ${FIP.rate}/s) and a gateway child pointed at it`,
      `(\`SYNC_PAGE_SIZE=${PAGE_SIZE}\`, \`SYNC_CREATE_CONCURRENCY=8\`), fresh pair per run. One \`startSync(input: {kind: CATALOG})\`, then`,
      `${formatNumber(SUBSCRIBERS)} subscriptions \`${SUBSCRIPTION}\` opened at once from this process: one \`POST /graphql/stream\` each`,
      `(\`Accept: text/event-stream\`, \`Accept-Encoding: ${BROWSER_ACCEPT_ENCODING}\` as a browser sends it, \`x-api-key\`; graphql-sse distinct connections; the streams came back with Content-Encoding: ${[...new Set(r.subscribers.map((s) => s.encoding ?? 'none'))].join(', ')})`,
      `over \`http.request\` with an Agent of unbounded sockets.`,
      `Each \`next\` event is timestamped (\`performance.now()\`) when its chunk arrives. Jobs publish at most 10 updates a second.`,
      `**Delay** = for each update (keyed by status, phase, processed and occurrence), a subscriber's delivery time minus the first delivery`,
      `of that update to any subscriber; only updates first delivered after all subscribers were live count. The delay includes this`,
      `process reading ${formatNumber(SUBSCRIBERS)} sockets on one thread (it used ${r.benchCpuS.toFixed(1)} s of CPU over the ${r.jobSeconds.toFixed(0)} s run).`,
      '',
      table(
        ['measure', 'value'],
        [
          ['subscribers opened / errors / got `complete`', `${formatNumber(r.subscribers.length)} / ${formatNumber(errors)} / ${formatNumber(completed)}`],
          ['all live (first event) after startSync', `${formatNumber(Math.round(r.connectMs))} ms`],
          ['job', `${formatNumber(r.processed)} items, ${r.jobSeconds.toFixed(1)} s (baseline with 1 subscriber ${base.jobSeconds.toFixed(1)} s)`],
          ['updates per subscriber (min / median / max)', `${Math.min(...perSub)} / ${percentile(perSub, 50)} / ${Math.max(...perSub)}`],
          ['updates measured / delivered to every subscriber', `${measured.size} / ${fullyDelivered}`],
          ['deliveries measured', formatNumber(deliveredLive)],
          ['**fan-out delay p50**', `**${fmtMs(percentile(spreads, 50))}**`],
          ['**fan-out delay p99**', `**${fmtMs(percentile(spreads, 99))}**`],
          ['**fan-out delay max**', `**${fmtMs(Math.max(...spreads))}**`],
          ['time to reach all subscribers, per update (p50 / p99 / max)', `${fmtMs(percentile(spanValues, 50))} / ${fmtMs(percentile(spanValues, 99))} / ${fmtMs(Math.max(...spanValues))}`],
          ['gateway RSS idle → all streams open', `${mib(r.rssIdle)} → ${mib(r.rssOpen)} (~${formatNumber(Math.round(bytesPerSub / 1024))} KiB per subscriber)`],
          ['gateway RSS max during the job / VmHWM', `${mib(r.rssMaxDuring)} / ${mib(r.peak)}`],
          ['gateway CPU over the job (1,000 subscribers)', `${r.cpuS.toFixed(1)} s (${Math.round((100 * r.cpuS) / r.jobSeconds)}% of one core)`],
          ['gateway CPU, same job with 1 subscriber', `${base.cpuS.toFixed(1)} s (${Math.round((100 * base.cpuS) / base.jobSeconds)}% of one core)`],
          ['gateway CPU to open the subscriptions (startSync → all live)', `${r.cpuSetupS.toFixed(2)} s, ~${formatNumber(Math.round((r.cpuSetupS * 1e6) / SUBSCRIBERS))} µs per subscription (job included)`],
          ['**fan-out CPU per delivery** (after all live, minus the 1-subscriber run)', `**~${formatNumber(Math.round(usPerDelivery))} µs** (${fanoutCpu.toFixed(2)} s for ${formatNumber(liveDeliveries)} deliveries); ×${formatNumber(SUBSCRIBERS)} subscribers = ~${formatNumber(Math.round((usPerDelivery * SUBSCRIBERS) / 1000))} ms of CPU per update`],
        ],
      ),
      errorSample.length ? `\nFirst errors: ${errorSample.map((e) => `\`${e}\``).join(', ')}` : '',
      '',
      `${gatewayLogLine(base.logged, 'With 1 subscriber the gateway')} ${gatewayLogLine(r.logged, `With ${formatNumber(SUBSCRIBERS)} subscribers it`)}`,
      '',
      `Subscribers without errors: ${formatNumber(live.length)} of ${formatNumber(r.subscribers.length)}. Updates came at ~${(percentile(perSub, 50) / r.jobSeconds).toFixed(1)}/s rather than`,
      `the 10/s the job events allow: the store pacer's 2 s smoothing sub-window is a fixed window, so each one's bulk share goes out in a`,
      `~0.2 s burst and the job then waits ~1.8 s with nothing to report. At 10 updates/s the measured fan-out cost would be`,
      `~${formatNumber(Math.round((usPerDelivery * SUBSCRIBERS * 10) / 10_000))}% of one core for ${formatNumber(SUBSCRIBERS)} subscribers (each delivery executes the subscription's selection for`,
      `that subscriber, serializes it and writes it to its socket). Set \`BENCH_SSE_PROFILE_DIR\` to profile the gateway over the fan-out.`,
    ].join('\n');
  },
};
