/**
 * WhatsApp send rate against the per-number bound (issue 16, acceptance 6):
 * how close product messages to distinct recipients come to the number's
 * throughput (upstreams.md: 80 messages/s by default) without one 130429.
 *
 * An embedded gateway in this process, its WhatsApp Cloud twin counting
 * from the vendor's side: 1,000 `sendProductMessage` mutations to distinct
 * recipients (the template: none of them wrote), from 200 clients at once,
 * each sending its next as soon as its last was answered. Per run, from the twin's own record of when it took
 * each message: the rate from the first to the last accepted (against the
 * bound), the most taken in any one second, 130429s (must be 0); from the
 * clients' side, the mutation's latency (it answers once the first send
 * settled: p50/p99) and the time until every message is READ (the twin's
 * signed status webhooks applied). Beside them the CPU the process spent
 * per message and the share of a core it got: everything runs in this one
 * process, so on a loaded machine the rate is bounded by that share, not by
 * the pacing. Once with the twin's (and the connector's) default 80 per
 * second, once with a number allowed 250.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { createGateway, type Gateway } from '../src/gateway.js';
import { createLogger } from '../src/observability/logger.js';
import { runningTwin } from '../src/sandbox/twins.js';
import { formatNumber, table } from './lib/format.js';
import { postJson } from './lib/http.js';
import type { Scenario } from './lib/scenario.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? (process.env.BENCH_QUICK ? 300 : 1_000));
/** Clients sending at once, each its next message once the last was answered. */
const CONCURRENCY = 200;
const SEND = `mutation Send($in: SendProductMessageInput!) { sendProductMessage(input: $in) { message { id status } } }`;

const quantile = (values: number[], q: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? Number.NaN;
};

interface Run {
  bound: number;
  rate: number;
  peakSecond: number;
  refused130429: number;
  refusedOther: number;
  p50: number;
  p99: number;
  allReadMs: number;
  /** CPU this process spent (gateway, twin and load generator together) per message, until all were READ. */
  cpuMsPerMessage: number;
  /** That CPU over the wall time: the share of a core the process got. */
  cores: number;
  load: number;
}

async function run(bound: number, log: (line: string) => void): Promise<Run> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    CROSSDOCK_DATA_DIR: mkdtempSync(join(tmpdir(), 'crossdock-bench-wa-')),
    CLIENT_BUDGET_POINTS: '1000000000',
    WHATSAPP_MESSAGES_PER_SECOND: String(bound),
    MESSAGE_SEND_WAIT_MS: '30000',
  });
  const gateway: Gateway = await createGateway(config, {
    sandbox: { parts: 500, bigcommerce: { quota: 100_000 }, whatsapp: { messagesPerSecond: bound, statusDelaysMs: { sent: 50, delivered: 200, read: 400 } } },
    logger: createLogger({ level: 'silent' }),
  });
  try {
    const twin = runningTwin(gateway.sandbox, 'whatsapp');
    if (!twin) throw new Error('the gateway started without its WhatsApp twin');
    const key = gateway.devKey ?? '';
    const headers = { 'x-api-key': key, accept: 'application/graphql-response+json' };
    const products = await postJson<{ data: { products: { edges: Array<{ node: { id: string } }> } } }>(`${gateway.url}/graphql`, { query: `{ products(first: 3) { edges { node { id } } } }` }, headers);
    const productIds = products.body.data.products.edges.map((e) => e.node.id);
    const latencies: number[] = [];
    const load = loadavg()[0] as number;
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    let n = 0;
    let answered = 0;
    // CONCURRENCY clients, each sending its next message as soon as the last was answered.
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = n++; i < MESSAGES; i = n++) {
          const t0 = performance.now();
          const res = await postJson<{ data?: { sendProductMessage: { message: { id: string; status: string } } }; errors?: unknown[] }>(
            `${gateway.url}/graphql`,
            { query: SEND, variables: { in: { to: `+1555${3_000_001 + i}`, productIds: [productIds[i % productIds.length]], idempotencyKey: `bench-${randomBytes(6).toString('hex')}` } } },
            headers,
            60_000,
          );
          latencies.push(performance.now() - t0);
          if (!res.body.data?.sendProductMessage.message || res.body.errors) throw new Error(`send ${i}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
          if (++answered % 250 === 0) log(`  ${bound}/s: ${answered} of ${MESSAGES} answered`);
        }
      }),
    );
    // Every message READ: the twin's status webhooks, applied.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const taken = twin.origin.messages();
      if (taken.length >= MESSAGES && taken.every((m) => m.statuses.includes('read')) && (await twin.origin.webhooksIdle(1_000))) break;
      if (Date.now() > deadline) throw new Error('not every message was read within 2 minutes');
      await new Promise((r) => setTimeout(r, 100));
    }
    const allReadMs = performance.now() - started;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const taken = twin.origin.messages().map((m) => Date.parse(m.at)).sort((a, b) => a - b);
    const spanMs = (taken.at(-1) as number) - (taken[0] as number);
    let peak = 0;
    for (let i = 0, j = 0; i < taken.length; i++) {
      while ((taken[i] as number) - (taken[j] as number) >= 1_000) j++;
      peak = Math.max(peak, i - j + 1);
    }
    const counters = twin.origin.counters();
    const refusedOther = Object.entries(counters.refused).filter(([code]) => code !== '130429').reduce((s, [, v]) => s + v, 0);
    return { bound, rate: ((taken.length - 1) / spanMs) * 1000, peakSecond: peak, refused130429: counters.refused['130429'] ?? 0, refusedOther, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), allReadMs, cpuMsPerMessage: cpuMs / MESSAGES, cores: cpuMs / allReadMs, load };
  } finally {
    await gateway.close();
  }
}

export const whatsappSend: Scenario = {
  name: 'whatsappSend',
  title: 'WhatsApp send rate against the per-number bound',
  timeoutMs: 10 * 60_000,
  async run(log) {
    const runs: Run[] = [];
    for (const bound of [80, 250]) runs.push(await run(bound, log));
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
      `${formatNumber(Math.round(r.cpuMsPerMessage * 10) / 10)} ms`,
      formatNumber(Math.round(r.cores * 100) / 100),
      formatNumber(Math.round(r.load * 10) / 10),
    ]);
    const ok = runs.every((r) => r.refused130429 === 0);
    return [
      `Embedded gateway in-process (development mode, the load generator in the same process), its WhatsApp Cloud twin counting from the vendor's side:`,
      `${formatNumber(MESSAGES)} \`sendProductMessage\` mutations to distinct recipients (the template: none of them wrote), from ${CONCURRENCY} clients at once (each sends its next when its last was answered).`,
      `The connector paces the number with a budget of the bound per second spaced evenly, at most 50 ms' worth at once (\`smoothMs\`, GCRA), the twin refuses past a bucket of the bound refilled continuously (130429).`,
      `Rate: accepted messages from the first to the last, as the twin took them; peak: the most it took in any one second. Latency: the mutation's, which answers once the first send settled.`,
      `CPU per message: what this one process (gateway, twin, load generator, and the three signed status webhooks of each message) spent until all were READ; cores used: that CPU over the wall time. The rate reaches the bound only when the process gets about the bound × CPU per message of a core (the shared machine's load average beside it).`,
      '',
      table(['bound', 'send rate', 'of the bound', 'peak in 1 s', '130429s', 'other refusals', 'p50', 'p99', 'all READ after', 'CPU per message', 'cores used', 'load average'], rows),
      '',
      `Goal (zero 130429s): ${ok ? 'met' : '**not met**'}.`,
    ].join('\n');
  },
};
