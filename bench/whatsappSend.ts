/**
 * WhatsApp send rate against the per-number bound (issue 16, acceptance 6):
 * how close product messages to distinct recipients come to the number's
 * throughput (upstreams.md: 80 messages/s by default) without one 130429.
 *
 * Production defaults: the gateway as the image runs it (`node dist/main.js`
 * after one `npm run build` per run, NODE_ENV=production,
 * CROSSDOCK_MODE=production, the default log level to a file, the
 * Dockerfile's NODE_OPTIONS), its WhatsApp connector pointed at the
 * standalone sandbox's WhatsApp Cloud twin (its own process), which counts
 * from the vendor's side and sends its signed status webhooks to the
 * gateway's route. 1,000 `sendProductMessage` mutations to distinct
 * recipients (the template: none of them wrote), from 200 clients at once,
 * each sending its next as soon as its last was answered, asking for
 * compression as a browser does. Per run, from the twin's own record of when
 * it took each message (`GET /__sandbox/messages`): the rate from the first
 * to the last accepted (against the bound), the most taken in any one
 * second, 130429s (must be 0); from the clients' side, the mutation's
 * latency (it answers once the first send settled: p50/p99) and the time
 * until every message is READ (the twin's status webhooks applied). Beside
 * them the CPU each process spent per message (gateway, sandbox, this load
 * generator, from /proc and process.cpuUsage) and the share of a core the
 * gateway got. Once with the twin's (and the connector's) default 80 per
 * second, once with a number allowed 250, side by side in one run.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROWSER_ACCEPT_ENCODING, browserClient, browserHeaders } from './lib/browser.js';
import { buildGateway, heapLabel, imageNodeFlags } from './lib/buildGateway.js';
import { startGateway, startSandbox, upstreamEnv, type GatewayProcess, type SandboxProcess } from './lib/crossdock.js';
import { formatNumber, table } from './lib/format.js';
import { gatewayLogLine, gatewayLogSummary, type GatewayLogSummary } from './lib/gatewayLog.js';
import { getJson, postJson } from './lib/http.js';
import { cpuTimeMs, sleep } from './lib/proc.js';
import { sandboxTwins, whatsappEnv } from './lib/sandboxConnectors.js';
import type { Scenario } from './lib/scenario.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? (process.env.BENCH_QUICK ? 300 : 1_000));
/** `GET /__sandbox/messages` lists the last 1,000 messages the twin took: a run may not send more. */
const TWIN_LISTS = 1_000;
/** Clients sending at once, each its next message once the last was answered. */
const CONCURRENCY = 200;
const SEND = `mutation Send($in: SendProductMessageInput!) { sendProductMessage(input: $in) { message { id status } } }`;
/** The gateway's webhook route (src/connectors/whatsapp/webhookRoutes.ts, WEBHOOK_PATH). */
const WEBHOOK_PATH = '/webhooks/whatsapp';

const quantile = (values: number[], q: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? Number.NaN;
};

interface TwinMessages {
  accepted: number;
  refused: Record<string, number>;
  webhooks: { delivered: number; failed: number; retried: number; pending: number };
  messages: Array<{ at: string; statuses: string[] }>;
}

interface Run {
  bound: number;
  rate: number;
  peakSecond: number;
  refused130429: number;
  refusedOther: number;
  webhooksFailed: number;
  p50: number;
  p99: number;
  allReadMs: number;
  /** CPU the gateway process spent per message, until all were READ. */
  gatewayCpuMsPerMessage: number;
  /** The same for the sandbox (the twin and its three signed status webhooks a message) and for this load generator. */
  sandboxCpuMsPerMessage: number;
  benchCpuMsPerMessage: number;
  /** The gateway's CPU over the wall time: the share of a core it got. */
  gatewayCores: number;
  load: number;
  logged: GatewayLogSummary;
}

async function run(bound: number, flags: string[], log: (line: string) => void): Promise<Run> {
  if (MESSAGES > TWIN_LISTS) throw new Error(`BENCH_MESSAGES=${MESSAGES}: the twin lists only its last ${TWIN_LISTS} messages`);
  const dataDir = mkdtempSync(join(tmpdir(), 'crossdock-bench-wa-'));
  let sb: SandboxProcess | undefined;
  let gw: GatewayProcess | undefined;
  try {
    sb = await startSandbox(`sandbox (whatsapp ${bound}/s)`, { SANDBOX_PARTS: '500', SANDBOX_BIGCOMMERCE_QUOTA: '100000', SANDBOX_WHATSAPP_MESSAGES_PER_SECOND: String(bound) });
    const twins = sandboxTwins(sb);
    // The statuses' timing the earlier in-process runs used (sent, delivered, read after acceptance).
    const statuses = await postJson(`${twins.whatsappOrigin}/__sandbox/statuses`, { delaysMs: { sent: 50, delivered: 200, read: 400 } });
    if (statuses.status !== 200) throw new Error(`the twin refused the status timing: HTTP ${statuses.status} ${statuses.text}`);
    gw = await startGateway(
      `gateway (whatsapp ${bound}/s)`,
      dataDir,
      {
        ...upstreamEnv(sb, { fipRatePerSecond: 10, fipPerMinute: 300, bcQuota: 100_000, bcWindowMs: 30_000 }),
        ...whatsappEnv(twins, bound),
        MESSAGE_SEND_WAIT_MS: '30000',
      },
      flags,
      undefined,
      'image',
    );
    const g = gw;
    // As an operator subscribes the app's webhook to the gateway: the twin runs the verification handshake first.
    const registered = await postJson<{ verified?: boolean }>(`${twins.whatsappOrigin}/__sandbox/webhook`, { url: `${g.url}${WEBHOOK_PATH}` });
    if (registered.status !== 200 || !registered.body?.verified) throw new Error(`the gateway's webhook did not verify: HTTP ${registered.status} ${registered.text}`);
    const client = browserClient(g, `gateway (whatsapp ${bound}/s)`);
    const products = await client.gqlData<{ products: { edges: Array<{ node: { id: string } }> } }>(`{ products(first: 3) { edges { node { id } } } }`);
    const productIds = products.products.edges.map((e) => e.node.id);
    const twinMessages = async () => (await getJson<TwinMessages>(`${twins.whatsappOrigin}/__sandbox/messages`)).body;
    const latencies: number[] = [];
    const load = loadavg()[0] as number;
    const bench0 = process.cpuUsage();
    const gw0 = await cpuTimeMs(g.child.pid);
    const sb0 = await cpuTimeMs(sb.child.pid);
    const started = performance.now();
    let n = 0;
    let answered = 0;
    // CONCURRENCY clients, each sending its next message as soon as the last was answered.
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = n++; i < MESSAGES; i = n++) {
          const t0 = performance.now();
          const res = await postJson<{ data?: { sendProductMessage: { message: { id: string; status: string } } }; errors?: unknown[] }>(
            `${g.url}/graphql`,
            { query: SEND, variables: { in: { to: `+1555${3_000_001 + i}`, productIds: [productIds[i % productIds.length]], idempotencyKey: `bench-${randomBytes(6).toString('hex')}` } } },
            browserHeaders(g.key),
            60_000,
          );
          latencies.push(performance.now() - t0);
          if (!res.body?.data?.sendProductMessage.message || res.body.errors) throw new Error(`send ${i}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
          if (++answered % 250 === 0) log(`  ${bound}/s: ${answered} of ${MESSAGES} answered`);
        }
      }),
    );
    // Every message READ: the twin's status webhooks, delivered and applied.
    const deadline = Date.now() + 120_000;
    let seen: TwinMessages;
    for (;;) {
      seen = await twinMessages();
      if (seen.messages.length >= MESSAGES && seen.messages.every((m) => m.statuses.includes('read')) && seen.webhooks.pending === 0) break;
      if (Date.now() > deadline) throw new Error(`not every message was read within 2 minutes (${seen.messages.filter((m) => m.statuses.includes('read')).length} of ${seen.messages.length} taken, ${seen.webhooks.pending} webhooks pending)`);
      await sleep(100);
    }
    const allReadMs = performance.now() - started;
    const gatewayCpuMs = (await cpuTimeMs(g.child.pid)) - gw0;
    const sandboxCpuMs = (await cpuTimeMs(sb.child.pid)) - sb0;
    const bench = process.cpuUsage(bench0);
    const taken = seen.messages.map((m) => Date.parse(m.at)).sort((a, b) => a - b);
    const spanMs = (taken.at(-1) as number) - (taken[0] as number);
    let peak = 0;
    for (let i = 0, j = 0; i < taken.length; i++) {
      while ((taken[i] as number) - (taken[j] as number) >= 1_000) j++;
      peak = Math.max(peak, i - j + 1);
    }
    await g.child.stop();
    const logged = gatewayLogSummary(dataDir);
    const refusedOther = Object.entries(seen.refused).filter(([code]) => code !== '130429').reduce((s, [, v]) => s + v, 0);
    return {
      bound,
      rate: ((taken.length - 1) / spanMs) * 1000,
      peakSecond: peak,
      refused130429: seen.refused['130429'] ?? 0,
      refusedOther,
      webhooksFailed: seen.webhooks.failed,
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      allReadMs,
      gatewayCpuMsPerMessage: gatewayCpuMs / MESSAGES,
      sandboxCpuMsPerMessage: sandboxCpuMs / MESSAGES,
      benchCpuMsPerMessage: (bench.user + bench.system) / 1000 / MESSAGES,
      gatewayCores: gatewayCpuMs / allReadMs,
      load,
      logged,
    };
  } finally {
    await gw?.child.stop();
    await sb?.child.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export const whatsappSend: Scenario = {
  name: 'whatsappSend',
  title: 'WhatsApp send rate against the per-number bound',
  timeoutMs: 10 * 60_000,
  async run(log) {
    buildGateway();
    const flags = imageNodeFlags();
    const runs: Run[] = [];
    for (const bound of [80, 250]) runs.push(await run(bound, flags, log));
    const ms = (v: number) => `${formatNumber(Math.round(v * 10) / 10)} ms`;
    const rows = runs.map((r) => [
      `${r.bound}/s`,
      `${formatNumber(r.rate)}/s`,
      `${formatNumber((r.rate / r.bound) * 100)} %`,
      r.peakSecond,
      r.refused130429,
      r.refusedOther,
      `${formatNumber(Math.round(r.p50))} ms`,
      `${formatNumber(Math.round(r.p99))} ms`,
      `${formatNumber(Math.round(r.allReadMs / 100) / 10)} s`,
      `${ms(r.gatewayCpuMsPerMessage)} / ${ms(r.sandboxCpuMsPerMessage)} / ${ms(r.benchCpuMsPerMessage)}`,
      formatNumber(Math.round(r.gatewayCores * 100) / 100),
      formatNumber(Math.round(r.load * 10) / 10),
    ]);
    const ok = runs.every((r) => r.refused130429 === 0);
    const failedWebhooks = runs.reduce((a, r) => a + r.webhooksFailed, 0);
    return [
      `**Production defaults**: the gateway as its image runs it (\`node dist/main.js\` built by \`npm run build\` at the start of the run, \`NODE_ENV=production\`,`,
      `\`CROSSDOCK_MODE=production\`, the default log level with its output to a file, the Dockerfile's \`NODE_OPTIONS\`: \`${heapLabel(flags)}\`), its WhatsApp connector`,
      `(\`WHATSAPP_*\`, the twin's approved template) pointed at the standalone sandbox's WhatsApp Cloud twin, a process of its own that counts from the vendor's side`,
      `and sends its signed status webhooks to the gateway's \`${WEBHOOK_PATH}\` (registered through the verification handshake); a fresh pair per bound, both bounds in one run.`,
      `${formatNumber(MESSAGES)} \`sendProductMessage\` mutations to distinct recipients (the template: none of them wrote), from ${CONCURRENCY} clients at once (each sends its next when its last was answered),`,
      `each request with a browser's \`Accept-Encoding: ${BROWSER_ACCEPT_ENCODING}\`.`,
      `The connector paces the number with a budget of the bound per second spaced evenly, at most 50 ms' worth at once (\`smoothMs\`, GCRA), the twin refuses past a bucket of the bound refilled continuously (130429).`,
      `Rate: accepted messages from the first to the last, as the twin took them; peak: the most it took in any one second. Latency: the mutation's, which answers once the first send settled.`,
      `CPU per message: what each process spent until all were READ, from \`/proc/<pid>/stat\` (gateway, sandbox: the twin and its three status webhooks a message) and \`process.cpuUsage\` (this load generator);`,
      `gateway cores: the gateway's CPU over the wall time. The rate reaches the bound only when the gateway gets about the bound × its CPU per message of a core (the shared machine's load average beside it).`,
      '',
      table(['bound', 'send rate', 'of the bound', 'peak in 1 s', '130429s', 'other refusals', 'p50', 'p99', 'all READ after', 'CPU per message: gateway / sandbox / load generator', 'gateway cores', 'load average'], rows),
      '',
      `Status webhooks the twin could not deliver: ${formatNumber(failedWebhooks)}.`,
      ...runs.map((r) => `- ${gatewayLogLine(r.logged, `The ${r.bound}/s gateway`)}`),
      '',
      `Goal (zero 130429s): ${ok ? 'met' : '**not met**'}.`,
    ].join('\n');
  },
};
