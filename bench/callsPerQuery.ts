/**
 * Upstream calls per query: one GraphQL request for 100 parts with their
 * store product and both stocks, counted from the vendors' side
 * (`/__sandbox/stats` on each origin, reset before each phase).
 * Goal (issue): at most 4 upstream calls cold, 0 warm.
 *
 * Production defaults: the gateway as the image runs it (`node dist/main.js`
 * after `npm run build`, NODE_ENV=production, CROSSDOCK_MODE=production, the
 * default log level to a file, the Dockerfile's NODE_OPTIONS) against the
 * standalone sandbox, and the request asks for compression as a browser does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { browserClient } from './lib/browser.js';
import { buildGateway, heapLabel, imageNodeFlags } from './lib/buildGateway.js';
import { startGateway, startSandbox, upstreamEnv, type GatewayProcess } from './lib/crossdock.js';
import { table } from './lib/format.js';
import { gatewayLogLine, gatewayLogSummary } from './lib/gatewayLog.js';
import { sandboxReset, sandboxStats, type SandboxStats } from './lib/http.js';
import type { Scenario } from './lib/scenario.js';

const PARTS_IN_CATALOG = 5_000;
const IDS = Array.from({ length: 100 }, (_, i) => String((i + 1) * 50)); // 50, 100, …, 5000: spread over the catalog
const GOAL_COLD = 4;

const SELECTION = `storeProduct { sku price { amount } inventory { supplierQuantity storeQuantity } } inventory { supplierQuantity storeQuantity available }`;
const QUERY = `query Parts($ids: [ID!]!) { parts(ids: $ids) { id partNumber ${SELECTION} } }`;
/** Same data, another client-visible shape (an alias): misses the whole-response cache, hits the entity cache. */
const QUERY_ALIASED = `query Parts($ids: [ID!]!) { parts(ids: $ids) { id number: partNumber ${SELECTION} } }`;

/** The naive resolver count: one upstream call per field per part. */
const NAIVE_PER_PART = 4; // part + store product + store stock + supplier stock
const NAIVE = IDS.length * NAIVE_PER_PART;

interface Phase {
  name: string;
  query: string;
  note: string;
}

interface PartOut {
  storeProduct: unknown;
  inventory: { supplierQuantity: number | null };
}

async function responseCacheCounters(gw: GatewayProcess): Promise<Record<string, number>> {
  const res = await fetch(`${gw.url}/metrics`, { headers: { 'x-api-key': gw.key }, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^crossdock_response_cache_total\{result="(\w+)"\} (\d+)/gm)) {
    if (m[1]) out[m[1]] = Number(m[2]);
  }
  return out;
}

function endpoints(s: SandboxStats): string {
  return Object.entries(s.endpoints)
    .map(([k, v]) => `${v}× ${k}`)
    .join(', ');
}

export const callsPerQuery: Scenario = {
  name: 'callsPerQuery',
  title: 'Upstream calls per query',
  timeoutMs: 4 * 60_000,
  async run(log) {
    buildGateway();
    const flags = imageNodeFlags();
    const dataDir = mkdtempSync(join(tmpdir(), 'crossdock-bench-calls-'));
    try {
      const sb = await startSandbox('sandbox (calls per query)', { SANDBOX_PARTS: String(PARTS_IN_CATALOG) });
      // The sandbox's own default limits (FinditParts 10/s, BigCommerce 150 per 30 s), told to the gateway as a real deployment would be.
      const gw = await startGateway('gateway (calls per query)', dataDir, upstreamEnv(sb, { fipRatePerSecond: 10, fipPerMinute: 300, bcQuota: 150, bcWindowMs: 30_000 }), flags, undefined, 'image');
      const client = browserClient(gw, 'gateway (calls per query)');
      const fip = sb.fipOrigin;
      const bc = sb.bcOrigin;
      const phases: Phase[] = [
        { name: 'cold', query: QUERY, note: 'first query, empty caches' },
        { name: 'warm', query: QUERY, note: 'the same request again' },
        { name: 'warm, new shape', query: QUERY_ALIASED, note: 'alias `number: partNumber`, so the whole-response cache misses and only the entity cache serves' },
      ];
      const rows: Array<Array<string | number>> = [];
      const details: string[] = [];
      let cold = Number.NaN;
      let warmMax = 0;
      for (const phase of phases) {
        await Promise.all([sandboxReset(fip), sandboxReset(bc)]);
        const before = await responseCacheCounters(gw);
        const started = performance.now();
        const res = await client.gql<{ parts: Array<PartOut | null> }>(phase.query, { ids: IDS });
        const elapsed = performance.now() - started;
        if (res.status !== 200 || res.errors) throw new Error(`${phase.name}: HTTP ${res.status} ${JSON.stringify(res.errors).slice(0, 500)}`);
        const parts = res.data?.parts ?? [];
        if (parts.length !== IDS.length || parts.some((p) => p === null)) throw new Error(`${phase.name}: expected ${IDS.length} parts, got ${parts.filter(Boolean).length}`);
        const [sf, sbc] = await Promise.all([sandboxStats(fip), sandboxStats(bc)]);
        const after = await responseCacheCounters(gw);
        const label: Record<string, string> = { hit: 'hit', store: 'miss, stored', skip: 'miss, not stored' };
        const rc = ['hit', 'store', 'skip'].filter((k) => (after[k] ?? 0) > (before[k] ?? 0)).map((k) => label[k]).join(', ') || '—';
        const total = sf.requests + sbc.requests;
        if (phase.name === 'cold') cold = total;
        else warmMax = Math.max(warmMax, total);
        const withProduct = parts.filter((p) => p?.storeProduct).length;
        rows.push([phase.name, sf.requests, sbc.requests, total, NAIVE, rc, res.encoding ?? 'none', `${Math.round(elapsed)} ms`]);
        details.push(`- **${phase.name}** (${phase.note}): FinditParts ${endpoints(sf) || 'none'}; BigCommerce ${endpoints(sbc) || 'none'}. ${withProduct}/100 parts have a store product.`);
        log(`  ${phase.name}: ${sf.requests} FinditParts + ${sbc.requests} BigCommerce = ${total} upstream requests (naive ${NAIVE}), response cache ${rc}, ${res.encoding ?? 'uncompressed'}, ${Math.round(elapsed)} ms`);
      }
      await gw.child.stop();
      await sb.child.stop();
      const logged = gatewayLogSummary(dataDir);
      return [
        `**Production defaults**: the gateway as its image runs it (\`node dist/main.js\` built by \`npm run build\` at the start of the run,`,
        `\`NODE_ENV=production\`, \`CROSSDOCK_MODE=production\`, the default log level with its output to a file, the Dockerfile's \`NODE_OPTIONS\`:`,
        `\`${heapLabel(flags)}\`) against the standalone sandbox (its own process, ${PARTS_IN_CATALOG.toLocaleString('en-US')} parts; the gateway told the sandbox's default`,
        `limits, FinditParts 10/s and BigCommerce 150 per 30 s). One POST /graphql per phase, with a browser's \`Accept-Encoding: gzip, deflate, br\`, for`,
        `\`parts(ids: [100 ids])\` with \`id partNumber ${SELECTION}\``,
        `(ids 50, 100, …, 5000). Upstream requests are counted by the sandboxes (\`GET /__sandbox/stats\`, reset before each phase).`,
        `Naive = one upstream call per field per part = 100 parts × ${NAIVE_PER_PART} (part + store product + store stock + supplier stock) = ${NAIVE}.`,
        `The cold phase is the cache-missing case, the warm ones the cached cases beside it.`,
        '',
        table(['phase', 'FinditParts', 'BigCommerce', 'upstream total', 'naive', 'response cache', 'answer encoding', 'latency'], rows),
        '',
        ...details,
        '',
        gatewayLogLine(logged),
        '',
        `Goal (at most ${GOAL_COLD} cold, 0 warm): cold ${cold <= GOAL_COLD ? 'met' : '**not met**'} (${cold}), warm ${warmMax === 0 ? 'met' : '**not met**'} (${warmMax}).`,
      ].join('\n');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
