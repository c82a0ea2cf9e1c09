/**
 * Upstream calls per query: one GraphQL request for 100 parts with their
 * store product and both stocks, counted from the vendors' side
 * (`/__sandbox/stats` on each origin, reset before each phase).
 * Goal (issue): at most 4 upstream calls cold, 0 warm.
 */
import { loadConfig } from '../src/config.js';
import { createGateway, type Gateway } from '../src/gateway.js';
import { createLogger } from '../src/observability/logger.js';
import { table } from './lib/format.js';
import { postJson, sandboxReset, sandboxStats, type SandboxStats } from './lib/http.js';
import type { Scenario } from './lib/scenario.js';
import { runningTwin } from '../src/sandbox/twins.js';

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

async function responseCacheCounters(gateway: Gateway, key: string): Promise<Record<string, number>> {
  const res = await fetch(`${gateway.url}/metrics`, { headers: { 'x-api-key': key } });
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
  timeoutMs: 2 * 60_000,
  async run(log) {
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
    const gateway = await createGateway(config, { sandbox: { parts: PARTS_IN_CATALOG }, logger: createLogger({ level: 'silent' }) });
    try {
      const key = gateway.devKey ?? '';
      const fip = runningTwin(gateway.sandbox, 'finditparts')?.url;
      const bc = runningTwin(gateway.sandbox, 'bigcommerce')?.url;
      if (!fip || !bc) throw new Error('the gateway started without its embedded sandbox');
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
        const before = await responseCacheCounters(gateway, key);
        const started = performance.now();
        const res = await postJson<{ data?: { parts: Array<PartOut | null> }; errors?: unknown[] }>(
          `${gateway.url}/graphql`,
          { query: phase.query, variables: { ids: IDS } },
          { 'x-api-key': key, accept: 'application/graphql-response+json' },
        );
        const elapsed = performance.now() - started;
        if (res.status !== 200 || res.body.errors) throw new Error(`${phase.name}: HTTP ${res.status} ${res.text.slice(0, 500)}`);
        const parts = res.body.data?.parts ?? [];
        if (parts.length !== IDS.length || parts.some((p) => p === null)) throw new Error(`${phase.name}: expected ${IDS.length} parts, got ${parts.filter(Boolean).length}`);
        const [sf, sb] = await Promise.all([sandboxStats(fip), sandboxStats(bc)]);
        const after = await responseCacheCounters(gateway, key);
        const label: Record<string, string> = { hit: 'hit', store: 'miss, stored', skip: 'miss, not stored' };
        const rc = ['hit', 'store', 'skip'].filter((k) => (after[k] ?? 0) > (before[k] ?? 0)).map((k) => label[k]).join(', ') || '—';
        const total = sf.requests + sb.requests;
        if (phase.name === 'cold') cold = total;
        else warmMax = Math.max(warmMax, total);
        const withProduct = parts.filter((p) => p?.storeProduct).length;
        rows.push([phase.name, sf.requests, sb.requests, total, NAIVE, rc, `${Math.round(elapsed)} ms`]);
        details.push(`- **${phase.name}** (${phase.note}): FinditParts ${endpoints(sf) || 'none'}; BigCommerce ${endpoints(sb) || 'none'}. ${withProduct}/100 parts have a store product.`);
        log(`  ${phase.name}: ${sf.requests} FinditParts + ${sb.requests} BigCommerce = ${total} upstream requests (naive ${NAIVE}), response cache ${rc}, ${Math.round(elapsed)} ms`);
      }
      return [
        `Embedded gateway in-process (\`createGateway\`, sandbox of ${PARTS_IN_CATALOG.toLocaleString('en-US')} parts), one POST /graphql per phase for`,
        `\`parts(ids: [100 ids])\` with \`id partNumber ${SELECTION}\``,
        `(ids 50, 100, …, 5000). Upstream requests are counted by the sandboxes (\`GET /__sandbox/stats\`, reset before each phase).`,
        `Naive = one upstream call per field per part = 100 parts × ${NAIVE_PER_PART} (part + store product + store stock + supplier stock) = ${NAIVE}.`,
        '',
        table(['phase', 'FinditParts', 'BigCommerce', 'upstream total', 'naive', 'response cache', 'latency'], rows),
        '',
        ...details,
        '',
        `Goal (at most ${GOAL_COLD} cold, 0 warm): cold ${cold <= GOAL_COLD ? 'met' : '**not met**'} (${cold}), warm ${warmMax === 0 ? 'met' : '**not met**'} (${warmMax}).`,
      ].join('\n');
    } finally {
      await gateway.close();
    }
  },
};
