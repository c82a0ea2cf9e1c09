/**
 * Dashboard cost on an idle gateway: the gateway's CPU with no dashboard
 * open, and with 10 open, side by side in one run on one gateway child
 * (embedded sandbox, no traffic, no jobs), in alternating periods (0, 10,
 * 0, 10, …) so drift in the machine's load falls on both alike.
 *
 * A dashboard here is what an open page makes the gateway do, with the
 * page's own documents (src/server/dashboardScript.ts, DASHBOARD_DOCUMENTS):
 * on opening, `me`, `dashboardHistory` and the two work-queue queries, then
 * the `dashboard` subscription over graphql-sse (one event stream per page,
 * a snapshot every DASHBOARD_INTERVAL_MS, default 1 s); an idle gateway's
 * snapshots show no change, so the page reads nothing more. The clients are raw HTTP from this process (a browser
 * per page would compete for the same two cores); the gateway's CPU is read
 * from /proc for its pid alone.
 *
 * Production defaults: the gateway as the image runs it (`node dist/main.js`
 * after `npm run build`, NODE_ENV=production, CROSSDOCK_MODE=production, the
 * default log level to a file, the Dockerfile's NODE_OPTIONS) against the
 * standalone sandbox; the page's requests and its event stream ask for
 * compression as a browser does.
 *
 * Goal (issue 18): the 10 dashboards add under 5 % of one core.
 */
import { request, Agent, type ClientRequest, type IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DASHBOARD_DOCUMENTS } from '../src/server/dashboardScript.js';
import { BROWSER_ACCEPT_ENCODING, browserClient, browserStreamHeaders, decodedBody } from './lib/browser.js';
import { buildGateway, heapLabel, imageNodeFlags } from './lib/buildGateway.js';
import { startGateway, startSandbox, upstreamEnv, type GatewayProcess, type SandboxProcess } from './lib/crossdock.js';
import { formatNumber, mib, table } from './lib/format.js';
import { gatewayLogLine, gatewayLogSummary } from './lib/gatewayLog.js';
import { cpuTimeMs, memoryOf, sleep } from './lib/proc.js';
import type { Scenario } from './lib/scenario.js';

const DASHBOARDS = 10;
/** One measured period. */
const PERIOD_MS = 20_000;
/** Periods of each kind, alternating. */
const ROUNDS = 3;
/** After opening or closing dashboards, before measuring. */
const SETTLE_MS = 3_000;
const GOAL_POINTS = 5;

interface Dashboard {
  req?: ClientRequest;
  res?: IncomingMessage;
  events: number;
  errors: string[];
  /** The stream's Content-Encoding ('none' when it has none). */
  encoding?: string;
}

async function post(gw: GatewayProcess, query: string): Promise<void> {
  const r = await browserClient(gw).gql(query);
  if (r.status !== 200 || r.errors?.length) throw new Error(`${query.slice(0, 40)}…: HTTP ${r.status} ${JSON.stringify(r.errors).slice(0, 300)}`);
}

/** Opens one dashboard: its first reads, then its event stream. */
async function open(gw: GatewayProcess, agent: Agent): Promise<Dashboard> {
  const d: Dashboard = { events: 0, errors: [] };
  await post(gw, DASHBOARD_DOCUMENTS.me);
  await post(gw, DASHBOARD_DOCUMENTS.history);
  await post(gw, DASHBOARD_DOCUMENTS.review);
  await post(gw, DASHBOARD_DOCUMENTS.failures);
  const url = new URL(`${gw.url}/graphql/stream`);
  const body = JSON.stringify({ query: DASHBOARD_DOCUMENTS.snapshot, operationName: 'Dashboard' });
  await new Promise<void>((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: browserStreamHeaders(gw.key, body) },
      (res) => {
        d.res = res;
        if (res.statusCode !== 200) {
          reject(new Error(`the dashboard stream answered HTTP ${res.statusCode}`));
          res.resume();
          return;
        }
        d.encoding = String(res.headers['content-encoding'] ?? 'none');
        const stream = decodedBody(res);
        stream.setEncoding('utf8');
        let buf = '';
        stream.on('data', (chunk: string) => {
          buf += chunk;
          let end: number;
          while ((end = buf.indexOf('\n\n')) >= 0) {
            const message = buf.slice(0, end);
            buf = buf.slice(end + 2);
            if (!message.startsWith('event: next')) continue;
            if (message.includes('"errors"')) d.errors.push(message.slice(0, 200));
            d.events++;
            if (d.events === 1) resolve();
          }
        });
        stream.once('error', (err) => d.errors.push(err.message));
      },
    );
    d.req = req;
    req.once('error', (err) => {
      d.errors.push(err.message);
      reject(err);
    });
    req.end(body);
  });
  return d;
}

function close(d: Dashboard): void {
  d.res?.destroy();
  d.req?.destroy();
}

interface Period {
  dashboards: number;
  cpuPercent: number;
  events: number;
  seconds: number;
}

async function measure(gw: GatewayProcess, open: Dashboard[]): Promise<Period> {
  const before = open.reduce((a, d) => a + d.events, 0);
  const cpu0 = await cpuTimeMs(gw.child.pid);
  const t0 = performance.now();
  await sleep(PERIOD_MS);
  const cpu1 = await cpuTimeMs(gw.child.pid);
  const seconds = (performance.now() - t0) / 1000;
  return { dashboards: open.length, cpuPercent: ((cpu1 - cpu0) / 10 / seconds), events: open.reduce((a, d) => a + d.events, 0) - before, seconds };
}

export const dashboardIdle: Scenario = {
  name: 'dashboardIdle',
  title: 'Dashboard cost: an idle gateway with 0 and 10 dashboards open',
  timeoutMs: 5 * 60_000,
  async run(log) {
    buildGateway();
    const flags = imageNodeFlags();
    const dataDir = mkdtempSync(join(tmpdir(), 'crossdock-bench-dash-'));
    const agent = new Agent({ keepAlive: true, maxSockets: DASHBOARDS * 2 });
    let gw: GatewayProcess | undefined;
    let sb: SandboxProcess | undefined;
    let dashboards: Dashboard[] = [];
    const periods: Period[] = [];
    try {
      sb = await startSandbox('sandbox (dashboard idle)', { SANDBOX_PARTS: '5000' });
      // The sandbox's default limits (FinditParts 10/s, BigCommerce 150 per 30 s), told to the gateway as a deployment would.
      gw = await startGateway('gateway (dashboard idle)', dataDir, upstreamEnv(sb, { fipRatePerSecond: 10, fipPerMinute: 300, bcQuota: 150, bcWindowMs: 30_000 }), flags, undefined, 'image');
      const g = gw;
      // Warm every path once (the page's reads and its stream), then let it idle.
      const warm = await open(g, agent);
      const streamEncoding = warm.encoding ?? 'none';
      close(warm);
      await sleep(SETTLE_MS);
      const rssIdle = (await memoryOf(g.child.pid)).rss;
      let rssOpen = rssIdle;
      for (let round = 1; round <= ROUNDS; round++) {
        const none = await measure(g, []);
        periods.push(none);
        log(`  round ${round}: 0 dashboards: ${none.cpuPercent.toFixed(2)} % of one core`);
        dashboards = await Promise.all(Array.from({ length: DASHBOARDS }, () => open(g, agent)));
        await sleep(SETTLE_MS);
        rssOpen = Math.max(rssOpen, (await memoryOf(g.child.pid)).rss);
        const ten = await measure(g, dashboards);
        periods.push(ten);
        log(`  round ${round}: ${DASHBOARDS} dashboards: ${ten.cpuPercent.toFixed(2)} % of one core, ${ten.events} snapshots delivered`);
        const errors = dashboards.flatMap((d) => d.errors);
        if (errors.length) throw new Error(`dashboard errors: ${errors.slice(0, 3).join('; ')}`);
        dashboards.forEach(close);
        dashboards = [];
        await sleep(SETTLE_MS);
      }
      await g.child.stop();
      const logged = gatewayLogSummary(dataDir);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const idle = periods.filter((p) => p.dashboards === 0);
      const open10 = periods.filter((p) => p.dashboards === DASHBOARDS);
      const added = mean(open10.map((p) => p.cpuPercent)) - mean(idle.map((p) => p.cpuPercent));
      const perSnapshotUs = (added / 100) * 1e6 / Math.max(1, mean(open10.map((p) => p.events / p.seconds)));
      const met = added < GOAL_POINTS;
      return [
        `**Production defaults**: one gateway child as the image runs it (\`node dist/main.js\` built by \`npm run build\` at the start of the run,`,
        `\`NODE_ENV=production\`, \`CROSSDOCK_MODE=production\`, the default log level with its output to a file, the Dockerfile's \`NODE_OPTIONS\`: \`${heapLabel(flags)}\`)`,
        `against the standalone sandbox (its own process, 5,000 parts), \`DASHBOARD_INTERVAL_MS\` at its default of 1 s. Every request says`,
        `\`Accept-Encoding: ${BROWSER_ACCEPT_ENCODING}\` as the page's browser would (the event stream came back with Content-Encoding: ${streamEncoding}),`,
        `idle: no other client, no job. ${ROUNDS} rounds of a ${PERIOD_MS / 1000} s period with no dashboard then a ${PERIOD_MS / 1000} s period with ${DASHBOARDS} open`,
        `(${SETTLE_MS / 1000} s settling after each change). A dashboard is the page's own traffic with its own documents: \`me\`, \`dashboardHistory\``,
        `and the two work-queue queries on opening, then the \`dashboard\` subscription over graphql-sse (one event stream each); with nothing changing,`,
        `a page reads nothing more. CPU is the gateway pid's user + system time from \`/proc/<pid>/stat\` over each period, as a share of one core.`,
        '',
        table(
          ['period', 'dashboards', 'gateway CPU', 'snapshots delivered'],
          periods.map((p, i) => [`${Math.floor(i / 2) + 1}${i % 2 ? 'b' : 'a'}`, p.dashboards, `${p.cpuPercent.toFixed(2)} %`, formatNumber(p.events)]),
        ),
        '',
        table(
          ['measure', 'value'],
          [
            ['gateway CPU, no dashboard (mean)', `${mean(idle.map((p) => p.cpuPercent)).toFixed(2)} % of one core`],
            [`gateway CPU, ${DASHBOARDS} dashboards (mean)`, `${mean(open10.map((p) => p.cpuPercent)).toFixed(2)} % of one core`],
            [`**added by ${DASHBOARDS} dashboards**`, `**${added.toFixed(2)} points of one core**`],
            ['CPU per delivered snapshot (added ÷ snapshots per second)', `~${formatNumber(Math.round(perSnapshotUs))} µs`],
            ['gateway RSS idle → dashboards open (max)', `${mib(rssIdle)} → ${mib(rssOpen)}`],
          ],
        ),
        '',
        gatewayLogLine(logged),
        '',
        `Goal (${DASHBOARDS} dashboards add under ${GOAL_POINTS} % of one core): ${met ? 'met' : 'NOT met'} (${added.toFixed(2)} points). The monitor samples the`,
        'metrics and evaluates the alert rules once a second whether or not a dashboard is open, so that share is in both columns; with',
        'dashboards open it also builds one snapshot per tick (the records read for jobs and the review queue once, not per page) and each',
        "page's subscription executes its selection over that shared object.",
      ].join('\n');
    } finally {
      dashboards.forEach(close);
      agent.destroy();
      await gw?.child.stop();
      await sb?.child.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
